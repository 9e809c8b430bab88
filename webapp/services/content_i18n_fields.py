"""Which fields of each content file are translatable: the table that
webapp/services/content_i18n.py checks overlays against and merges by.
Everything not named here carries over from the English file."""

from __future__ import annotations

from dataclasses import dataclass, field

# --- what is translatable -------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A translatable string, at most ``limit`` characters (the same limit the
    English loader enforces, so a localised item passes the same schema)."""

    limit: int


@dataclass(frozen=True)
class Each:
    """A list of tables matched by position: same length, same order."""

    fields: dict


@dataclass(frozen=True)
class ById:
    """A list of tables matched by an id field, repeated in the overlay in the
    same order as the English file."""

    key: str
    fields: dict
    label: str = field(default="")


_PARAGRAPH = Each({"heading": Text(120), "text": Text(600)})
_PAGE = {"title": Text(120), "summary": Text(200), "paragraph": _PARAGRAPH}

#: For each kind of content file (a glob relative to the content folder), the
#: fields an overlay translates. Anything not named here carries over.
SCHEMAS: dict[str, dict] = {
    "exercises/*.toml": {
        "title": Text(120),
        "summary": Text(200),
        "steps": Each({"text": Text(600)}),
    },
    "feelings.toml": {
        "feeling": ById("id", {"label": Text(40), "description": Text(120)}, "feeling"),
    },
    "symptoms.toml": {
        "symptom": ById("id", {"label": Text(80)}, "symptom"),
        "retired_symptom": ById("id", {"label": Text(80), "reason": Text(600)}, "retired_symptom"),
    },
    "learn/*.toml": _PAGE,
    "supporting/*.toml": _PAGE,
    "find_help.toml": {
        "kind": ById(
            "id",
            {
                "title": Text(120),
                "intro": Text(300),
                "paragraph": _PARAGRAPH,
                "entry": ById(
                    "id",
                    {"what": Text(400), "who_runs": Text(200), "cost": Text(120), "country": Text(80)},
                    "entry",
                ),
            },
            "kind",
        ),
    },
    "crisis_lines.toml": {
        "country": ById(
            "code",
            {"name": Text(60), "line": Each({"hours": Text(80), "languages": Text(80)})},
            "country",
        ),
    },
}
