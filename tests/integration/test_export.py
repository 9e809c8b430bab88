"""Export (SECURITY.md 18): all and only the person's data, as JSON and as a
zip of CSVs, behind a password entered in the last five minutes, no-store,
as an attachment."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
import zipfile

import pytest

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.models import utcnow
from webapp.services import export


def fill(client, *, note: str, card: str) -> None:
    token = client.get("/api/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    client.post("/cards", data={"text": card, "csrf_token": token})
    client.post("/api/thought-records", json={"client_id": str(uuid.uuid4()), "thought": card}, headers=headers)
    response = client.post(
        "/api/checkins",
        json={
            "client_id": str(uuid.uuid4()),
            "checked_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "overall": 3,
            "anxiety": 8,
            "doses": "not_as_planned",
            "symptoms": {"tremor": 3},
            "note": note,
            "other_symptoms": [{"label": "=cmd|' /C calc'!A0", "severity": 1}],
        },
        headers=headers,
    )
    assert response.status_code == 201
    client.post(
        "/people/new",
        data={"name": f"Friend of {card}", "relationship": "friend", "phone": "+44 7700 900123", "csrf_token": token},
    )
    client.post("/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token})
    client.post("/taper/accept", data={"understood": "y", "csrf_token": token})
    client.post(
        "/taper/setup", data={"medication": f"{card} pills", "form": "liquid", "unit": "mL", "csrf_token": token}
    )
    client.post(
        "/taper/steps/new",
        data={"starts_on": "2026-10-01", "daily_dose": "2.5", "note": f"{note} step", "csrf_token": token},
    )
    dose = client.post(
        "/api/doses",
        json={
            "client_id": str(uuid.uuid4()),
            "taken_at": utcnow().isoformat(),
            "time_zone": "UTC",
            "amount": "1.25",
            "note": f"{note} dose",
        },
        headers=headers,
    )
    assert dose.status_code == 201


@pytest.fixture
def two_people(app, client, auth):
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    fill(other, note="Their private note", card="Their card")
    auth.register()
    fill(client, note="My own note", card="My card")
    return client


def confirm(client, password: str = PASSWORD, next_path: str = "/account/export"):
    page = client.get(f"/account/confirm?next={next_path}").get_data(as_text=True)
    return client.post(f"/account/confirm?next={next_path}", data={"password": password, "csrf_token": csrf_from(page)})


def test_export_needs_the_password_again(two_people):
    client = two_people
    for path in ("/account/export", "/account/export.json", "/account/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/confirm" in response.location
    wrong = confirm(client, "not my password")
    assert wrong.status_code == 401 and "That is not your password." in wrong.get_data(as_text=True)
    assert client.get("/account/export.json").status_code == 302
    right = confirm(client, next_path="/account/export.json")
    assert right.status_code == 302 and right.location.endswith("/account/export.json")
    assert client.get("/account/export.json").status_code == 200
    assert confirm(client, next_path="https://evil.example/").location.endswith("/")


def test_a_fresh_login_lasts_five_minutes(two_people, monkeypatch):
    client = two_people
    confirm(client)
    assert client.get("/account/export").status_code == 200
    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/account/export.json").status_code == 302


def test_json_export_holds_all_and_only_my_data(two_people):
    client = two_people
    confirm(client)
    response = client.get("/account/export.json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    data = json.loads(body)
    assert data["account"]["email"] == "sam@example.com"
    assert [c["note"] for c in data["check_ins"]] == ["My own note"]
    assert data["check_ins"][0]["symptoms"] == {"tremor": 3} and data["check_ins"][0]["overall"] == 3
    assert [c["text"] for c in data["coping_cards"]] == ["My card"]
    assert len(data["thought_records"]) == 1 and len(data["reminders"]) == 1
    assert [p["name"] for p in data["support_contacts"]] == ["Friend of My card"]
    assert [(p["medication"], p["form"], p["unit"]) for p in data["taper_plans"]] == [("My card pills", "liquid", "mL")]
    assert [(s["starts_on"], s["daily_dose"], s["note"]) for s in data["taper_steps"]] == [
        ("2026-10-01", "2.5", "My own note step")
    ]
    assert [(d["amount"], d["note"]) for d in data["dose_logs"]] == [("1.25", "My own note dose")]
    secrets_named = ("password_hash", "token_hash", "body_hash", "lock_verifier", "lock_open_hash", '_enc"')
    for secret in ("Their", "other@example.com", *secrets_named):
        assert secret not in body
    # A round trip: what was exported parses back to the same data.
    assert json.loads(json.dumps(data)) == data
    # Every owned table is in it, so a new feature cannot be left out silently.
    assert {m.__tablename__ for m in export.owned_models()} <= set(data)


def test_csv_export_is_a_zip_of_spreadsheets_with_headers(two_people):
    client = two_people
    confirm(client)
    response = client.get("/account/export.csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"account.csv", "check_ins.csv", "coping_cards.csv", "thought_records.csv"} <= names
    rows = list(csv.DictReader(io.StringIO(archive.read("check_ins.csv").decode())))
    assert len(rows) == 1
    header = next(csv.reader(io.StringIO(archive.read("check_ins.csv").decode())))
    assert {"checked_at", "overall", "anxiety", "sleep_hours", "symptoms", "doses", "note", "other_symptoms"} <= set(
        header
    )
    assert rows[0]["overall"] == "3" and rows[0]["note"] == "My own note"
    assert rows[0]["other_symptoms"].startswith("[")  # JSON text, never a formula
    doses = list(csv.DictReader(io.StringIO(archive.read("dose_logs.csv").decode())))
    assert [(d["amount"], d["note"]) for d in doses] == [("1.25", "My own note dose")]
    steps = list(csv.DictReader(io.StringIO(archive.read("taper_steps.csv").decode())))
    assert {"starts_on", "daily_dose", "dose_times", "note"} <= set(steps[0]) and steps[0]["daily_dose"] == "2.5"
    account = list(csv.DictReader(io.StringIO(archive.read("account.csv").decode())))
    assert account[0]["email"] == "sam@example.com"
    everything = b"".join(archive.read(name) for name in names)
    assert b"Their" not in everything and b"other@example.com" not in everything


def test_formula_text_is_defused_in_csv():
    assert export._cell("=1+1") == "'=1+1"
    assert export._cell("-3") == "-3"
    assert export._cell(True) == "true"


# -- every model, every column ------------------------------------------------
#
# The account below is built from the models themselves: each table with a
# ``user_id`` gets a row, and each column a value chosen by its type (an
# encrypted column gets its text through the model's attribute). A column or
# table added later is filled, exported and checked without touching this.

from datetime import date, datetime, timezone  # noqa: E402
from datetime import time as clock  # noqa: E402
from decimal import Decimal  # noqa: E402

from sqlalchemy import JSON, Boolean, Date, Float, Integer, Numeric, Time, select  # noqa: E402

from webapp.extensions import db  # noqa: E402
from webapp.models import Base, CircleProfile, Encrypted, User  # noqa: E402
from webapp.models.core import UTCDateTime  # noqa: E402


def value_for(table, column):
    """A value for any column, by its type; text names where it came from."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime(2026, 10, 1, 12, 30, tzinfo=timezone.utc)
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):  # SmallInteger and BigInteger too
        return 3
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal("1.25")
    if isinstance(kind, Float):
        return 2.5
    if isinstance(kind, Date):
        return date(2026, 10, 2)
    if isinstance(kind, Time):
        return clock(19, 30)
    if isinstance(kind, JSON):
        return {"from": f"{table.name}.{column.key}", "list": [1, "two"]}
    text = f'{table.name}.{column.key} ünïcode, "quoted", =formula'
    length = getattr(kind, "length", None)
    return text[-length:] if length else text


