"""Helpers for the JSON API: parse a body or answer 4xx with a clear message.

Every request body is checked here, once, before any feature sees it
(SECURITY.md 23 and 28):

* JSON nested deeper than :data:`MAX_DEPTH` is refused with a 400 by a scan of
  the raw bytes, before the parser could recurse;
* every string (and every key) in a JSON body or a posted form is refused with
  a 422 naming the field if it holds a lone surrogate (it cannot be stored or
  encrypted as UTF-8) or a control character other than newline, carriage
  return and tab;
* numbers must be finite and within ±2**53 (what every JSON reader keeps
  exactly), and a whole value written as a web address must be one.

The features then check each field's type and meaning themselves. Signing
out is the one exception (:data:`ENDS_SESSION`): it ends the session whatever
body comes with it, and reads what it uses loosely (webapp/signing_out.py).
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

from flask import Flask, abort, g, has_request_context, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

from webapp.errors import error_response, wants_json

#: Deepest nesting of arrays and objects any request needs is 4; 32 leaves room.
MAX_DEPTH = 32
#: Signing out, here and everywhere: no check of the body stops them (past the
#: CSRF check); they read what they use from it loosely (webapp/signing_out.py).
ENDS_SESSION = frozenset({"auth.logout", "account.sign_out_everywhere"})
#: Largest integer every JSON reader holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1

#: What matters for nesting: a quote, an escaped character, a bracket.
_NESTING_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.S)
#: Control characters (C0 but tab, newline and carriage return; DEL; C1) and
#: surrogate code points, which only appear in a str when they are unpaired.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Either of the two: one search tells a clean string (nearly every one) apart.
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WHOLE_URL = re.compile(r"(?i)[a-z][a-z0-9+.-]*://\S*")


class InputProblem(ValueError):
    """A value no field may hold, with the field it is in."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def json_error(status: int, message: str, **fields: Any):
    """Stop the request with a JSON error body."""
    abort(make_response(jsonify(error=message, **fields), status))


def nesting_depth(raw: bytes, stop_above: int | None = None) -> int:
    """How deeply arrays and objects nest in JSON text, in one pass without
    parsing it (brackets inside strings do not count). Stops counting once
    ``stop_above`` is passed."""
    depth = deepest = 0
    in_string = False
    for token in _NESTING_TOKEN.finditer(raw):
        char = token.group()
        if char == b'"':
            in_string = not in_string
        elif in_string or len(char) == 2:
            continue
        elif char in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep in JSON text.
    A body with no more than ``limit`` opening brackets in all (inside strings
    or not) cannot, and is told apart without walking it."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    return nesting_depth(raw, limit) > limit


def _label(field: str) -> str:
    return field or _("The body")


def check_text(value: str, field: str) -> None:
    """Refuse a string no field may hold (see the module's docstring)."""
    if _CONTROL_OR_SURROGATE.search(value):  # one search for the clean string nearly every one is
        if _SURROGATE.search(value):
            raise InputProblem(
                field,
                _("%(label)s has a broken character that is not valid text. Please retype it.", label=_label(field)),
            )
        raise InputProblem(field, _("%(label)s has hidden control characters. Please retype it.", label=_label(field)))
    if ":" in value and _WHOLE_URL.fullmatch(value.strip()):
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise InputProblem(
                field, _("%(label)s is not a web address that can be used.", label=_label(field))
            ) from None


def check_value(value: object, field: str = "") -> None:
    """Walk a parsed JSON value; raise :class:`InputProblem` at the first
    string, key or number no field may hold. ``field`` names where it is, like
    ``other_symptoms[0].label``."""
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise InputProblem(field, _("%(label)s is far too large a number.", label=_label(field)))
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_SAFE_INTEGER:
            raise InputProblem(
                field, _("%(label)s must be an ordinary number, not infinity or too large.", label=_label(field))
            )
    elif isinstance(value, dict):
        for key, inner in value.items():
            name = f"{field}.{key}" if field else str(key)
            if _CONTROL_OR_SURROGATE.search(key):
                where = field or _("the body")
                raise InputProblem(field, _("A field name in %(where)s has a broken or hidden character.", where=where))
            check_value(inner, name)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            check_value(inner, f"{field}[{index}]")


