"""Coping cards: short reminders a person writes to themself."""

from flask import Blueprint

bp = Blueprint("cards", __name__, template_folder="templates")

from webapp.cards import routes  # noqa: E402,F401 - registers the views on bp
