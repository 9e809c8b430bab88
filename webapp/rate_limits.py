"""The rate limiter, bound to the app, with its per-request work only where
a limit can apply.

Steady's limits are all on views (``@limiter.limit``), and Flask-Limiter
checks those in the view's own wrapper. Its ``before_request`` hook checks the
application, default, blueprint and meta limits, of which Steady has none:
for every other request it looks the view up, works out that no limit
applies and keeps an empty record of that for the ``after_request`` and
``teardown`` hooks to read. Here, while none of those limits exist, the
``before_request`` check is skipped, and the other two run only on a request
that has a limiter record (a limited view made one), so a limited view still
counts every request and still sends its ``X-RateLimit-*`` and
``Retry-After`` headers (tests/integration/test_rate_limit_hooks.py).
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter._compat import request_context

#: What Flask-Limiter keeps on the request context once a limit was looked at.
_RECORD = "_limiter_request_context"


def limits_before_the_view(limiter: Limiter) -> bool:
    """Whether any limit could apply before a view runs: application,
    default, blueprint or meta limits, or an in-memory fallback in use."""
    manager = limiter.limit_manager
    return bool(
        manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
        or limiter._meta_limits
        or limiter._in_memory_fallback_enabled
    )


def _only_with_a_record(hook):
    def hook_if_limited(argument):
        if hasattr(request_context(), _RECORD):
            return hook(argument)
        return argument

    wrapped = getattr(hook, "func", hook)  # the headers hook is a partial
    hook_if_limited.__name__ = getattr(wrapped, "__name__", "limiter_hook")
    return hook_if_limited


def init_app(app: Flask, limiter: Limiter) -> None:
    limiter.init_app(app)
    check = limiter._check_request_limit

    def check_if_a_limit_can_apply():
        # Looked at on every request (a few attribute reads), so a limit added
        # after start-up (a blueprint's, say) still applies before the view.
        if limits_before_the_view(limiter):
            return check()
        return None

    app.before_request_funcs[None] = [
        check_if_a_limit_can_apply if f == check else f for f in app.before_request_funcs.get(None, [])
    ]
    for table in (app.after_request_funcs, app.teardown_request_funcs):
        table[None] = [
            _only_with_a_record(f) if getattr(f, "__self__", None) is limiter or _is_limiter_partial(f, limiter) else f
            for f in table.get(None, [])
        ]


def _is_limiter_partial(hook, limiter: Limiter) -> bool:
    return getattr(hook, "args", None) == (limiter,)