def json_body() -> dict:
    """The request's JSON object, or a 400/415/422 explaining what is wrong."""
    if not request.is_json:
        json_error(415, _("Send JSON with Content-Type: application/json."))
    if not g.get("steady_depth_checked"):  # the root check below has not run
        raw = request.get_data(cache=True)
        if nests_deeper_than(raw, MAX_DEPTH):
            json_error(400, _("The body nests lists or objects more than %(depth)s deep.", depth=MAX_DEPTH))
    try:
        data = request.get_json()
    except BadRequest:  # nothing, or not JSON that can be read
        if not request.get_data(cache=True).strip():
            json_error(400, _("The body is empty: send a JSON object."))
        json_error(400, _("The body is not JSON that can be read (or it holds a number too long to read)."))
    if not isinstance(data, dict):
        json_error(400, _("The body must be a JSON object."))
    try:
        check_value(data)
    except InputProblem as problem:
        json_error(422, str(problem), field=problem.field or "body")
    return data


def form_problem() -> InputProblem | None:
    """The first posted form field (name or value) no field may hold."""
    problems = form_problems()
    return problems[0] if problems else None


def form_problems() -> list[InputProblem]:
    """Every posted form field (name or value) no field may hold, in order;
    a broken field name comes back alone, with ``field`` empty."""
    found: list[InputProblem] = []
    for name, value in request.form.items(multi=True):
        label = name.replace("_", " ").strip().capitalize() or _("A field")
        if _SURROGATE.search(name) or _CONTROL.search(name):
            return [InputProblem("", _("A field name in this form has a broken or hidden character."))]
        try:
            check_text(value, label)
        except InputProblem as problem:
            problem.field, problem.value = name, value
            if all(seen.field != name for seen in found):
                found.append(problem)
    return found


def _reads_as_utf8(raw: bytes, mimetype: str) -> bool:
    """Whether a form body's text is UTF-8, as every page of Steady sends it.
    Read otherwise, its fields would change without a word: a byte that is
    not UTF-8 kept as "%E9" in a urlencoded body, or replaced by U+FFFD in a
    multipart one (no page of Steady sends a file, so all of it is text)."""
    if mimetype == "application/x-www-form-urlencoded":
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unreadable_form():
    message = _("This form's text could not be read: it was not sent as UTF-8. Nothing was saved.")
    if not wants_json():
        message += " " + _("Go back to the form: what you typed is still there.")
    return error_response(400, message)


def _without_hidden(value: str) -> str:
    return _CONTROL.sub("", _SURROGATE.sub("", value))


def problem_words(label: str, value: str) -> str:
    """What to say beside a field whose posted text held characters no field
    may hold, once they have been taken out of the text put back in it."""
    if _SURROGATE.search(value):
        return _(
            "%(label)s had a broken character that is not valid text. "
            "It has been taken out: check what is left and save again.",
            label=label,
        )
    if _CONTROL.search(value):
        return _(
            "%(label)s had hidden control characters. They have been taken out: check what is left and save again.",
            label=label,
        )
    return _("%(label)s is not a web address that can be used.", label=label)


class InputRefused(Exception):
    """A write was about to be saved from a form post the root check found a
    problem in, and no form showed the problem: nothing is saved."""


def typed_problems(labels: dict[str, str] | None = None, key=None) -> dict[str, str]:
    """For a view that reads its form itself: the problems the root check
    found in this form post, as ``{key: message}`` (``key(name)`` maps a
    posted name to the key the page shows problems under; ``labels`` give
    each field's words). Asking takes responsibility for saving nothing when
    there are any."""
    found = getattr(g, "input_problems", None)
    if not found:
        return {}
    g.input_problems_shown = True
    labels = labels or {}
    out: dict[str, str] = {}
    for name, raw in found.items():
        label = labels.get(name) or name.replace("_", " ").replace("-", " ").strip().capitalize()
        out.setdefault(key(name) if key else name, problem_words(label, raw))
    return out


def posted_problems() -> dict[str, str]:
    """The raw posted value of each field the root check found a problem in
    (for forms that word the problem with their own labels); asking takes
    responsibility for saving nothing when there are any."""
    found = getattr(g, "input_problems", None)
    if found:
        g.input_problems_shown = True
    return dict(found or {})


