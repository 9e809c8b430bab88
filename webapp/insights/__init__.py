"""Seeing how it has gone: the "windows and waves" chart (online, and offline
from the snapshot with check-ins still waiting to sync) and the printable
summary for a clinician."""

from flask import Blueprint

bp = Blueprint("insights", __name__, template_folder="templates")

from webapp.insights import routes  # noqa: E402,F401 - registers the views on bp
