"""The coping content: exercises, feelings and crisis lines, kept as TOML data
files in ``webapp/content/`` and checked against a schema when loaded.

A broken or hostile file stops the app at start-up with a ``ContentError``
naming the file and the problem, rather than showing a half-broken exercise to
someone in a panic.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

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
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE = re.compile(r"^\+?[0-9][0-9 ]{1,18}$")
MARKUP = re.compile(r"[<>]|javascript:|&#", re.IGNORECASE)
MAX_TEXT = 600

#: Breathing bounds (docs/SAFETY.md): never faster than about 8 breaths a
#: minute. At least 3 s in and 4 s out, the out-breath at least as long as the
#: in-breath, holds of at most 4 s. Over-breathing brings dizziness, tingling
#: and palpitations. breathe.html and breathing.js use the same numbers.
BREATH_MIN_IN = 3
BREATH_MIN_OUT = 4
BREATH_MAX_HOLD = 4
BREATH_MAX_PHASE = 20
SYMPTOM_ID = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ContentError(ValueError):
    """A content file is missing something or holds something it must not."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        super().__init__(f"{Path(path).name}: {problem}")


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
class CrisisLine:
    name: str
    hours: str
    source: str
    checked: str
    call: str | None = None
    text: str | None = None
    text_body: str | None = None
    languages: str | None = None


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    emergency: str
    emergency_source: str
    emergency_checked: str
    time_zones: tuple[str, ...]
    lines: tuple[CrisisLine, ...]


@dataclass(frozen=True)
class Directory:
    name: str
    url: str
    source: str


@dataclass(frozen=True)
class Citation:
    """Where a symptom is named: a source, and the words it uses."""

    source: str
    says: str


@dataclass(frozen=True)
class SymptomSource:
    id: str
    name: str
    url: str
    checked: str
    detail: str | None = None


@dataclass(frozen=True)
class SymptomItem:
    id: str
    label: str
    cited: tuple[Citation, ...]


@dataclass(frozen=True)
class RetiredSymptom:
    """A symptom no longer on the checklist; its id and label stay readable
    for check-ins that already hold it."""

    id: str
    label: str
    reason: str


@dataclass(frozen=True)
class Symptoms:
    checklist: tuple[SymptomItem, ...]
    retired: tuple[RetiredSymptom, ...]
    sources: dict[str, SymptomSource]

    def labels(self) -> dict[str, str]:
        """Every id ever used, checklist and retired, to its label."""
        return {**{s.id: s.label for s in self.retired}, **{s.id: s.label for s in self.checklist}}


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


# --- checking -----------------------------------------------------------------


