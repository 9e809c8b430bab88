"""Device-synced resources: one rule for every create that comes through the
outbox (check-ins, doses, thought records, contacts, reach-outs).

Anything made on the phone — online or with no signal — is saved on the
device first and sent by the outbox, which retries until the server answers.
So the same create can arrive more than once, and the server must tell a
replay from a different thing that happens to carry the same id:

* the device makes the id (``client_id``, a UUID) before anything is sent;
* the server keeps a keyed hash (HMAC-SHA256 under the app's secret key) of
  one canonical serialisation of the *checked* body (:func:`canonical`), so
  no readable copy is kept twice;
* the same id with the same body again answers **200** with the stored
  record (the first copy stands, nothing is written);
* the same id with a different body answers **409** and changes nothing;
* two copies racing each other: the database's unique ``(user_id,
  client_id)`` lets one in (``INSERT … ON CONFLICT DO NOTHING``) and the
  other is answered as a replay;
* a replay of something the person deleted since is not saved again: a
  deletion is remembered (:class:`~webapp.models.SyncedDeletion`: the owner,
  the table and the id, nothing it held) and the replay is answered **204**,
  which the outbox counts as sent (:class:`Deleted`).

A new synced feature is a declaration plus its checks::

    GRATITUDE = Synced(
        model=GratitudeNote,                  # has user_id, client_id, body_hash
        conflict="A different note was already saved with this id. "
                 "Nothing was changed; discard this copy and write it again.",
    )

    @bp.post("/api/gratitude")
    @login_required
    def create_note():
        clean = checked(NoteInput, json_body())          # 422 names the field
        note, created = GRATITUDE.save(clean, lambda note, c: setattr(note, "text", c["text"]))
        return jsonify(note_json(note)), 201 if created else 200

Problems with a body are one type everywhere (:class:`Problems`) and are
answered by one :func:`refuse`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import abort, current_app, make_response
from flask_login import current_user
from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql import sqltypes

from webapp.api import json_error
from webapp.bodies import Problems, words
from webapp.extensions import autocommitted, db
from webapp.models import SyncedDeletion
from webapp.ownership import mine, owned
from webapp.services.content import N_

#: What a form says when the id it was saved under was deleted since.
DELETED = N_(
    "You deleted what you saved from this page, so it was not saved again."
    " To keep these answers after all, check them and save them again."
)


class Deleted(Problems):
    """The id was saved once and the person deleted the record since: a copy
    still waiting on a device must not bring it back. :func:`refuse` answers
    it 204 (the outbox counts it as sent); a form shows it as a problem."""

    def __init__(self):
        super().__init__({"client_id": words(DELETED)})


def refuse(problems: Problems | Mapping[str, str], status: int = 422, *, key: str | None = "errors"):
    """Stop the request: ``{"error": <the first message>, "field": <its field>,
    <key>: {field: message, ...}}`` with ``status`` (422, or 409 for a
    different body under a stored id). ``key`` keeps each API's established
    name for the map (``errors``; the people API says ``problems``; ``None``
    for the APIs that answer with the first problem alone)."""
    if isinstance(problems, Deleted):
        abort(make_response("", 204))
    found = problems.problems if isinstance(problems, Problems) else dict(problems)
    field_name, message = next(iter(found.items()))
    json_error(status, message, field=field_name, **({key: found} if key else {}))


def client_id(value: object, message: str) -> str:
    """The device-made id as a canonical UUID string, or ``Problems``."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Problems({"client_id": message}) from None


# --- the one canonical serialisation ----------------------------------------------------


def _plain(value: Any):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(type(value).__name__)


def canonical(clean: Mapping[str, Any]) -> bytes:
    """The checked body as bytes that are the same for the same body: keys
    sorted, no spaces, times and dates in ISO 8601, exact decimals as text."""
    return json.dumps(clean, sort_keys=True, default=_plain, separators=(",", ":"), ensure_ascii=True).encode()


def keyed_hash(clean: Mapping[str, Any], key: bytes, *, added_later: Mapping[str, Any] | None = None) -> str:
    """HMAC-SHA256 of :func:`canonical`. A field in ``added_later`` (a field
    the resource gained after some were stored, with the value every earlier
    one implicitly had) is left out while it holds that value, so a copy that
    waited on a phone from before still replays as itself."""
    if added_later:
        clean = {
            k: v
            for k, v in clean.items()
            if not (k in added_later and v == added_later[k] and type(v) is type(added_later[k]))
        }
    return hmac.new(key, canonical(clean), hashlib.sha256).hexdigest()


def secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


#: (model, database dialect, the columns not returned) -> its INSERT … ON
#: CONFLICT DO NOTHING RETURNING, made once.
_INSERT_ONCE: dict[tuple[type, str, frozenset[str]], Any] = {}

