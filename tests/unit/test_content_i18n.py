"""Content in every shipped language: each English content file has a
complete Spanish overlay with the same ids, list lengths and placeholders;
sources, checked dates and numbers carry over from the English file; a missing
or mismatched translation stops the check naming the file and what is wrong."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from webapp.services.content import CONTENT_DIR, load_exercise, load_symptoms
from webapp.services.content_i18n import (
    LANGUAGES,
    TranslationError,
    check_translations,
    compare,
    content_files,
    localise,
    normalise_language,
    overlay_path,
    pairs,
    read_localised,
    schema_for,
    translation_problems,
)

ENGLISH_FILES = content_files()
SHIPPED = [language for language in LANGUAGES if language != "en"]


def read(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def write_toml_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def content(tmp_path):
    """A copy of the real content folder, English and every overlay."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("*.gz", "*.LICENSE", "__pycache__"))
    return folder


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def without_text(value, schema):
    """``value`` with every translatable field removed: what must carry over."""
    from webapp.services.content_i18n import ById, Each, Text

    out = dict(value)
    for key, spec in schema.items():
        if key not in out:
            continue
        if isinstance(spec, Text):
            del out[key]
        elif isinstance(spec, (Each, ById)):
            out[key] = [without_text(item, spec.fields) for item in out[key]]
    return out


# --- completeness ----------------------------------------------------------------------


def test_every_kind_of_content_is_covered():
    folders = {f.split("/")[0] if "/" in f else f for f in ENGLISH_FILES}
    assert folders == {
        "exercises",
        "learn",
        "supporting",
        "feelings.toml",
        "symptoms.toml",
        "find_help.toml",
        "crisis_lines.toml",
    }
    assert len([f for f in ENGLISH_FILES if f.startswith("exercises/")]) == len(
        list((CONTENT_DIR / "exercises").glob("*.toml"))
    )


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("relative", ENGLISH_FILES)
def test_every_content_file_has_a_complete_matching_overlay(relative, language):
    path = overlay_path(relative, language)
    assert path.is_file(), f"{language}/{relative} is missing"
    assert compare(read(CONTENT_DIR / relative), read(path), schema_for(relative)) == []


def test_the_real_content_passes_the_start_up_check():
    assert translation_problems() == []
    check_translations()


#: Translations that are rightly the same as the English.
SAME_IN_BOTH = {"Australia", "Bristol Tranquilliser Project"}


@pytest.mark.parametrize("relative", ENGLISH_FILES)
def test_spanish_is_really_translated(relative):
    """No Spanish string is the English one left in place."""
    found = pairs(read(CONTENT_DIR / relative), read(overlay_path(relative, "es")), schema_for(relative))
    assert found
    assert [(where, en) for where, en, es in found if en == es and en not in SAME_IN_BOTH] == []


# --- localising ------------------------------------------------------------------------


@pytest.mark.parametrize("relative", ENGLISH_FILES)
def test_sources_dates_numbers_and_ids_carry_over_unchanged(relative):
    english = read(CONTENT_DIR / relative)
    spanish = localise(english, "es", relative)
    schema = schema_for(relative)
    assert without_text(spanish, schema) == without_text(english, schema)
    assert spanish != english
    for key in ("source", "url", "checked", "cites", "breathing", "category", "helps_with", "first", "id", "order"):
        assert spanish.get(key) == english.get(key)


def test_a_localised_page_has_the_english_sources():
    for relative in [f for f in ENGLISH_FILES if f.startswith(("learn/", "supporting/"))]:
        english = read(CONTENT_DIR / relative)
        spanish = read_localised(relative, "es")
        assert spanish["source"] == english["source"]
        assert [p.get("cites") for p in spanish["paragraph"]] == [p.get("cites") for p in english["paragraph"]]
        assert [p["text"] for p in spanish["paragraph"]] == [
            p["text"] for p in read(overlay_path(relative, "es"))["paragraph"]
        ]
    help_en, help_es = read(CONTENT_DIR / "find_help.toml"), read_localised("find_help.toml", "es")
    for kind_en, kind_es in zip(help_en["kind"], help_es["kind"]):
        assert kind_es["source"] == kind_en["source"]
        assert [e["source"] for e in kind_es["entry"]] == [e["source"] for e in kind_en["entry"]]
        assert [(e["url"], e["checked"], e["name"]) for e in kind_es["entry"]] == [
            (e["url"], e["checked"], e["name"]) for e in kind_en["entry"]
        ]


