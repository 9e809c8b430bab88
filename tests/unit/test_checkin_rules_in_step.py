"""The phone checks a check-in with the server's own limits
(checkin-answers.js): a check-in the server would refuse is never queued as
if it were fine. The two stay in step."""

from __future__ import annotations

import re
from pathlib import Path

from webapp.checkins import checks
from webapp.checkins.routes import HOURS

SCRIPT = (Path(__file__).resolve().parents[2] / "webapp/static/js/checkin-answers.js").read_text("utf-8")


def test_the_other_symptom_limits_are_the_servers():
    assert re.search(r"const OTHER_MAX = (\d+);", SCRIPT).group(1) == str(checks.OTHER_MAX)
    assert re.search(r"const OTHER_LABEL_MAX = (\d+);", SCRIPT).group(1) == str(checks.OTHER_LABEL_MAX)


def test_hours_of_sleep_are_read_alike():
    assert re.search(r"const HOURS = /\^(.+)\$/;", SCRIPT).group(1) == HOURS.pattern
