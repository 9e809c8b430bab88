"""The coping content: exercises, feelings and crisis lines, kept as TOML data
files in ``webapp/content/`` and checked against a schema when loaded.

A broken or hostile file stops the app at start-up with a ``ContentError``
naming the file and the problem, rather than showing a half-broken exercise to
someone in a panic.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from webapp.services.content_files import (  # noqa: F401 - the content's names, in one place
    CONTENT_DIR,
    DATE,
    ID,
    MARKUP,
    MAX_TEXT,
    PHONE,
    SYMPTOM_ID,
    ContentError,
    _Checker,
    _read,
)
from webapp.services.content_i18n import normalise_language, read_in
from webapp.services.crisis_lines import Country, CrisisLine, Directory, load_crisis_lines  # noqa: F401
from webapp.services.symptom_checklist import Symptoms, load_symptoms  # noqa: F401


def N_(message: str) -> str:
    """Marks a string for the catalogue without translating it here."""
    return message


#: Categories, in the order the toolkit shows them, with their headings
#: (marked for the catalogue; a library in another language translates them).
CATEGORIES = {
    "grounding": N_("Grounding"),
    "breathing": N_("Breathing"),
    "body": N_("Body and relaxation"),
    "thinking": N_("Thinking it through"),
    "sleep": N_("Sleep"),
    "unreal": N_("Feeling unreal"),
    "urges": N_("Urges and cravings"),
    "reassurance": N_("Reassurance"),
}
FEELINGS = (
    "panic",
    "cant-sleep",
    "racing-thoughts",
    "feeling-unreal",
    "shaking",
    "heart-pounding",
    "cravings",
    "low-mood",
    "anger",
)
KINDS = ("steps", "breathing", "thought-record")

#: Breathing bounds (docs/SAFETY.md): never faster than about 8 breaths a
#: minute. At least 3 s in and 4 s out, the out-breath at least as long as the
#: in-breath, holds of at most 4 s. Over-breathing brings dizziness, tingling
#: and palpitations. breathe.html and breathing.js use the same numbers.
BREATH_MIN_IN = 3
BREATH_MIN_OUT = 4
BREATH_MAX_HOLD = 4
BREATH_MAX_PHASE = 20


@dataclass(frozen=True)
class Step:
    text: str
    timer_seconds: int | None = None


@dataclass(frozen=True)
class Breathing:
    inhale: int
    hold_in: int
    exhale: int
    hold_out: int
    rounds: int


@dataclass(frozen=True)
class Source:
    name: str
    url: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    category: str
    kind: str
    summary: str
    duration_minutes: int
    helps_with: tuple[str, ...]
    source: Source
    steps: tuple[Step, ...]
    breathing: Breathing | None = None


@dataclass(frozen=True)
class Feeling:
    id: str
    label: str
    description: str
    first: tuple[str, ...]


@dataclass(frozen=True)
class Library:
    exercises: dict[str, Exercise]
    feelings: dict[str, Feeling]
    countries: dict[str, Country]
    directory: Directory
    version: str = field(default="")
    symptoms: Symptoms | None = None
    #: The categories' headings in the library's language.
    headings: dict[str, str] = field(default_factory=lambda: dict(CATEGORIES))

    def by_category(self) -> list[tuple[str, str, list[Exercise]]]:
        groups = []
        for key, heading in self.headings.items():
            items = [e for e in self.exercises.values() if e.category == key]
            if items:
                groups.append((key, heading, items))
        return groups

    def for_feeling(self, feeling_id: str) -> tuple[list[Exercise], list[Exercise]]:
        """The exercises that fit a feeling best (in order), then the others that help."""
        feeling = self.feelings[feeling_id]
        first = [self.exercises[i] for i in feeling.first]
        more = [e for e in self.exercises.values() if feeling_id in e.helps_with and e.id not in feeling.first]
        return first, more

    def bundle(self) -> dict:
        """Everything as plain JSON, for ``/api/content`` and offline clients."""
        return {
            "version": self.version,
            "categories": self.headings,
            "exercises": [asdict(e) for e in self.exercises.values()],
            "feelings": [asdict(f) for f in self.feelings.values()],
            "crisis": {
                "directory": asdict(self.directory),
                "countries": [asdict(c) for c in self.countries.values()],
            },
        }


def load_exercise(path: Path, language: str = "en", folder: Path | None = None) -> Exercise:
    check = _Checker(path)
    data = read_in(path, language, folder or path.parent.parent)
    check.only_keys(
        data,
        {
            "id",
            "title",
            "category",
            "kind",
            "summary",
            "duration_minutes",
            "helps_with",
            "source",
            "steps",
            "breathing",
        },
    )
    exercise_id = check.text(data, "id", limit=64)
    if not ID.match(exercise_id) or exercise_id != path.stem:
        check.fail("'id' must be lowercase words joined by hyphens and match the file name")
    category = data.get("category")
    if category not in CATEGORIES:
        check.fail(f"'category' must be one of {', '.join(CATEGORIES)}")
    kind = data.get("kind")
    if kind not in KINDS:
        check.fail(f"'kind' must be one of {', '.join(KINDS)}")
    helps = data.get("helps_with")
    if not isinstance(helps, list) or not helps or any(h not in FEELINGS for h in helps):
        check.fail(f"'helps_with' must list feelings from: {', '.join(FEELINGS)}")
    source = data.get("source")
    if not isinstance(source, dict):
        check.fail("'source' is missing: every exercise names where it comes from")
    check.only_keys(source, {"name", "url", "detail"}, "in [source]")
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= 15:
        check.fail("'steps' must list 1 to 15 steps")
    parsed_steps = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            check.fail(f"step {number} must be a table with 'text'")
        check.only_keys(step, {"text", "timer_seconds"}, f"in step {number}")
        parsed_steps.append(
            Step(
                text=check.text(step, "text", where=f"step {number} "),
                timer_seconds=check.integer(step, "timer_seconds", 1, 900, where=f"step {number} ", required=False),
            )
        )
    breathing = None
    if kind == "breathing":
        pattern = data.get("breathing")
        if not isinstance(pattern, dict):
            check.fail("a breathing exercise needs a [breathing] pattern")
        check.only_keys(pattern, {"inhale", "hold_in", "exhale", "hold_out", "rounds"}, "in [breathing]")
        breathing = check_breathing(check, pattern)
    elif "breathing" in data:
        check.fail('only kind = "breathing" exercises have a [breathing] pattern')
    return Exercise(
        id=exercise_id,
        title=check.text(data, "title", limit=120),
        category=category,
        kind=kind,
        summary=check.text(data, "summary", limit=200),
        duration_minutes=check.integer(data, "duration_minutes", 1, 30),
        helps_with=tuple(helps),
        source=Source(
            name=check.text(source, "name", where="source ", limit=300),
            url=check.url(source, "url", where="source ", required=False),
            detail=check.text(source, "detail", where="source ", required=False),
        ),
        steps=tuple(parsed_steps),
        breathing=breathing,
    )


def check_breathing(check: _Checker, pattern: dict) -> Breathing:
    """A breathing pattern within docs/SAFETY.md's bounds, or the file is refused."""
    breathing = Breathing(
        inhale=check.integer(pattern, "inhale", BREATH_MIN_IN, BREATH_MAX_PHASE, where="breathing "),
        hold_in=check.integer(pattern, "hold_in", 0, BREATH_MAX_HOLD, where="breathing "),
        exhale=check.integer(pattern, "exhale", BREATH_MIN_OUT, BREATH_MAX_PHASE, where="breathing "),
        hold_out=check.integer(pattern, "hold_out", 0, BREATH_MAX_HOLD, where="breathing "),
        rounds=check.integer(pattern, "rounds", 1, 60, where="breathing "),
    )
    if breathing.exhale < breathing.inhale:
        check.fail("'breathing exhale' must be at least as long as 'breathing inhale' (a longer out-breath is calmer)")
    return breathing


