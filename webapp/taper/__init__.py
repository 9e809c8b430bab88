"""Taper tracking: the one-time disclaimer, the plan as dated steps, the dose
log (online, and offline through the outbox), where someone is on their plan,
and docs/SAFETY.md's gentle notes. Records; never advises."""

from flask import Blueprint

bp = Blueprint("taper", __name__, template_folder="templates")

from webapp.taper import routes, words  # noqa: E402,F401 - registers the views and filters on bp
