"""The minifier keeps what code means: strings, templates, regular
expressions and line breaks (automatic semicolons) stay as written."""

from __future__ import annotations

import pytest

from webapp.minify import minify_css, minify_js
from webapp.pwa.bundle import Unbundleable, bundle_worker


def test_comments_and_indentation_go_strings_templates_and_regexes_stay():
    src = (
        "// first remark\n"
        "const a = `  two  spaces ${ b + `nested  ${c}` } // not a comment`;\n"
        '    const d = "keep  /* this */";  /* gone */\n'
        "const e = /[/\"']+ x/g.test(f) / 2;\n"
        "let g = a\n"
        "(h)\n"
        "return x - -y + +z;\n"
    )
    out = minify_js(src)
    assert "first remark" not in out and "gone" not in out
    assert "`  two  spaces ${ b + `nested  ${c}` } // not a comment`" in out
    assert '"keep  /* this */"' in out
    assert "/[/\"']+ x/g.test(f)/2" in out
    assert "let g=a\n(h)" in out  # the line break stays: no semicolon is invented or lost
    assert "x- -y+ +z" in out


def test_an_unterminated_string_is_refused_not_mangled():
    with pytest.raises(ValueError):
        minify_js('const a = "open\n')


def test_css_loses_comments_and_spaces_but_not_strings():
    out = minify_css('/* c */ a  >  b { content: "  two  " ; color : red; }\n')
    assert out.strip() == 'a>b{content:"  two  ";color:red}'


def test_the_worker_bundle_inlines_each_module_once_in_dependency_order(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import { b as bee } from "./b.js";\nexport const a = () => bee + 1;\n')
    (tmp_path / "js" / "b.js").write_text("const hidden = 1;\nexport const b = hidden;\nexport { hidden as h };\n")
    out = bundle_worker(
        'import { a } from "/static/js/a.js";\nimport { h } from "/static/js/b.js";\nself.x = a() + h;\n', tmp_path
    )
    assert out.count("const hidden = 1;") == 1
    assert out.index("const __steady_js_b") < out.index("const __steady_js_a")
    assert "import" not in out and "export" not in out
    assert "const { b: bee } = __steady_js_b;" in out and "return { b, h: hidden }" in out


def test_the_worker_bundle_refuses_forms_it_does_not_know(tmp_path):
    (tmp_path / "x.js").write_text("export let x = 1;\n")
    with pytest.raises(Unbundleable):
        bundle_worker('import { x } from "/static/x.js";\n', tmp_path)
    (tmp_path / "y.js").write_text("export default 1;\n")
    with pytest.raises(Unbundleable):
        bundle_worker('import { y } from "/static/y.js";\n', tmp_path)