#: mapper -> its columns (:func:`_columns_of`).
_COLUMNS: dict[Any, list[tuple[str, Any, type | None]]] = {}

#: Column types that read back exactly the value sent when it is of the Python
#: type beside them (or None): the database keeps it as it is and no type
#: processes it on the way back. An inserted row need not return them.
#: Anything else (a type of our own, JSON, a date and time, an Enum, a float:
#: a REAL rounds it, SQLite may keep -0.0 as 0) is returned and read back.
_READ_BACK_AS_SENT = (
    (sqltypes.String, str),
    (sqltypes.Integer, int),
    (sqltypes.Boolean, bool),
    (sqltypes.Date, date),
)


def _columns_of(mapper) -> list[tuple[str, Any, type | None]]:
    """(attribute, column, the Python type it reads back as sent) for each
    column of ``mapper``, worked out once."""
    found = _COLUMNS.get(mapper)
    if found is None:
        found = [(prop.key, prop.columns[0], _read_back_as_sent(prop.columns[0])) for prop in mapper.column_attrs]
        _COLUMNS[mapper] = found
    return found


def _read_back_as_sent(column) -> type | None:
    """The Python type whose values (or None) ``column`` reads back as sent, if any."""
    column_type = column.type
    if isinstance(column_type, (sqltypes.Enum, sqltypes.CHAR)):  # CHAR pads what it keeps
        return None
    for sql_type, python_type in _READ_BACK_AS_SENT:
        if isinstance(column_type, sql_type):
            return python_type
    return None


#: Every synced resource, as declared (tests/integration/test_sync.py holds each to the rule).
DECLARED: list[Synced] = []


# --- the declaration --------------------------------------------------------------------


