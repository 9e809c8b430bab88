"""Coping cards: short reminders a person writes to themself."""

from webapp.cards.routes import bp

__all__ = ["bp"]
