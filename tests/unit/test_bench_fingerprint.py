"""bench/fingerprint.py: its baseline is the previous statement, rewritten
from the current one, reading the same tables and the zone, only through a
set of ids instead of an array."""

from __future__ import annotations

import re

import pytest

from bench import fingerprint
from webapp.services import data_version


def test_the_baseline_reads_the_same_tables_through_a_set_of_ids():
    current = data_version.statement_sql(":me")
    previous = fingerprint.previous_sql(current)
    assert data_version.LINKED not in previous and "ANY(" not in previous
    assert previous.startswith("WITH linked AS (SELECT CAST(:me AS INTEGER) AS id UNION SELECT supporter_id")
    tables = re.compile(r"SELECT '(\w+)'")
    assert tables.findall(previous) == tables.findall(current)
    assert set(tables.findall(current)) == data_version.KEYED_TABLES
    assert previous.count("IN (SELECT id FROM linked)") == current.count(data_version.LINKED) == 17
    assert previous.endswith(current[current.index(" UNION ALL SELECT '~zone'") :])


def test_a_statement_of_another_shape_is_refused_not_measured():
    with pytest.raises(SystemExit):
        fingerprint.previous_sql("SELECT 1")
