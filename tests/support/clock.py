"""A clock a test sets by hand (``clock.now = …``), for code that takes ``clock=``."""

from __future__ import annotations


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now
