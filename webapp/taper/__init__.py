"""Taper tracking: the one-time disclaimer, the plan as dated steps, the dose
log (online, and offline through the outbox), where someone is on their plan,
and docs/SAFETY.md's gentle notes. Records; never advises."""

from webapp.taper.routes import bp

__all__ = ["bp"]
