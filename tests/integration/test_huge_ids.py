"""An id too large for any id column names nothing: on every route of the
URL map with an ``<int:…>`` part, on every method, it is answered as an id
that names nothing is (a 404), also where one path has rules for several
methods (``PUT`` and ``DELETE /api/checkins/<id>``), where it was a 405."""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest

from webapp import digits_up_to

LARGEST_ID = 2**31 - 1
HUGE = [str(LARGEST_ID + 1), "9999999999", "99999999999999999999999", "1" + "0" * 400]
#: What an address that matches no route is answered (an id in range that names
#: nothing of the person's says it may have been deleted).
NAMES_NOTHING = {"error": "We could not find that page. It may have moved."}


def _int_rules(app):
    """``{path: [rule, ...]}`` for every path with an id in it."""
    by_path = defaultdict(list)
    for rule in app.url_map.iter_rules():
        if any(type(conv).__name__ == "BoundedIntegerConverter" for conv in rule._converters.values()):
            by_path[rule.rule].append(rule)
    return by_path


def _path(rule_text: str, value: str) -> str:
    return re.sub(r"<int:\w+>", value, rule_text)


def _send(client, api, method: str, path: str):
    if path.startswith("/api/"):
        return api(method, path, {} if method in ("POST", "PUT", "PATCH") else None)
    token = client.get("/api/session").get_json()["csrf_token"]
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": token})


def test_some_paths_have_rules_for_several_methods(app):
    shared = [path for path, rules in _int_rules(app).items() if len(rules) > 1]
    assert {"/api/checkins/<int:checkin_id>", "/api/people/contacts/<int:contact_id>"} <= set(shared)


def test_a_huge_id_is_answered_as_a_missing_one_on_every_method_of_every_rule(app, client, api):
    failures = []
    for rule_text, rules in sorted(_int_rules(app).items()):
        methods = sorted({method for rule in rules for method in rule.methods} - {"HEAD", "OPTIONS"})
        for method in methods:
            missing = _send(client, api, method, _path(rule_text, str(LARGEST_ID)))
            for huge in HUGE:
                answer = _send(client, api, method, _path(rule_text, huge))
                if answer.status_code != 404 or missing.status_code != 404:
                    failures.append(
                        f"{method} {rule_text} {huge[:12]}: {answer.status_code} (missing: {missing.status_code})"
                    )
                elif answer.is_json and answer.get_json() not in (missing.get_json(), NAMES_NOTHING):
                    failures.append(f"{method} {rule_text} {huge[:12]}: {answer.get_json()} != {missing.get_json()}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("limit", [0, 1, 9, 10, 99, 100, 127, 2000, 65535, LARGEST_ID])
def test_the_id_pattern_takes_every_number_up_to_the_limit_and_none_above(limit):
    pattern = re.compile(digits_up_to(limit))
    near = range(max(0, limit - 3000), limit + 3000)
    spread = [random.randrange(0, 10 ** (len(str(limit)) + 1)) for _ in range(5000)]
    for number in [*near, *spread, 10**400]:
        assert bool(pattern.fullmatch(str(number))) == (number <= limit), number
    assert pattern.fullmatch("000" + str(limit)) and not pattern.fullmatch("-1") and not pattern.fullmatch("")
