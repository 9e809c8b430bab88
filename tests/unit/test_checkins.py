"""Checking a check-in, without Flask: the symptom list, ranges, the
suicide answer kept only by choice, and the replay hash."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from webapp.checkins.checks import CheckInProblems, body_hash, check_checkin
from webapp.services.content import symptoms

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def body(**changes):
    data = {
        "client_id": str(uuid.uuid4()),
        "checked_at": "2026-11-22T08:30:00+01:00",
        "time_zone": "Europe/Paris",
        "overall": 6,
        "anxiety": 3,
        "doses": "as_planned",
    }
    data.update(changes)
    return data


def test_symptom_list_has_the_issues_symptoms_with_ids_and_labels():
    ids = [s.id for s in symptoms()]
    assert len(ids) == len(set(ids)) == 23
    assert {"anxiety", "panic", "insomnia", "tremor", "palpitations", "tinnitus", "low_mood", "muscle"} <= set(ids)
    assert "cravings" not in ids  # retired: not a withdrawal symptom (docs/SAFETY.md)
    assert all(s.label for s in symptoms())


def test_a_minimal_check_in_gets_defaults_and_its_local_date():
    clean = check_checkin(body(checked_at="2026-11-21T23:30:00-05:00", time_zone="America/New_York"), now=NOW)
    assert clean["checked_at"] == datetime(2026, 11, 22, 4, 30, tzinfo=timezone.utc)
    assert str(clean["local_date"]) == "2026-11-21"  # the day it was where the person was
    assert clean["symptoms"] == {} and clean["other_symptoms"] == [] and clean["note"] == ""
    assert clean["sleep_hours"] is None and clean["moved"] is False and clean["suicidal_thoughts"] is False


def test_zero_severities_are_not_stored_and_order_follows_the_list():
    clean = check_checkin(body(symptoms={"tinnitus": 2, "anxiety": 0, "panic": 3}), now=NOW)
    assert list(clean["symptoms"].items()) == [("panic", 3), ("tinnitus", 2)]


def test_suicide_answer_is_dropped_unless_the_person_keeps_it():
    flags = {"suicidal_thoughts": True, "seizure": True}
    dropped = check_checkin(body(red_flags=flags), now=NOW)
    assert dropped["suicidal_thoughts"] is False and dropped["seizure"] is True
    kept = check_checkin(body(red_flags=flags, keep_suicidal_answer=True), now=NOW)
    assert kept["suicidal_thoughts"] is True


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"overall": 11}, "overall"),
        ({"overall": -1}, "overall"),
        ({"overall": "5"}, "overall"),
        ({"overall": True}, "overall"),
        ({"overall": 5.5}, "overall"),
        ({"anxiety": None}, "anxiety"),
        ({"sleep_hours": 25}, "sleep_hours"),
        ({"sleep_hours": "8"}, "sleep_hours"),
        ({"sleep_quality": 5}, "sleep_quality"),
        ({"symptoms": {"panic": 4}}, "symptoms"),
        ({"symptoms": {"werewolf": 1}}, "symptoms"),
        ({"symptoms": ["panic"]}, "symptoms"),
        ({"other_symptoms": [{"label": ""}]}, "other_symptoms"),
        ({"other_symptoms": "jaw ache"}, "other_symptoms"),
        ({"doses": "yes"}, "doses"),
        ({"self_care": {"moved": "yes"}}, "self_care"),
        ({"red_flags": {"flying": True}}, "red_flags"),
        ({"keep_suicidal_answer": "y"}, "keep_suicidal_answer"),
        ({"checked_at": "2031-01-01T00:00:00+00:00"}, "checked_at"),
        ({"checked_at": "2026-11-22T08:30:00"}, "checked_at"),
        ({"checked_at": "yesterday"}, "checked_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"note": "x" * 5001}, "note"),
        ({"note": "bell\x07"}, "note"),
    ],
)
def test_each_problem_is_named_by_its_field(changes, field):
    with pytest.raises(CheckInProblems) as caught:
        check_checkin(body(**changes), now=NOW)
    assert field in caught.value.problems
    assert caught.value.problems[field].endswith(".")


def test_a_check_in_up_to_a_day_ahead_is_accepted_for_clock_drift():
    ahead = (NOW + timedelta(hours=20)).isoformat()
    assert check_checkin(body(checked_at=ahead), now=NOW)["checked_at"] > NOW


def test_the_hash_tells_a_replay_from_a_different_check_in():
    data = body()
    first = body_hash(check_checkin(data, now=NOW), b"k")
    assert body_hash(check_checkin(dict(data), now=NOW), b"k") == first
    assert body_hash(check_checkin({**data, "overall": 7}, now=NOW), b"k") != first
    assert body_hash(check_checkin(data, now=NOW), b"other key") != first
