"""Learning at your own pace: articles for the person (``/learn``), a guide for
the people who support them (``/learn/supporting``) and informed help to find
(``/find-help``). Public, the same for everyone, kept offline by the service
worker after one visit."""

from webapp.learn.routes import bp, precache_pages

__all__ = ["bp", "precache_pages"]
