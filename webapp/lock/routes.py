"""``/lock``: turn the app lock on or off, change its PIN and idle time.

The PIN, the keys and the lock's state never leave the device (see
``static/js/app-lock.js``), so this is one page, the same for everyone and
kept by the service worker; its fields have no ``name`` and its forms are
only ever handled on the device, so a PIN cannot reach the server even if the
script fails to run.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("lock", __name__, template_folder="templates")


@bp.get("/lock")
def settings():
    """The app lock on this device."""
    return render_template("lock/settings.html")
