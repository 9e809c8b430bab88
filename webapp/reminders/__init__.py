"""Push reminders: devices, reminder rules, settings and history."""

from webapp.reminders.routes import bp

__all__ = ["bp"]