def encrypted_attributes(model) -> dict[str, str]:
    """``{ciphertext column: plaintext attribute}`` for a model."""
    found = {}
    for name in dir(model):
        attribute = getattr(model, name, None)
        if isinstance(attribute, Encrypted):
            found[attribute.column] = name
    return found


def add_row(model, made: dict, person_id: int, other_id: int, via: str = "user_id") -> dict:
    """A row of ``model`` with every column filled, leading to the person
    through ``via`` (``user_id``, or the column of ``export.OWNED_THROUGH``):
    any other column naming an account names the other person, and one
    pointing at another table points at the row made there. Returns what
    was put in, ``{attribute: value}``, leaving out the person's own id."""
    table = model.__table__
    obj = model()
    values: dict = {}
    secret = encrypted_attributes(model)
    # Accounts and links first: an encrypted value is bound to its row's owner.
    columns = sorted(table.columns, key=lambda column: not column.foreign_keys)
    for column in columns:
        target = next(iter(column.foreign_keys), None)
        if target is None and column.primary_key and len(table.primary_key.columns) == 1:
            if isinstance(column.type, Integer):
                continue  # an id the database gives
        if target is not None:
            referenced = target.column.table.name
            if referenced == "users" and column.key == via:
                setattr(obj, column.key, person_id)
                continue  # the person themselves
            if referenced == "users":
                value = other_id
            elif referenced in made:
                value = getattr(made[referenced], target.column.key)
            else:
                continue  # a table that is not the person's (none today)
        elif column.key in secret:
            value = f"{table.name}.{secret[column.key]}: private words ✓\nline two"
            setattr(obj, secret[column.key], value)
            values[secret[column.key]] = value
            continue
        else:
            value = value_for(table, column)
        setattr(obj, column.key, value)
        values[column.key] = value
    db.session.add(obj)
    db.session.flush()
    made.setdefault(table.name, obj)
    return values


