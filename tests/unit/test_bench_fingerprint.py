"""bench/fingerprint.py: its baseline is the previous statement, rewritten
from the current one, reading the same tables and the zone."""

from __future__ import annotations

import re

import pytest

from bench import fingerprint
from webapp.services import data_version


def test_the_baseline_hashes_the_same_tables_in_order_with_md5():
    current = data_version.statement_sql(":me")
    previous = fingerprint.previous_sql(current, data_version.ROWS_HASH)
    assert "hashtextextended" not in previous and "md5(string_agg(r, ',' ORDER BY r))" in previous
    tables = re.compile(r"SELECT '(\w+)'")
    assert tables.findall(previous) == tables.findall(current)
    assert set(tables.findall(current)) == data_version.KEYED_TABLES
    assert previous.endswith(current[current.index(" UNION ALL SELECT '~zone'") :])


def test_a_statement_of_another_shape_is_refused_not_measured():
    with pytest.raises(SystemExit):
        fingerprint.previous_sql("SELECT 1", data_version.ROWS_HASH)
