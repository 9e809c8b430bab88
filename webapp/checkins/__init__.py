"""Daily check-ins: the form (online, and offline through the outbox), the
history as a list and a calendar, edit and delete, and the JSON API."""

from flask import Blueprint

bp = Blueprint("checkins", __name__, template_folder="templates")

from webapp.checkins import routes  # noqa: E402,F401 - registers the views on bp