def populate_every_model(user_id: int, other_id: int) -> dict[str, dict]:
    """One row in every table the person owns, every column filled, and one
    for each kind of row that is theirs through another (``OWNED_THROUGH``).
    Returns what was put in, as ``{table: {attribute: value}}``."""
    models = {mapper.local_table.name: mapper.class_ for mapper in Base.registry.mappers}
    made: dict[str, object] = {}
    put: dict[str, dict] = {}
    for table in Base.metadata.sorted_tables:
        if "user_id" in table.c and table.name in models:
            put[table.name] = add_row(models[table.name], made, user_id, other_id)
    for item in export.OWNED_THROUGH:
        put[item.table] = add_row(item.model, made, user_id, other_id, via=item.via)
    db.session.commit()
    return put


@pytest.fixture
def everything(app, client, auth):
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    auth.register()
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
        other_id = db.session.scalar(select(User.id).where(User.email == "other@example.com"))
        put = populate_every_model(user_id, other_id)
        # The other person, as the circle knows them: rows naming them
        # (a supporter, a note's sender) name them so in the export.
        db.session.add(CircleProfile(user_id=other_id, first_name="Robin", notify_messages=True))
        db.session.commit()
    confirm(client)
    return client, {table: as_exported(table, values) for table, values in put.items()}


def as_exported(table: str, values: dict) -> dict:
    """What was put in, as the export writes it: a column naming another
    account comes out as that person's first name, under its own key
    (``sender_id`` as ``sender``, a sent note's ``user_id`` as
    ``recipient``), never as their internal id."""
    return {names_of(table).get(key, key): "Robin" if key in names_of(table) else v for key, v in values.items()}


def names_of(table: str) -> dict[str, str]:
    """The export's key for each column naming another account."""
    item = export.sources()[table]
    return export.other_people(item.model) | ({"user_id": item.owner_as} if item.owner_as else {})


def withheld(table: str) -> set[str]:
    """Columns of a row that is someone else's, of which only some values are
    the person's (``Through.only``): never in the person's export."""
    item = export.sources()[table]
    if not item.only:
        return set()
    return {column.key for column in item.model.__table__.columns} - set(item.only) - {"user_id", item.via}


def test_every_table_and_every_column_is_filled(app, everything):
    """The builder above really reaches every exported table and column."""
    _, put = everything
    assert set(export.sources()) <= set(put)
    for name, item in export.sources().items():
        table = item.model.__table__
        secret = encrypted_attributes(item.model)
        for column in table.columns:
            names_someone = any(fk.column.table.name == "users" for fk in column.foreign_keys)
            if (column.key == item.via and names_someone) or (
                column.primary_key and len(table.primary_key.columns) == 1
            ):
                continue  # the person themselves, or an id the database gives
            exported_as = secret.get(column.key) or names_of(name).get(column.key) or column.key
            assert exported_as in put[name], f"{name}.{column.key} was not filled"


