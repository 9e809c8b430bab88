"""The app lock's settings page (the lock itself lives on the device)."""

from webapp.lock.routes import bp

__all__ = ["bp"]
