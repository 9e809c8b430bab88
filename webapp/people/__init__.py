"""My people and my plan: the support network and the wave plan."""

from webapp.people.routes import bp

__all__ = ["bp"]
