"""Content files: the real ones pass the schema; a broken or hostile file is
refused at load with its file name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from webapp.services.content import CATEGORIES, CONTENT_DIR, FEELINGS, ContentError, load_exercise, load_library

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
EXERCISE_FILES = sorted((CONTENT_DIR / "exercises").glob("*.toml"))
REQUIRED_EXERCISES = {
    "five-four-three-two-one", "paced-breathing", "box-breathing", "progressive-muscle-relaxation", "body-scan",
    "cold-water", "orienting", "thought-record", "self-compassion-break", "safe-place", "urge-surfing",
    "sleep-wind-down", "windows-and-waves", "mindful-walking", "ride-the-wave", "just-this-minute",
}


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.name)
def test_every_exercise_file_passes_the_schema(path):
    exercise = load_exercise(path)
    assert exercise.category in CATEGORIES
    assert set(exercise.helps_with) <= set(FEELINGS)
    assert exercise.source.name
    assert all(step.timer_seconds is None or step.timer_seconds > 0 for step in exercise.steps)


def test_the_library_is_complete():
    library = load_library()
    assert len(library.exercises) >= 16
    assert REQUIRED_EXERCISES <= set(library.exercises)
    assert {e.category for e in library.exercises.values()} == set(CATEGORIES)
    assert list(library.feelings) == list(FEELINGS)
    for feeling in FEELINGS:
        helping = [e for e in library.exercises.values() if feeling in e.helps_with]
        assert len(helping) >= 2, feeling
    breathing = {e.id: e.breathing for e in library.exercises.values() if e.kind == "breathing"}
    assert breathing["paced-breathing"].exhale > breathing["paced-breathing"].inhale
    assert len({breathing["box-breathing"].inhale, breathing["box-breathing"].hold_in,
                breathing["box-breathing"].exhale, breathing["box-breathing"].hold_out}) == 1


def test_every_crisis_line_has_a_source_and_a_date():
    library = load_library()
    assert library.directory.url.startswith("https://")
    for country in library.countries.values():
        assert country.emergency_source.startswith("https://")
        for line in country.lines:
            assert line.source.startswith("https://") and line.checked
            assert line.call or line.text


def test_no_dose_advice_in_any_exercise():
    """SAFETY.md: never a dose, a cut size or a schedule."""
    import re

    library = load_library()
    pattern = re.compile(r"\b\d+(\.\d+)?\s?(mg|milligram|%)|\b(reduce|cut|lower|increase) your (dose|medication)\b", re.I)
    for exercise in library.exercises.values():
        for text in [exercise.summary, *(s.text for s in exercise.steps)]:
            assert not pattern.search(text), (exercise.id, text)


@pytest.fixture
def content(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(FIXTURES, copy)
    return copy


def test_fixture_library_loads(content):
    assert set(load_library(content).exercises) == {"feet-on-floor", "steady-breath", "thought-record"}


BROKEN = [
    ("title = \"Feet on the floor\"\n", "", "'title' is missing"),
    ('category = "grounding"', 'category = "magic"', "'category' must be one of"),
    ('helps_with = ["panic"', 'helps_with = ["sneezing", "panic"', "'helps_with' must list feelings"),
    ("timer_seconds = 3", "timer_seconds = 0", "step 1 timer_seconds"),
    ("timer_seconds = 3", "timer_seconds = -5", "step 1 timer_seconds"),
    ('text = "Press your feet into the floor."', 'text = "<script>alert(1)</script>"', "contains markup"),
    ('text = "Press your feet into the floor."', 'text = "Click <a href=javascript:x>here</a>"', "contains markup"),
    ('text = "Press your feet into the floor."', 'text = "bell\\u0007"', "control characters"),
    ('url = "https://example.org/grounding"', 'url = "javascript:alert(1)"', "contains markup"),
    ('url = "https://example.org/grounding"', 'url = "http://example.org/"', "must be an https:// address"),
    ('[source]\nname = "Test source"\nurl = "https://example.org/grounding"\n', "", "'source' is missing"),
    ('id = "feet-on-floor"', 'id = "other-name"', "match the file name"),
    ("duration_minutes = 1", "duration_minutes = 1\nsurprise = true", "unknown field(s) surprise"),
    ("duration_minutes = 1", "duration_minutes = [", "is not valid TOML"),
]


@pytest.mark.parametrize("old, new, message", BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_exercise_is_refused_naming_the_file(content, old, new, message):
    path = content / "exercises" / "feet-on-floor.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(ContentError) as error:
        load_library(content)
    assert "feet-on-floor.toml" in str(error.value)
    assert message in str(error.value)


def test_a_feeling_pointing_at_a_missing_exercise_is_refused(content):
    path = content / "feelings.toml"
    path.write_text(path.read_text().replace('first = ["feet-on-floor", "steady-breath"]', 'first = ["nowhere", "steady-breath"]', 1))
    with pytest.raises(ContentError, match="feelings.toml: feeling 'panic' names unknown exercise 'nowhere'"):
        load_library(content)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('source = "https://line.example/"\n', "", "'GB line 1 source' is missing"),
        ('call = "116 123"', 'call = "<b>116</b>"', "contains markup"),
        ('call = "116 123"\ntext = "85258"', 'call = "call us"', "must be a phone number"),
        ('emergency = "999"', 'emergency = "nine"', "must be digits"),
        ('code = "GB"', 'code = "gbr"', "two capital letters"),
    ],
)
def test_a_broken_crisis_line_is_refused_naming_the_file(content, old, new, message):
    path = content / "crisis_lines.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(ContentError) as error:
        load_library(content)
    assert "crisis_lines.toml" in str(error.value) and message in str(error.value)


def test_the_app_refuses_to_start_on_hostile_content(content, tmp_path):
    from webapp import create_app

    path = content / "exercises" / "steady-breath.toml"
    path.write_text(path.read_text().replace('title = "Steady breath"', 'title = "<img src=x onerror=alert(1)>"'))
    with pytest.raises(ContentError, match="steady-breath.toml"):
        create_app({"CONTENT_FOLDER": str(content)}, environ={}, instance_path=str(tmp_path / "instance"))
