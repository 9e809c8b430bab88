"""Reading the content files safely: where they live, the error that names
a broken file, and the checker every loader uses (plain text only, lengths,
whole numbers, https addresses, no unknown fields)."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE = re.compile(r"^\+?[0-9][0-9 ]{1,18}$")
MARKUP = re.compile(r"[<>]|javascript:|&#", re.IGNORECASE)
MAX_TEXT = 600
SYMPTOM_ID = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ContentError(ValueError):
    """A content file is missing something or holds something it must not."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        super().__init__(f"{Path(path).name}: {problem}")


class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, problem: str):
        raise ContentError(self.path, problem)

    def text(
        self, data: dict, key: str, *, where: str = "", required: bool = True, limit: int = MAX_TEXT
    ) -> str | None:
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

    def integer(
        self, data: dict, key: str, low: int, high: int, *, where: str = "", required: bool = True
    ) -> int | None:
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


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"is not valid TOML ({exc})") from exc


CHECKED_SLACK = timedelta(days=1)


def checked_date(check: _Checker, data: dict, key: str, where: str) -> str:
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
