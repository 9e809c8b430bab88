"""Support circle: invite trusted people, choose what they see, reach out with one tap."""

from webapp.circle.routes import bp

__all__ = ["bp"]
