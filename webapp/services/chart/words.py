"""The chart in words: the description a screen reader reads in place of
the picture (the SVG's ``<desc>``), in the request's language (English
outside a request), its numbers too: "1,125 mg" in Spanish, where "1.125"
would read as a thousand and more (``numbers.number``)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.numbers import number
from webapp.services.chart.dates import chart_date
from webapp.services.chart.series import dose_on


def long_date(day: date) -> str:
    return chart_date(day, "long")


def describe(days, dose_steps, cuts, start, end, unit, pending_count) -> str:
    shown = [p for p in days if p.checkins]
    count = sum(p.checkins for p in shown)
    sentences = [_("From %(start)s to %(end)s.", start=long_date(start), end=long_date(end))]
    if not shown:
        sentences.append(_("No check-ins in this time."))
    else:
        checkins = ngettext("%(num)d check-in", "%(num)d check-ins", count)
        sentences.append(
            ngettext("%(checkins)s on %(num)d day.", "%(checkins)s on %(num)d days.", len(shown), checkins=checkins)
        )
        moods = [p.mood for p in shown if p.mood is not None]
        if moods:
            low, high = min(moods), max(moods)
            if low == high:
                sentences.append(
                    _(
                        "Mood was %(value)s out of 10, latest %(latest)s.",
                        value=number(low),
                        latest=number(moods[-1]),
                    )
                )
            else:
                sentences.append(
                    _(
                        "Mood ranged from %(low)s to %(high)s out of 10, latest %(latest)s.",
                        low=number(low),
                        high=number(high),
                        latest=number(moods[-1]),
                    )
                )
        loads = [p.load for p in shown if p.load is not None]
        if loads:
            low, high = min(loads), max(loads)
            if low == high:
                sentences.append(
                    _(
                        "Symptom load was %(value)s%%, latest %(latest)s%%.",
                        value=number(low),
                        latest=number(loads[-1]),
                    )
                )
            else:
                sentences.append(
                    _(
                        "Symptom load ranged from %(low)s%% to %(high)s%%, latest %(latest)s%%.",
                        low=number(low),
                        high=number(high),
                        latest=number(loads[-1]),
                    )
                )
    if dose_steps:
        latest = dose_steps[-1]
        dose = number(latest.dose)
        if latest.change is None:
            sentences.append(_("Latest planned dose %(dose)s %(unit)s a day.", dose=dose, unit=unit))
        else:
            sentences.append(
                _(
                    "Latest planned dose %(dose)s %(unit)s a day since %(day)s.",
                    dose=dose,
                    unit=unit,
                    day=long_date(latest.day),
                )
            )
        if cuts:
            last = dose_on(dose_steps, cuts[-1])
            sentences.append(
                ngettext(
                    "%(num)d cut in this time, the latest on %(day)s to %(dose)s %(unit)s.",
                    "%(num)d cuts in this time, the latest on %(day)s to %(dose)s %(unit)s.",
                    len(cuts),
                    day=long_date(cuts[-1]),
                    dose=number(last.dose),
                    unit=unit,
                )
            )
        else:
            sentences.append(_("No cuts in this time."))
    else:
        sentences.append(_("No taper steps in this time."))
    if pending_count:
        sentences.append(
            ngettext("%(num)d check-in waiting to sync.", "%(num)d check-ins waiting to sync.", pending_count)
        )
    return " ".join(sentences)
