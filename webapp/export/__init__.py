"""Download everything you keep in Steady, behind a fresh password."""

from webapp.export.routes import bp

__all__ = ["bp"]
