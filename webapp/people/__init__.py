"""My people: the support network, message templates, groups, the nudge and the review."""

from flask import Blueprint

bp = Blueprint("people", __name__, template_folder="templates")

from webapp.people import api, routes  # noqa: E402,F401 - registers the views on bp