def test_crisis_numbers_sources_and_dates_carry_over():
    english = read(CONTENT_DIR / "crisis_lines.toml")
    spanish = read_localised(CONTENT_DIR / "crisis_lines.toml", "es")
    assert spanish["directory"] == english["directory"]
    for country_en, country_es in zip(english["country"], spanish["country"]):
        assert (
            country_es["code"],
            country_es["emergency"],
            country_es["emergency_source"],
            country_es["emergency_checked"],
        ) == (
            country_en["code"],
            country_en["emergency"],
            country_en["emergency_source"],
            country_en["emergency_checked"],
        )
        for line_en, line_es in zip(country_en["line"], country_es["line"]):
            for key in ("name", "call", "text", "text_body", "source", "checked"):
                assert line_es.get(key) == line_en.get(key)
    spain = {c["code"]: c for c in spanish["country"]}
    assert spain["US"]["name"] == "Estados Unidos"


def test_symptom_citations_carry_over_and_labels_are_spanish():
    english = read(CONTENT_DIR / "symptoms.toml")
    spanish = read_localised("symptoms.toml", "es")
    assert spanish["source"] == english["source"]
    assert [(s["id"], s["cited"]) for s in spanish["symptom"]] == [(s["id"], s["cited"]) for s in english["symptom"]]
    assert {s["id"]: s["label"] for s in spanish["symptom"]}["insomnia"] != "Trouble sleeping"


def test_a_localised_exercise_still_passes_the_english_schema(tmp_path):
    """The translated text respects the loader's limits, and the breathing
    pattern and source are the English file's."""
    for relative in [f for f in ENGLISH_FILES if f.startswith("exercises/")]:
        english = load_exercise(CONTENT_DIR / relative)
        localised = read_localised(relative, "es")
        path = tmp_path / Path(relative).name
        path.write_text(_dump_exercise(localised), encoding="utf-8")
        spanish = load_exercise(path)
        assert spanish.source == english.source
        assert spanish.breathing == english.breathing
        assert [s.timer_seconds for s in spanish.steps] == [s.timer_seconds for s in english.steps]
        assert spanish.title != english.title


def test_localised_symptoms_still_pass_the_english_schema(tmp_path):
    localised = read_localised("symptoms.toml", "es")
    path = tmp_path / "symptoms.toml"
    lines = []
    for source in localised["source"]:
        lines += ["[[source]]", *[f"{k} = {_quote(v)}" for k, v in source.items()], ""]
    for kind in ("symptom", "retired_symptom"):
        for item in localised[kind]:
            lines.append(f"[[{kind}]]")
            for key, value in item.items():
                if key == "cited":
                    lines.append(
                        "cited = ["
                        + ", ".join(f"{{ source = {_quote(c['source'])}, says = {_quote(c['says'])} }}" for c in value)
                        + "]"
                    )
                else:
                    lines.append(f"{key} = {_quote(value)}")
            lines.append("")
    write_toml_lines(path, lines)
    spanish, english = load_symptoms(path), load_symptoms(CONTENT_DIR / "symptoms.toml")
    assert spanish.sources == english.sources
    assert [s.cited for s in spanish.checklist] == [s.cited for s in english.checklist]
    assert set(spanish.labels()) == set(english.labels())


