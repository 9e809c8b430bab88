"""Accounts: register, sign in, sign out."""

from webapp.auth.routes import bp

__all__ = ["bp"]
