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


def populate_every_model(user_id: int, other_id: int) -> dict[str, dict]:
    """One row in every table the person owns, every column filled. Returns
    what was put in, as ``{table: {attribute: value}}``."""
    models = {mapper.local_table.name: mapper.class_ for mapper in Base.registry.mappers}
    made: dict[str, object] = {}
    put: dict[str, dict] = {}
    for table in Base.metadata.sorted_tables:
        if "user_id" not in table.c or table.name not in models:
            continue
        model = models[table.name]
        obj = model()
        obj.user_id = user_id
        values: dict = {}
        secret = encrypted_attributes(model)
        for column in table.columns:
            if column.key == "user_id" or (
                column.primary_key and len(table.primary_key.columns) == 1 and isinstance(column.type, Integer)
            ):
                continue  # the owner, and an id the database gives
            target = next(iter(column.foreign_keys), None)
            if target is not None:
                referenced = target.column.table.name
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
        made[table.name] = obj
        put[table.name] = values
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
    (``sender_id`` as ``sender``), never as their internal id."""
    model = next((m for m in export.owned_models() if m.__tablename__ == table), None)
    others = export.other_people(model) if model is not None else {}
    return {others.get(key, key): "Robin" if key in others else value for key, value in values.items()}


def test_every_table_and_every_column_is_filled(app, everything):
    """The builder above really reaches every owned table and column."""
    _, put = everything
    owned = {m.__tablename__ for m in export.owned_models()}
    assert owned <= set(put)
    for model in export.owned_models():
        table = model.__table__
        secret = encrypted_attributes(model)
        for column in table.columns:
            if column.key == "user_id" or (column.primary_key and len(table.primary_key.columns) == 1):
                continue
            exported_as = secret.get(column.key) or export.other_people(model).get(column.key) or column.key
            assert exported_as in put[table.name], f"{table.name}.{column.key} was not filled"


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
        for key, value in values.items():
            if key in export.LEFT_OUT:
                assert key not in row, f"{table}.{key} is a secret but was exported"
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
        wanted = {k: export._cell(export._plain(v)) for k, v in values.items() if k not in export.LEFT_OUT}
        assert any(all(row[k] == cell for k, cell in wanted.items()) for row in rows), (table, wanted, rows)
