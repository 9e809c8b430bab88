"""When a reminder fires next.

A reminder's rule is wall-clock: local times of day, weekdays and an IANA time
zone. ``next_fire_at`` turns it into the next UTC instant, working from local
dates so that daylight-saving changes behave as a person expects:

* a time that does not exist that day (the spring-forward gap) fires shifted
  forward by the length of the gap (02:30 → 03:30 in New York);
* a time that happens twice (fall back) fires once, at its first occurrence;
* slots inside quiet hours are skipped.

Quiet hours are a span of instants (``quiet_period``): they begin when the
person's clock first shows their start and end when it first shows their
end, so a night the clocks change is an hour shorter or longer, and nothing
rings in an hour that repeats.

Each slot has a key (its local date and time, e.g. ``2026-03-08T02:30``): the
dispatcher records one delivery per (reminder, slot key), never two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
ALL_DAYS = frozenset(range(7))  # Monday = 0
#: How far ahead to look for a slot (a rule with one weekday still fires within 8 days).
HORIZON_DAYS = 9


class RuleProblem(ValueError):
    """A reminder rule that cannot be kept, in words for the person."""


class EveryTimeQuiet(RuleProblem):
    """Quiet hours cover every time of a rule, so it would never ring: told
    apart by its type, whatever language or words its message is in."""


@dataclass(frozen=True)
class Rule:
    times: tuple[time, ...]
    weekdays: frozenset[int]
    zone: ZoneInfo
    quiet_start: time | None = None
    quiet_end: time | None = None
    #: The person's zone, when the times are in another one (a group's meeting).
    quiet_zone: ZoneInfo | None = None

    def in_quiet_hours(self, at: time) -> bool:
        """Whether the wall-clock time ``at`` is in quiet hours (in the times' zone)."""
        return wall_time_is_quiet(at, self.quiet_start, self.quiet_end)

    def quiet_period(self, instant: datetime) -> tuple[datetime, datetime] | None:
        return quiet_period(instant, self.quiet_zone or self.zone, self.quiet_start, self.quiet_end)


@dataclass(frozen=True)
class Slot:
    key: str
    at: datetime  # UTC


def wall_time_is_quiet(at: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end  # wraps past midnight


def quiet_period(at: datetime, zone: ZoneInfo, start: time | None, end: time | None):
    """The quiet hours that the instant ``at`` falls in, as UTC instants
    ``(begin, end)`` with ``begin <= at < end``; None outside quiet hours.

    They begin at the first instant the clock in ``zone`` shows ``start`` or
    later, and end at the first instant it shows ``end`` or later: a time in
    a spring-forward gap (02:30 the night the clock jumps from 02:00 to 03:00)
    is the end of the gap (03:00), so quiet hours ending at 02:30 are over at
    03:00 by the clock, and a 03:00 reminder rings (``clock_reaches``)."""
    if start is None or end is None or start == end:
        return None
    day = at.astimezone(zone).date()
    for begin_day in (day - timedelta(days=1), day):
        begin = clock_reaches(begin_day, start, zone)
        finish = clock_reaches(begin_day + timedelta(days=1) if end < start else begin_day, end, zone)
        if begin <= at < finish:
            return begin, finish
    return None


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


def _zones() -> frozenset[str]:
    from webapp.bodies import known_zones  # the one list of zones a body may name

    return known_zones()


def zone_names() -> list[str]:
    """Zones to choose from: the regional names, and UTC."""
    regional = (z for z in _zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return ["UTC", *sorted(regional)]


def zone_choices(kept: str) -> list[str]:
    """:func:`zone_names`, and the zone ``kept`` when it is not among them (a
    device may report one, like Etc/GMT-3): a list of zones shows the one
    kept, so saving other settings never changes it unasked."""
    names = zone_names()
    return names if kept in names else [kept, *names]


def make_rule(times, weekdays, zone, quiet_start=None, quiet_end=None, quiet_zone=None) -> Rule:
    """A checked rule from loosely typed input; RuleProblem says what is wrong.
    ``quiet_zone``: the person's zone, when the times are in another one."""
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
    quiet_zone = quiet_zone if isinstance(quiet_zone, ZoneInfo) or quiet_zone is None else parse_zone(quiet_zone)
    if quiet_zone is not None and quiet_zone.key == zone_info.key:
        quiet_zone = None
    rule = Rule(parsed, frozenset(weekdays), zone_info, start, end, quiet_zone)
    # In two zones, whether a time is quiet changes with the date: next_slot finds out.
    if quiet_zone is None and all(rule.in_quiet_hours(t) for t in parsed):
        raise EveryTimeQuiet("Every time you chose is inside your quiet hours, so it would never ring.")
    return rule


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time: gaps shift forward by their
    length (PEP 495 fold=0 does exactly that), repeats take the first."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    return first


def clock_reaches(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the clock in ``zone`` shows ``at`` on
    ``day`` or a later time: ``local_to_utc`` for a time that exists (a
    repeated time: its first), the end of the gap for one a spring-forward
    gap skips (where ``local_to_utc`` shifts it forward by the gap's length)."""
    shifted = local_to_utc(day, at, zone)
    wall = datetime.combine(day, at)
    if shifted.astimezone(zone).replace(tzinfo=None) == wall:
        return shifted
    # In a gap: the jump lies between the two readings of the wall time (the
    # clock shows less than ``at`` at ``low``, more at ``high``). Halve the
    # span to under a second (a gap is at most a day: about 17 halvings);
    # clocks jump on a whole second, so the jump is the next one after ``low``.
    low, high = wall.replace(tzinfo=zone, fold=1).astimezone(timezone.utc), shifted
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return low.replace(microsecond=0) + timedelta(seconds=1)


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
        candidates = []
        for at in rule.times:
            if rule.quiet_zone is None and rule.in_quiet_hours(at):
                continue
            instant = local_to_utc(day, at, rule.zone)
            if rule.quiet_period(instant) is None:  # also on a night the clocks change
                candidates.append((instant, slot_key(day, at)))
        later = [candidate for candidate in candidates if candidate > floor]
        if later:
            instant, key = min(later)
            return Slot(key, instant)
    # make_rule prevents it, except for times in another zone than the quiet hours.
    raise RuleProblem("This reminder has no time it can ring.")


def next_fire_at(rule: Rule, after: datetime) -> datetime:
    return next_slot(rule, after).at