def test_json_export_of_every_model_and_field_round_trips(everything):
    client, put = everything
    response = client.get("/account/export.json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = json.loads(response.get_data(as_text=True))
    for table, values in put.items():
        rows = [
            row for row in data[table] if all(row.get(k) == export._plain(v) for k, v in values.items() if k in row)
        ]
        assert rows, f"{table}: what was stored is not in the export: {data[table]!r:.300}"
        row = rows[-1]
        assert set(row) == set(export.headers_for(table)), table
        for key, value in values.items():
            if key in export.LEFT_OUT or key in withheld(table):
                assert key not in row, f"{table}.{key} is a secret or not theirs but was exported"
                continue
            assert key in row, f"{table}.{key} is missing from the export"
            assert row[key] == export._plain(value), (table, key, row[key], value)
    assert "_enc" not in "".join(k for rows in data.values() if isinstance(rows, list) for row in rows for k in row)


def test_csv_export_of_every_model_and_field_parses(everything):
    client, put = everything
    response = client.get("/account/export.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    for table, values in put.items():
        text = archive.read(f"{table}.csv").decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows, f"{table}.csv has no rows"
        assert list(rows[0]) == export.headers_for(table)
        assert not withheld(table) & set(rows[0]), table
        wanted = {
            k: export._cell(export._plain(v))
            for k, v in values.items()
            if k not in export.LEFT_OUT and k not in withheld(table)
        }
        assert any(all(row[k] == cell for k, cell in wanted.items()) for row in rows), (table, wanted, rows)


# -- rows that are the person's without their user_id ---------------------------
#
# A push attempt hangs off the person's reminder delivery, and a note they
# send is kept under the recipient's id: both are the person's, exported to
# them; the recipient is named by first name, and the recipient's own export
# gains nothing of the sender's.

from tests.integration.test_circle import accept, make_invite, post  # noqa: E402
from webapp.models import CircleLink, PushAttempt, PushSubscription, Reminder, ReminderDelivery  # noqa: E402

ENDPOINT = "http://127.0.0.1:9/push/capability-url-of-"
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def reminded(app, client, email: str, device_name: str) -> None:
    """A device of the person's, a reminder, and its push to the device
    (the rows the dispatcher writes when it sends)."""
    token = client.get("/api/session").get_json()["csrf_token"]
    subscription = {"endpoint": ENDPOINT + email, "keys": {"p256dh": P256DH, "auth": AUTH}}
    response = client.post(
        "/api/push/subscriptions",
        json={"subscription": subscription, "device_name": device_name},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.get_json()
    client.post("/reminders", data={"kind": "checkin", "time1": "20:00", "weekdays": ["0"], "csrf_token": token})
    with app.app_context():
        owner = db.session.scalar(select(User.id).where(User.email == email))
        device = db.session.scalar(select(PushSubscription).where(PushSubscription.user_id == owner))
        reminder = db.session.scalar(select(Reminder).where(Reminder.user_id == owner))
        at = datetime(2026, 10, 5, 20, 0, tzinfo=timezone.utc)
        delivery = ReminderDelivery(reminder_id=reminder.id, user_id=owner, slot_key="2026-10-05T20:00")
        delivery.slot_at, delivery.status = at, "sent"
        db.session.add(delivery)
        db.session.flush()
        db.session.add(
            PushAttempt(
                delivery_id=delivery.id,
                subscription_id=device.id,
                device_name=device.device_name,
                status="sent",
                status_code=201,
                tries=1,
            )
        )
        db.session.commit()


def link_of(person: str, supporter: str) -> int:
    users = dict(db.session.execute(select(User.email, User.id)).all())
    found = db.session.scalar(
        select(CircleLink.id).where(CircleLink.user_id == users[person], CircleLink.supporter_id == users[supporter])
    )
    db.session.rollback()
    return found


def collected(app, email: str) -> dict:
    with app.app_context():
        data = export.collect(db.session, db.session.scalar(select(User.id).where(User.email == email)))
        db.session.rollback()
    return data


@pytest.fixture
def push_app(make_app):
    return make_app(PUSH_ALLOW_LOOPBACK_HTTP=True)


@pytest.fixture
def sender(push_app):
    """Sam (reminded on "Sam's phone") thanks Alex, who supports Sam and
    sends encouragement back. Robin, unrelated to Sam, is reminded too and
    thanks Alex, who supports Robin as well."""
    sam, alex, robin = push_app.test_client(), push_app.test_client(), push_app.test_client()
    for client, email in ((sam, "sam@example.com"), (alex, "alex@example.com"), (robin, "robin@example.com")):
        Auth(client).register(email=email)
    accept(alex, make_invite(sam, name="Sam"), name="Alex")
    accept(alex, make_invite(robin, name="Robin"), name="Alex")
    reminded(push_app, sam, "sam@example.com", "Sam's phone")
    reminded(push_app, robin, "robin@example.com", "Robin's tablet")
    alex_before = collected(push_app, "alex@example.com")
    sam_link = link_of("sam@example.com", "alex@example.com")
    robin_link = link_of("robin@example.com", "alex@example.com")
    thanked = post(sam, f"/circle/links/{sam_link}/thanks", {f"t{sam_link}-message": "Sam's own thanks"})
    assert thanked.status_code == 302
    thanked = post(robin, f"/circle/links/{robin_link}/thanks", {f"t{robin_link}-message": "Robin's words"})
    assert thanked.status_code == 302
    encouraged = post(alex, f"/circle/supporting/{sam_link}/encourage", {f"l{sam_link}-message": "Alex cheers Sam"})
    assert encouraged.status_code == 302
    return sam, alex_before


def no_secret_in(text: str) -> None:
    for secret in (ENDPOINT, "capability-url", P256DH, AUTH, '"endpoint"', '"p256dh"', '"auth"', "user_id"):
        assert secret not in text, secret


def test_the_json_export_holds_the_persons_push_attempts_and_the_notes_they_sent(push_app, sender):
    sam, _ = sender
    confirm(sam)
    body = sam.get("/account/export.json").get_data(as_text=True)
    data = json.loads(body)
    # The push of Sam's reminder to Sam's phone, tied to its delivery by id.
    (attempt,) = data["push_attempts"]
    (delivery,) = data["reminder_deliveries"]
    assert attempt["delivery_id"] == delivery["id"] and delivery["reminder_id"] == data["reminders"][0]["id"]
    assert attempt["device_name"] == "Sam's phone" and attempt["subscription_id"] == data["push_subscriptions"][0]["id"]
    assert (attempt["status"], attempt["status_code"], attempt["tries"]) == ("sent", 201, 1)
    # What Sam sent, to whom by first name only; what Sam received, as before.
    (sent,) = data["circle_messages_sent"]
    assert set(sent) == {"id", "recipient", "kind", "created_at", "text"}
    assert (sent["recipient"], sent["kind"], sent["text"]) == ("Alex", "thanks", "Sam's own thanks")
    assert [(m["sender"], m["text"]) for m in data["circle_messages"]] == [("Alex", "Alex cheers Sam")]
    # No push secret, no account's internal id, nothing of Robin's or of Alex's account.
    no_secret_in(body)
    for other in ("Robin", "alex@example.com"):
        assert other not in body, other


def test_the_csv_export_holds_them_too(push_app, sender):
    sam, _ = sender
    confirm(sam)
    archive = zipfile.ZipFile(io.BytesIO(sam.get("/account/export.csv").data))
    attempts = list(csv.DictReader(io.StringIO(archive.read("push_attempts.csv").decode())))
    assert [(a["device_name"], a["status"], a["status_code"]) for a in attempts] == [("Sam's phone", "sent", "201")]
    (delivery,) = csv.DictReader(io.StringIO(archive.read("reminder_deliveries.csv").decode()))
    assert attempts[0]["delivery_id"] == delivery["id"]
    sent = list(csv.DictReader(io.StringIO(archive.read("circle_messages_sent.csv").decode())))
    assert [(m["recipient"], m["kind"], m["text"]) for m in sent] == [("Alex", "thanks", "Sam's own thanks")]
    readme = archive.read("README.txt").decode()
    assert "push_attempts.csv: " in readme and "circle_messages_sent.csv: " in readme
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    no_secret_in(everything)
    assert "Robin" not in everything and "alex@example.com" not in everything


def test_the_recipients_export_gains_nothing_of_the_senders(push_app, sender):
    _, before = sender
    after = collected(push_app, "alex@example.com")
    # The two thank-yous are Alex's, received (as before this change); the
    # encouragement Alex sent is Alex's own. Nothing else of Sam's or Robin's.
    received = [(m["sender"], m["text"]) for m in after["circle_messages"]]
    assert sorted(received) == [("Robin", "Robin's words"), ("Sam", "Sam's own thanks")]
    assert [(m["recipient"], m["text"]) for m in after["circle_messages_sent"]] == [("Sam", "Alex cheers Sam")]
    assert after["push_attempts"] == []
    # Everything else is as it was (a session's last-seen time may move on).
    unchanged = set(after) - {"circle_messages", "circle_messages_sent", "user_sessions"}
    assert {table: after[table] for table in unchanged} == {table: before[table] for table in unchanged}
    assert [s["id"] for s in after["user_sessions"]] == [s["id"] for s in before["user_sessions"]]
    text = json.dumps(after)
    for other in ("Sam's phone", "Robin's tablet", "sam@example.com", "robin@example.com"):
        assert other not in text, other
    no_secret_in(text)


def test_every_way_a_table_reaches_a_person_is_exported_or_said_not_to_be_theirs(monkeypatch):
    """A table added later that hangs off a person's rows without a
    ``user_id``, or a column naming a second account, fails here until it
    is exported (``OWNED_THROUGH``) or declared not the person's
    (``NOT_THEIRS``, with why)."""
    assert export.undeclared_links() == []
    # The check sees each of today's: take a declaration away and it is named.
    monkeypatch.setattr(export, "OWNED_THROUGH", ())
    assert export.undeclared_links() == ["circle_links.supporter_id", "circle_messages.sender_id", "push_attempts"]
    monkeypatch.undo()
    # A declaration that a way is not the person's stands in for exporting it.
    monkeypatch.setattr(export, "OWNED_THROUGH", export.OWNED_THROUGH[:-1])
    monkeypatch.setattr(export, "NOT_THEIRS", {"circle_links.supporter_id": "why"})
    assert export.undeclared_links() == []
    monkeypatch.undo()
    # Every declaration names a real table or column, and none hides an owned table.
    tables = Base.metadata.tables
    for name in export.NOT_THEIRS:
        table, _, column = name.partition(".")
        assert table in tables and (not column or column in tables[table].c), name
    owned = {m.__tablename__ for m in export.owned_models()}
    assert not owned & {item.table for item in export.OWNED_THROUGH}


def test_a_supporters_export_holds_their_own_choice_on_each_link_and_nothing_the_person_chose(push_app):
    """Whether a "could use a call" reaches the supporter's devices is the
    supporter's choice, kept on the person's circle link: the supporter's
    export has it for each person they support (named by first name), and
    when they joined; never what the person chose to share with them."""
    sam, alex = push_app.test_client(), push_app.test_client()
    Auth(sam).register(email="sam@example.com")
    Auth(alex).register(email="alex@example.com")
    accept(alex, make_invite(sam, name="Sam"), name="Alex")
    link = link_of("sam@example.com", "alex@example.com")
    changed = post(alex, f"/circle/supporting/{link}/settings", {f"l{link}-time": ""})
    assert changed.status_code == 302, changed.get_data(as_text=True)[:500]

    (row,) = collected(push_app, "alex@example.com")["circle_links_supporting"]
    assert set(row) == {"person", "created_at", "notify_reach_out"}
    assert row["person"] == "Sam" and row["notify_reach_out"] is False and row["created_at"]
    assert collected(push_app, "sam@example.com")["circle_links_supporting"] == []
    # The person's own export still has the whole link, what they share included.
    (own,) = collected(push_app, "sam@example.com")["circle_links"]
    assert own["supporter"] == "Alex" and {"share_light", "share_taper", "notify_reach_out"} <= set(own)

    # The CSV zip has it too, under its own file, with its title in README.txt.
    confirm(alex)
    archive = zipfile.ZipFile(io.BytesIO(alex.get("/account/export.csv").data))
    rows = list(csv.DictReader(io.StringIO(archive.read("circle_links_supporting.csv").decode())))
    assert [(r["person"], r["notify_reach_out"]) for r in rows] == [("Sam", "false")]
    assert "circle_links_supporting.csv: People you support" in archive.read("README.txt").decode()
