"""Pages that belong to no feature: home, Help now, offline, install, errors."""

from webapp.core.routes import bp, register_error_handlers

__all__ = ["bp", "register_error_handlers"]
