"""Logging with a request id on every line, and an audit helper.

Steady logs events and ids, never what people typed: no form values,
passwords, cookies, tokens, emails or health text (SECURITY.md 20).
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, g, has_request_context, request

audit_log = logging.getLogger("steady.audit")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def audit(event: str, **ids: object) -> None:
    """Log a security event (sign-in, failed authorisation...) with ids only."""
    fields = " ".join(f"{key}={value}" for key, value in sorted(ids.items()))
    audit_log.info("%s %s", event, fields)


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [req=%(request_id)s] %(message)s"))
    logger = logging.getLogger("steady")
    if not any(isinstance(f, RequestIdFilter) for h in logger.handlers for f in h.filters):
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # SQLAlchemy logs statements at INFO and every fetched row at DEBUG (emails,
    # reminder words...) once the root logger is turned up; Steady's own events
    # are enough, so the engine only ever reports warnings.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    app.logger.addFilter(RequestIdFilter())

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        return response
