"""The signed-in person's account: password, sessions."""

from webapp.account.routes import bp

__all__ = ["bp"]
