"""Accounts: register, sign in, sign out."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from webapp.auth import routes  # noqa: E402,F401 - registers the views on bp
