""""How to help me", appointments with professionals, and thanking a supporter."""

from webapp.helpme.routes import bp

__all__ = ["bp"]
