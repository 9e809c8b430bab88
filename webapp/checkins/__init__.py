"""Daily check-ins: the form (online, and offline through the outbox), the
history as a list and a calendar, edit and delete, and the JSON API."""

from webapp.checkins.routes import bp

__all__ = ["bp"]
