"""Content files: the real ones pass the schema; a broken or hostile file is
refused at load with its file name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from webapp.services import content as content_module
from webapp.services.content import (
    CATEGORIES,
    CONTENT_DIR,
    FEELINGS,
    ContentError,
    load_exercise,
    load_library,
    load_symptoms,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
EXERCISE_FILES = sorted((CONTENT_DIR / "exercises").glob("*.toml"))
REQUIRED_EXERCISES = {
    "five-four-three-two-one",
    "paced-breathing",
    "box-breathing",
    "progressive-muscle-relaxation",
    "body-scan",
    "cold-water",
    "orienting",
    "thought-record",
    "self-compassion-break",
    "safe-place",
    "urge-surfing",
    "sleep-wind-down",
    "windows-and-waves",
    "mindful-walking",
    "ride-the-wave",
    "just-this-minute",
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
    assert (
        len(
            {
                breathing["box-breathing"].inhale,
                breathing["box-breathing"].hold_in,
                breathing["box-breathing"].exhale,
                breathing["box-breathing"].hold_out,
            }
        )
        == 1
    )


def test_every_crisis_line_has_a_source_and_a_date():
    library = load_library()
    assert library.directory.url.startswith("https://")
    for country in library.countries.values():
        assert country.emergency_source.startswith("https://")
        for line in country.lines:
            assert line.source.startswith("https://") and line.checked
            assert line.call or line.text


def test_no_dose_advice_in_any_exercise():
    """docs/SAFETY.md: never a dose, a cut size or a schedule."""
    import re

    library = load_library()
    pattern = re.compile(
        r"\b\d+(\.\d+)?\s?(mg|milligram|%)|\b(reduce|cut|lower|increase) your (dose|medication)\b", re.I
    )
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
    ('title = "Feet on the floor"\n', "", "'title' is missing"),
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
    path.write_text(
        path.read_text().replace(
            'first = ["feet-on-floor", "steady-breath"]', 'first = ["nowhere", "steady-breath"]', 1
        )
    )
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


# --------------------------------------------------------------------------
# docs/SAFETY.md: breathing is paced slowly, everywhere
# --------------------------------------------------------------------------


def test_every_breathing_exercise_is_within_the_bounds():
    library = load_library()
    breathing = [e for e in library.exercises.values() if e.kind == "breathing"]
    assert {"paced-breathing", "box-breathing"} <= {e.id for e in breathing}
    for exercise in breathing:
        b = exercise.breathing
        assert b.inhale >= 3 and b.exhale >= 4 and b.exhale >= b.inhale, exercise.id
        assert b.hold_in <= 4 and b.hold_out <= 4, exercise.id
        # Never faster than about 8 breaths a minute.
        assert 60 / (b.inhale + b.hold_in + b.exhale + b.hold_out) <= 8.6, exercise.id


def test_the_bounds_are_the_ones_docs_safety_states():
    assert (content_module.BREATH_MIN_IN, content_module.BREATH_MIN_OUT, content_module.BREATH_MAX_HOLD) == (3, 4, 4)
    doc = (CONTENT_DIR.parents[1] / "docs" / "SAFETY.md").read_text()
    assert "in for at least 3 seconds" in doc and "out for at least 4 seconds" in doc
    assert "holds of at most 4 seconds" in doc


BREATHING_BROKEN = [
    ("inhale = 3", "inhale = 1", "'breathing inhale' must be a whole number from 3 to 20"),
    ("inhale = 3", "inhale = 2", "'breathing inhale' must be a whole number from 3 to 20"),
    ("exhale = 4", "exhale = 1", "'breathing exhale' must be a whole number from 4 to 20"),
    ("exhale = 4", "exhale = 3", "'breathing exhale' must be a whole number from 4 to 20"),
    ("hold_in = 0", "hold_in = 20", "'breathing hold_in' must be a whole number from 0 to 4"),
    ("hold_out = 0", "hold_out = 5", "'breathing hold_out' must be a whole number from 0 to 4"),
    ("hold_out = 0", "hold_out = -1", "'breathing hold_out' must be a whole number from 0 to 4"),
    ("inhale = 3", "inhale = 3.5", "'breathing inhale' must be a whole number"),
    ("inhale = 3", 'inhale = "3"', "'breathing inhale' must be a whole number"),
    ("inhale = 3", "inhale = true", "'breathing inhale' must be a whole number"),
    ("inhale = 3", "inhale = 99999999999999999", "'breathing inhale' must be a whole number"),
    ("inhale = 3", "inhale = 6", "'breathing exhale' must be at least as long as 'breathing inhale'"),
]


@pytest.mark.parametrize("old, new, message", BREATHING_BROKEN, ids=[f"{b[1]}" for b in BREATHING_BROKEN])
def test_a_breathing_pattern_outside_the_bounds_is_refused_naming_the_file(content, old, new, message):
    path = content / "exercises" / "steady-breath.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as error:
        load_library(content)
    assert "steady-breath.toml" in str(error.value) and message in str(error.value)


def test_the_app_refuses_to_start_on_a_too_fast_breathing_pattern(content, tmp_path):
    from webapp import create_app

    path = content / "exercises" / "steady-breath.toml"
    path.write_text(path.read_text().replace("inhale = 3", "inhale = 1").replace("exhale = 4", "exhale = 1"))
    with pytest.raises(ContentError, match="steady-breath.toml"):
        create_app({"CONTENT_FOLDER": str(content)}, environ={}, instance_path=str(tmp_path / "instance"))


def test_the_breathing_page_and_script_carry_the_same_bounds(client):
    import re

    html = client.get("/toolkit/breathe").get_data(as_text=True)
    # The rules the fields are described by state the script's bounds.
    rules = re.search(r'<p class="hint" id="breath-rules">([^<]*)</p>', html).group(1)
    assert (
        f"in for at least {content_module.BREATH_MIN_IN} seconds, out for at least {content_module.BREATH_MIN_OUT}"
        in rules
    ), rules
    assert f"holds of {content_module.BREATH_MAX_HOLD} seconds or less" in rules, rules
    for name in ("inhale", "hold_in", "exhale", "hold_out"):
        # A text field with a numeric keypad (GOV.UK: not type=number, which drops or alters what is typed).
        tag = re.search(rf'<input type="text" id="breath-{name}"[^>]*>', html).group(0)
        assert 'inputmode="numeric"' in tag and 'spellcheck="false"' in tag and 'autocomplete="off"' in tag, tag
        assert f'aria-describedby="breath-rules breath-{name}-error"' in tag
        assert f'id="breath-{name}-error"' in html
    script = (CONTENT_DIR.parent / "static" / "js" / "breathing.js").read_text()
    limits = re.search(r"LIMITS = Object\.freeze\(\{([^}]*)\}\)", script).group(1)
    assert dict(re.findall(r"(\w+): (\d+)", limits)) == {
        "minIn": str(content_module.BREATH_MIN_IN),
        "minOut": str(content_module.BREATH_MIN_OUT),
        "maxHold": str(content_module.BREATH_MAX_HOLD),
        "maxPhase": str(content_module.BREATH_MAX_PHASE),
    }
    # The script checks what was typed against LIMITS and never rounds or clamps it.
    assert "Math.min(" not in script and "Math.max(" not in script and "Math.round(" not in script


def test_an_exercise_that_says_skip_the_holds_offers_the_control(client):
    library = load_library()
    for exercise in library.exercises.values():
        says_skip = any("skip the holds" in step.text.lower() for step in exercise.steps)
        if not says_skip:
            continue
        assert exercise.breathing and (exercise.breathing.hold_in or exercise.breathing.hold_out)
        html = client.get(f"/toolkit/exercise/{exercise.id}").get_data(as_text=True)
        assert 'class="pacer-skip-input"' in html and "Skip the holds" in html


# --------------------------------------------------------------------------
# Citations and warnings the review found wrong or missing
# --------------------------------------------------------------------------


def test_paced_breathing_and_feet_and_sips_cite_what_they_really_are():
    library = load_library()
    paced = library.exercises["paced-breathing"].source
    assert "Linehan" in paced.name and "DBT Skills Training Manual" in paced.name and "2nd ed." in paced.name
    assert "Distress Tolerance" in paced.name and "dbtcentersouthbay" not in (paced.url or "")
    feet = library.exercises["feet-and-sips"].source
    assert feet.name.startswith("Steady's own combination")
    assert "No published source describes" in feet.detail and "dbtcentersouthbay" not in (feet.url or "")


def test_every_exercise_source_was_checked_and_dated():
    """Each exercise's source was opened and its sentence found: the detail
    ends with the date that was done, and the source is a link to open."""
    import re
    from datetime import date

    for exercise in load_library().exercises.values():
        source = exercise.source
        assert source.url and source.url.startswith("https://"), exercise.id
        found = re.search(r"\(checked (\d{4}-\d{2}-\d{2})\)\.?$", source.detail or "")
        assert found, f"{exercise.id}: detail does not end with '(checked YYYY-MM-DD)'"
        assert date(2025, 1, 1) <= date.fromisoformat(found.group(1)) <= date.today(), exercise.id


def test_shake_it_out_names_who_should_ask_a_doctor_first():
    """It raises the heart rate, as its source cautions (SAFETY.md: exercises
    with physical risk name who should skip them), in every language."""
    for language, words in (
        ("en", ("heart problem", "beta-blocker", "eating disorder", "doctor", "chest pain")),
        ("es", ("problema de corazón", "betabloqueante", "trastorno de la conducta alimentaria", "médico")),
    ):
        first = load_library(language=language).exercises["shake-it-out"].steps[0].text.lower()
        for word in words:
            assert word in first, (language, word)
    assert "heart" in load_library().exercises["shake-it-out"].source.detail


def test_cold_water_names_who_should_skip_the_face_steps():
    cold = load_library().exercises["cold-water"]
    first = cold.steps[0].text.lower()
    for who in (
        "heart problem",
        "slow heart rate",
        "beta-blocker",
        "propranolol",
        "slows your heart",
        "allergic to cold",
        "eating disorder",
    ):
        assert who in first, who
    everything = " ".join(step.text for step in cold.steps)
    assert "cool, not icy" in everything and "10 °C" in everything
    import re

    # No icy water, no ice on the skin: the only "ice" is the warning against it.
    assert re.findall(r"\b(ice|icy|ice-cold|freezing)\b", everything.lower()) == ["icy", "ice"]
    assert "Never put ice straight on your skin" in everything
    assert "Linehan" in cold.source.name and "50 °F (10 °C)" in cold.source.detail


def test_touch_steps_are_optional_and_tensing_keeps_breathing():
    library = load_library()
    for exercise in library.exercises.values():
        for step in exercise.steps:
            text = step.text.lower()
            if "hand on your" in text or "hand on your chest" in text:
                assert "if it feels ok" in text, (exercise.id, step.text)
    pmr = " ".join(s.text for s in library.exercises["progressive-muscle-relaxation"].steps)
    assert "keep breathing while you tense" in pmr


def test_the_meeting_reminder_says_nothing_about_health_on_a_lock_screen():
    from webapp.services.reminder_rules import KINDS

    title, body, _, _ = KINDS["meeting"]
    assert title == "A reminder from Steady"
    for word in ("support", "group", "meeting", "medication", "dose", "taper"):
        assert word not in f"{title} {body}".lower()


# --------------------------------------------------------------------------
# The symptom checklist: every symptom cites a source that names it
# --------------------------------------------------------------------------

NEW_SYMPTOMS = {
    "dizziness",
    "headache",
    "sweating",
    "tingling",
    "restlessness",
    "nightmares",
    "blurred_vision",
    "fatigue",
}


def test_every_symptom_cites_a_source_with_a_checked_date():
    from datetime import date

    symptoms = load_library().symptoms
    ids = [s.id for s in symptoms.checklist]
    assert len(ids) == len(set(ids))
    assert NEW_SYMPTOMS <= set(ids)
    for symptom in symptoms.checklist:
        assert symptom.cited, symptom.id
        for citation in symptom.cited:
            source = symptoms.sources[citation.source]
            assert source.url.startswith("https://") and source.name
            assert date(2025, 1, 1) <= date.fromisoformat(source.checked) <= date(2026, 11, 30)
            assert citation.says.strip()


def test_muscle_keeps_its_id_and_names_twitching():
    symptoms = load_library().symptoms
    muscle = next(s for s in symptoms.checklist if s.id == "muscle")
    assert muscle.label == "Muscle tension, spasms or twitching"
    assert any("twitch" in c.says.lower() for c in muscle.cited)


def test_cravings_is_off_the_checklist_but_still_readable():
    from webapp.services.content import symptoms as checklist

    symptoms = load_library().symptoms
    assert "cravings" not in {s.id for s in symptoms.checklist}
    assert "cravings" not in {s.id for s in checklist()}  # what the check-in form offers
    assert "cravings" in {s.id for s in symptoms.retired}
    assert symptoms.labels()["cravings"].startswith("Cravings")
    for symptom in symptoms.checklist:
        assert "crav" not in symptom.label.lower()


def test_the_check_in_form_offers_exactly_the_cited_checklist():
    from webapp.services.content import symptoms as checklist

    assert [(s.id, s.label) for s in checklist()] == [(s.id, s.label) for s in load_library().symptoms.checklist]


SYMPTOMS_BROKEN = [
    ('cited = [{ source = "test-source", says = "headaches" }]\n', "", "symptom 'headache' cites no source"),
    ('cited = [{ source = "test-source", says = "headaches" }]', "cited = []", "symptom 'headache' cites no source"),
    (
        'source = "test-source", says = "headaches"',
        'source = "nowhere", says = "headaches"',
        "cites unknown source 'nowhere'",
    ),
    (
        'source = "test-source", says = "headaches"',
        'source = "test-source", says = ""',
        "'symptom headache cited says' is missing",
    ),
    (
        'source = "test-source", says = "headaches"',
        'source = "test-source"',
        "'symptom headache cited says' is missing",
    ),
    ('url = "https://example.org/symptoms"\n', "", "'source test-source url' is missing"),
    ('url = "https://example.org/symptoms"', 'url = "http://example.org/symptoms"', "must be an https:// address"),
    ('checked = "2026-11-30"\n', "", "'source test-source checked' is missing"),
    ('checked = "2026-11-30"', 'checked = "yesterday"', "must be a date like"),
    ('checked = "2026-11-30"', 'checked = "2026-02-30"', "is not a real date"),
    ('id = "headache"', 'id = "anxiety"', "symptom id 'anxiety' must be lowercase words joined by underscores, once"),
    ('id = "headache"', 'id = "Head ache"', "must be lowercase words joined by underscores"),
    ('label = "Headache"', 'label = "<b>Headache</b>"', "contains markup"),
    ('label = "Headache"', 'label = "Head\\u0000ache"', "control characters"),
    ('label = "Headache"', 'label = "Headache"\nsurprise = 1', "unknown field(s) surprise"),
    ('id = "cravings"', 'id = "anxiety"', "retired_symptom id 'anxiety'"),
    ('reason = "Not a withdrawal symptom in the source."', "", "'retired_symptom cravings reason' is missing"),
]


@pytest.mark.parametrize("old, new, message", SYMPTOMS_BROKEN, ids=[b[2] for b in SYMPTOMS_BROKEN])
def test_a_broken_symptom_file_is_refused_naming_the_file(content, old, new, message):
    path = content / "symptoms.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as error:
        load_library(content)
    assert "symptoms.toml" in str(error.value) and message in str(error.value)


def test_hostile_symptom_files_are_refused_not_crashed_on(content):
    path = content / "symptoms.toml"
    hostile = [
        "symptom = 3\n",
        "symptom = []\n",
        '[[symptom]]\nid = 5\nlabel = "x"\n',
        '[[symptom]]\nid = "a"\nlabel = "x"\ncited = "everything"\n',
        '[[symptom]]\nid = "a"\nlabel = "x"\ncited = ["test-source"]\n',
        'source = [1]\n[[symptom]]\nid = "a"\nlabel = "x"\n',
        '[[symptom]]\nid = "a"\nlabel = "x"\ncited = [{ source = [[[[[]]]]], says = "y" }]\n',
        '[[symptom]]\nid = "\\ud800"\n',
        '[[symptom]]\nid = "' + "a" * 100_000 + '"\n',
        "\x00\x01\x02",
    ]
    for text in hostile:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with pytest.raises(ContentError) as error:
            load_library(content)
        assert "symptoms.toml" in str(error.value), text[:40]


def test_a_source_no_symptom_cites_is_refused(content):
    path = content / "symptoms.toml"
    path.write_text(
        path.read_text()
        + '\n[[source]]\nid = "spare"\nname = "Spare"\nurl = "https://example.org/"\nchecked = "2026-11-30"\n'
    )
    with pytest.raises(ContentError, match="symptoms.toml: source\\(s\\) spare cited by no symptom"):
        load_symptoms(path)


def test_the_clinician_summary_names_a_retired_symptom_readably():
    from datetime import date
    from types import SimpleNamespace

    from webapp.services import summary

    checkin = SimpleNamespace(
        local_date=date(2026, 11, 2),
        overall=5,
        anxiety=5,
        symptoms={"cravings": 2, "headache": 1},
        checked_at=None,
        note=None,
        doses="as_planned",
    )
    built = summary.build(
        start=date(2026, 11, 1),
        end=date(2026, 11, 7),
        steps=[],
        doses=[],
        checkins=[checkin],
        unit="mg",
        title="t",
    )
    labels = {row.label for row in built.symptoms}
    assert labels == {"Cravings (no longer on the list)", "Headache"}
