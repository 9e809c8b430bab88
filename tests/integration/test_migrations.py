"""Migrations: empty → head works, and the models match them exactly."""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from webapp.extensions import make_engine
from webapp.models import Base
from webapp.services import migrations


@pytest.fixture
def empty_engine(tmp_path):
    """An empty database of the kind under test (its own schema on PostgreSQL)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"steady_mig_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    engine = make_engine(f"{base}{separator}options={quote(f'-csearch_path={schema}')}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_from_empty_to_head(empty_engine):
    assert migrations.current_revision(empty_engine) is None
    migrations.upgrade(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.head_revision(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables


def test_models_match_migrations(empty_engine):
    migrations.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; run an autogenerate: {diff}"


def test_upgrade_twice_is_harmless(empty_engine):
    migrations.upgrade(empty_engine)
    migrations.upgrade(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.head_revision(empty_engine)
