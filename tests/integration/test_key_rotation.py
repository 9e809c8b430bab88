"""Field-key rotation (SECURITY.md 17): values written under an old key still
read, and after ``steady keys rotate`` every value is sealed with the new key —
checked in the raw rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import Auth
from webapp import cli
from webapp.config import generate_field_key
from webapp.extensions import db
from webapp.models import Base, utcnow
from webapp.services.field_crypto import FieldCipher
from webapp.services.keys import RotationError, encrypted_columns, key_usage, reencrypt

EMAIL = "rotating@example.com"
WORDS = {
    "card": "Waves pass; this one will too",
    "person": "Ruth Okonkwo",
    "phone": "+44 7700 900456",
    "person_notes": "Knows about the taper",
    "plan": "Pacing the hallway at night",
    "thought": "Everyone can tell I am shaking",
    "note": "Slept badly after the cut, walked it off",
    "symptom": "Jaw ache",
    "reminder_title": "Diazepam 2 mg at 8",
    "reminder_body": "Half a tablet with water",
}


def fill_account(client) -> None:
    """Real data through the real routes, touching most encrypted columns."""
    auth = Auth(client)
    auth.register(email=EMAIL)
    token = client.get("/api/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    assert client.post("/cards", data={"text": WORDS["card"], "csrf_token": token}).status_code == 302
    assert (
        client.post(
            "/people/new",
            data={
                "name": WORDS["person"],
                "relationship": "friend",
                "phone": WORDS["phone"],
                "notes": WORDS["person_notes"],
                "csrf_token": token,
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/people/groups/new", data={"name": "Tuesday peers", "time_zone": "Europe/London", "csrf_token": token}
        ).status_code
        == 302
    )
    assert (
        client.post("/plan/edit", data={"warning_signs": WORDS["plan"], "version": "", "csrf_token": token}).status_code
        == 302
    )
    assert client.post(
        "/api/thought-records", json={"client_id": str(uuid.uuid4()), "thought": WORDS["thought"]}, headers=headers
    ).status_code in (200, 201)
    reminder = {"kind": "custom", "time1": "08:00", "weekdays": ["0"], "csrf_token": token}
    reminder |= {"title": WORDS["reminder_title"], "body": WORDS["reminder_body"]}
    assert client.post("/reminders", data=reminder).status_code == 302
    for _ in range(3):
        assert (
            client.post(
                "/api/checkins",
                json={
                    "client_id": str(uuid.uuid4()),
                    "checked_at": utcnow().isoformat(),
                    "time_zone": "UTC",
                    "overall": 5,
                    "anxiety": 6,
                    "doses": "as_planned",
                    "note": WORDS["note"],
                    "other_symptoms": [{"label": WORDS["symptom"], "severity": 2}],
                },
                headers=headers,
            ).status_code
            == 201
        )


def stored_values() -> list[tuple[str, str]]:
    """(column, raw stored value) for every non-empty encrypted value, by raw SQL."""
    found = []
    with db.engine.connect() as conn:
        for col in encrypted_columns():
            for (value,) in conn.execute(
                text(f'SELECT "{col.column}" FROM "{col.table.name}" WHERE "{col.column}" IS NOT NULL')
            ):
                found.append((col.label, value))
    return found


def everything_reads(client) -> None:
    """What the person sees after signing in again, on a fresh client."""
    auth = Auth(client)
    assert auth.login(email=EMAIL).status_code == 302
    pages = "".join(
        client.get(p).get_data(as_text=True) for p in ("/cards", "/people", "/plan", "/checkins", "/reminders")
    )
    body = json.dumps(client.get("/api/checkins").get_json()) + json.dumps(
        client.get("/api/thought-records").get_json()
    )
    for word in ("card", "person", "phone", "person_notes", "plan", "reminder_title"):
        assert WORDS[word] in pages, word
    for word in ("thought", "note", "symptom"):
        assert WORDS[word] in body, word


def test_discovery_finds_every_encrypted_column_in_the_schema():
    discovered = {col.label for col in encrypted_columns()}
    in_schema = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.c if c.name.endswith("_enc")}
    assert discovered == in_schema
    assert {"check_ins.note_enc", "support_contacts.phone_enc", "coping_cards.text_enc"} <= discovered
    assert {"reminders.title_enc", "reminders.body_enc"} <= discovered


def test_old_values_read_after_a_new_key_and_are_reencrypted_under_it(make_app):
    old_app = make_app()
    old_spec = old_app.config["FIELD_KEYS"]
    old_kid = old_app.extensions["steady.cipher"].current_kid
    fill_account(old_app.test_client())
    before = stored_values()
    assert len({label for label, _ in before}) >= 10
    assert {"reminders.title_enc", "reminders.body_enc"} <= {label for label, _ in before}
    assert all(value.startswith(old_kid + ".") for _, value in before)
    raw = " ".join(value for _, value in before)
    assert not any(word in raw for word in WORDS.values())
    with db.engine.connect() as conn:
        stamps_before = conn.execute(text("SELECT id, updated_at FROM coping_cards")).all()

    new_key = generate_field_key()
    new_kid = new_key.partition(":")[0]
    # Both keys configured, the new one first: old values still read, new ones use the new key.
    both = make_app(FIELD_KEYS=f"{new_key},{old_spec}")
    everything_reads(both.test_client())
    writer = both.test_client()
    Auth(writer).login(email=EMAIL)
    writer.post("/cards", data={"text": "Written after the new key", "csrf_token": Auth(writer).token("/cards")})
    assert key_usage(db.engine)[new_kid] == 1

    report = reencrypt(db.engine, both.extensions["steady.cipher"], batch_size=2)
    assert report.total == len(before)
    after = stored_values()
    assert len(after) == len(before) + 1
    assert all(value.startswith(new_kid + ".") for _, value in after), after
    assert key_usage(db.engine) == {new_kid: len(after)}
    with db.engine.connect() as conn:
        stamps_after = conn.execute(text("SELECT id, updated_at FROM coping_cards")).all()
    assert set(stamps_before) <= set(stamps_after)  # a rotation is not an edit

    # Proof the old key is no longer needed: an app with only the new key reads it all.
    everything_reads(make_app(FIELD_KEYS=new_key).test_client())
    assert reencrypt(db.engine, both.extensions["steady.cipher"]).total == 0  # idempotent


def test_an_interrupted_rotation_leaves_everything_readable_and_resumes(make_app):
    old_app = make_app()
    fill_account(old_app.test_client())
    total = len(stored_values())
    new_key = generate_field_key()
    cipher = FieldCipher.from_spec(f"{new_key},{old_app.config['FIELD_KEYS']}")

    class PowerCut(Exception):
        pass

    def cut_after_first_batch(label, count):
        raise PowerCut

    with pytest.raises(PowerCut):
        reencrypt(db.engine, cipher, batch_size=2, progress=cut_after_first_batch)
    usage = key_usage(db.engine)
    assert usage[cipher.current_kid] == 2 and sum(usage.values()) == total
    everything_reads(make_app(FIELD_KEYS=f"{new_key},{old_app.config['FIELD_KEYS']}").test_client())

    assert reencrypt(db.engine, cipher, batch_size=2).total == total - 2
    assert key_usage(db.engine) == {cipher.current_kid: total}


def test_a_value_under_a_missing_key_stops_with_a_clear_error(make_app):
    old_app = make_app()
    fill_account(old_app.test_client())
    stranger = FieldCipher.from_spec(generate_field_key())  # knows neither the old key nor the data
    with pytest.raises(RotationError, match="cannot be decrypted with the configured keys"):
        reencrypt(db.engine, stranger)
    assert key_usage(db.engine) == {old_app.extensions["steady.cipher"].current_kid: len(stored_values())}


@pytest.fixture
def embedded_cli(make_app, database_url, monkeypatch):
    """The ``steady`` command pointed at the test database and the app's instance folder."""
    app = make_app()
    monkeypatch.setenv("STEADY_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("STEADY_FIELD_KEYS", raising=False)
    monkeypatch.delenv("STEADY_ENV", raising=False)
    return app


def secrets_keys(app) -> list[str]:
    spec = json.loads((Path(app.instance_path) / "secrets.json").read_text())["STEADY_FIELD_KEYS"]
    return [part.partition(":")[0] for part in spec.split(",")]


def test_steady_keys_rotate_adds_a_key_to_the_instance_and_reencrypts(embedded_cli, make_app, capsys):
    app = embedded_cli
    old_kid = app.extensions["steady.cipher"].current_kid
    fill_account(app.test_client())
    assert cli.main(["keys", "rotate", "--batch-size", "3"]) == 0
    kids = secrets_keys(app)
    assert len(kids) == 2 and kids[1] == old_kid
    assert all(value.startswith(kids[0] + ".") for _, value in stored_values())
    out = capsys.readouterr().out
    assert f"under key {kids[0]}" in out

    # Restarted on the same instance folder (new key current), it reads everything.
    everything_reads(
        make_app(
            FIELD_KEYS=",".join(
                part
                for part in json.loads((Path(app.instance_path) / "secrets.json").read_text())[
                    "STEADY_FIELD_KEYS"
                ].split(",")
            )
        ).test_client()
    )

    assert cli.main(["keys", "status"]) == 0
    assert f"key {kids[0]}: {len(stored_values())} values  (current)" in capsys.readouterr().out
    assert cli.main(["keys", "retire"]) == 0
    assert secrets_keys(app) == [kids[0]]


def test_steady_keys_rotate_after_an_interruption_finishes_instead_of_adding_a_key(embedded_cli, capsys):
    app = embedded_cli
    fill_account(app.test_client())
    path = Path(app.instance_path) / "secrets.json"
    stored = json.loads(path.read_text())
    new_key = generate_field_key()
    stored["STEADY_FIELD_KEYS"] = f"{new_key},{stored['STEADY_FIELD_KEYS']}"
    path.write_text(json.dumps(stored))  # as the first run left it: key added, re-encryption cut short
    cipher = FieldCipher.from_spec(stored["STEADY_FIELD_KEYS"])

    def stop(label, count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reencrypt(db.engine, cipher, batch_size=1, progress=stop)

    assert cli.main(["keys", "rotate"]) == 0
    assert "are not under the current key" in capsys.readouterr().out
    assert len(secrets_keys(app)) == 2  # no third key
    assert key_usage(db.engine) == {cipher.current_kid: len(stored_values())}


def test_with_keys_from_the_environment_rotate_explains_what_to_do(embedded_cli, monkeypatch, capsys):
    app = embedded_cli
    monkeypatch.setenv("STEADY_FIELD_KEYS", app.config["FIELD_KEYS"])
    fill_account(app.test_client())
    before = stored_values()
    assert cli.main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "first in STEADY_FIELD_KEYS" in out
    assert stored_values() == before
    assert len(secrets_keys(app)) == 1

    new_key = generate_field_key()
    monkeypatch.setenv("STEADY_FIELD_KEYS", f"{new_key},{app.config['FIELD_KEYS']}")
    assert cli.main(["keys", "rotate"]) == 0
    assert key_usage(db.engine) == {new_key.partition(":")[0]: len(before)}
    assert len(secrets_keys(app)) == 1  # the environment is the operator's, the file untouched
