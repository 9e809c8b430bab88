"""Templates compiled without their indentation (webapp/template_space.py):
every page says the same, with every run of space kept as a run of space, and
no template means anything else than as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from tests.conftest import Auth
from webapp import SteadyFlask
from webapp.pwa.routes import _render_public, build_record
from webapp.template_space import TightTemplates, tighten

ROOT = Path(__file__).resolve().parents[2] / "webapp"
TEMPLATES = sorted(ROOT.rglob("templates/**/*.html"))
TOKEN = re.compile(r'"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{10,}"')  # a signed CSRF token


UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=name=\"once\" value=\")[0-9a-f]{32}"
)


def collapsed(html: str) -> str:
    """``html`` with each run of space as one space, and what differs from one
    request to the next (a CSRF token, a new check-in's id, a form's one-time
    id) blanked."""
    return re.sub(r"\s+", " ", UUID.sub("", TOKEN.sub('""', html)))


# --------------------------------------------------------------------------
# The rules, one by one
# --------------------------------------------------------------------------


def test_indentation_goes_but_the_first_line_and_line_breaks_stay():
    assert tighten("  <p>\n    <a>x</a>\n\t</p>\n") == "  <p>\n<a>x</a>\n</p>\n"


def test_a_line_of_control_tags_alone_leaves_nothing():
    source = "<ul>\n  {% for x in xs %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n"
    assert tighten(source) == "<ul>\n{% for x in xs %}<li>{{ x }}</li>\n{% endfor %}</ul>\n"
    assert tighten("a\n  {% if a %}{# why #}  {% endif %}\nb") == "a\n{% if a %}{# why #}{% endif %}b"
    assert tighten("a\n{% set x = 1 %}\nb") == "a\n{% set x = 1 %}b"
    assert tighten("a\n  {# why #}\n  {% set a, b = 1, 2 %}\nb") == "a\n{# why #}{% set a, b = 1, 2 %}b"


def test_only_a_line_feed_ends_a_line():
    # A form feed, U+2028 or U+0085 in text is not a line break: the space after it stays.
    for odd in ("\x0c", "\u2028", "\x85", "\x1c"):
        assert tighten(f"a\n  b{odd}  c\n  d") == f"a\nb{odd}  c\nd"
    assert tighten("a\r\n  {% if a %}\r\n  b\r\n") == "a\r\n{% if a %}b\r\n"


@pytest.mark.parametrize(
    "line",
    [
        "{% macro m() %}",  # its body is output where it is called
        "{% block b %}",
        "{% set x %}",  # a captured block
        '{% set x | replace("a=", "b") %}',  # a captured block with a filter
        "{# why -#}",  # space control: Jinja decides
        "{% include 'x.html' %}",  # what it includes may end without a space
        "{%- if a %}",  # space control: Jinja decides
        "{% if a -%}",
        "{{ x }}",
        "{% if a %}<b>",
    ],
)
def test_other_lines_keep_their_line_break(line):
    assert tighten(f"a\n  {line}\nb") == f"a\n{line}\nb"


def test_a_line_that_begins_inside_a_tag_is_left_alone():
    source = 'a\n  {{ _("one\n  two") }}\n  {# x\n    y #}\n  {{ f("%}",\n  1) }}\n  b'
    assert tighten(source) == 'a\n{{ _("one\n  two") }}\n{# x\n    y #}\n{{ f("%}",\n  1) }}\nb'


def test_the_first_line_a_raw_block_and_other_files_are_left_alone():
    assert tighten("{% if a %}\nb") == "{% if a %}\nb"  # an included file's first line: its caller's space
    assert tighten("a\n  {% raw %}\n  {% if %}\n{% endraw %}") == "a\n  {% raw %}\n  {% if %}\n{% endraw %}"
    assert tighten("a\n  {%- raw %}\n  b{% endraw %}") == "a\n  {%- raw %}\n  b{% endraw %}"
    extension = TightTemplates(Environment())
    assert extension.preprocess("a\n  b", "mail.txt") == "a\n  b"
    assert extension.preprocess("a\n  b", "page.html") == "a\nb"


# --------------------------------------------------------------------------
# Every template: the same syntax tree but for space in its text
# --------------------------------------------------------------------------


def shape(node):
    """A node as plain data, with each text's space taken out and text that
    was only space (and an output left empty by it) dropped."""
    if isinstance(node, nodes.TemplateData):
        text = re.sub(r"\s+", "", node.data)
        return ("text", text) if text else None
    if isinstance(node, nodes.Node):
        fields = []
        for name, value in node.iter_fields():
            fields.append((name, shape(value)))
        made = (type(node).__name__, tuple(fields))
        if isinstance(node, nodes.Output) and fields == [("nodes", ())]:
            return None
        return made
    if isinstance(node, list):
        return tuple(part for part in (shape(item) for item in node) if part is not None)
    return node


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_means_anything_else(path):
    environment = Environment(extensions=["jinja2.ext.i18n"])
    environment.policies["ext.i18n.trimmed"] = True  # as the app has it (webapp/i18n.py)
    source = path.read_text("utf-8")
    written = environment.parse(source)
    tightened = environment.parse(tighten(source))
    assert shape(tightened) == shape(written)
    # Every string in it (words to translate above all) exactly as written.
    strings = [n.value for n in written.find_all(nodes.Const) if isinstance(n.value, str)]
    assert [n.value for n in tightened.find_all(nodes.Const) if isinstance(n.value, str)] == strings


def test_every_template_is_tightened():
    assert len(TEMPLATES) > 80
    assert sum(tighten(p.read_text("utf-8")) != p.read_text("utf-8") for p in TEMPLATES) > 60


# --------------------------------------------------------------------------
# Every page kept for offline use, and pages someone signed in sees
# --------------------------------------------------------------------------


@pytest.fixture
def as_written(make_app, monkeypatch):
    """An app whose templates are compiled as written."""
    monkeypatch.setattr(SteadyFlask, "jinja_options", {})
    app = make_app()
    monkeypatch.undo()
    assert "webapp.template_space.TightTemplates" not in str(app.jinja_env.extensions)
    return app


def test_every_offline_page_says_the_same_with_less_space(app, as_written):
    with app.test_request_context("/"):
        paths = build_record()["pages"]
        tight = _render_public(paths)
    with as_written.test_request_context("/"):
        written = _render_public(paths)
    assert [p for p, _, _ in tight] == [p for p, _, _ in written] and len(tight) > 60
    saved = 0
    for (path, _, body), (_, _, before) in zip(tight, written, strict=True):
        assert collapsed(body) == collapsed(before), path
        saved += len(before) - len(body)
    assert saved > 20_000


SIGNED_IN_PAGES = [
    "/checkin",
    "/checkins",
    "/chart",
    "/people",
    "/plan",
    "/help-me",
    "/taper",
    "/reminders",
    "/account/",
    "/cards",
    "/circle",
    "/toolkit/thought-records",
]


def test_pages_someone_signed_in_sees_say_the_same(app, as_written, api):
    api("POST", "/api/checkins", {"overall": 4, "anxiety": 7, "note": "a hard night", "symptoms": {"panic": 2}})
    others = Auth(as_written.test_client())
    others.login()
    for client in (api.client, others.client):
        client.get("/")  # the welcome and signed-in notices, shown once
    shown = 0
    for path in SIGNED_IN_PAGES:
        tight = api.client.get(path)
        before = others.client.get(path)
        assert tight.status_code == before.status_code, path
        if tight.status_code == 200:
            shown += 1
            assert collapsed(tight.get_data(as_text=True)) == collapsed(before.get_data(as_text=True)), path
    assert shown >= 8
