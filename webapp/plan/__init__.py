"""My wave plan: a personal relapse-prevention and safety plan, printable,
kept offline, and shareable as a printable page through a revocable link."""

from flask import Blueprint

bp = Blueprint("plan", __name__, template_folder="templates")

from webapp.plan import routes  # noqa: E402,F401 - registers the views on bp
