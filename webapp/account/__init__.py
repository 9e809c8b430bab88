"""The signed-in person's account: password, sessions."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")

from webapp.account import routes  # noqa: E402,F401 - registers the views on bp
