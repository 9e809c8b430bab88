"""Signing out ends the session whatever body comes with it.

A "sign out" that answered 415 or 422 to how it was asked, and so left the
session alive, would be worse than anything its body could hold. The views
that end a session (``webapp.api.ENDS_SESSION``: signing out on this device
and everywhere) are let past the root checks that refuse other posts' bodies
(JSON on a page's form, ``security.py``; nesting too deep, a broken or hidden
character in a field or its name, a multipart body that is not UTF-8,
``webapp/api.py``); only the CSRF check stands before them, as before every
post. What they read from the body is read here, loosely, from a form or a
JSON object: a value that is missing, of another type, or holds a character
no field may hold is not used, and the session ends all the same.

A JSON body is answered in JSON whatever the request accepts (``user`` is
null, as ``/api/session`` then says); anything else goes to the sign-in
page with the message, as the pages' forms always have.
"""

from __future__ import annotations

from flask import current_app, flash, g, jsonify, redirect, request, url_for

from webapp.api import MAX_DEPTH, InputProblem, check_text, nests_deeper_than
from webapp.extensions import csrf


def require_csrf() -> None:
    """The CSRF check every post passes before any view (webapp/csrf_check.py),
    made here too if it has not been: no form here checks its own token."""
    if current_app.config.get("WTF_CSRF_ENABLED", True) and not g.get("csrf_valid"):
        csrf.protect()


def _json_object() -> dict:
    """The body as a JSON object, or ``{}`` if it is not one (too deep to
    read, not JSON, not UTF-8, a number too long to read, an array...)."""
    if nests_deeper_than(request.get_data(cache=True), MAX_DEPTH):
        return {}
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def posted(name: str) -> object:
    """What was posted as ``name``: a form field's text, or a JSON object's
    value of any type; None if nothing was."""
    if request.is_json:
        return _json_object().get(name)
    return request.form.get(name)


def posted_text(name: str) -> str | None:
    """``name``'s value if it is text no field refuses, else None."""
    value = posted(name)
    if not isinstance(value, str):
        return None
    try:
        check_text(value, name)
    except InputProblem:
        return None
    return value


def ticked(name: str) -> bool:
    """A tick: any text but the empty one, in a form or in JSON (a tick is a
    tick whatever its value), or JSON's ``true``."""
    value = posted(name)
    return value is True or (isinstance(value, str) and value != "")


def signed_out(message: str):
    """The answer once the session has ended (see the module's docstring)."""
    if request.is_json:
        response = jsonify(user=None, message=message)
        response.headers["Cache-Control"] = "no-store"
        return response
    flash(message, "success")
    return redirect(url_for("auth.login", signed_out=1))
