"""Everything a person keeps in Steady, as plain data (SECURITY.md 18).

Walks every model with a ``user_id`` column, so a feature added later is
exported without anyone remembering to add it here. Rows that are the
person's without being under their ``user_id`` (a push attempt hangs off
their reminder's delivery; a note they sent is kept for whoever received
it; a supporter's own choice sits on the person's circle link) are declared
in ``OWNED_THROUGH``; any other way a table reaches a
person is declared in ``NOT_THEIRS``, with why, and a test fails on one
that is neither (``undeclared_links``). Encrypted text comes out decrypted
(it is the person's own); secrets that are not the person's data —
password and session hashes, push keys, the check-in body hash, raw
ciphertext — are left out. Another person named in a row (a supporter, the
sender of a note, the recipient of one they sent) comes out by the first
name the circle knows them by, never by Steady's internal id for them.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Base, CircleLink, CircleMessage, CircleProfile, Encrypted, PushAttempt, User
from webapp.services.content import N_

#: Columns that are not the person's data: secrets and keys (a push endpoint is a
#: capability URL; the app lock's hashes stand for a device's secrets), and the
#: owner id; ``*_enc`` columns come out decrypted instead.
LEFT_OUT = {
    "password_hash",
    "token_hash",
    "body_hash",
    "endpoint",
    "p256dh",
    "auth",
    "lock_verifier",
    "lock_open_hash",
    "user_id",
}


def _plain(value):
    """A column's value as JSON can hold it: dates and times (a support
    group's meeting time included) as ISO text, exact amounts as text."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):  # amounts are exact: kept as text, never as a float
        return format(value.normalize(), "f")
    if isinstance(value, bytes):
        return value.hex()
    return value


def _json_default(value):
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"{type(value).__name__} cannot be exported as JSON")
    return plain


def owned_models() -> list[type]:
    """Every mapped class with a ``user_id`` column, by table name."""
    models = [m.class_ for m in Base.registry.mappers if "user_id" in m.local_table.c]
    return sorted(models, key=lambda cls: cls.__tablename__)


@dataclass(frozen=True)
class Through:
    """The rows of ``model`` whose ``via`` column leads to the person: their
    own id, or a row of a table under their ``user_id``. Exported as
    ``table``. A ``via`` naming the person is left out (it is them); the
    row's ``user_id``, when it is someone else's, comes out as ``owner_as``,
    that person's first name."""

    table: str
    model: type
    via: str = "user_id"
    owner_as: str | None = None
    #: When given, only these columns (besides the owner named): the row is
    #: someone else's, and only these values in it are the person's.
    only: tuple[str, ...] = ()


#: Rows that are the person's though not under their ``user_id``.
OWNED_THROUGH = (
    # Which of their devices each reminder went to, and what the push service
    # said: tied to the delivery by its id (``reminder_deliveries``).
    Through("push_attempts", PushAttempt, "delivery_id"),
    # Their own words to someone in their circle, kept for the recipient
    # (whose export has them as received, with the sender named).
    Through("circle_messages_sent", CircleMessage, "sender_id", owner_as="recipient"),
    # A link is the person's circle (in their export, with the supporter
    # named). The supporter's own choice on it (whether a "could use a call"
    # reaches their devices) is theirs: their export has that, and when they
    # joined, with the person named; not what the person chose to share.
    Through(
        "circle_links_supporting",
        CircleLink,
        "supporter_id",
        owner_as="person",
        only=("created_at", "notify_reach_out"),
    ),
)

#: Other ways a table reaches a person, and why the rows are not theirs to
#: export: ``"table.column"`` (a column naming an account) or ``"table"``
#: (a table without ``user_id`` hanging off someone's rows).
NOT_THEIRS: dict[str, str] = {}


def sources() -> dict[str, Through]:
    """What the export holds, by its key: every owned model, then ``OWNED_THROUGH``."""
    found = {m.__tablename__: Through(m.__tablename__, m) for m in owned_models()}
    return found | {item.table: item for item in OWNED_THROUGH}


def undeclared_links() -> list[str]:
    """Ways a table reaches a person that are neither exported nor declared
    not the person's: a column naming an account besides ``user_id``, or a
    table without ``user_id`` with a foreign key to ``users``, to a table
    with ``user_id`` or to one in ``OWNED_THROUGH``."""
    owned = {t.name for t in Base.metadata.tables.values() if "user_id" in t.c}
    through = {(item.model.__tablename__, item.via) for item in OWNED_THROUGH}
    through_tables = {table for table, _ in through}
    reaching = owned | through_tables | {User.__tablename__}
    found = set()
    for table in Base.metadata.sorted_tables:
        if table.name == User.__tablename__ or (table.name in through_tables and table.name not in owned):
            continue
        for column in table.columns:
            if table.name in owned:
                if _names_account(column) and column.key != "user_id" and (table.name, column.key) not in through:
                    found.add(f"{table.name}.{column.key}")
            elif {fk.column.table.name for fk in column.foreign_keys} & reaching:
                found.add(table.name)
    return sorted(found - set(NOT_THEIRS))


def _names_account(column) -> bool:
    return any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys)


def other_people(model) -> dict[str, str]:
    """Columns that name another account (a supporter on a link, whoever sent
    a note), each with the key written instead: ``supporter_id`` comes out
    as ``supporter``, the first name the circle knows them by (as the pages
    show them). Another person's internal id is not the person's data, and
    means nothing to them."""
    return {
        column.key: column.key.removesuffix("_id")
        for column in model.__table__.columns
        if column.key != "user_id" and _names_account(column)
    }


