"""The printable summary for a clinician: chosen dates, chosen notes."""

from flask import Blueprint

bp = Blueprint("summary", __name__, template_folder="templates")

from webapp.summary import routes  # noqa: E402,F401 - registers the views on bp
