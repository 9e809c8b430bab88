"""What Steady teaches: articles for the person (``content/learn/``), a guide
for supporters (``content/supporting/``) and the informed help the articles
name (``content/find_help.toml``). All are TOML data checked when loaded.

Every page has a title, a body and at least one source with an https address
and the date it was checked; every paragraph that states a fact names the
source(s) it rests on. A missing or malformed file stops start-up with a
``ContentError`` naming the file, as the exercises do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from webapp import pseudo
from webapp.services.content import CONTENT_DIR, ID, ContentError, _Checker
from webapp.services.content_i18n import read_in

DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
MAX_PARAGRAPH = 600
MAX_PARAGRAPHS = 30
MAX_SOURCES = 10
ADD_AS = ("contact", "group")
#: Who a help entry is, for a contact added to My people (a key of RELATIONSHIPS).
HELP_RELATIONSHIPS = ("peer", "support_group", "therapist", "prescriber", "treatment_centre", "other")


@dataclass(frozen=True)
class Citation:
    key: str
    name: str
    url: str
    checked: str
    lived_experience: bool = False


@dataclass(frozen=True)
class Paragraph:
    text: str
    heading: str | None
    cites: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """An article (for the person) or a guide page (for supporters)."""

    id: str
    title: str
    summary: str
    order: int
    paragraphs: tuple[Paragraph, ...]
    sources: tuple[Citation, ...]
    exercises: tuple[str, ...] = ()

    def source(self, key: str) -> Citation:
        return next(s for s in self.sources if s.key == key)

    def number(self, key: str) -> int:
        return [s.key for s in self.sources].index(key) + 1

    def spoken(self) -> str:
        """The words "Read to me" says: the title, then every paragraph."""
        parts = [self.title]
        for paragraph in self.paragraphs:
            if paragraph.heading:
                parts.append(paragraph.heading)
            parts.append(paragraph.text)
        return "\n".join(parts)


@dataclass(frozen=True)
class HelpEntry:
    id: str
    kind: str
    name: str
    what: str
    who_runs: str
    url: str
    checked: str
    add_as: str
    relationship: str
    sources: tuple[Citation, ...]
    cost: str | None = None
    country: str | None = None

    def notes(self) -> str:
        """What is kept in My people with the entry: enough to find it again."""
        lines = [self.what, f"Run by: {self.who_runs}."]
        if self.cost:
            lines.append(f"Cost: {self.cost}")
        if self.country:
            lines.append(f"Where: {self.country}")
        lines.append(f"Website: {self.url}")
        lines.append(f"From Steady's Find help (checked {self.checked}).")
        return "\n".join(lines)


@dataclass(frozen=True)
class HelpKind:
    id: str
    title: str
    intro: str
    paragraphs: tuple[Paragraph, ...]
    sources: tuple[Citation, ...]
    entries: tuple[HelpEntry, ...]

    def source(self, key: str) -> Citation:
        return next(s for s in self.sources if s.key == key)

    def number(self, key: str) -> int:
        return [s.key for s in self.sources].index(key) + 1


@dataclass(frozen=True)
class Learning:
    articles: dict[str, Page]
    supporting: dict[str, Page]
    help_kinds: tuple[HelpKind, ...]
    version: str = ""

    @property
    def help_entries(self) -> dict[str, HelpEntry]:
        return {e.id: e for kind in self.help_kinds for e in kind.entries}


# --- checking -------------------------------------------------------------------------


def _read(path: Path, language: str = "en", folder: Path | None = None) -> dict:
    if not path.is_file():
        raise ContentError(path, "is missing")
    return read_in(path, language, folder)


def _date(check: _Checker, data: dict, key: str, where: str) -> str:
    value = check.text(data, key, where=where, limit=10)
    if not DATE.match(value):
        check.fail(f"'{where}{key}' must be a date like 2026-11-30")
    return value


def _sources(check: _Checker, items: object, where: str = "") -> tuple[Citation, ...]:
    if not isinstance(items, list) or not items:
        check.fail(f"{where}needs at least one [[source]] with a url and the date it was checked")
    if len(items) > MAX_SOURCES:
        check.fail(f"{where}has more than {MAX_SOURCES} sources")
    sources = []
    for number, item in enumerate(items, start=1):
        label = f"{where}source {number} "
        if not isinstance(item, dict):
            check.fail(f"{label}must be a table with key, name, url and checked")
        check.only_keys(item, {"key", "name", "url", "checked", "lived_experience"}, f"in {label}".strip())
        key = check.text(item, "key", where=label, limit=40)
        if not ID.match(key) or any(s.key == key for s in sources):
            check.fail(f"'{label}key' must be lowercase words joined by hyphens, used once")
        lived = item.get("lived_experience", False)
        if not isinstance(lived, bool):
            check.fail(f"'{label}lived_experience' must be true or false")
        sources.append(
            Citation(
                key=key,
                name=check.text(item, "name", where=label, limit=300),
                url=check.url(item, "url", where=label),
                checked=_date(check, item, "checked", label),
                lived_experience=lived,
            )
        )
    return tuple(sources)


def _paragraphs(
    check: _Checker, items: object, sources: tuple[Citation, ...], where: str = ""
) -> tuple[Paragraph, ...]:
    if not isinstance(items, list) or not items:
        check.fail(f"{where}needs a body: at least one [[paragraph]] with text")
    if len(items) > MAX_PARAGRAPHS:
        check.fail(f"{where}has more than {MAX_PARAGRAPHS} paragraphs")
    keys = {s.key for s in sources}
    paragraphs = []
    for number, item in enumerate(items, start=1):
        label = f"{where}paragraph {number} "
        if not isinstance(item, dict):
            check.fail(f"{label}must be a table with text")
        check.only_keys(item, {"text", "heading", "cites"}, f"in {label}".strip())
        cites = item.get("cites", [])
        if not isinstance(cites, list) or any(not isinstance(c, str) for c in cites):
            check.fail(f"'{label}cites' must list source keys")
        unknown = [c for c in cites if c not in keys]
        if unknown:
            check.fail(f"'{label}cites' names unknown source {unknown[0]!r}")
        paragraphs.append(
            Paragraph(
                text=check.text(item, "text", where=label, limit=MAX_PARAGRAPH),
                heading=check.text(item, "heading", where=label, required=False, limit=120),
                cites=tuple(dict.fromkeys(cites)),
            )
        )
    cited = {c for p in paragraphs for c in p.cites}
    if not cited:
        check.fail(f"{where}cites no source in any paragraph")
    return tuple(paragraphs)


def load_page(path: Path, exercise_ids: set[str], language: str = "en") -> Page:
    check = _Checker(path)
    data = _read(path, language, path.parent.parent)
    check.only_keys(data, {"id", "title", "summary", "order", "exercises", "paragraph", "source"})
    page_id = check.text(data, "id", limit=64)
    if not ID.match(page_id) or page_id != path.stem:
        check.fail("'id' must be lowercase words joined by hyphens and match the file name")
    exercises = data.get("exercises", [])
    if not isinstance(exercises, list) or any(e not in exercise_ids for e in exercises):
        check.fail("'exercises' must list ids of exercises in the toolkit")
    sources = _sources(check, data.get("source"))
    return Page(
        id=page_id,
        title=check.text(data, "title", limit=120),
        summary=check.text(data, "summary", limit=200),
        order=check.integer(data, "order", 1, 999),
        paragraphs=_paragraphs(check, data.get("paragraph"), sources),
        sources=sources,
        exercises=tuple(exercises),
    )


def load_pages(folder: Path, exercise_ids: set[str], language: str = "en") -> dict[str, Page]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ContentError(folder, "no pages found")
    pages = [load_page(path, exercise_ids, language) for path in files]
    orders = [p.order for p in pages]
    if len(set(orders)) != len(orders):
        raise ContentError(folder, "two pages share the same 'order'")
    return {p.id: p for p in sorted(pages, key=lambda p: p.order)}


def load_find_help(path: Path, language: str = "en") -> tuple[HelpKind, ...]:
    check = _Checker(path)
    data = _read(path, language, path.parent)
    check.only_keys(data, {"kind"})
    kinds_data = data.get("kind")
    if not isinstance(kinds_data, list) or not kinds_data:
        check.fail("needs at least one [[kind]] of help")
    kinds: list[HelpKind] = []
    seen: set[str] = set()
    for number, item in enumerate(kinds_data, start=1):
        if not isinstance(item, dict):
            check.fail(f"kind {number} must be a table")
        check.only_keys(item, {"id", "title", "intro", "paragraph", "source", "entry"}, f"in kind {number}")
        kind_id = check.text(item, "id", where=f"kind {number} ", limit=40)
        if not ID.match(kind_id) or any(k.id == kind_id for k in kinds):
            check.fail(f"kind {number} 'id' must be lowercase words joined by hyphens, used once")
        where = f"kind {kind_id}: "
        sources = _sources(check, item.get("source"), where)
        entries = []
        for entry_number, entry in enumerate(item.get("entry", []), start=1):
            entries.append(_entry(check, entry, kind_id, f"{where}entry {entry_number} ", seen))
        kinds.append(
            HelpKind(
                id=kind_id,
                title=check.text(item, "title", where=where, limit=120),
                intro=check.text(item, "intro", where=where, limit=300),
                paragraphs=_paragraphs(check, item.get("paragraph"), sources, where),
                sources=sources,
                entries=tuple(entries),
            )
        )
    if not any(k.entries for k in kinds):
        check.fail("lists no help entries")
    return tuple(kinds)


def _entry(check: _Checker, entry: object, kind_id: str, where: str, seen: set[str]) -> HelpEntry:
    if not isinstance(entry, dict):
        check.fail(f"{where}must be a table")
    check.only_keys(
        entry,
        {"id", "name", "what", "who_runs", "cost", "url", "country", "checked", "add_as", "relationship", "source"},
        f"in {where}".strip(),
    )
    entry_id = check.text(entry, "id", where=where, limit=64)
    if not ID.match(entry_id) or entry_id in seen:
        check.fail(f"'{where}id' must be lowercase words joined by hyphens, used once in the file")
    seen.add(entry_id)
    add_as = entry.get("add_as")
    if add_as not in ADD_AS:
        check.fail(f"'{where}add_as' must be one of {', '.join(ADD_AS)}")
    relationship = entry.get("relationship", "support_group" if add_as == "group" else None)
    if relationship not in HELP_RELATIONSHIPS:
        check.fail(f"'{where}relationship' must be one of {', '.join(HELP_RELATIONSHIPS)}")
    return HelpEntry(
        id=entry_id,
        kind=kind_id,
        name=check.text(entry, "name", where=where, limit=100),
        what=check.text(entry, "what", where=where, limit=400),
        who_runs=check.text(entry, "who_runs", where=where, limit=200),
        cost=check.text(entry, "cost", where=where, required=False, limit=120),
        url=check.url(entry, "url", where=where),
        country=check.text(entry, "country", where=where, required=False, limit=80),
        checked=_date(check, entry, "checked", where),
        add_as=add_as,
        relationship=relationship,
        sources=_sources(check, entry.get("source"), where),
    )


def load_learning(folder: Path = CONTENT_DIR, exercise_ids: set[str] | None = None, language: str = "en") -> Learning:
    """Load and check the articles, the supporters' guide and Find help, in
    ``language`` (the English files with that language's overlays)."""
    if exercise_ids is None:
        exercise_ids = {p.stem for p in (folder / "exercises").glob("*.toml")}
    articles = load_pages(folder / "learn", exercise_ids, language)
    if "supporting" in articles:
        raise ContentError(
            folder / "learn" / "supporting.toml", "'supporting' is taken by the supporters' guide; choose another id"
        )
    supporting = load_pages(folder / "supporting", exercise_ids, language)
    help_kinds = load_find_help(folder / "find_help.toml", language)
    digest = hashlib.sha256(language.encode() if pseudo.is_pseudo(language) else b"")
    files = [*sorted((folder / "learn").glob("*.toml")), *sorted((folder / "supporting").glob("*.toml"))]
    for path in [*files, folder / "find_help.toml"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        if language != "en" and not pseudo.is_pseudo(language):
            overlay = folder / language / path.relative_to(folder)
            digest.update(b"\0" + overlay.read_bytes())
    return Learning(articles=articles, supporting=supporting, help_kinds=help_kinds, version=digest.hexdigest()[:16])
