"""The offline copy asks only for what changed, in a real Chromium with the
real server.

Every page the app opens for someone brings their offline copy up to date
(``GET /api/snapshot``). The copy keeps the server's tags (the whole
answer's ETag, and each part's), and the sync sends them back:

1. Nothing changed: the answer is a bodiless 304, and the copy stays whole
   (only its "brought up to date" time moves).
2. A check-in sent from the page: only the parts it changed come back; the
   others are named unchanged and kept from the copy.
3. A change through a plain form (the wave plan): the next page's sync
   brings that part.
4. A copy changed on this phone (an offline edit, a favourite) matches no
   answer of the server's any more: it keeps no tags, so the next sync asks
   for everything, and a change the server did not take does not stay.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import wait_until
from test_checkins import check_in
from test_people import write_plan
from test_toolkit_accounts import OUTBOX_ALL, PAGE_MODULE, kv_get, unique_email, user_id, wait_kv

from tests.integration.test_snapshot import PARTS as APP_PARTS

PARTS = set(APP_PARTS)  # every part the app's snapshot asks for


def snapshot_answers(page) -> list:
    """Every /api/snapshot answer to this page: what was sent, what came."""
    seen: list = []

    def answered(response):
        if urlsplit(response.url).path != "/api/snapshot":
            return
        sent = response.request.headers
        seen.append(
            {
                "status": response.status,
                "if_none_match": sent.get("if-none-match"),
                "have": parse_qs(urlsplit(response.url).query).get("have", []),
                "etag": response.headers.get("etag"),
                "body": response.json() if response.status == 200 else None,
            }
        )

    page.on("response", answered)
    return seen


def without_time(snapshot: dict) -> dict:
    return {name: value for name, value in snapshot.items() if name != "fetchedAt"}


def signed_in(server, page, accounts) -> tuple[str, str]:
    accounts.register(page, server.url, unique_email("sync"))
    accounts.expect_signed_in(page)
    page.goto(server.url + "/checkin")
    account = user_id(page)
    key = f"user:{account}:snapshot"
    wait_kv(page, key, "(s) => s && s.tags && s.tags.whole")
    page.wait_for_timeout(300)  # the start's sync is over
    return account, key


def wait_answers(page, seen: list, count: int, timeout: float = 15.0) -> None:
    for _ in range(int(timeout * 10)):
        if len(seen) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{len(seen)} snapshot answers, not {count}: {seen}")


def test_an_unchanged_copy_is_a_304_and_a_change_brings_only_its_parts(server, page, accounts):
    account, key = signed_in(server, page, accounts)
    kept = kv_get(page, key)
    assert set(kept["tags"]["parts"]) == PARTS
    seen = snapshot_answers(page)

    # 1. Nothing changed: a 304, sent with the copy's tags; the copy stays whole.
    page.reload()
    wait_answers(page, seen, 1)
    [unchanged] = seen
    assert unchanged["status"] == 304, unchanged
    assert unchanged["if_none_match"] == kept["tags"]["whole"] == unchanged["etag"]
    assert sorted(unchanged["have"]) == sorted(kept["tags"]["parts"].values())
    after = wait_kv(page, key, f"(s) => s.fetchedAt > {kept['fetchedAt']!r}")
    assert without_time(after) == without_time(kept)

    # 2. A check-in: its parts come, the others are kept from the copy.
    seen.clear()
    note = f"Only what changed {secrets.token_hex(3)}"
    check_in(page, overall=7, anxiety=3, note=note)
    wait_until(page, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    wait_kv(page, key, f"(s) => s.tags && (s.checkins || []).some((c) => c.note === {note!r})")
    answer = next(found for found in seen if found["status"] == 200)
    assert answer["if_none_match"] == kept["tags"]["whole"]
    body = answer["body"]
    assert {"/api/checkins", "/api/chart"} <= {path for path, part in body["parts"].items() if part is not None}
    assert {"/api/cards", "/api/people", "/api/plan", "/api/help-me"} <= set(body["unchanged"])
    assert all(body["parts"][path] is None for path in body["unchanged"])
    now = kv_get(page, key)
    assert now["tags"] == {"whole": answer["etag"], "parts": body["etags"], "data": None}  # SQLite: no data tag
    for field in ("cards", "people", "plan", "helpMe", "favourites", "recents", "thought_records"):
        assert now[field] == kept[field], field  # kept from the copy, as it was

    # 3. The wave plan, changed through its plain form: the next page's sync brings it.
    write_plan(page, server.url)
    page.goto(server.url + "/checkin")
    planned = wait_kv(page, key, "(s) => s.plan && s.plan.plan && s.tags")
    assert planned["plan"]["plan"], planned["plan"]
    assert planned["people"] == kept["people"]
    assert page.js_errors == []


#: Change the phone's copy of the person's people as an offline edit does
#: (snapshot.js's writeSnapshot), with no write sent: then sync.
CHANGED_HERE = (
    "async ([userId, name]) => { "
    + PAGE_MODULE
    + """
    const { readSnapshot, writeSnapshot, refreshSnapshot } = await pageModule("snapshot.js");
    const copy = await readSnapshot(userId);
    const contacts = [{ ...(copy.people.contacts[0] || {}), id: -1, name }];
    await writeSnapshot(userId, { ...copy, people: { ...copy.people, contacts } });
    const changed = await readSnapshot(userId);
    await refreshSnapshot(userId);
    return { tagsAfterChange: changed.tags === undefined, names: changed.people.contacts.map((c) => c.name) };
}"""
)


def test_a_copy_changed_on_this_phone_asks_for_everything_and_takes_the_servers(server, page, accounts):
    account, key = signed_in(server, page, accounts)
    kept = kv_get(page, key)
    seen = snapshot_answers(page)
    name = f"Never sent {secrets.token_hex(3)}"

    changed = page.evaluate(CHANGED_HERE, [account, name])
    assert changed == {"tagsAfterChange": True, "names": [name]}
    wait_answers(page, seen, 1)
    [answer] = seen
    # No tags sent: the whole copy comes again, and the server's people replace the change.
    assert answer["status"] == 200 and answer["if_none_match"] is None and answer["have"] == []
    assert answer["body"]["unchanged"] == []
    now = kv_get(page, key)
    assert now["people"] == kept["people"]
    assert name not in str(now)
    assert now["tags"]["whole"] == answer["etag"] == kept["tags"]["whole"]
    assert page.js_errors == []


POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgresql_server(make_server):
    """Steady on PostgreSQL (a schema of its own, dropped after): the only
    database whose pages carry the offline copy's tag."""
    from sqlalchemy import text

    from webapp.extensions import make_engine
    from webapp.services import migrations

    admin = make_engine(POSTGRESQL)
    try:
        with admin.begin() as conn:
            schema = f"steady_e2e_{secrets.token_hex(4)}"
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here: nothing to test against
        admin.dispose()
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({type(error).__name__})")
    url = f"{POSTGRESQL}?options={quote(f'-csearch_path={schema}')}"
    migrations.upgrade(make_engine(url))
    try:
        yield make_server("postgresql", database_url=url)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_page_drawn_from_the_data_the_copy_holds_asks_for_nothing(postgresql_server, page, accounts, new_context):
    """On PostgreSQL a page drawn for the person carries the tag of the data
    their copy is worked out from: opening pages while nothing changed sends
    no sync at all, and the copy's time says it was up to date then; a change made anywhere (another device) changes the next
    page's tag, and that page brings it."""
    server = postgresql_server
    email = unique_email("tagged")
    accounts.register(page, server.url, email)
    accounts.expect_signed_in(page)
    page.goto(server.url + "/checkin")
    account = user_id(page)
    key = f"user:{account}:snapshot"
    kept = wait_kv(page, key, "(s) => s && s.tags && s.tags.data")
    tag = page.locator('meta[name="steady-data"]').get_attribute("content")
    assert kept["tags"]["data"] == tag and len(tag) == 32
    page.wait_for_timeout(300)
    seen = snapshot_answers(page)

    # Nothing changed: page after page, no sync.
    for path in ("/checkin", "/toolkit", "/people", "/checkin"):
        page.goto(server.url + path)
        assert page.locator('meta[name="steady-data"]').get_attribute("content") == tag
    page.wait_for_timeout(1500)
    assert seen == []
    # The copy is the same, and known to be up to date as of the last page: "Last brought up to date" offline.
    confirmed = kv_get(page, key)
    assert without_time(confirmed) == without_time(kept)
    assert confirmed["fetchedAt"] > kept["fetchedAt"]

    # A check-in from another device: this phone's next page brings it.
    other = new_context()
    elsewhere = other.new_page()
    accounts.login(elsewhere, server.url, email)
    elsewhere.goto(server.url + "/checkin")
    note = f"From the other phone {secrets.token_hex(3)}"
    check_in(elsewhere, overall=5, anxiety=5, note=note)
    wait_until(elsewhere, "async () => (await (" + OUTBOX_ALL + ")()).length === 0")
    page.goto(server.url + "/checkin")
    new_tag = page.locator('meta[name="steady-data"]').get_attribute("content")
    assert new_tag != tag
    now = wait_kv(page, key, f"(s) => (s.checkins || []).some((c) => c.note === {note!r})")
    assert now["tags"]["data"] == new_tag
    assert [answer["status"] for answer in seen] == [200]
    assert page.js_errors == []
