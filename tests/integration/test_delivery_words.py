"""Every note the reminder dispatcher stores, and every problem a reminder's
rule can have, is shown in the reader's language ("Recently sent", form
errors): checked in the pseudo-locale en-XA, where every marked string comes
out accented, and against the strings extraction finds. Only the local fake
push service (127.0.0.1) is sent to."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.integration.test_dispatch import T0, add_person, clock, make_dispatcher  # noqa: F401 - fixtures
from webapp import i18n
from webapp.extensions import db
from webapp.models import PushAttempt, ReminderDelivery
from webapp.reminders.words import DELIVERY_WORDS, RULE_WORDS, delivery_words, rule_words
from webapp.services import delivery_notes, dispatch
from webapp.services.push import PushTarget
from webapp.services.scheduling import RuleProblem, parse_time

ROOT = Path(__file__).resolve().parents[2]
#: Where notes are written: each ``.detail = …`` there must be a note from delivery_notes.
WRITERS = ("webapp/services/dispatch.py", "webapp/reminders/snooze.py")
#: Where rule problems are raised.
RAISERS = ("webapp/services/scheduling.py", "webapp/services/reminder_rules.py")


@pytest.fixture(scope="module")
def marked():
    return {m.id for m in i18n.extract(ROOT) if isinstance(m.id, str)}


@pytest.fixture
def pseudo(app):
    with app.test_request_context("/?lang=en-XA"):
        app.preprocess_request()
        yield


def accented(text: str) -> bool:
    return text.startswith("[") and "·" in text


def _constants(module) -> dict[str, str]:
    return {name: value for name, value in vars(module).items() if name.isupper() and isinstance(value, str)}


def _filled(template: str) -> str:
    return template.replace("%(minutes)s", "60").replace("%(status)s", "403").replace("%(reason)s", "503")


def test_every_note_constant_is_listed_marked_and_shown_translated(pseudo, marked):
    notes = {n: v for n, v in _constants(delivery_notes).items() if v not in delivery_notes.REASONS}
    assert set(notes.values()) == set(DELIVERY_WORDS)
    for name, template in notes.items():
        assert template in marked, f"{name} is not marked for translation"
        assert accented(delivery_words(_filled(template))), name


def test_no_note_is_written_as_literal_words():
    """A ``detail`` written from anything but delivery_notes (a string or an
    f-string) would reach the person in English: none is."""
    for path in WRITERS:
        for node in ast.walk(ast.parse((ROOT / path).read_text("utf-8"))):
            values = []
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "detail":
                        values.append(node.value)
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        values += [
                            v for t, v in zip(target.elts, node.value.elts) if getattr(t, "attr", "") == "detail"
                        ]
            elif isinstance(node, ast.keyword) and node.arg == "detail":
                values.append(node.value)
            for value in values:
                for part in ast.walk(value):
                    literal = isinstance(part, ast.JoinedStr) or (
                        isinstance(part, ast.Constant) and isinstance(part.value, str) and part.value
                    )
                    assert not literal, f"{path}:{part.lineno} writes a note that is not in delivery_notes"


def test_variable_parts_are_kept_and_steadys_own_reasons_translated(pseudo):
    late = delivery_words("Not sent: more than 45 minutes late.")
    assert accented(late) and "45" in late
    crash = delivery_words("Not sent: an error while sending (ValueError).")
    assert accented(crash) and crash.count("[") == 2 and "ValueError" in crash
    told = delivery_words("Not sent: the push service's address is not a public one.")
    assert accented(told) and told.count("[") == 2  # Steady's own reason: translated too
    network = delivery_words("Not sent: HTTPSConnectionPool(host='fcm.googleapis.com'): Read timed out")
    assert accented(network) and "Read timed out" in network  # the network's words, as they are
    assert delivery_words("Will try again: no answer.").count("[") == 2
    assert delivery_words("words nobody marked") == "words nobody marked"
    assert delivery_words(None) == ""


def test_every_outcome_the_dispatcher_stores_is_shown_translated(
    app,
    push_service,
    make_dispatcher,  # noqa: F811
    clock,  # noqa: F811
    monkeypatch,
):
    """Drive each outcome through the fake push service and read back what was stored."""
    _, subs = add_person(
        app, push_service, "sam@example.com", devices=("gone", "config", "busy", "crash", "ok"), clock=clock
    )
    names = {sub.name.rsplit("-", 1)[1]: sub.name for sub in subs}
    push_service.answer(names["gone"], 410)
    push_service.answer(names["config"], 403)
    push_service.answer(names["busy"], 503, times=1000)

    def target(endpoint, *keys):  # one device's push cannot even be prepared
        if endpoint.endswith(names["crash"]):
            raise LookupError("broken subscription")
        return PushTarget(endpoint, *keys)

    monkeypatch.setattr(dispatch, "PushTarget", target)
    dispatcher = make_dispatcher(grace=timedelta(minutes=60))
    clock.now = T0
    dispatcher.run_once()
    db.session.rollback()
    retrying = db.session.scalar(select(PushAttempt.detail).where(PushAttempt.device_name == "busy"))
    clock.now = T0 + timedelta(minutes=61)
    dispatcher.run_once()
    db.session.rollback()
    stored = {
        retrying,
        *db.session.scalars(select(PushAttempt.detail)),
        *db.session.scalars(select(ReminderDelivery.detail)),
    }
    stored.discard("")
    stored.discard(None)
    assert len(stored) >= 5, stored  # unsubscribed, refused (403), will try again, could not be reached, an error
    with app.test_request_context("/?lang=en-XA"):
        app.preprocess_request()
        for detail in stored:
            assert accented(delivery_words(detail)), detail


#: RuleProblem and its kinds (EveryTimeQuiet), by name.
RULE_PROBLEMS = {kind.__name__ for kind in (RuleProblem, *RuleProblem.__subclasses__())}


def _raised_problems(path: str) -> list[str]:
    """Each RuleProblem a module raises, its variable parts filled in."""
    found = []
    for node in ast.walk(ast.parse((ROOT / path).read_text("utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in RULE_PROBLEMS and node.args:
            words = node.args[0]
            if isinstance(words, ast.JoinedStr):
                found.append("".join(v.value if isinstance(v, ast.Constant) else "'x'" for v in words.values))
            else:
                found.append(ast.literal_eval(words))
    return found


def test_every_rule_problem_is_listed_marked_and_shown_translated(pseudo, marked):
    problems = [problem for path in RAISERS for problem in _raised_problems(path)]
    assert len(problems) >= 10
    for problem in problems:
        assert accented(rule_words(problem)), problem
    for words in RULE_WORDS:
        assert words in marked


def test_a_time_that_is_not_one_is_named_in_the_readers_language_with_what_was_typed(pseudo):
    with pytest.raises(RuleProblem) as problem:
        parse_time("half past")
    shown = rule_words(str(problem.value))
    assert accented(shown) and "'half past'" in shown
