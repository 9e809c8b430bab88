"""The one way to fetch something a person owns by an id that came from a request."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import db
from webapp.logs import audit

Owned = TypeVar("Owned")


def get_owned_or_404(model: type[Owned], object_id: int) -> Owned:
    """The signed-in person's ``model`` row with this id.

    Someone else's row answers 404, exactly like a row that does not exist, so
    ids reveal nothing; the attempt is logged with both ids.
    """
    row = db.session.scalar(select(model).where(model.id == object_id, model.user_id == current_user.id))
    if row is None:
        audit("authz.not_found", user=current_user.id, model=model.__name__, object=object_id)
        abort(404)
    return row
