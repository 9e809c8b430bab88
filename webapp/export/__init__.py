"""Download everything you keep in Steady, behind a fresh password."""

from flask import Blueprint

bp = Blueprint("export", __name__, url_prefix="/account", template_folder="templates")

from webapp.export import routes  # noqa: E402,F401 - registers the views on bp
