"""Push reminders: devices, reminder rules, settings and history."""

from flask import Blueprint

bp = Blueprint("reminders", __name__, template_folder="templates")

from webapp.reminders import devices, routes, snooze, words  # noqa: E402,F401 - registers the views and filters on bp
