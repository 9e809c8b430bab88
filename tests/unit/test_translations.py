"""The catalogues: every string marked in the code and templates (extracted
here, as `pybabel extract -F babel.cfg` would) is in the Spanish catalogue,
translated, not fuzzy, with the same placeholders; and the catalogue holds
nothing the code no longer uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from webapp import i18n
from webapp.js_strings import STRINGS

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")
TAG = re.compile(r"</?([a-z][a-z0-9]*)\b")


@pytest.fixture(scope="module")
def extracted():
    return i18n.extract(ROOT)


@pytest.fixture(scope="module")
def spanish():
    with (i18n.TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale="es")


def key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_extraction_finds_the_marked_strings(extracted):
    ids = {key(m) for m in extracted if m.id}
    # one from a template, one from Python, one lazy (WTForms), one sent in a notification, one for the scripts
    for text in (
        "You are not alone in this",
        "Check-in saved. Thank you for taking a moment for yourself.",
        "Keep me signed in on this device for 30 days",
        "Snooze 1 hour",
        "Breathe in",
    ):
        assert text in ids, text
    assert len(ids) > 300


def test_every_marked_string_is_in_the_spanish_catalogue(extracted, spanish):
    missing = [key(m) for m in extracted if m.id and key(m) not in {key(s) for s in spanish if s.id}]
    assert missing == [], f"run bin/translations and translate: {missing[:20]}"


def test_no_spanish_entry_is_untranslated_or_fuzzy(spanish):
    untranslated = [key(m) for m in spanish if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [key(m) for m in spanish if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_catalogue_holds_nothing_the_code_no_longer_uses(extracted, spanish):
    used = {key(m) for m in extracted if m.id}
    stale = [key(m) for m in spanish if m.id and key(m) not in used]
    assert stale == [] and not spanish.obsolete


def test_placeholders_and_markup_match(spanish):
    for message in spanish:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        for target in targets:
            wanted = sorted(set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0])))
            found = sorted(set(PLACEHOLDER.findall(target)))
            # A plural's singular may spell out its count ("una vez"); every other placeholder is kept.
            assert set(found) <= set(wanted) and set(wanted) - set(found) <= {"%(num)d"}, (message.id, target)
            assert sorted(TAG.findall(sources[0])) == sorted(TAG.findall(target)), (message.id, target)


def test_translations_are_not_just_the_english(spanish):
    same = [key(m) for m in spanish if m.id and m.string == m.id]
    # Words that are the same in both languages.
    assert set(same) <= {"Error:", "No", "OK", "PIN", "Steady"}, same


def test_the_scripts_strings_use_braces_and_are_all_marked():
    assert len(set(STRINGS)) == len(STRINGS)
    for text in STRINGS:
        assert "%(" not in text, text


SCRIPTS = sorted((ROOT / "webapp" / "static" / "js").glob("*.js"))
T_CALL = re.compile(r"(?<![\w.$])t\(")


def _js_string(source: str, start: int) -> tuple[str | None, int]:
    """The string literal at ``start`` (None for a template literal), and where it ends."""
    quote, end = source[start], start + 1
    while source[end] != quote:
        end += 2 if source[end] == "\\" else 1
    if quote == "`":
        return None, end + 1
    body = source[start + 1 : end]
    if quote == "'":
        body = body.replace("\\'", "'").replace('"', '\\"')
    return json.loads(f'"{body}"'), end + 1


def t_calls(source: str):
    """(line, the string literals in the first argument, whether it holds a
    template literal) for every ``t(`` call in ``source``."""
    for match in T_CALL.finditer(source):
        at, depth, texts, template = match.end(), 0, [], False
        while True:
            char = source[at]
            if char in "\"'`":
                text, at = _js_string(source, at)
                template = template or text is None
                texts += [text] if text is not None else []
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}" and depth:
                depth -= 1
            elif char in ")]}," and not depth:
                break
            at += 1
        yield source.count("\n", 0, match.start()) + 1, texts, template


def test_every_string_a_script_passes_to_t_is_listed_for_translation():
    """What a script hands to t() is an English key of webapp/js_strings.py
    (so the Spanish table has it), never a template literal glued together."""
    calls = [
        (path.name, *call) for path in SCRIPTS if path.name != "strings.js" for call in t_calls(path.read_text("utf-8"))
    ]
    assert len(calls) > 100
    assert [(name, line) for name, line, _, template in calls if template] == []
    unlisted = [(name, line, text) for name, line, texts, _ in calls for text in texts if text not in STRINGS]
    assert unlisted == []
    # Each listed string is still in a script (some reach t() through a variable).
    scripts = "\n".join(path.read_text("utf-8") for path in SCRIPTS)
    unused = [
        text
        for text in STRINGS
        if json.dumps(text, ensure_ascii=False) not in scripts and json.dumps(text) not in scripts
    ]
    assert unused == []


def test_t_calls_are_found_in_every_shape():
    source = (
        't("One.") + t(n === 1 ? "{count} PIN" : "{count} PINs", { count: n }) + t(`x ${y}`) + x.t("no") + at("no")'
    )
    assert [texts for _, texts, _ in t_calls(source)] == [["One."], ["{count} PIN", "{count} PINs"], []]
    assert [template for _, _, template in t_calls(source)] == [False, False, True]


def test_the_catalogue_compiles_and_is_used(tmp_path):
    folder = i18n.compile_catalogues(i18n.TRANSLATIONS, tmp_path)
    assert (folder / "es" / "LC_MESSAGES" / "messages.mo").exists()
    assert i18n.gettext_in("es", "Help now") == "Ayuda ahora"
    assert i18n.gettext_in("en", "Help now") == "Help now"
    assert i18n.gettext_in("xx", "Help now") == "Help now"


def test_an_old_compiled_catalogue_is_compiled_again(tmp_path):
    import os
    import shutil

    source = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, source, ignore=shutil.ignore_patterns("*.mo"))
    i18n.compile_catalogues(source)
    mo = source / "es" / "LC_MESSAGES" / "messages.mo"
    first = mo.read_bytes()
    po = source / "es" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('msgstr "Ayuda ahora"', 'msgstr "Ayuda ya"'))
    os.utime(mo, (1, 1))
    i18n.compile_catalogues(source)
    assert mo.read_bytes() != first
