""" "How to help me", appointments with professionals, and thanking a supporter."""

from flask import Blueprint

bp = Blueprint("helpme", __name__, template_folder="templates")

from webapp.helpme import appointments, routes  # noqa: E402,F401 - registers the views on bp
