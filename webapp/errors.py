"""Errors in plain words: one page (or JSON body) per status, and the
handlers that answer with it."""

from __future__ import annotations

import sqlalchemy.exc
from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from webapp.logs import audit

#: On an answer that refused a request because the session is not the one the
#: device thought (signed out, another account, a token of an older session):
#: "ask" tells the device to ask ``/api/session`` before sending again, rather
#: than set its write aside as refused (static/js/outbox.js).
SESSION_HEADER = "Steady-Session"


def wants_json() -> bool:
    """True for the JSON API and for fetches that ask for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


#: What each error says to a person, in plain words.
ERROR_TEXT = {
    400: (_l("Something was wrong with that request"), _l("Please go back and try again.")),
    401: (_l("Please sign in"), _l("You need to sign in to see this.")),
    403: (_l("Not allowed"), _l("You do not have access to this.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved.")),
    405: (_l("That did not work"), _l("This page cannot be used that way.")),
    413: (_l("That was too much to send"), _l("What you sent was too large. Please shorten it and try again.")),
    503: (_l("Steady is busy for a moment"), _l("Nothing was lost. Please try again in a minute.")),
    429: (_l("Please wait a little"), _l("There have been too many tries. Please wait a few minutes, then try again.")),
    500: (_l("Sorry, something went wrong on our side"), _l("Your data is safe. Please try again in a moment.")),
}


class NoLongerHere(NotFound):
    """A 404 for something of the person's that is not (or no longer) theirs
    to see: what they most likely met is something they deleted, perhaps on
    another device, while this one still showed it or kept a change to it."""

    description = _l("That is no longer here: it may have been deleted, perhaps on another device.")


def error_response(status: int, detail: str | None = None):
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[400] if status < 500 else ERROR_TEXT[500])
    title, message = str(title), str(detail or text)
    if wants_json():
        return jsonify(error=message), status
    return render_template("core/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        audit("csrf.rejected", reason=exc.description.replace(" ", "_"))
        response = make_response(
            error_response(
                400,
                _("This form has expired or came from somewhere else. Please reload the page and try again."),
            )
        )
        response.headers[SESSION_HEADER] = "ask"
        return response

    @app.errorhandler(sqlalchemy.exc.OperationalError)
    @app.errorhandler(sqlalchemy.exc.InterfaceError)
    @app.errorhandler(sqlalchemy.exc.TimeoutError)
    def _database_unavailable(exc: Exception):
        # The database is down, restarting or unreachable: nothing was saved
        # (the transaction never committed), so say so and ask for a retry.
        # The outbox keeps a change answered 5xx and sends it again later.
        app.logger.warning("database unavailable: %s", type(exc).__name__)
        if "_login_user" not in g:
            g._login_user = AnonymousUserMixin()  # the page must not ask the database who this is
        response = make_response(
            error_response(
                503,
                _(
                    "Steady cannot reach its database just now, so nothing was saved. Please try again in a minute; "
                    "changes waiting on your device are sent again by themselves."
                ),
            )
        )
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code == 429:
            return error_response(429)
        # Werkzeug's own descriptions are for developers; only ours are for the person.
        return error_response(exc.code or 500, exc.description if isinstance(exc, NoLongerHere) else None)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Logged with its traceback for the operator; the person sees a calm page.
        app.logger.exception("unhandled error")
        return error_response(500)