def load_feelings(path: Path, exercises: dict[str, Exercise], language: str = "en") -> dict[str, Feeling]:
    check = _Checker(path)
    data = read_in(path, language, path.parent)
    check.only_keys(data, {"feeling"})
    feelings: dict[str, Feeling] = {}
    for entry in data.get("feeling", []):
        check.only_keys(entry, {"id", "label", "description", "first"}, "in a [[feeling]]")
        feeling_id = entry.get("id")
        if feeling_id not in FEELINGS or feeling_id in feelings:
            check.fail(f"feeling id {feeling_id!r} is unknown or repeated")
        first = entry.get("first")
        if not isinstance(first, list) or not 2 <= len(first) <= 3:
            check.fail(f"feeling {feeling_id!r} must list 2 or 3 exercises 'first'")
        for exercise_id in first:
            if exercise_id not in exercises:
                check.fail(f"feeling {feeling_id!r} names unknown exercise {exercise_id!r}")
        feelings[feeling_id] = Feeling(
            id=feeling_id,
            label=check.text(entry, "label", limit=40),
            description=check.text(entry, "description", limit=120),
            first=tuple(first),
        )
    missing = set(FEELINGS) - set(feelings)
    if missing:
        check.fail(f"feelings missing: {', '.join(sorted(missing))}")
    return {feeling_id: feelings[feeling_id] for feeling_id in FEELINGS}


