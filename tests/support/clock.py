"""A clock a test sets by hand (``clock.now = …``), for code that takes ``clock=``,
and times earlier on the same day, for tests that log entries "today"."""

from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def earlier_today(now: datetime, gaps: list[timedelta]) -> list[datetime]:
    """One time per gap, ``gap`` before ``now``, in the same order — all on
    ``now``'s day and none after ``now``. When the longest gap reaches back
    past midnight (early in the day), the time since midnight stands for it:
    each gap shrinks in proportion, the longest landing on midnight itself."""
    longest = max(gaps)
    since_midnight = now - now.replace(hour=0, minute=0, second=0, microsecond=0)
    if since_midnight < longest:
        gaps = [gap * (since_midnight / longest) for gap in gaps]
    return [now - gap for gap in gaps]
