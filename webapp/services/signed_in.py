"""Who a request is signed in as, read without the ORM.

Every signed-in request reads its session row and its person's language in
one statement (``services/sessions.py``). Read as ORM entities, that row and
that user cost a request about 0.15 ms of CPU more than the same statement
read as plain values (``bench/checkin_api.py``: "the same row as a Core
select"), and most requests read nothing else of either. So the row is kept
as plain values (:class:`SessionRow`) and the person as :class:`SignedIn`:
its id, language and token are at hand; anything else of the ``User`` (the
email, the password hash) loads on first use, in one statement, and is read
and set on that ``User``.

A session row is changed by a statement of its own (``sessions.note_seen``,
the lifetimes in ``sessions.load_session``), or, on the app lock's own pages,
through its ORM entity (``sessions.entity_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_login import UserMixin
from sqlalchemy.orm import Session

from webapp.models import User


class SessionRow:
    """A ``user_sessions`` row as plain values, named as the model's columns."""

    def __init__(self, values: Mapping[str, Any]):
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"<SessionRow id={self.__dict__.get('id')}>"


#: What a :class:`SignedIn` holds itself; every other name is the ``User``'s.
_OWN = frozenset({"id", "session_token", "session_record", "_db", "_user", "_language"})


class SignedIn(UserMixin):
    """The person a live session belongs to (Flask-Login's ``current_user``).

    ``id``, ``language``, ``session_token`` (Flask-Login's id: the token, never
    the user id) and ``session_record`` (a :class:`SessionRow`) come with the
    session's statement. Any other attribute is the ``User``'s, loaded once
    when first asked for: reading ``email`` or setting ``password_hash`` reads
    or changes the ``User`` in the database session, as before."""

    def __init__(self, db: Session, user_id: int, language: str | None, token: str, record: SessionRow):
        own = self.__dict__
        own["_db"], own["_user"], own["_language"] = db, None, language
        own["id"], own["session_token"], own["session_record"] = user_id, token, record

    def get_id(self) -> str:
        return self.session_token

    @property
    def user(self) -> User:
        """The ``User`` entity (loaded on first use, then kept)."""
        loaded = self.__dict__["_user"]
        if loaded is None:
            loaded = self._db.get(User, self.id)
            if loaded is None:
                raise LookupError("the signed-in person's account is gone")
            loaded.session_token, loaded.session_record = self.session_token, self.session_record
            self.__dict__["_user"] = loaded
        return loaded

    @property
    def language(self) -> str | None:
        loaded = self.__dict__["_user"]
        return self.__dict__["_language"] if loaded is None else loaded.language

    @language.setter
    def language(self, value: str | None) -> None:
        self.user.language = value
        self.__dict__["_language"] = value

    def __getattr__(self, name: str) -> Any:
        # Only names found nowhere else reach here: the User's columns and methods.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.user, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN or name == "language":
            object.__setattr__(self, name, value)
        else:
            setattr(self.user, name, value)

    def __repr__(self) -> str:
        return f"<SignedIn id={self.id}>"
