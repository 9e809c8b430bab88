"""Jinja filters for words people read: their own time (``when`` for a
moment, ``day`` for a date, ``clock`` for "HH:MM", ``since`` for "2 days ago"), plain plurals
(``plural``) and email addresses that wrap at the @ (``email_breaks``).
The rules live in ``webapp/services/person_time.py``; this only finds the
person (once per request), the browser's language and the page's language
(``webapp/i18n.py``): dates, times and counts follow it."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from webapp import i18n, numbers
from webapp.services import build, person_time


def _person() -> tuple:
    """(zone, today, month-first, chose UTC) for this request, worked out once."""
    if not has_request_context():
        return person_time.UTC, None, False, False
    if "person_time" not in g:
        from webapp.extensions import db

        signed_in = getattr(current_user, "is_authenticated", False)
        read = _zone_read(current_user.id) if signed_in else None
        if read is not None:  # read with the fingerprint of their rows already
            zone = person_time.parse_zone(read[0])
            chose_utc = zone.key == "UTC" and read[1]
        else:
            zone = person_time.zone_for(current_user.id, db.session) if signed_in else person_time.UTC
            # Only a person whose zone is UTC can have chosen it: no second read for everyone else.
            chose_utc = signed_in and zone.key == "UTC" and person_time.chose_utc(db.session, current_user.id)
        today = person_time.today_in(zone)
        g.person_time = (zone, today, person_time.month_first(request.headers.get("Accept-Language")), chose_utc)
    return g.person_time


def _zone_read(user_id: int) -> tuple[str | None, bool] | None:
    """The person's zone name and whether they chose UTC, when this request
    read them with the fingerprint of their rows (``services.data_version``
    holds them in ``g.steady_zone_read``), else None."""
    held = g.get("steady_zone_read")
    if held is None or held[0] != user_id:
        return None
    return held[1], held[2]


def when(moment: datetime | str | None, zone_name: str | None = None) -> str:
    """A moment (or its ISO text) on the person's clock, or in ``zone_name``
    (the zone a record was made in), like "Mon 30 Nov, 8:14 pm"."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    zone, today, month_first, chose_utc = _person()
    if zone_name:
        zone = person_time.parse_zone(zone_name)
    return person_time.format_when(
        moment,
        zone,
        month_first_order=month_first,
        today=today,
        show_zone=bool(chose_utc and zone.key == "UTC"),
        language=i18n.choose(),
    )


def day(value: date | datetime | None, year: bool | None = None) -> str:
    """A date like "Mon 30 Nov"; a moment is first put on the person's clock.
    The year is shown when it is not this year, or when ``year`` says."""
    if value is None:
        return ""
    zone, today, month_first, _ = _person()
    if isinstance(value, datetime):
        value = person_time.local(value, zone).date()
    if year is None:
        year = today is not None and value.year != today.year
    return person_time.format_day(value, month_first_order=month_first, year=year, language=i18n.choose())


def since(moment: datetime | None) -> str:
    """ "today", "yesterday", "5 days ago" — calm words for a last connection,
    counted in days where the person is."""
    if moment is None:
        return ""
    from flask_babel import gettext, ngettext

    zone, today, _, _ = _person()
    days = (today or person_time.today_in(zone)) - person_time.local(moment, zone).date()
    if days.days <= 0:
        return gettext("today")
    if days.days == 1:
        return gettext("yesterday")
    return ngettext("%(num)d day ago", "%(num)d days ago", days.days)


def clock(value) -> str:
    """A planned time ("20:00" or a ``time``) like "8:00 pm"."""
    if value in (None, ""):
        return ""
    try:
        return person_time.format_clock(value, i18n.choose())
    except (TypeError, ValueError):
        return str(value)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 time``, ``2 times`` in English. A page in another language writes
    its counts with ``ngettext`` instead; here a count in another language is
    at least written as that locale writes numbers."""
    if i18n.babel_language() == "en":
        return person_time.plural(count, word, many)
    from babel.numbers import format_decimal

    return f"{format_decimal(count, locale=i18n.babel_locale())} {word if count == 1 else (many or word + 's')}"


#: strftime patterns used by the templates, as Babel writes them in other languages.
DATE_PATTERNS = {
    "%-d %B %Y": "d 'de' MMMM 'de' y",
    "%-d %b %Y": "d MMM y",
    "%-d %b": "d MMM",
    "%B %Y": "LLLL 'de' y",
    "%A %-d %B %Y": "EEEE d 'de' MMMM 'de' y",
    "%-d %B": "d 'de' MMMM",
    "%d %b %Y": "dd MMM y",
}


def datefmt(value: date | datetime | None, pattern: str = "%-d %b %Y") -> str:
    """A date written with ``pattern`` (strftime) in English, and the same
    shape in the page's language ("30 de noviembre de 2026")."""
    if value is None:
        return ""
    language = i18n.choose()
    if i18n.babel_language(language) == "en" or pattern not in DATE_PATTERNS:
        return value.strftime(pattern)
    from babel.dates import format_date

    return format_date(value, DATE_PATTERNS[pattern], locale=i18n.babel_locale(language))


def email_breaks(address: str | None) -> Markup:
    """An email address that may break after its @ and before the dots of
    its domain, and nowhere else ("alex.rivera@" / "example.org")."""
    if not address:
        return Markup("")
    local_part, at, domain = str(address).rpartition("@")
    if not at:
        return escape(address)
    return escape(local_part) + Markup("@<wbr>") + Markup("<wbr>.").join(escape(part) for part in domain.split("."))


def person_today() -> date:
    """Today where the person is, worked out once for this request (the same
    day the page's words use). For reads: a write that may change the zone
    asks ``person_time.today_for`` after it."""
    return _person()[1]


def person_time_key() -> tuple:
    """Everything this request's person's time is worked out from (their zone,
    today there, day-or-month first, whether they chose UTC), for keeping
    an answer that uses it (``data_version.person_key``): the rows it is read
    from then need not be among the answer's own."""
    zone, today, month_first, chose_utc = _person()
    return zone.key, today, month_first, chose_utc


def answer_key() -> tuple:
    """What an answer drawn for this request's person is worked out from
    besides their rows (``data_version.person_key``, the offline copy's tag):
    their time, the language, ``Accept-Language`` (which orders a date's day
    and month) and the build (``services.build``)."""
    language = (i18n.choose(), str(get_locale()), request.headers.get("Accept-Language", ""))
    return (person_time_key(), *language, build.build_tag())


def person_zone() -> str:
    """The name of the person's zone, for the device to show the offline
    copies' times on the same clock as the pages."""
    return _person()[0].key


def init_app(app: Flask) -> None:
    app.add_template_global(person_zone, "steady_zone_name")
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(clock, "clock")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(email_breaks, "email_breaks")
    app.add_template_filter(datefmt, "datefmt")
    app.add_template_filter(numbers.number, "number")
    app.add_template_global(since, "since")
