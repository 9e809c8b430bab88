"""The person's own time: one answer to "which zone is this person in?", the
day it is for them, and dates, times and counts in plain words.

The zone is, in order: the zone in their reminder settings (which follows
their device unless they chose one), else the zone their latest check-in or
dose was made in (the device's), else UTC. "UTC" is only ever written out when
the person chose it.

Dates and times read like "Mon 30 Nov, 8:14 pm" (or "Mon, Nov 30, 8:14 pm" for
a browser set to US English); in another language they follow its Babel
locale ("lun 30 nov, 20:14" in Spanish). Everything but ``zone_name_for`` is pure, so it
is unit-tested without Flask.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = ZoneInfo("UTC")
#: Browser languages that put the month before the day.
MONTH_FIRST = ("en-us", "en-ph", "en-ca")


def parse_zone(name: object) -> ZoneInfo:
    """A zone from its name; UTC for anything that is not one."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, like "Europe"
        return UTC


def zone_name_for(session, user_id: int) -> str | None:
    """The name of the person's zone, or None when nothing says (see above).
    One statement: the settings' zone and the latest check-in's and dose's
    zones and times, each a subquery."""
    chosen, *found = session.execute(_zone_statement(), {"zone_user": user_id}).one()
    if chosen:
        return chosen
    made = [(at, zone) for zone, at in (found[0:2], found[2:4]) if at is not None]
    # The latest wins; on a tie the check-in's (it comes first and the sort is stable).
    made.sort(key=lambda pair: pair[0], reverse=True)
    return made[0][1] if made else None


@lru_cache(maxsize=1)
def _zone_statement():
    """``zone_name_for``'s statement, built once (the person is a parameter)."""
    from sqlalchemy import bindparam, select

    from webapp.models import CheckIn, DoseLog, ReminderSettings

    user_id = bindparam("zone_user")

    def latest(model, when):
        newest = select(model.time_zone, when).where(model.user_id == user_id).order_by(when.desc()).limit(1)
        return newest.with_only_columns(model.time_zone).scalar_subquery(), newest.with_only_columns(
            when
        ).scalar_subquery()

    settings = select(ReminderSettings.timezone).where(ReminderSettings.user_id == user_id).scalar_subquery()
    checkin_zone, checkin_at = latest(CheckIn, CheckIn.checked_at)
    dose_zone, dose_at = latest(DoseLog, DoseLog.taken_at)
    return select(settings, checkin_zone, checkin_at, dose_zone, dose_at)


def chose_utc(session, user_id: int) -> bool:
    """True only when the person picked UTC themselves."""
    from webapp.models import ReminderSettings

    settings = session.get(ReminderSettings, user_id)
    return bool(settings and settings.timezone == "UTC" and not settings.zone_from_device)


def zone_for(user, session=None) -> ZoneInfo:
    """The person's zone (``user`` is a user or an id)."""
    if session is None:
        from webapp.extensions import db

        session = db.session
    user_id = user if isinstance(user, int) else getattr(user, "id", None)
    if user_id is None:
        return UTC
    return parse_zone(zone_name_for(session, user_id))


def today_for(user, now: datetime | None = None, session=None) -> date:
    """The date it is now where the person is: the one meaning of "today"."""
    return today_in(zone_for(user, session), now)


def today_in(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The date it is now in ``zone``."""
    return local(now or datetime.now(timezone.utc), zone).date()


def days_ago(moment: datetime, zone: ZoneInfo, today: date) -> str:
    """ "today", "yesterday", "5 days ago": how long ago ``moment`` was, counted
    in days on the person's clock (``zone``; ``today`` is theirs)."""
    days = (today - local(moment, zone).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` on the person's clock; a naive value is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone)


def month_first(languages: str | None) -> bool:
    """Whether the browser's first language writes the month before the day."""
    first = (languages or "").split(",")[0].split(";")[0].strip().lower()
    return first in MONTH_FIRST


#: Babel locales for the languages that are not English (English keeps the
#: hand-made forms above, "8:14 pm" and "12 noon").
LOCALES = {"es": "es"}


def format_day(
    day: date, *, month_first_order: bool = False, year: bool = False, weekday: bool = True, language: str = "en"
) -> str:
    """``Mon 30 Nov`` (``Mon, Nov 30``), with the year when asked; ``lun 30 nov`` in Spanish."""
    if language in LOCALES:
        from babel.dates import format_date

        pattern = ("EEE " if weekday else "") + "d MMM" + (" y" if year else "")
        return format_date(day, pattern, locale=LOCALES[language])
    name = f"{day:%a}" if weekday else ""
    if month_first_order:
        text = f"{name}, {day:%b} {day.day}" if name else f"{day:%b} {day.day}"
        return f"{text}, {day.year}" if year else text
    text = f"{name} {day.day} {day:%b}".strip()
    return f"{text} {day.year}" if year else text


def format_clock(moment: datetime | str, language: str = "en") -> str:
    """``8:14 pm``; ``12 noon`` and ``midnight`` are spelt plainly. A string is "HH:MM".
    In another language, its own clock (``20:14`` in Spanish)."""
    if isinstance(moment, str):
        hours, minutes = (int(part) for part in moment.split(":")[:2])
    else:
        hours, minutes = moment.hour, moment.minute
    if language in LOCALES:
        from datetime import time

        from babel.dates import format_time

        return format_time(time(hours, minutes), "H:mm", locale=LOCALES[language])
    if (hours, minutes) == (0, 0):
        return "midnight"
    if (hours, minutes) == (12, 0):
        return "12 noon"
    return f"{(hours % 12) or 12}:{minutes:02d} {'am' if hours < 12 else 'pm'}"


def format_when(
    moment: datetime,
    zone: ZoneInfo,
    *,
    month_first_order: bool = False,
    today: date | None = None,
    show_zone: bool = False,
    language: str = "en",
) -> str:
    """``Mon 30 Nov, 8:14 pm`` on the person's clock; the year is added when
    it is not this year, and the zone's name only when ``show_zone``."""
    here = local(moment, zone)
    year = today is not None and here.year != today.year
    day_text = format_day(here.date(), month_first_order=month_first_order, year=year, language=language)
    text = f"{day_text}, {format_clock(here, language)}"
    return f"{text} ({zone.key})" if show_zone else text


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 time``, ``2 times``, ``0 times``; ``many`` for irregular words."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
