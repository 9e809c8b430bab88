"""The chart in words: the description a screen reader reads in place of
the picture (the SVG's ``<desc>``)."""

from __future__ import annotations

from datetime import date

from webapp.services.chart.series import dose_on, dose_text


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def describe(days, dose_steps, cuts, start, end, unit, pending_count) -> str:
    shown = [p for p in days if p.checkins]
    count = sum(p.checkins for p in shown)
    sentences = [f"From {long_date(start)} to {long_date(end)}."]
    if not shown:
        sentences.append("No check-ins in this time.")
    else:
        day_word = "day" if len(shown) == 1 else "days"
        sentences.append(f"{count} check-in{'s' if count != 1 else ''} on {len(shown)} {day_word}.")
        moods = [p.mood for p in shown if p.mood is not None]
        if moods:
            low, high = min(moods), max(moods)
            range_text = (
                f"was {num_words(low)}" if low == high else f"ranged from {num_words(low)} to {num_words(high)}"
            )
            sentences.append(f"Mood {range_text} out of 10, latest {num_words(moods[-1])}.")
        loads = [p.load for p in shown if p.load is not None]
        if loads:
            low, high = min(loads), max(loads)
            range_text = (
                f"was {num_words(low)}%" if low == high else f"ranged from {num_words(low)}% to {num_words(high)}%"
            )
            sentences.append(f"Symptom load {range_text}, latest {num_words(loads[-1])}%.")
    if dose_steps:
        latest = dose_steps[-1]
        since = "" if latest.change is None else f" since {long_date(latest.day)}"
        sentences.append(f"Latest planned dose {dose_text(latest.dose)} {unit} a day{since}.")
        if cuts:
            last = dose_on(dose_steps, cuts[-1])
            sentences.append(
                f"{len(cuts)} cut{'s' if len(cuts) != 1 else ''} in this time, the latest on "
                f"{long_date(cuts[-1])} to {dose_text(last.dose)} {unit}."
            )
        else:
            sentences.append("No cuts in this time.")
    else:
        sentences.append("No taper steps in this time.")
    if pending_count:
        sentences.append(f"{pending_count} check-in{'s' if pending_count != 1 else ''} waiting to sync.")
    return " ".join(sentences)


def num_words(value: float) -> str:
    return f"{value:g}"
