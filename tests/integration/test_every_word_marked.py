"""Every word a page shows is marked for translation.

Each GET page of an account holding one of everything (tests/support/seed.py,
plus a supporter in its circle), and each public page signed out, is
rendered in the pseudo-locale en-XA (webapp/pseudo.py), where every marked
string comes out accented (``[Ŝåṽé ćĥéćķ-îñ ····]``). What is left in plain
English once tags, scripts and styles, the account's own data, numbers,
addresses and the names content carries over untranslated (crisis lines,
sources...) are taken away is a string nobody marked: the test lists each.
"""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser

import pytest

from tests.support.seed import link_circle, owned_id, seed
from webapp import pseudo
from webapp.services.content_files import CONTENT_DIR
from webapp.services.content_i18n import content_files, schema_for
from webapp.services.support import DEFAULT_TEMPLATES

LANGUAGE = "en-XA"

#: Pages whose words are being marked right now, by URL prefix. This set
#: must end empty: remove a prefix as soon as its pages pass.
PENDING: set[str] = set()

#: Words that are the same in every language: the app's name, units.
SAME_EVERYWHERE = {"Steady", "mg", "ml", "OK"}

#: What the seeded account typed (tests/support/seed.py) and who it is.
ACCOUNT_DATA = (
    "Seed card",
    "Seed thought",
    "Seed plan",
    "Seed note",
    "Seed medication",
    "Seed step",
    "Seed dose",
    "Seed help",
    "Seed surgery",
    "Dr Seed",
    "Tuesday peers",
    "Alex",
    "Sam",
    "words@example.com",
    "helper@example.com",
    "Thinking of you",  # the supporter's encouragement, as they wrote it
    # The message templates, seeded in English when this English account first
    # changed its people (people/store.py), then kept as the person's own words.
    *DEFAULT_TEMPLATES,
)
#: Dates and times are written by Babel as English in a pseudo-locale.
CALENDAR = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday)?\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b"
    r"|\b(?:am|pm|noon|midnight)\b"
)
ADDRESS = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+|\S*/\S*")
#: A word (letters, with ' or - inside), and what may sit between two words of one run.
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SEPARATOR = re.compile(r"[\s,.:;!?()\"“”–—/-]*")


