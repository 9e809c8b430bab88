"""What the Spanish tests look for: the English phrases of the strings marked
in some files, and the text a person reads on a page."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po

from webapp import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|\{[A-Za-z_]+\}")
TAG = re.compile(r"<[^>]+>")


def english_phrases(*sources: str) -> list[str]:
    """Every phrase (2+ words, between placeholders and tags) of the strings
    marked in files under ``sources`` whose Spanish differs, longest first.
    A marked string with no Spanish fails here."""
    with (i18n.TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        spanish = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh, locale="es") if m.id}
    phrases = set()
    for message in i18n.extract(ROOT):
        if not message.id or not any(path.startswith(sources) for path, _ in message.locations):
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        translated = spanish.get(ids[0])
        assert translated is not None and translated.string, ids[0]
        strings = [translated.string] if isinstance(translated.string, str) else list(translated.string)
        for text in ids:
            if text in strings:
                continue
            for part in PLACEHOLDER.split(TAG.sub(" ", text.replace("%%", "%"))):
                part = " ".join(part.split()).strip(" .,:;()·—“”'")
                if len(part.split()) >= 2:
                    phrases.add(part)
    return sorted(phrases, key=len, reverse=True)


def visible(page: str) -> str:
    """What a person reads: no scripts or styles, no tags, entities decoded, spaces folded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


def english_in(text: str, phrases) -> list[str]:
    """The phrases found in ``text``."""
    return [phrase for phrase in phrases if phrase in text]
