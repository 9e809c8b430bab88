"""Pages that belong to no feature: home, Help now, offline, install, errors."""

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")

from webapp.core import routes  # noqa: E402,F401 - registers the views on bp