#: A checked date may be at most this far ahead of the server's clock (time zones).
SYMPTOMS_FILE = CONTENT_DIR / "symptoms.toml"


@dataclass(frozen=True)
class Symptom:
    id: str
    label: str


@lru_cache(maxsize=8)
def symptoms(language: str = "en") -> tuple[Symptom, ...]:
    """The checklist from ``content/symptoms.toml``, in order, in ``language``."""
    data = read_in(SYMPTOMS_FILE, _shipped(language), CONTENT_DIR)
    items = tuple(Symptom(id=item["id"], label=item["label"]) for item in data["symptom"])
    if len({s.id for s in items}) != len(items):
        raise ValueError("symptoms.toml lists an id twice")
    return items


def _shipped(language: str | None) -> str:
    return normalise_language(language)


def symptom_labels(language: str = "en") -> dict[str, str]:
    return {s.id: s.label for s in symptoms(_shipped(language))}


@lru_cache(maxsize=8)
def retired_symptom_labels(language: str = "en") -> dict[str, str]:
    """Labels of symptoms no longer on the checklist, for stored check-ins
    that still hold them (the app checked the file at start-up)."""
    return {item.id: item.label for item in load_symptoms(CONTENT_DIR / "symptoms.toml", _shipped(language)).retired}


def load_library(folder: Path = CONTENT_DIR, language: str = "en") -> Library:
    """Load and check every content file, in ``language`` (the English files
    with that language's overlays); raise ContentError on the first problem."""
    exercise_files = sorted((folder / "exercises").glob("*.toml"))
    if not exercise_files:
        raise ContentError(folder / "exercises", "no exercises found")
    loaded = [load_exercise(path, language, folder) for path in exercise_files]
    order = list(CATEGORIES)
    exercises = {e.id: e for e in sorted(loaded, key=lambda e: (order.index(e.category), e.title.lower()))}
    feelings = load_feelings(folder / "feelings.toml", exercises, language)
    symptoms = load_symptoms(folder / "symptoms.toml", language)
    directory, countries = load_crisis_lines(folder / "crisis_lines.toml", language)
    library = Library(exercises=exercises, feelings=feelings, countries=countries, directory=directory)
    version = hashlib.sha256(json.dumps(library.bundle(), sort_keys=True).encode()).hexdigest()[:16]
    return Library(
        exercises=exercises,
        feelings=feelings,
        countries=countries,
        directory=directory,
        version=version,
        symptoms=symptoms,
    )


#: The English name of each shipped language, as crisis lines' ``languages`` give it.
LANGUAGE_NAMES = {"es": "Spanish"}


def lines_in_language_first(library: Library, english: Library, language: str) -> Library:
    """``library`` (in ``language``) with, in each country, the crisis lines
    that answer in that language first (the 988 Lifeline's Spanish option for
    Spanish), the rest in their usual order. Which lines answer in a language
    is read from the English file, so a translation cannot change it."""
    name = LANGUAGE_NAMES.get(language)
    if not name:
        return library
    countries = {}
    for code, country in library.countries.items():
        speaks = [
            name.lower() in (english_line.languages or "").lower() for english_line in english.countries[code].lines
        ]
        lines = [line for line, yes in zip(country.lines, speaks, strict=True) if yes] + [
            line for line, yes in zip(country.lines, speaks, strict=True) if not yes
        ]
        countries[code] = replace(country, lines=tuple(lines))
    return replace(library, countries=countries)


def with_headings(library: Library, translate) -> Library:
    """``library`` with its category headings put through ``translate`` (the
    library's language's catalogue), and a version that covers them."""
    localised = replace(library, headings={key: translate(heading) for key, heading in CATEGORIES.items()})
    version = hashlib.sha256(json.dumps(localised.bundle(), sort_keys=True).encode()).hexdigest()[:16]
    return replace(localised, version=version)
