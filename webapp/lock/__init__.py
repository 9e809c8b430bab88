"""The app lock's settings page (the lock itself lives on the device)."""

from flask import Blueprint

bp = Blueprint("lock", __name__, template_folder="templates")

from webapp.lock import routes  # noqa: E402,F401 - registers the views on bp