def posted_problem_words() -> dict[str, str]:
    """For a view that answers JSON whatever the request accepts: the root
    check's problems in this form post as ``{field: message}``, worded as its
    JSON answer words them ("Proof has hidden control characters…"); asking
    takes responsibility for saving nothing when there are any."""
    out: dict[str, str] = {}
    for name, raw in posted_problems().items():
        try:
            check_text(raw, name.replace("_", " ").strip().capitalize())
        except InputProblem as problem:
            out[name] = str(problem)
    return out


def _refuse_unshown_problems(session) -> None:
    """Nothing is saved from a form post with a problem no form showed."""
    if has_request_context() and getattr(g, "input_problems", None) and not getattr(g, "input_problems_shown", False):
        raise InputRefused()


def init_app(app: Flask) -> None:
    if not event.contains(Session, "before_commit", _refuse_unshown_problems):
        event.listen(Session, "before_commit", _refuse_unshown_problems)

    @app.errorhandler(InputRefused)
    def _input_refused(_exc):
        from webapp.extensions import db

        db.session.rollback()
        first = next(iter(g.input_problems))
        label = first.replace("_", " ").strip().capitalize() or _("A field")
        message = f"{problem_words(label, g.input_problems[first])} " + _(
            "Nothing was saved. Go back to the form to try again."
        )
        return render_template("core/error.html", status=422, title=_("There is a problem"), message=message), 422

    def _refuse_unreadable_forms():
        """A form body that is not UTF-8 text, read before anything reads its
        fields (the CSRF check does first). Urlencoded, as pages send: each
        byte that is not UTF-8 is read as a broken character, so the field it
        is in comes back with the problem beside it and the rest of what was
        typed kept (Werkzeug would keep "%E9" as typed text). Multipart, which
        no page of Steady sends: refused whole (Werkzeug would put U+FFFD)."""
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.mimetype not in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return None
        raw = request.get_data(cache=True)
        if _reads_as_utf8(raw, request.mimetype):
            return None
        if request.mimetype == "multipart/form-data":
            return None if request.endpoint in ENDS_SESSION else _unreadable_form()
        # Raw bytes above ASCII are escaped first, so each is read as the byte it is.
        escaped = re.sub(rb"[\x80-\xff]", lambda byte: b"%%%02X" % byte[0][0], raw).decode("ascii")
        fields = parse_qsl(escaped, keep_blank_values=True, encoding="utf-8", errors="surrogateescape")
        # Werkzeug's parse first (it sets the form and the files together), then the form as read here.
        request.files  # noqa: B018
        request.form = ImmutableMultiDict(fields)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_unreadable_forms)

    @app.before_request
    def _refuse_hostile_paths():
        """No id, slug or token in an address holds a control character or a
        broken one: such an address names nothing (a 404), before any view or
        query sees it (PostgreSQL refuses a NUL in text with an error)."""
        for value in (request.view_args or {}).values():
            if isinstance(value, str) and _CONTROL_OR_SURROGATE.search(value):
                return error_response(404)
        return None

    @app.before_request
    def _refuse_hostile_bodies():
        """One root for every write: JSON too deep or with text no field may
        hold, and form fields with hidden characters, are refused before any
        view runs. A page's form post instead goes on to its view with those
        characters taken out, so the form comes back with the problem beside
        the field and the rest of what was typed kept; nothing is saved
        (``webapp.forms.FlaskForm`` and :func:`typed_problems` show it, and a
        commit no form showed it to is refused). Signing out is not stopped."""
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.endpoint in ENDS_SESSION:
            return None
        if request.is_json:
            raw = request.get_data(cache=True)
            if nests_deeper_than(raw, MAX_DEPTH):
                return error_response(
                    400, _("The body nests lists or objects more than %(depth)s deep.", depth=MAX_DEPTH)
                )
            g.steady_depth_checked = True
            return None
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            problems = form_problems()
            if not problems:
                return None
            if wants_json():
                return jsonify(error=str(problems[0]), field=problems[0].field), 422  # worded in the request's language
            if not problems[0].field:
                message = f"{problems[0]} " + _("Go back to the form: what you typed is still there.")
                return (
                    render_template("core/error.html", status=422, title=_("There is a problem"), message=message),
                    422,
                )
            g.input_problems = {problem.field: problem.value for problem in problems}
            bad = set(g.input_problems)
            # What was typed goes back in the field, less what no field can hold.
            request.form = ImmutableMultiDict(
                [
                    (name, _without_hidden(value) if name in bad else value)
                    for name, value in request.form.items(multi=True)
                ]
            )
        return None