def _quote(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _dump_exercise(data: dict) -> str:
    lines = [f"{k} = {_quote(v)}" for k, v in data.items() if isinstance(v, str)]
    lines += [f"{k} = {v}" for k, v in data.items() if isinstance(v, int)]
    lines.append("helps_with = [" + ", ".join(_quote(h) for h in data["helps_with"]) + "]")
    lines += ["", "[source]", *[f"{k} = {_quote(v)}" for k, v in data["source"].items()]]
    if "breathing" in data:
        lines += ["", "[breathing]", *[f"{k} = {v}" for k, v in data["breathing"].items()]]
    for step in data["steps"]:
        lines += ["", "[[steps]]", *[f"{k} = {_quote(v) if isinstance(v, str) else v}" for k, v in step.items()]]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("language", [None, "", "en", "en-GB", "xx", "../es", "es\x00", 42])
def test_an_unknown_or_english_language_gives_the_english_item_unchanged(language):
    english = read(CONTENT_DIR / "feelings.toml")
    assert localise(english, language, "feelings.toml") == english


@pytest.mark.parametrize("language", ["es", "es-MX", "es_ES", "ES"])
def test_spanish_variants_give_spanish(language):
    assert normalise_language(language) == "es"
    feelings = read_localised("feelings.toml", language)
    assert {f["id"]: f["label"] for f in feelings["feeling"]}["panic"] == "Pánico"


def test_localising_does_not_change_the_english_item():
    english = read(CONTENT_DIR / "exercises" / "box-breathing.toml")
    before = repr(english)
    localise(english, "es", "exercises/box-breathing.toml")
    assert repr(english) == before


# --- a broken translation is refused, naming the file and what is missing -------------


def test_a_missing_overlay_file_is_named(content):
    (content / "es" / "exercises" / "box-breathing.toml").unlink()
    with pytest.raises(TranslationError, match=r"es/exercises/box-breathing\.toml: is missing"):
        check_translations(content)


def test_a_missing_folder_of_overlays_names_every_file(content):
    shutil.rmtree(content / "es" / "learn")
    with pytest.raises(TranslationError) as caught:
        check_translations(content)
    named = {path for path, _ in caught.value.problems}
    assert named == {f"es/{f}" for f in ENGLISH_FILES if f.startswith("learn/")}


def test_a_missing_field_is_named(content):
    path = content / "es" / "exercises" / "box-breathing.toml"
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if not line.startswith("summary")), encoding="utf-8"
    )
    with pytest.raises(TranslationError, match=r"es/exercises/box-breathing\.toml: 'summary' is missing"):
        check_translations(content)


def test_a_missing_step_is_named_with_the_count(content):
    path = content / "es" / "exercises" / "box-breathing.toml"
    text = path.read_text()
    path.write_text(text[: text.rindex("[[steps]]")], encoding="utf-8")
    with pytest.raises(TranslationError, match=r"box-breathing\.toml: 'steps' has 4 entries, the English file has 5"):
        check_translations(content)


def test_a_missing_id_is_named(content):
    path = content / "es" / "feelings.toml"
    data = path.read_text()
    start = data.index('[[feeling]]\nid = "anger"')
    path.write_text(data[:start], encoding="utf-8")
    with pytest.raises(TranslationError, match=r"es/feelings\.toml: 'feeling': missing feeling id\(s\) anger"):
        check_translations(content)


def test_a_missing_field_inside_an_id_is_named(content):
    path = content / "es" / "crisis_lines.toml"
    lines = path.read_text().splitlines()
    index = lines.index('code = "FR"')
    del lines[index + 1]  # the country's name
    write_toml_lines(path, lines)
    with pytest.raises(TranslationError, match=r"es/crisis_lines\.toml: country 'FR' 'name' is missing"):
        check_translations(content)


def test_an_id_the_english_lacks_is_named(content):
    path = content / "es" / "symptoms.toml"
    path.write_text(path.read_text() + '\n[[symptom]]\nid = "made_up"\nlabel = "Inventado"\n', encoding="utf-8")
    with pytest.raises(
        TranslationError, match=r"es/symptoms\.toml: 'symptom': symptom id\(s\) made_up not in the English file"
    ):
        check_translations(content)


def test_a_field_the_english_lacks_or_that_carries_over_is_named(content):
    path = content / "es" / "learn" / "sleep.toml"
    path.write_text('order = 7\nsubtitle = "Nuevo"\n' + path.read_text(), encoding="utf-8")
    with pytest.raises(TranslationError) as caught:
        check_translations(content)
    problems = [p for f, p in caught.value.problems if f == "es/learn/sleep.toml"]
    assert "'order' carries over from the English file; leave it out of the translation" in problems
    assert "'subtitle' is not in the English file" in problems


