"""Shared fixtures: an app on a migrated database (SQLite, or PostgreSQL when
``TEST_DATABASE_URL`` is set), a client, and helpers to sign people in."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
from urllib.parse import quote

import pytest
from sqlalchemy import event, text

from webapp import create_app
from webapp.extensions import db, make_engine
from webapp.models import Base
from webapp.services import migrations

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database for this test run.

    On PostgreSQL each run gets a schema of its own (created here, dropped at
    the end), so runs never collide.
    """
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "steady-test.db")
        migrations.upgrade(make_engine(url))
        yield url
        return
    schema = f"steady_test_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    migrations.upgrade(make_engine(url))
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on the test database; empties every table afterwards."""
    built = []

    def factory(**overrides):
        config = {
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": False,
            "TESTING": True,
        }
        config.update(overrides)
        app = create_app(config, environ={}, instance_path=str(tmp_path / "instance"))
        built.append(app)
        return app

    yield factory
    if built:
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|content="([^"]+)" *name="csrf-token"|name="csrf-token" content="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return next(group for group in match.groups() if group)


class Auth:
    """Drives the real forms, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def register(self, email: str = "sam@example.com", password: str = PASSWORD):
        return self.client.post(
            "/register", data={"email": email, "password": password, "csrf_token": self.token("/register")}
        )

    def login(self, email: str = "sam@example.com", password: str = PASSWORD, remember: bool = False, **kw):
        data = {"email": email, "password": password, "csrf_token": self.token("/login")}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data, **kw)

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.token("/account/")})

    def signed_in(self) -> bool:
        return self.client.get("/account/").status_code == 200


@pytest.fixture
def auth(client):
    return Auth(client)


class Api:
    """Calls to the JSON API from one client, each with a fresh CSRF token:
    ``api("POST", "/api/checkins", json=body)`` or ``api("POST", path, body)``.
    ``api.on(other_client)`` calls as someone else."""

    def __init__(self, client):
        self.client = client

    def __call__(self, method: str, path: str, body=None, **kw):
        token = self.client.get("/api/session").get_json()["csrf_token"]
        if body is not None:
            kw["json"] = body
        headers = {"X-CSRFToken": token, **kw.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kw)

    def on(self, client) -> Api:
        return Api(client)


@pytest.fixture
def api(client, auth) -> Api:
    """Sam, registered and signed in, calling the JSON API (see :class:`Api`)."""
    auth.register()
    return Api(client)


@pytest.fixture
def user(auth):
    """A registered account, signed out again so tests start from the door."""
    auth.register()
    auth.logout()
    return {"email": "sam@example.com", "password": PASSWORD}


def dbapi_autocommit(dbapi_connection) -> bool:
    """Whether the driver's connection commits each statement on its own."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.isolation_level is None
    return bool(dbapi_connection.autocommit)  # psycopg


@pytest.fixture
def sent(app):
    """Every statement sent while the test runs: (first word, autocommit?)."""
    seen: list[tuple[str, bool]] = []

    def note(conn, cursor, statement, *_args):
        seen.append((statement.split()[0].lower(), dbapi_autocommit(cursor.connection)))

    engine = app.extensions["steady.db"].engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)