class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, problem: str):
        raise ContentError(self.path, problem)

    def text(self, data: dict, key: str, *, where: str = "", required: bool = True, limit: int = MAX_TEXT) -> str | None:
        value = data.get(key)
        label = f"{where}{key}"
        if value is None or value == "":
            if required:
                self.fail(f"'{label}' is missing")
            return None
        if not isinstance(value, str):
            self.fail(f"'{label}' must be text")
        if len(value) > limit:
            self.fail(f"'{label}' is longer than {limit} characters")
        if MARKUP.search(value):
            self.fail(f"'{label}' contains markup; content is plain text")
        if any(ord(c) < 32 and c not in "\n" for c in value):
            self.fail(f"'{label}' contains control characters")
        return value.strip()

    def integer(self, data: dict, key: str, low: int, high: int, *, where: str = "", required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"'{where}{key}' is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"'{where}{key}' must be a whole number from {low} to {high}")
        return value

    def url(self, data: dict, key: str, *, where: str = "", required: bool = True) -> str | None:
        value = self.text(data, key, where=where, required=required, limit=300)
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme != "https" or not parts.netloc:
                self.fail(f"'{where}{key}' must be an https:// address")
        return value

    def only_keys(self, data: dict, allowed: set[str], where: str = "") -> None:
        unknown = set(data) - allowed
        if unknown:
            self.fail(f"unknown field(s) {', '.join(sorted(unknown))} {where}".strip())


def _read(path: Path, language: str = "en", folder: Path | None = None) -> dict:
    """The English file at ``path``; in another ``language``, with the text of
    its overlay under ``folder/<language>/`` (``services/content_i18n.py``)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"is not valid TOML ({exc})") from exc
    if language == "en":
        return data
    from webapp.services.content_i18n import localise

    return localise(data, language, path.resolve().relative_to((folder or CONTENT_DIR).resolve()), folder or CONTENT_DIR)


def load_exercise(path: Path, language: str = "en", folder: Path | None = None) -> Exercise:
    check = _Checker(path)
    data = _read(path, language, folder or path.parent.parent)
    check.only_keys(data, {"id", "title", "category", "kind", "summary", "duration_minutes", "helps_with", "source", "steps", "breathing"})
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
        check.fail("only kind = \"breathing\" exercises have a [breathing] pattern")
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
    data = _read(path, language, path.parent)
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
CHECKED_SLACK = timedelta(days=1)
MAX_ZONES = 80


def _checked_date(check: _Checker, data: dict, key: str, where: str) -> str:
    """A ``checked`` date: required, a real calendar date, not in the future."""
    value = check.text(data, key, where=where, limit=10)
    if not DATE.match(value):
        check.fail(f"'{where}{key}' must be a date like 2026-11-30")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        check.fail(f"'{where}{key}' is not a real date")
    if day > (datetime.now(timezone.utc) + CHECKED_SLACK).date():
        check.fail(f"'{where}{key}' is in the future: say when the number was really checked")
    return value


def load_crisis_lines(path: Path, language: str = "en") -> tuple[Directory, dict[str, Country]]:
    """The crisis data file. Refused (naming the file) when a country has no
    crisis line, or any number (a line or an emergency number) lacks the page
    it was checked on or the date (docs/SAFETY.md)."""
    check = _Checker(path)
    data = _read(path, language, path.parent)
    check.only_keys(data, {"directory", "country"})
    directory_data = data.get("directory")
    if not isinstance(directory_data, dict):
        check.fail("[directory] (the international fallback) is missing")
    check.only_keys(directory_data, {"name", "url", "source"}, "in [directory]")
    directory = Directory(
        name=check.text(directory_data, "name", where="directory "),
        url=check.url(directory_data, "url", where="directory "),
        source=check.url(directory_data, "source", where="directory "),
    )
    entries = data.get("country", [])
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        check.fail("list at least one [[country]]")
    countries: dict[str, Country] = {}
    zone_owner: dict[str, str] = {}
    for entry in entries:
        check.only_keys(
            entry, {"code", "name", "emergency", "emergency_source", "emergency_checked", "time_zones", "line"}, "in a [[country]]"
        )
        code = entry.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code) or code in countries:
            check.fail(f"country code {str(code)[:10]!r} must be two capital letters, once")
        emergency = check.text(entry, "emergency", where=f"{code} ", limit=6)
        if not emergency.isdigit():
            check.fail(f"'{code} emergency' must be digits")
        emergency_source = check.url(entry, "emergency_source", where=f"{code} ")
        emergency_checked = _checked_date(check, entry, "emergency_checked", f"{code} ")
        zones = entry.get("time_zones")
        if not isinstance(zones, list) or not zones or len(zones) > MAX_ZONES:
            check.fail(f"'{code} time_zones' must list 1 to {MAX_ZONES} time zones (like \"Europe/London\")")
        for zone in zones:
            if not isinstance(zone, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}", zone):
                check.fail(f"'{code} time_zones' holds {str(zone)[:40]!r}, which is not a time zone name")
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                check.fail(f"'{code} time_zones' holds {zone!r}, which is not a time zone we know")
            if zone in zone_owner:
                check.fail(f"time zone {zone!r} is given to both {zone_owner[zone]} and {code}")
            zone_owner[zone] = code
        raw_lines = entry.get("line", [])
        if not isinstance(raw_lines, list) or not all(isinstance(line, dict) for line in raw_lines):
            check.fail(f"'{code} line' must be a list of [[country.line]] tables")
        if not raw_lines:
            check.fail(f"{code} has no crisis line: every country listed needs at least one (or leave the country out)")
        lines = []
        for number, line in enumerate(raw_lines, start=1):
            where = f"{code} line {number} "
            check.only_keys(line, {"name", "call", "text", "text_body", "hours", "languages", "source", "checked"}, f"in {where}")
            call = check.text(line, "call", where=where, required=False, limit=20)
            text = check.text(line, "text", where=where, required=False, limit=20)
            for value, label in ((call, "call"), (text, "text")):
                if value is not None and not PHONE.match(value):
                    check.fail(f"'{where}{label}' must be a phone number")
            if call is None and text is None:
                check.fail(f"{where}needs a number to call or text")
            if line.get("text_body") is not None and text is None:
                check.fail(f"'{where}text_body' needs a number to text")
            source = check.url(line, "source", where=where)
            checked = _checked_date(check, line, "checked", where)
            lines.append(
                CrisisLine(
                    name=check.text(line, "name", where=where, limit=80),
                    call=call,
                    text=text,
                    text_body=check.text(line, "text_body", where=where, required=False, limit=40),
                    hours=check.text(line, "hours", where=where, limit=80),
                    languages=check.text(line, "languages", where=where, required=False, limit=80),
                    source=source,
                    checked=checked,
                )
            )
        countries[code] = Country(
            code=code,
            name=check.text(entry, "name", where=f"{code} ", limit=60),
            emergency=emergency,
            emergency_source=emergency_source,
            emergency_checked=emergency_checked,
            time_zones=tuple(zones),
            lines=tuple(lines),
        )
    return directory, dict(sorted(countries.items(), key=lambda item: item[1].name))


def load_symptoms(path: Path, language: str = "en") -> Symptoms:
    """The check-in's symptom checklist. Every symptom cites at least one
    source that names it (with the words it uses), and every source has an
    https address and the date it was checked (docs/SAFETY.md)."""
    check = _Checker(path)
    data = _read(path, language, path.parent)
    check.only_keys(data, {"source", "symptom", "retired_symptom"})
    sources: dict[str, SymptomSource] = {}
    for number, entry in enumerate(data.get("source") or [], start=1):
        if not isinstance(entry, dict):
            check.fail(f"source {number} must be a table")
        check.only_keys(entry, {"id", "name", "url", "checked", "detail"}, f"in source {number}")
        source_id = check.text(entry, "id", where=f"source {number} ", limit=40)
        if not ID.match(source_id) or source_id in sources:
            check.fail(f"source id {source_id!r} must be lowercase words joined by hyphens, once")
        where = f"source {source_id} "
        sources[source_id] = SymptomSource(
            id=source_id,
            name=check.text(entry, "name", where=where, limit=300),
            url=check.url(entry, "url", where=where),
            checked=_checked_date(check, entry, "checked", where),
            detail=check.text(entry, "detail", where=where, required=False),
        )
    seen: set[str] = set()

    def symptom_id(entry: object, number: int, kind: str) -> str:
        if not isinstance(entry, dict):
            check.fail(f"{kind} {number} must be a table")
        value = check.text(entry, "id", where=f"{kind} {number} ", limit=40)
        if not SYMPTOM_ID.match(value) or value in seen:
            check.fail(f"{kind} id {value!r} must be lowercase words joined by underscores, once")
        seen.add(value)
        return value

    checklist = []
    symptoms = data.get("symptom")
    if not isinstance(symptoms, list) or not symptoms:
        check.fail("no [[symptom]] listed")
    for number, entry in enumerate(symptoms, start=1):
        item_id = symptom_id(entry, number, "symptom")
        check.only_keys(entry, {"id", "label", "cited"}, f"in symptom {item_id}")
        cited = entry.get("cited")
        if not isinstance(cited, list) or not cited:
            check.fail(f"symptom {item_id!r} cites no source: every symptom names where it comes from")
        citations = []
        for citation in cited:
            if not isinstance(citation, dict):
                check.fail(f"symptom {item_id!r}: each 'cited' entry is {{ source = ..., says = ... }}")
            check.only_keys(citation, {"source", "says"}, f"in symptom {item_id} cited")
            cited_source = citation.get("source")
            if not isinstance(cited_source, str) or cited_source not in sources:
                check.fail(f"symptom {item_id!r} cites unknown source {citation.get('source')!r}")
            citations.append(Citation(
                source=citation["source"],
                says=check.text(citation, "says", where=f"symptom {item_id} cited ", limit=200),
            ))
        checklist.append(SymptomItem(
            id=item_id, label=check.text(entry, "label", where=f"symptom {item_id} ", limit=80), cited=tuple(citations),
        ))
    retired = []
    for number, entry in enumerate(data.get("retired_symptom") or [], start=1):
        item_id = symptom_id(entry, number, "retired_symptom")
        check.only_keys(entry, {"id", "label", "reason"}, f"in retired_symptom {item_id}")
        retired.append(RetiredSymptom(
            id=item_id,
            label=check.text(entry, "label", where=f"retired_symptom {item_id} ", limit=80),
            reason=check.text(entry, "reason", where=f"retired_symptom {item_id} "),
        ))
    unused = set(sources) - {c.source for item in checklist for c in item.cited}
    if unused:
        check.fail(f"source(s) {', '.join(sorted(unused))} cited by no symptom")
    return Symptoms(checklist=tuple(checklist), retired=tuple(retired), sources=sources)


SYMPTOMS_FILE = CONTENT_DIR / "symptoms.toml"


@dataclass(frozen=True)
class Symptom:
    id: str
    label: str


@lru_cache(maxsize=8)
def symptoms(language: str = "en") -> tuple[Symptom, ...]:
    """The checklist from ``content/symptoms.toml``, in order, in ``language``."""
    data = _read(SYMPTOMS_FILE, _shipped(language), CONTENT_DIR)
    items = tuple(Symptom(id=item["id"], label=item["label"]) for item in data["symptom"])
    if len({s.id for s in items}) != len(items):
        raise ValueError("symptoms.toml lists an id twice")
    return items


def _shipped(language: str | None) -> str:
    from webapp.services.content_i18n import normalise_language

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
        exercises=exercises, feelings=feelings, countries=countries, directory=directory, version=version,
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
            name.lower() in (english_line.languages or "").lower()
            for english_line in english.countries[code].lines
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
