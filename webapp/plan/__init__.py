"""My wave plan: a personal relapse-prevention and safety plan, printable,
kept offline, and shareable as a printable page through a revocable link."""

from webapp.plan.routes import bp

__all__ = ["bp"]
