"""The check-in's symptom checklist file (``content/symptoms.toml``): every
symptom cites at least one source, and symptoms taken off the list are kept
as retired, so stored check-ins still read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from webapp.services.content_files import ID, SYMPTOM_ID, _Checker, checked_date
from webapp.services.content_i18n import read_in


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


def load_symptoms(path: Path, language: str = "en") -> Symptoms:
    """The check-in's symptom checklist. Every symptom cites at least one
    source that names it (with the words it uses), and every source has an
    https address and the date it was checked (docs/SAFETY.md)."""
    check = _Checker(path)
    data = read_in(path, language, path.parent)
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
            checked=checked_date(check, entry, "checked", where),
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
            citations.append(
                Citation(
                    source=citation["source"],
                    says=check.text(citation, "says", where=f"symptom {item_id} cited ", limit=200),
                )
            )
        checklist.append(
            SymptomItem(
                id=item_id,
                label=check.text(entry, "label", where=f"symptom {item_id} ", limit=80),
                cited=tuple(citations),
            )
        )
    retired = []
    for number, entry in enumerate(data.get("retired_symptom") or [], start=1):
        item_id = symptom_id(entry, number, "retired_symptom")
        check.only_keys(entry, {"id", "label", "reason"}, f"in retired_symptom {item_id}")
        retired.append(
            RetiredSymptom(
                id=item_id,
                label=check.text(entry, "label", where=f"retired_symptom {item_id} ", limit=80),
                reason=check.text(entry, "reason", where=f"retired_symptom {item_id} "),
            )
        )
    unused = set(sources) - {c.source for item in checklist for c in item.cited}
    if unused:
        check.fail(f"source(s) {', '.join(sorted(unused))} cited by no symptom")
    return Symptoms(checklist=tuple(checklist), retired=tuple(retired), sources=sources)
