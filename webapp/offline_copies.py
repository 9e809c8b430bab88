"""Which pages have an offline copy, and where it is.

A page with a person's data (``/checkin``, ``/people``...) is drawn by the
server for the person signed in, so the service worker never keeps it. Each
has an *offline copy*: a page that is the same for everyone (``/my/checkin``,
``/my/people``...), kept by the worker and filled in on the device from the
offline snapshot. Offline, opening the page shows its copy directly, at the
page's own address (no redirect); the worker's precache list and its
page → copy table are both built from :data:`OFFLINE_COPIES`.

To give a new page an offline copy: add its route's endpoint and its copy's
endpoint here, and add the copy's endpoint to the pages open while locked
(``security.py``) — the copy holds nothing personal.
"""

from __future__ import annotations

from flask import url_for

#: page endpoint → the endpoint of its offline copy.
OFFLINE_COPIES: dict[str, str] = {
    "checkins.new": "checkins.offline_copy",  # /checkin → /my/checkin
    "checkins.index": "checkins.offline_copy",  # /checkins → /my/checkin
    "taper.doses": "taper.offline_dose",  # /taper/doses → /my/dose
    "chart.index": "chart.offline_copy",  # /chart → /my/chart
    "people.index": "people.offline_copy",  # /people → /my/people
    "plan.index": "plan.offline_copy",  # /plan → /my/plan
    "helpme.help_me": "helpme.offline_copy",  # /people/help-me → /my/help-me
}


def copy_endpoints() -> list[str]:
    """Every offline copy's endpoint, once each, in a stable order."""
    return sorted(set(OFFLINE_COPIES.values()))


def copy_urls() -> dict[str, str]:
    """{page path: its offline copy's path}, for the service worker."""
    return {url_for(page): url_for(copy) for page, copy in OFFLINE_COPIES.items()}
