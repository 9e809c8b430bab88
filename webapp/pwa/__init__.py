"""The installable-app shell: web app manifest and service worker."""

from webapp.pwa.routes import bp

__all__ = ["bp"]
