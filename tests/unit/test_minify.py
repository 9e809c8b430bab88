"""The minifier keeps what code means: strings, templates and regular
expressions stay as written, and a line break goes only where no semicolon
could be inserted (automatic semicolon insertion reads the code as before)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from webapp.minify import minify_css, minify_js
from webapp.pwa.bundle import Unbundleable, bundle_worker
from webapp.pwa.routes import WORKER_FILES

ROOT = Path(__file__).resolve().parents[2]


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


def test_the_worker_bundle_leaves_out_what_nothing_calls(tmp_path):
    (tmp_path / "m.js").write_text(
        "// pageOnly() and helper() are named in this comment only\n"
        "export function used() {\n  return inner();\n}\n"
        "function inner() {\n  return 1;\n}\n"
        "export async function pageOnly() {\n  return helper();\n}\n"
        "function helper() {\n  return 2;\n}\n"
        "function viaObject() {\n  return 3;\n}\n"
        "export const table = { viaObject };\n"
        "function renamed() {\n  return 4;\n}\n"
        "export { renamed as other };\n"
        "function recursive(n) {\n  return n ? recursive(n - 1) : 0;\n}\n"
    )
    out = bundle_worker('import { used, table } from "/static/m.js";\nself.x = used() + table.viaObject();\n', tmp_path)
    for kept in ("function used(", "function inner(", "function viaObject(", "function renamed("):
        assert kept in out, kept
    for gone in ("function pageOnly(", "function helper("):
        assert gone not in out, gone
    # A function that only calls itself is kept (counted as named): the rule errs on keeping.
    assert "function recursive(" in out
    assert "return { used, table, other: renamed };" in out
    assert "const { used, table } = __steady_m;" in out


def test_the_worker_bundle_refuses_forms_it_does_not_know(tmp_path):
    (tmp_path / "x.js").write_text("export let x = 1;\n")
    with pytest.raises(Unbundleable):
        bundle_worker('import { x } from "/static/x.js";\n', tmp_path)
    (tmp_path / "y.js").write_text("export default 1;\n")
    with pytest.raises(Unbundleable):
        bundle_worker('import { y } from "/static/y.js";\n', tmp_path)


def test_a_line_break_goes_only_where_no_semicolon_could_be_inserted():
    src = (
        "const a = {\n  b: 1,\n  c: [\n    2,\n    3\n  ]\n}\n"  # after { , [ and before ] }: joined
        "x = y\n  .then(z)\n"  # before .: joined
        "let g = a\n(h)\n"  # before (: a call or two statements? kept
        "return\nvalue\n"  # return ends its statement at a line break: kept
        "throw\nerror\n"
        "i++\nj\n"  # postfix ++ then a new statement: kept
        "k\n++m\n"  # kept: ++ belongs to m
        "n = 1\n.toFixed(2)\n"  # 1.toFixed would be a syntax error: kept
        "p = q\n? r\n: s\n"  # before ? and :: joined
        "t = u\n/ v / w\n"  # a / after a line break: kept
        "let\n[c] = d\n"  # let [ ...: kept
        "e = f +\n+g\n"  # + + never becomes ++
    )
    out = minify_js(src)
    assert out.startswith("const a={b:1,c:[2,3]}\nx=y.then(z)\nlet g=a\n(h)\n")
    assert "return\nvalue\nthrow\nerror\ni++\nj\nk\n++m\nn=1\n.toFixed(2)\n" in out
    assert "p=q?r:s\nt=u\n/v/w\n" in out
    assert "let\n[c]=d\n" in out
    assert "e=f+\n+g" in out


def test_imports_and_exports_keep_their_own_lines():
    out = minify_js(
        'import { a } from "./a.js";\nimport { b } from "./b.js";\nexport const c = a;\nexport function d() {\n  return b;\n}\n'
    )
    assert out == 'import{a}from"./a.js";\nimport{b}from"./b.js";\nexport const c=a;\nexport function d(){return b}'


def test_trailing_commas_go_but_array_holes_stay():
    out = minify_js(
        "f(a, b,);\nconst o = {a, b,};\nconst l = [1, 2,];\nconst h = [1, , ];\nconst e = [,];\nconst s = ',]';\n"
    )
    assert "f(a,b)" in out and "o={a,b}" in out and "l=[1,2]" in out
    assert "h=[1,,]" in out and "e=[,]" in out  # [1,,] has two elements, [,] one: kept
    assert "s=',]'" in out


def test_a_semicolon_goes_before_a_brace_but_not_an_empty_statements():
    src = (
        "function f() {\n  g();\n}\n"
        "function h() {\n  if (x);\n}\n"
        "function i() {\n  for (;;);\n}\n"
        "function j() {\n  while (x) y();\n}\n"
        "function k() {\n  while (x);\n}\n"
        "function l() {\n  if (x) {} else;\n}\n"
        "function m() {\n  label:;\n}\n"
        "function n() {\n  return;\n}\n"
        "function o() {\n  s = ';}';\n}\n"
        "function p() {\n  if ((a)) (b);\n}\n"
        "async function q() {\n  for await (const x of y);\n}\n"
    )
    out = minify_js(src)
    assert "function f(){g()}" in out
    assert "function h(){if(x);}" in out
    assert "function i(){for(;;);}" in out
    assert "function j(){while(x)y()}" in out
    assert "function k(){while(x);}" in out
    assert "function l(){if(x){}else;}" in out
    assert "function m(){label:;}" in out
    assert "function n(){return}" in out
    assert "function o(){s=';}'}" in out
    assert "function p(){if((a))(b)}" in out
    assert "async function q(){for await(const x of y);}" in out


def test_regexes_and_templates_survive_the_joins():
    src = "const r = [\n  /,]\\/;}/g,\n  `a,\n]`,\n];\nconst s = x.replace(/;\\n}/, '');\n"
    out = minify_js(src)
    assert "[/,]\\/;}/g,`a,\n]`]" in out
    assert "x.replace(/;\\n}/,'')" in out


def test_css_numbers_lose_their_leading_zero_outside_strings_and_urls():
    out = minify_css(
        'a { margin: 0.25rem -0.5em 10.5px; transform: scale(0.45); content: "0.5 -0.5"; }\n'
        "b { background: url(x0.5.png); content: 'x:0.5'; opacity: 0.6; }\n"
        "c { background: url(y,0.5.png); }\n"
    )
    assert out.strip() == (
        'a{margin:.25rem -.5em 10.5px;transform:scale(.45);content:"0.5 -0.5"}'
        "b{background:url(x0.5.png);content:'x:0.5';opacity:.6}"
        "c{background:url(y,0.5.png)}"
    )


def _node_with_acorn():
    node = shutil.which("node")
    acorn = ROOT / "node_modules" / "acorn" / "dist" / "acorn.mjs"
    return (node, acorn) if node and acorn.exists() else None


# Each file parsed as written and as minified (acorn): the same syntax tree, positions aside.
_SAME_TREE = """
import * as acorn from %s;
import fs from "node:fs";
const [a, b, sourceType] = process.argv.slice(2);
const strip = (key, value) => (["start", "end", "raw"].includes(key) ? undefined : typeof value === "bigint" ? String(value) : value);
const tree = (file) => JSON.stringify(acorn.parse(fs.readFileSync(file, "utf8"), { ecmaVersion: "latest", sourceType }), strip);
process.exit(tree(a) === tree(b) ? 0 : 1);
"""


@pytest.mark.skipif(
    _node_with_acorn() is None and not os.environ.get("STEADY_REQUIRE_BROWSER"),
    reason="needs node and node_modules/acorn (npm ci)",
)
def test_every_script_means_the_same_minified(tmp_path):
    node, acorn = _node_with_acorn()
    script = tmp_path / "same.mjs"
    script.write_text(_SAME_TREE % json.dumps(acorn.as_uri()))
    worker = "\n".join((ROOT / "service_worker" / name).read_text("utf-8") for name in WORKER_FILES)
    sources = {path.name: path.read_text("utf-8") for path in sorted((ROOT / "webapp" / "static" / "js").glob("*.js"))}
    sources["sw.js (bundled)"] = bundle_worker(worker, ROOT / "webapp" / "static")
    different = []
    for name, source in sources.items():
        written, minified = tmp_path / "written.js", tmp_path / "minified.js"
        written.write_text(source)
        minified.write_text(minify_js(source))
        kind = "script" if name == "lock-gate.js" else "module"  # lock-gate.js is a classic script
        if subprocess.run([node, script, written, minified, kind], capture_output=True).returncode:
            different.append(name)
    assert not different
