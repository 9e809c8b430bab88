"""Support circle: invite trusted people, choose what they see, reach out with one tap."""

from flask import Blueprint

bp = Blueprint("circle", __name__, template_folder="templates")

from webapp.circle import routes  # noqa: E402,F401 - registers the views on bp
