"""bench/cpu.py: whose CPU time a benchmark counts."""

from __future__ import annotations

import os

from bench import cpu

#: pid -> (name, parent, CPU seconds): a server (10) with two workers (11, 12),
#: one of which started a helper (13); a database (20, 21); and an unrelated process.
PROCESSES = {
    10: ("python", 1, 0.5),
    11: ("python", 10, 2.0),
    12: ("python", 10, 3.0),
    13: ("sh", 12, 0.25),
    20: ("postgres", 1, 1.0),
    21: ("postgres", 20, 4.0),
    30: ("python", 1, 100.0),
}


def test_a_server_counts_itself_and_everything_below_it_only():
    assert cpu.tree_seconds(10, PROCESSES) == 5.75
    assert cpu.tree_seconds(12, PROCESSES) == 3.25
    assert cpu.tree_seconds(99, PROCESSES) == 0.0  # gone: nothing


def test_the_database_counts_every_process_of_its_name():
    assert cpu.named_seconds("postgres", PROCESSES) == 5.0


def test_the_meter_adds_up_what_each_side_spent_per_label():
    readings = iter(
        [
            {"server": 1.0, "client": 0.5},
            {"server": 3.0, "client": 0.75},
            {"server": 3.0, "client": 0.75},
            {"server": 4.0, "client": 1.5},
            {"server": 4.0, "client": 1.5},
            {"server": 3.5, "client": 1.5},  # a process gone: never a negative share
        ]
    )
    meter = cpu.Meter(lambda: next(readings))
    for label in ("a", "b", "a"):
        meter.measure(label, lambda: None)
    assert meter.spent == {"a": {"server": 2.0, "client": 0.25}, "b": {"server": 1.0, "client": 0.75}}


def test_a_reading_of_this_machine_sees_this_process():
    found = cpu.reading({"me": os.getpid()})
    assert found["me"] > 0
    assert found["client"] > 0
    busy, idle = found["machine busy"], found["machine idle"]
    assert busy > 0 and idle >= 0


def test_the_machine_speed_is_the_best_of_its_tries_and_grows_with_the_loop():
    small = cpu.machine_speed(tries=3, additions=20_000)
    large = cpu.machine_speed(tries=3, additions=2_000_000)
    assert 0 < small < large
    words = cpu.speed_words(0.612, 0.654)
    assert "10,000,000 additions took 0.61 s before the run and 0.65 s after it" in words