def test_an_overlay_without_an_english_file_is_named(content):
    shutil.copy(content / "es" / "learn" / "sleep.toml", content / "es" / "learn" / "gone.toml")
    with pytest.raises(TranslationError, match=r"es/learn/gone\.toml: has no English file learn/gone\.toml"):
        check_translations(content)


def test_an_english_file_without_its_translation_is_named(content):
    shutil.copy(content / "learn" / "sleep.toml", content / "learn" / "sleep-two.toml")
    with pytest.raises(
        TranslationError, match=r"es/learn/sleep-two\.toml: is missing: learn/sleep-two\.toml has no es translation"
    ):
        check_translations(content)


def test_ids_out_of_order_are_named(content):
    path = content / "es" / "feelings.toml"
    data = path.read_text()
    blocks = data.split("\n[[feeling]]\n")
    blocks[1], blocks[2] = blocks[2], blocks[1]
    path.write_text("\n[[feeling]]\n".join(blocks), encoding="utf-8")
    with pytest.raises(TranslationError, match=r"feelings must be in the English file's order"):
        check_translations(content)


def test_a_broken_overlay_is_named(content):
    (content / "es" / "feelings.toml").write_text('[[feeling]\nid = "panic"', encoding="utf-8")
    with pytest.raises(TranslationError, match=r"es/feelings\.toml: is not valid TOML"):
        check_translations(content)


def test_markup_or_over_long_text_in_a_translation_is_refused(content):
    path = content / "es" / "feelings.toml"
    data = path.read_text().replace('label = "Pánico"', 'label = "<b>Pánico</b>"', 1)
    data = data.replace('label = "Ánimo bajo"', f'label = "{"a" * 41}"', 1)
    path.write_text(data, encoding="utf-8")
    with pytest.raises(TranslationError) as caught:
        check_translations(content)
    problems = [p for _, p in caught.value.problems]
    assert "feeling 'panic' 'label' contains markup; content is plain text" in problems
    assert "feeling 'low-mood' 'label' is longer than 40 characters" in problems


def test_localise_refuses_an_overlay_that_does_not_match(content):
    path = content / "es" / "exercises" / "box-breathing.toml"
    text = path.read_text()
    path.write_text(text[: text.rindex("[[steps]]")], encoding="utf-8")
    english = read(content / "exercises" / "box-breathing.toml")
    with pytest.raises(TranslationError, match="'steps' has 4 entries"):
        localise(english, "es", "exercises/box-breathing.toml", content)


# --- placeholders -------------------------------------------------------------------------


def test_placeholders_match_in_the_real_content():
    for relative in ENGLISH_FILES:
        problems = compare(read(CONTENT_DIR / relative), read(overlay_path(relative, "es")), schema_for(relative))
        assert not [p for p in problems if "placeholders" in p]


@pytest.mark.parametrize(
    ("english", "spanish", "ok"),
    [
        ("Hello {name}", "Hola {name}", True),
        ("Hello {name}", "Hola {nombre}", False),
        ("Hello {name}", "Hola", False),
        ("Hello", "Hola {name}", False),
        ("%(count)s steps", "%(count)s pasos", True),
        ("%(count)s steps", "%(cuenta)s pasos", False),
        ("%(count)s steps", "{count} pasos", False),
        ("{a} and {a}", "{a} y {a}", True),
        ("{a} and {a}", "{a}", False),
    ],
)
def test_placeholders_must_match(english, spanish, ok):
    problems = compare({"title": english}, {"title": spanish}, {"title": schema_for("learn/x.toml")["title"]})
    assert (problems == []) is ok
    if not ok:
        assert "placeholders" in problems[0]


def test_a_placeholder_mismatch_in_a_file_is_named(content):
    english = content / "learn" / "sleep.toml"
    english.write_text(english.read_text().replace('title = "', 'title = "{name}: ', 1), encoding="utf-8")
    with pytest.raises(
        TranslationError, match=r"es/learn/sleep\.toml: 'title' has placeholders none, the English has \['\{name\}'\]"
    ):
        check_translations(content)
