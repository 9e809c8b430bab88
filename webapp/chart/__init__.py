"""The "windows and waves" chart: online, and offline from the device's copy
with check-ins still waiting to sync."""

from flask import Blueprint

bp = Blueprint("chart", __name__, template_folder="templates")

from webapp.chart import routes  # noqa: E402,F401 - registers the views on bp