@dataclass(frozen=True)
class Synced:
    """A resource the device creates through the outbox.

    ``model`` has ``user_id``, ``client_id`` and ``body_hash`` columns (and a
    unique constraint on ``user_id, client_id``). ``conflict`` is what the
    person is told when a different body reuses a stored id (marked English,
    told in the request's language). ``legacy``, if
    given, is how digests stored before the one serialisation were made: a
    replay matching it is still a replay."""

    model: type
    conflict: str
    added_later: Mapping[str, Any] = field(default_factory=dict)
    legacy: Callable[[Mapping[str, Any], bytes], str] | None = None

    def __post_init__(self):
        DECLARED.append(self)
        event.listen(self.model, "after_delete", _remember_deletion)

    def deleted(self, device_id: str) -> bool:
        """Whether the person deleted the record saved under this id. An
        insert of such an id is skipped by the table's own trigger
        (migration 0013), so :meth:`save` asks only when nothing was
        inserted and nothing is stored."""
        kind = self.model.__tablename__
        return (
            db.session.scalar(
                select(SyncedDeletion.kind).where(
                    mine(SyncedDeletion), SyncedDeletion.kind == kind, SyncedDeletion.client_id == device_id
                )
            )
            is not None
        )

    def digest(self, clean: Mapping[str, Any]) -> str:
        return keyed_hash(clean, secret(), added_later=self.added_later)

    def find(self, device_id: str):
        model = self.model
        return db.session.scalar(owned(model, model.client_id == device_id))

    def same(self, stored, clean: Mapping[str, Any], digest: str) -> bool:
        """Whether ``stored`` was made from this body. A row kept before its
        resource had a hash (``body_hash`` empty) counts as the same: it was
        saved on the first-copy-stands rule and cannot be compared."""
        if stored.body_hash is None or hmac.compare_digest(stored.body_hash, digest):
            return True
        return self.legacy is not None and hmac.compare_digest(stored.body_hash, self.legacy(clean, secret()))

    def stage(self, clean: Mapping[str, Any], fill: Callable[[Any, Mapping[str, Any]], None], *, compare: bool = True):
        """Add the record to the session unless its id is stored: ``(record,
        created)``. With ``compare``, a stored one made from a different body
        raises ``Problems`` (``client_id``). Nothing is committed."""
        digest = self.digest(clean)
        existing = self.find(clean["client_id"])
        if existing is not None:
            if compare and not self.same(existing, clean, digest):
                raise Problems({"client_id": words(self.conflict)})
            return existing, False
        if self.deleted(clean["client_id"]):
            if compare:
                raise Deleted()
            return None, False
        record = self.model(user_id=current_user.id, client_id=clean["client_id"], body_hash=digest)
        fill(record, clean)
        db.session.add(record)
        return record, True

    def insert_once(self, record):
        """``INSERT … ON CONFLICT (user_id, client_id) DO NOTHING RETURNING``
        every column: ``record`` itself, now persistent in the session and
        holding the stored row's values (so nothing is read again), or
        ``None`` when the id is already stored — one round trip instead of a
        select and then an insert. A copy racing this one waits for it in
        the database and then finds it stored.

        The statement is a Core insert on the model's table, made once per
        model and database with its values passed as parameters; the row it
        returns is put on ``record`` as loaded values, which is what the ORM's
        own insert would do, without its bulk-insert machinery."""
        state = inspect(record)
        mapper = state.mapper
        columns = [(key, column) for key, column, _python_type in _columns_of(mapper)]
        values = {column.key: state.dict[key] for key, column in columns if key in state.dict}
        if state.pending:  # a filler that linked it to a relationship added it: it is inserted here, once
            db.session.expunge(record)
        # What the row would return as it was sent stays as sent; the rest
        # (the id, defaults, what a type changes) is returned.
        as_sent = frozenset(
            key
            for key, column, python_type in _columns_of(mapper)
            if python_type is not None
            and column.key in values
            and (values[column.key] is None or type(values[column.key]) is python_type)
        )
        returned = [(key, column) for key, column in columns if key not in as_sent]
        dialect = db.session.get_bind().dialect.name
        statement = _INSERT_ONCE.get((self.model, dialect, as_sent))
        if statement is None:
            insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
            table = mapper.local_table
            statement = (
                insert(table)
                .on_conflict_do_nothing(index_elements=["user_id", "client_id"])
                .returning(*(column for _key, column in returned))
            )
            _INSERT_ONCE[(self.model, dialect, as_sent)] = statement
        # On the session's connection (its transaction): a Core statement needs
        # none of the ORM's execution steps.
        stored = db.session.connection().execute(statement, values).first()
        if stored is None:
            return None
        # As set_committed_value does for each column, in one step: the
        # values in place, then all of them marked as loaded (no history).
        loaded = state.dict
        for key, column in columns:
            if key in as_sent:
                loaded[key] = values[column.key]
        for (key, _column), value in zip(returned, stored, strict=True):
            loaded[key] = value
        state._commit(loaded, [key for key, _column in columns])
        make_transient_to_detached(record)
        db.session.add(record)  # persistent, as loaded: no further SQL
        return record

    def save(self, clean: Mapping[str, Any], fill: Callable[[Any, Mapping[str, Any]], None]):
        """Store the record once and commit: ``(record, created)``. A replay
        gives back the first; a different body under its id raises
        ``Problems`` (answer 409). ``fill`` writes the checked body onto the
        new record, which already holds its owner, id and hash (it may raise;
        the caller rolls back; when the id is stored, it is answered as a
        replay or a conflict instead). An id whose record the person deleted raises
        :class:`Deleted`, and nothing is written.

        The insert comes first (:meth:`insert_once`); only when the id is
        already stored is the stored row read, to tell a replay from a
        conflict. Anything the filler changed besides the record (a
        contact's last connection, say) is rolled back then: a replay or a
        conflict changes nothing."""
        digest = self.digest(clean)
        for _ in range(2):
            record = self.model(user_id=current_user.id, client_id=clean["client_id"], body_hash=digest)
            try:
                fill(record, clean)
            except Exception:
                # The filler refuses what would be new now (a fourth pin, say),
                # but a replay adds nothing: it is answered as the first time.
                db.session.rollback()
                existing = self.find(clean["client_id"])
                if existing is None:
                    if self.deleted(clean["client_id"]):
                        raise Deleted() from None
                    raise
                if not self.same(existing, clean, digest):
                    raise Problems({"client_id": words(self.conflict)}) from None
                return existing, False
            touched = bool(db.session.new or db.session.dirty or db.session.deleted)
            if touched and autocommitted():
                # Each statement would commit on its own: a replay could not undo them.
                raise RuntimeError("a filler staged other changes on an autocommit request")
            stored = self.insert_once(record)
            if stored is not None:
                if not autocommitted():  # on an autocommit connection the insert has committed itself
                    db.session.commit()
                return stored, True
            if touched:
                db.session.rollback()
            existing = self.find(clean["client_id"])
            if existing is not None:
                if not self.same(existing, clean, digest):
                    raise Problems({"client_id": words(self.conflict)})
                return existing, False
            if self.deleted(clean["client_id"]):  # the table's trigger skipped the insert
                raise Deleted()
            db.session.rollback()  # stored, then deleted before it could be read: try once more
        raise RuntimeError("a synced record was stored and deleted while being saved twice over")


def _remember_deletion(_mapper, connection, target) -> None:
    """After a synced record is deleted: remember its owner, table and id
    (once), in the same transaction as the deletion."""
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    values = {"user_id": target.user_id, "kind": target.__tablename__, "client_id": target.client_id}
    connection.execute(insert(SyncedDeletion.__table__).values(values).on_conflict_do_nothing())
