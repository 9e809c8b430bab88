"""The connection pool tests a connection before use only after it sat idle,
and replaces one that died meanwhile (PostgreSQL; skipped without it)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from webapp import extensions
from webapp.extensions import make_engine

URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def engine():
    if not URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL")
    engine = make_engine(URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001
        engine.dispose()
        pytest.skip("PostgreSQL is not reachable")
    yield engine
    engine.dispose()


def _count_pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    original = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_in_steady_use_is_not_pinged(engine, monkeypatch):
    pings = _count_pings(engine, monkeypatch)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine, monkeypatch):
    with engine.connect() as conn:
        first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    # The pooled connection's server process goes away while it sits idle.
    admin = make_engine(URL)
    try:
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid}).scalar()
    finally:
        admin.dispose()
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)
    pings = _count_pings(engine, monkeypatch)
    with engine.connect() as conn:  # no error reaches the caller
        second_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    assert pings, "the idle connection was not tested before use"
    assert second_pid != first_pid
