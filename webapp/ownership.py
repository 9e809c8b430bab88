"""The one way to fetch something a person owns by an id that came from a request."""

from __future__ import annotations

from typing import TypeVar

from flask_login import current_user
from sqlalchemy import ColumnElement, Select, select

from webapp.errors import SESSION_HEADER, NoLongerHere
from webapp.extensions import db
from webapp.logs import audit

Owned = TypeVar("Owned")


def mine(model) -> ColumnElement[bool]:
    """The condition "belongs to the signed-in person" on ``model``'s rows,
    for queries that are not a plain select (counts, deletes, joins)."""
    return model.user_id == current_user.id


def owned(model: type[Owned], *where) -> Select[tuple[Owned]]:
    """``select(model)`` of the signed-in person's rows only, with any further
    conditions: the one way a view reads what a person keeps."""
    return select(model).where(mine(model), *where)


def get_owned_or_404(model: type[Owned], object_id: int) -> Owned:
    """The signed-in person's ``model`` row with this id.

    Someone else's row answers 404, exactly like a row that does not exist, so
    ids reveal nothing; the attempt is logged with both ids. The words say what
    a person most likely met: something they deleted, perhaps on another
    device, while this one still showed it or kept a change to it offline.
    """
    row = db.session.scalar(owned(model, model.id == object_id))
    if row is None:
        audit("authz.not_found", user=current_user.id, model=model.__name__, object=object_id)
        raise NoLongerHere()
    return row


#: A write queued on a device names the account it was made for; the server
#: refuses it under any other session (a shared phone: one person's queued
#: check-in must never land in the next person's account).
ACCOUNT_HEADER = "X-Steady-Account"


def refuse_writes_for_another_account():
    """``before_request``: a request naming an account (``X-Steady-Account``)
    other than the one signed in answers 409 and changes nothing. Without a
    session the route's own sign-in check answers as usual."""
    from flask import jsonify, make_response, request

    named = request.headers.get(ACCOUNT_HEADER)
    if named is None or not current_user.is_authenticated:
        return None
    if named.strip() == str(current_user.id):
        return None
    audit("device.other_account", user=current_user.id, path=request.path)
    response = make_response(
        jsonify(error="This change was saved on this device for another account, so it was not sent to yours."),
        409,
    )
    response.headers[SESSION_HEADER] = "ask"
    return response


def init_app(app) -> None:
    app.before_request(refuse_writes_for_another_account)
