"""When a reminder fires next.

A reminder's rule is wall-clock: local times of day, weekdays and an IANA time
zone. ``next_fire_at`` turns it into the next UTC instant, working from local
dates so that daylight-saving changes behave as a person expects:

* a time that does not exist that day (the spring-forward gap) fires shifted
  forward by the length of the gap (02:30 → 03:30 in New York);
* a time that happens twice (fall back) fires once, at its first occurrence;
* slots inside quiet hours are skipped.

Each slot has a key (its local date and time, e.g. ``2026-03-08T02:30``): the
dispatcher records one delivery per (reminder, slot key), never two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
ALL_DAYS = frozenset(range(7))  # Monday = 0
#: How far ahead to look for a slot (a rule with one weekday still fires within 8 days).
HORIZON_DAYS = 9


class RuleProblem(ValueError):
    """A reminder rule that cannot be kept, in words for the person."""


@dataclass(frozen=True)
class Rule:
    times: tuple[time, ...]
    weekdays: frozenset[int]
    zone: ZoneInfo
    quiet_start: time | None = None
    quiet_end: time | None = None

    def in_quiet_hours(self, at: time) -> bool:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= at < self.quiet_end
        return at >= self.quiet_start or at < self.quiet_end  # wraps past midnight


@dataclass(frozen=True)
class Slot:
    key: str
    at: datetime  # UTC


def parse_time(text: object) -> time:
    if not isinstance(text, str) or not TIME.match(text.strip()):
        raise RuleProblem(f"{text!r} is not a time. Use hours and minutes like 20:00.")
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def parse_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or name not in _zones():
        raise RuleProblem("That time zone is not known. Choose one like Europe/London.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - guarded above
        raise RuleProblem("That time zone is not known.") from exc


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def zone_names() -> list[str]:
    """Zones to choose from: the regional names, and UTC."""
    regional = (z for z in _zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return ["UTC", *sorted(regional)]


def make_rule(times, weekdays, zone, quiet_start=None, quiet_end=None) -> Rule:
    """A checked rule from loosely typed input; RuleProblem says what is wrong."""
    if not isinstance(times, (list, tuple)) or not times:
        raise RuleProblem("Add at least one time.")
    if len(times) > 12:
        raise RuleProblem("Use at most 12 times a day.")
    parsed = tuple(sorted({parse_time(t) if not isinstance(t, time) else t for t in times}))
    if not isinstance(weekdays, (list, tuple, set, frozenset)) or not weekdays:
        raise RuleProblem("Choose at least one day.")
    if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise RuleProblem("Days must be from Monday to Sunday.")
    zone_info = zone if isinstance(zone, ZoneInfo) else parse_zone(zone)
    start = parse_time(quiet_start) if isinstance(quiet_start, str) and quiet_start else quiet_start or None
    end = parse_time(quiet_end) if isinstance(quiet_end, str) and quiet_end else quiet_end or None
    rule = Rule(parsed, frozenset(weekdays), zone_info, start, end)
    if all(rule.in_quiet_hours(t) for t in parsed):
        raise RuleProblem("Every time you chose is inside your quiet hours, so it would never ring.")
    return rule


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time: gaps shift forward by their
    length (PEP 495 fold=0 does exactly that), repeats take the first."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    return first


def slot_key(day: date, at: time) -> str:
    return f"{day.isoformat()}T{at.strftime('%H:%M')}"


def next_slot(rule: Rule, after: datetime, after_key: str = "") -> Slot:
    """The first slot after ``after`` (an aware datetime).

    Slots are ordered by (instant, key): two slots can share an instant (02:30
    shifted forward onto 03:30), and passing the last slot's key as
    ``after_key`` makes sure the second one still fires.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    floor = (after.astimezone(timezone.utc), after_key)
    start_day = after.astimezone(rule.zone).date() - timedelta(days=1)
    for offset in range(HORIZON_DAYS + 1):
        day = start_day + timedelta(days=offset)
        if day.weekday() not in rule.weekdays:
            continue
        candidates = [
            (local_to_utc(day, at, rule.zone), slot_key(day, at)) for at in rule.times if not rule.in_quiet_hours(at)
        ]
        later = [candidate for candidate in candidates if candidate > floor]
        if later:
            instant, key = min(later)
            return Slot(key, instant)
    raise RuleProblem("This reminder has no time it can ring.")  # pragma: no cover - make_rule prevents it


def next_fire_at(rule: Rule, after: datetime) -> datetime:
    return next_slot(rule, after).at