class VisibleText(HTMLParser):
    """The words a person can read or hear: text (not scripts or styles) and
    labels in attributes. A tag separates words, except ``<wbr>`` (a break
    inside an address)."""

    SKIP = {"script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0
        #: Inside an element marked ``translate="no"`` (names such as time
        #: zones, which are the same in every language): [tag, depth].
        self._untranslated: list[list] = []

    #: Attributes a person reads or hears.
    READ = ("aria-label", "placeholder", "title", "alt", "aria-description")

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        if self._untranslated and tag == self._untranslated[-1][0]:
            self._untranslated[-1][1] += 1
        elif dict(attrs).get("translate") == "no" and tag not in self.VOID:
            self._untranslated.append([tag, 1])
        if tag != "wbr":
            self.parts.append(" ")
        values = dict(attrs)
        read = [values[name] for name in self.READ if values.get(name)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            read.append(values["value"])
        if read and not self._skipping and not self._untranslated:
            self.parts.append(" " + " ".join(read) + " ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        if self._untranslated and tag == self._untranslated[-1][0]:
            self._untranslated[-1][1] -= 1
            if not self._untranslated[-1][1]:
                self._untranslated.pop()
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._skipping and not self._untranslated:
            self.parts.append(data)


def _carried_over(english: object, made: object, found: set[str]) -> None:
    if isinstance(english, str):
        if english == made and english.strip():
            found.add(english.strip())
    elif isinstance(english, dict):
        for key, value in english.items():
            _carried_over(value, made.get(key), found)
    elif isinstance(english, list):
        for value, other in zip(english, made, strict=True):
            _carried_over(value, other, found)


def untranslated_content() -> list[str]:
    """The text that stays as it is in every language, longest first: the
    content's names of services and crisis lines and its sources, the
    check-in's sources, and each language's name for itself."""
    from webapp.checkins.checks import SOURCES
    from webapp.i18n import NAMES
    from webapp.services.taper import GUIDELINE

    found: set[str] = {*NAMES.values(), *(source["name"] for source in SOURCES.values()), GUIDELINE.name}
    for relative in content_files():
        with (CONTENT_DIR / relative).open("rb") as fh:
            english = tomllib.load(fh)
        _carried_over(english, pseudo.content(english, schema_for(relative)), found)
    return sorted(found, key=len, reverse=True)


def unmarked(html: str, known: list[str]) -> list[str]:
    """Each run of plain English words left on the page."""
    reader = VisibleText()
    reader.feed(html)
    text = " ".join("".join(reader.parts).split())
    text = ADDRESS.sub(" ", text)
    for value in [*ACCOUNT_DATA, *known]:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    text = CALENDAR.sub(" ", text)
    runs, run = [], []
    last = 0
    for word in WORD.finditer(text):
        between = text[last : word.start()]
        last = word.end()
        plain = word.group().isascii() and word.group() not in SAME_EVERYWHERE
        if run and (not plain or not SEPARATOR.fullmatch(between)):
            runs.append(run)
            run = []
        if plain:
            run.append(between if run else "")
            run.append(word.group())
    if run:
        runs.append(run)
    found = ["".join(run).strip() for run in runs if any(len(w) > 1 for w in run[1::2])]
    return list(dict.fromkeys(found))


def pending(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in PENDING)


def get_pages(app, client, user_id: int | None):
    """``(path, html)`` of every GET page the url_map has, with owned ids."""
    content = app.extensions["steady.content"]
    learning = app.extensions["steady.learning"]
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        values = {}
        for arg in rule.arguments:
            if "Integer" in rule._converters[arg].__class__.__name__:
                values[arg] = owned_id(arg, user_id) if user_id else 1
            elif arg == "exercise_id":
                values[arg] = next(iter(content.exercises))
            elif arg == "feeling_id":
                values[arg] = next(iter(content.feelings))
            elif arg == "article_id":
                values[arg] = next(iter(learning.articles))
            elif arg == "page_id":
                values[arg] = next(iter(learning.supporting))
            else:
                values[arg] = "x"
        path = rule.build(values, append_unknown=False)[1]
        response = client.get(f"{path}?lang={LANGUAGE}")
        if response.mimetype == "text/html" and response.status_code == 200:
            yield path, response.get_data(as_text=True)


@pytest.fixture
def everything(app, client, auth, make_app):
    auth.register(email="words@example.com")
    info = client.get("/api/session").get_json()
    seed(client, info["csrf_token"])
    supporter = app.test_client()
    from tests.conftest import Auth

    Auth(supporter).register(email="helper@example.com")
    link_circle(client, supporter, encouragement="Thinking of you")
    return info["user"]


def test_every_word_on_every_page_is_marked(app, client, everything):
    known = untranslated_content()
    problems, walked = {}, []
    for path, html in get_pages(app, client, everything):
        walked.append(path)
        if pending(path):
            continue
        found = unmarked(html, known)
        if found:
            problems[path] = found
    signed_out = app.test_client()
    for path, html in get_pages(app, signed_out, None):
        walked.append(path)
        if pending(path):
            continue
        found = unmarked(html, known)
        if found:
            problems[f"{path} (signed out)"] = found
    missing = signed_out.get(f"/no-such-page?lang={LANGUAGE}")
    assert missing.status_code == 404
    found = unmarked(missing.get_data(as_text=True), known)
    if found:
        problems["a page that is not found"] = found
    assert len(walked) > 40, walked
    assert not problems, "strings not marked for translation:\n" + "\n".join(
        f"{path}: " + " | ".join(found) for path, found in problems.items()
    )


def test_the_finder_sees_an_unmarked_string():
    html = '<main><h1>[Ŝåṽé ····]</h1><p>Saved by hand</p><script>var x = "Not text"</script><p>Seed card</p></main>'
    assert unmarked(html, []) == ["Saved by hand"]
