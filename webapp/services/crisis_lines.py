"""Crisis lines and emergency numbers by country, and the international
directory (``content/crisis_lines.toml``): every number cites the page it
was checked on, and when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.services.content_files import PHONE, _Checker, checked_date
from webapp.services.content_i18n import read_in


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


MAX_ZONES = 80


def load_crisis_lines(path: Path, language: str = "en") -> tuple[Directory, dict[str, Country]]:
    """The crisis data file. Refused (naming the file) when a country has no
    crisis line, or any number (a line or an emergency number) lacks the page
    it was checked on or the date (docs/SAFETY.md)."""
    check = _Checker(path)
    data = read_in(path, language, path.parent)
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
            entry,
            {"code", "name", "emergency", "emergency_source", "emergency_checked", "time_zones", "line"},
            "in a [[country]]",
        )
        code = entry.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code) or code in countries:
            check.fail(f"country code {str(code)[:10]!r} must be two capital letters, once")
        emergency = check.text(entry, "emergency", where=f"{code} ", limit=6)
        if not emergency.isdigit():
            check.fail(f"'{code} emergency' must be digits")
        emergency_source = check.url(entry, "emergency_source", where=f"{code} ")
        emergency_checked = checked_date(check, entry, "emergency_checked", f"{code} ")
        zones = entry.get("time_zones")
        if not isinstance(zones, list) or not zones or len(zones) > MAX_ZONES:
            check.fail(f"'{code} time_zones' must list 1 to {MAX_ZONES} time zones (like \"Europe/London\")")
        for zone in zones:
            if not isinstance(zone, str) or not re.fullmatch(
                r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}", zone
            ):
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
            check.only_keys(
                line, {"name", "call", "text", "text_body", "hours", "languages", "source", "checked"}, f"in {where}"
            )
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
            checked = checked_date(check, line, "checked", where)
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