def _fields(item: Through) -> list[tuple[str, str, str]]:
    """``(key, kind, attribute)`` for each value of a row, in the export's
    order; kind is ``value``, ``person`` (an account, as its first name) or
    ``text`` (decrypted)."""
    model = item.model
    names = other_people(model) | ({"user_id": item.owner_as} if item.owner_as else {})
    fields = []
    # Encrypted text comes out decrypted, under its own name; a column that held
    # it in the clear before (reminders' ``title``, ``body``) is left out.
    encrypted = sorted(name for name in dir(model) if isinstance(getattr(model, name, None), Encrypted))
    for column in model.__table__.columns:
        if column.key == item.via and _names_account(column):
            continue  # the person themselves
        if column.key in names:
            fields.append((names[column.key], "person", column.key))
        elif column.key not in LEFT_OUT and not column.key.endswith("_enc") and column.key not in encrypted:
            fields.append((column.key, "value", column.key))
    fields += [(name, "text", name) for name in encrypted]
    if item.only:
        fields = [field for field in fields if field[2] in item.only or field[2] == "user_id"]
    return fields


def _mine(item: Through, user_id: int):
    """The condition for the person's rows of ``item``."""
    column = item.model.__table__.c[item.via]
    (key,) = column.foreign_keys
    target = key.column.table
    if target.name == User.__tablename__:
        return column == user_id
    if "user_id" in target.c:
        return column.in_(select(key.column).where(target.c.user_id == user_id))
    raise ValueError(f"{item.table}: {item.via} leads to neither an account nor a table with user_id")


def collect(session: Session, user_id: int) -> dict:
    """``{"account": {...}, "<table>": [rows...]}`` for one person."""
    user = session.get(User, user_id)
    result: dict = {"account": {"email": user.email, "created_at": _plain(user.created_at)}}
    names: dict[int, str | None] = {}

    def name_of(other_id: int | None) -> str | None:
        if other_id is not None and other_id not in names:
            profile = session.get(CircleProfile, other_id)
            names[other_id] = profile.first_name if profile is not None else None
        return names.get(other_id)

    readers = {"value": _plain, "person": name_of, "text": lambda value: value}
    for table, item in sorted(sources().items()):
        fields = _fields(item)
        rows = session.scalars(
            select(item.model).where(_mine(item, user_id)).order_by(*item.model.__table__.primary_key.columns)
        )
        result[table] = [{key: readers[kind](getattr(obj, name)) for key, kind, name in fields} for obj in rows]
    return result


def to_json(data: dict) -> str:
    return json.dumps(
        {"format": "steady-export-1", **data}, indent=2, ensure_ascii=False, sort_keys=True, default=_json_default
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A spreadsheet must not run what a person typed as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _csv(rows: list[dict], headers: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(row.get(h)) for h in headers])
    return out.getvalue()


def headers_for(table: str) -> list[str]:
    return [key for key, _kind, _name in _fields(sources()[table])]


#: What each file holds, in words for the person (README.txt, in their
#: language). The files' names, the CSV header rows and the JSON keys stay
#: the machine keys: they are the export's format (``steady-export-1``), read
#: back by other apps and by the tests, so they are never translated.
TABLE_TITLES = {
    "account": N_("Your account"),
    "appointments": N_("Appointments"),
    "check_ins": N_("Check-ins"),
    "circle_invites": N_("Invitations to your circle"),
    "circle_links": N_("Your circle"),
    "circle_links_supporting": N_(
        "People you support, and whether your devices are told when they reach out for a call"
    ),
    "circle_messages": N_("Messages in your circle"),
    "circle_messages_sent": N_("Messages you sent to your circle"),
    "circle_profiles": N_("Your circle profile"),
    "circle_reach_outs": N_("Reaching out to your circle"),
    "contact_logs": N_("Times you got in touch with your people"),
    "coping_cards": N_("Coping cards"),
    "dose_logs": N_("Doses taken"),
    "favourite_exercises": N_("Favourite exercises"),
    "help_me": N_("Help me requests"),
    "message_templates": N_("Message templates"),
    "plan_shares": N_("Plan shares"),
    "push_attempts": N_("Each device a reminder was sent to, and what happened"),
    "push_subscriptions": N_("Devices that get notifications"),
    "recent_exercises": N_("Recent exercises"),
    "reminder_deliveries": N_("Reminders sent"),
    "reminder_settings": N_("Reminder settings"),
    "reminders": N_("Reminders"),
    "support_contacts": N_("Your people"),
    "support_groups": N_("Support groups"),
    "support_reviews": N_("Support reviews"),
    "support_settings": N_("Support settings"),
    "synced_deletions": N_("Ids of things you deleted, so that a copy still waiting on a phone is not saved again"),
    "taper_plans": N_("Taper plan"),
    "taper_steps": N_("Taper steps"),
    "thought_records": N_("Thought records"),
    "user_sessions": N_("Signed-in sessions"),
    "wave_plans": N_("Wave plans"),
}


def readme(tables) -> str:
    """README.txt: what each file in the zip holds, in the person's language."""
    lines = [
        _("Your data from Steady"),
        "",
        _(
            "One spreadsheet (CSV) per kind of data. The column names are kept as Steady's own keys, in English, so other apps can read the files."
        ),
        "",
    ]
    for table in tables:
        title = TABLE_TITLES.get(table)
        lines.append(f"{table}.csv: {_(title) if title else table.replace('_', ' ')}")
    return "\n".join(lines) + "\n"


def to_csv_zip(data: dict) -> bytes:
    """A zip with one CSV per kind of data (``account.csv``, ``check_ins.csv``...)
    and README.txt saying what each holds, in the person's language."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(data))
        archive.writestr("account.csv", _csv([data["account"]], ["email", "created_at"]))
        for table, rows in data.items():
            if table == "account":
                continue
            archive.writestr(f"{table}.csv", _csv(rows, headers_for(table)))
    return buffer.getvalue()
