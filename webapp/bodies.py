"""Request bodies, declared once.

Problems with what was sent are one type everywhere (:class:`Problems`),
answered by :func:`webapp.sync.refuse`.
"""

from __future__ import annotations

from typing import Mapping


class Problems(ValueError):
    """Everything wrong with what was sent: ``{field: message}``, in words
    for the person, each next to the field it belongs to."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(next(iter(problems.values())))
        self.problems = dict(problems)
