"""An unchanged snapshot answered 304 from the fingerprint of the person's
rows (``services/data_version.py``) without running its parts' views, and
never a stale 304: after every change, on a new day, in another language,
the answer is the one the views give when worked out in full.

The fingerprint needs PostgreSQL (``TEST_DATABASE_URL``); on SQLite there
is none and every snapshot is worked out in full."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.integration.test_snapshot import PARTS as ALL_PARTS
from webapp import words
from webapp.chart import routes as chart_routes
from webapp.core import routes
from webapp.extensions import db
from webapp.models import Base, User, utcnow
from webapp.services import build, data_version, person_time

#: Every part of the offline snapshot: the 304 of each may come from the fingerprint.
PARTS = ALL_PARTS
VARYING = {"Content-Length", "X-Request-ID", "Date"}
SNAPSHOT = "/api/snapshot?" + "&".join(f"part={p}" for p in PARTS)
on_postgresql = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the fingerprint needs PostgreSQL")


def checkin(**changes) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "checked_at": utcnow().isoformat(),
        "time_zone": "UTC",
        "overall": 6,
        "anxiety": 3,
        "doses": "as_planned",
        **changes,
    }


@pytest.fixture
def views_run(app):
    """The endpoints of snapshot parts run, in order (each view wrapped)."""
    ran: list[str] = []
    for endpoint in list(app.view_functions):
        if endpoint.startswith(("core.", "static")):
            continue
        view = app.view_functions[endpoint]

        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            ran.append(_endpoint)
            return _view(*args, **kwargs)

        app.view_functions[endpoint] = counted
    return ran


def fresh_request_session() -> None:
    """End what the test read through the shared session, so the request
    starts with a session of its own, as every request does when served
    (a request inside a transaction keeps nothing it works out: see
    ``data_version.consistent``)."""
    db.session.remove()


def sync(client, tag: str | None = None, path: str = SNAPSHOT, **headers) -> tuple[int, str]:
    fresh_request_session()
    if tag is not None:
        headers["If-None-Match"] = tag
    answer = client.get(path, headers=headers)
    assert answer.status_code in (200, 304), answer.get_data(as_text=True)
    return answer.status_code, answer.headers["ETag"]


def forget(app) -> None:
    """Drop every answer the app keeps: parts, drawings, pages, check-ins."""
    for name in ("snapshot_parts", "charts", "personal_pages", "checkin_rows"):
        app.extensions.pop(f"steady.kept.{name}", None)


def in_full(app, client, tag: str | None, **headers) -> tuple[int, str]:
    """What the snapshot is when nothing is remembered: every view run."""
    forget(app)
    return sync(client, tag, **headers)


def whole(client, **headers) -> dict:
    """The snapshot's answer, every part in it."""
    fresh_request_session()
    answer = client.get(SNAPSHOT, headers=headers)
    assert answer.status_code == 200
    return answer.get_json()


def whole_in_full(app, client, **headers) -> dict:
    forget(app)
    return whole(client, **headers)


def step(app, client, tag: str, **headers) -> str:
    """One sync sending ``tag``; checked against the answer worked out in full."""
    fast = sync(client, tag, **headers)
    assert fast == in_full(app, client, tag, **headers)
    return fast[1]


@on_postgresql
def test_an_unchanged_snapshot_is_304_without_running_a_view(app, client, auth, api, views_run, monkeypatch):
    api("POST", "/api/checkins", checkin())
    status, tag = sync(client)
    assert status == 200
    views_run.clear()
    fast = client.get(SNAPSHOT, headers={"If-None-Match": tag})
    assert fast.status_code == 304 and views_run == []
    # Another worker process, or this one started again, has kept nothing: the
    # tag is worked out from what the answer is made of, so it still runs no view.
    forget(app)
    elsewhere = client.get(SNAPSHOT, headers={"If-None-Match": tag})
    assert elsewhere.status_code == 304 and views_run == []
    assert fast.get_data() == elsewhere.get_data() == b""
    assert {k: v for k, v in fast.headers if k not in VARYING} == {
        k: v for k, v in elsewhere.headers if k not in VARYING
    }
    # A tag that is not the current one still gets the whole answer.
    assert sync(client, '"0123"') == (200, tag)
    # A new build may draw the same rows differently: the device gets every part again.
    monkeypatch.setattr(build, "build_tag", lambda: "another build")
    views_run.clear()
    status, new_tag = sync(client, tag)
    assert status == 200 and new_tag != tag and len(views_run) == len(PARTS)


@on_postgresql
def test_every_change_to_a_part_changes_the_answer(app, client, api):
    token = client.get("/api/session").get_json()["csrf_token"]
    exercise = next(iter(app.extensions["steady.content"].exercises))
    writes = [
        lambda: api("POST", "/api/checkins", checkin()),
        lambda: client.post("/cards", data={"text": "Breathe out longer", "csrf_token": token}),
        lambda: api("POST", "/api/thought-records", {"client_id": str(uuid.uuid4()), "thought": "They will see"}),
        lambda: api(
            "POST", "/api/people/contacts", {"client_id": str(uuid.uuid4()), "name": "Ruth", "relationship": "friend"}
        ),
        lambda: api("PUT", "/api/plan", {"sections": {"warning_signs": "Pacing at night"}, "version": None}),
        lambda: api("PUT", f"/api/toolkit/favourites/{exercise}"),
        lambda: api("POST", "/api/toolkit/recents", {"exercise_id": exercise}),
        lambda: client.post("/taper/accept", data={"understood": "y", "csrf_token": token}),
        lambda: client.post(
            "/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token}
        ),
        lambda: client.post(
            "/taper/steps/new", data={"starts_on": "2026-10-01", "daily_dose": "10", "csrf_token": token}
        ),
        lambda: api("DELETE", f"/api/toolkit/favourites/{exercise}"),
        lambda: api("POST", "/api/checkins", checkin(overall=2, note="A wave")),
    ]
    _, tag = sync(client)
    assert sync(client, tag)[0] == 304  # remembered
    for number, write in enumerate(writes):
        assert write().status_code < 400, number
        status, new_tag = sync(client, tag)
        assert status == 200 and new_tag != tag, f"write {number} kept the old answer"
        assert in_full(app, client, tag) == (200, new_tag)
        tag = new_tag
        assert sync(client, tag)[0] == 304


@on_postgresql
def test_a_new_day_is_a_new_answer(app, client, api, monkeypatch):
    api("POST", "/api/checkins", checkin())
    _, tag = sync(client)
    assert sync(client, tag)[0] == 304
    real = person_time.today_in
    monkeypatch.setattr(person_time, "today_in", lambda zone, now=None: real(zone, now) + timedelta(days=1))
    status, tomorrow = sync(client, tag)
    assert status == 200 and tomorrow != tag  # the chart is drawn up to the new day
    assert in_full(app, client, tag) == (200, tomorrow)


@on_postgresql
def test_another_language_is_not_answered_with_the_first_ones_tag(app, client, api):
    api("POST", "/api/checkins", checkin())
    _, tag = sync(client)
    assert sync(client, tag)[0] == 304
    step(app, client, tag, **{"Accept-Language": "es"})  # whatever it is, it is what the views say
    # The account's own language (a change to the person's users row).
    person = db.session.scalar(select(User))
    person.language = "es"
    db.session.commit()
    assert step(app, client, tag) != tag


@on_postgresql
def test_changes_made_outside_the_orm_are_seen(app, client, api):
    """Any insert, update or delete of a row naming the person, however it
    was made (here plain SQL), changes the fingerprint: every table a kept
    answer reads (``KEYED_TABLES``) is read, and no other."""
    api("POST", "/api/checkins", checkin())
    client.post("/cards", data={"text": "Slow", "csrf_token": client.get("/api/session").get_json()["csrf_token"]})
    me = db.session.scalar(select(User.id))
    statement = str(data_version._statement())
    for table in Base.metadata.sorted_tables:
        if table.name != "users":
            assert (f'"{table.name}"' in statement) == (table.name in data_version.KEYED_TABLES), table.name
    for table in ("check_ins", "coping_cards", "users"):
        column = "id" if table == "users" else "user_id"
        before = data_version.fingerprint(db.session, me)
        db.session.execute(text(f"UPDATE {table} SET {column} = {column} WHERE {column} = :me"), {"me": me})
        db.session.commit()
        assert data_version.fingerprint(db.session, me) != before, table
    before = data_version.fingerprint(db.session, me)
    db.session.execute(text("DELETE FROM coping_cards WHERE user_id = :me"), {"me": me})
    db.session.commit()
    assert data_version.fingerprint(db.session, me) != before
    db.session.commit()
    # Signing in again (a new session row) changes nothing a part shows.
    before = data_version.fingerprint(db.session, me)
    client.get("/api/session")
    assert data_version.fingerprint(db.session, me) == before


@on_postgresql
def test_a_supporter_sees_the_person_they_support_change(app, make_app, client, auth, api):
    api("POST", "/api/checkins", checkin())
    person = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
    helper = app.test_client()
    from tests.conftest import Auth

    Auth(helper).register("alex@example.com")
    supporter = db.session.scalar(select(User.id).where(User.email == "alex@example.com"))
    alone = data_version.fingerprint(db.session, supporter)
    db.session.execute(
        text(
            "INSERT INTO circle_links (user_id, supporter_id, share_light, share_taper, share_help_me,"
            " notify_reach_out, created_at) VALUES (:p, :s, true, true, false, true, now())"
        ),
        {"p": person, "s": supporter},
    )
    db.session.commit()
    linked = data_version.fingerprint(db.session, supporter)
    assert linked != alone
    api("POST", "/api/checkins", checkin(overall=3))
    assert data_version.fingerprint(db.session, supporter) != linked
    # Someone not linked to Sam: Sam's check-ins leave theirs alone.
    stranger = app.test_client()
    Auth(stranger).register("kit@example.com")
    other = db.session.scalar(select(User.id).where(User.email == "kit@example.com"))
    theirs = data_version.fingerprint(db.session, other)
    api("POST", "/api/checkins", checkin(overall=4))
    assert data_version.fingerprint(db.session, other) == theirs


def test_parts_outside_the_checked_list_are_always_worked_out(app, client, api, views_run, monkeypatch):
    # Every part of today's snapshot is on the list: take one off, as a new part would be.
    monkeypatch.setattr(routes, "UNCHANGED_WITHOUT_WORK", routes.UNCHANGED_WITHOUT_WORK - {"helpme.api_help_me"})
    api("POST", "/api/checkins", checkin())
    path = "/api/snapshot?part=/api/cards&part=/api/help-me"
    _, tag = sync(client, path=path)
    views_run.clear()
    assert sync(client, tag, path=path)[0] == 304
    assert views_run == ["cards.api_list", "helpme.api_help_me"] or len(views_run) == 2
    assert not app.extensions.get("steady.kept.snapshot_parts")


def test_without_postgresql_there_is_no_fingerprint(app, api):
    api("POST", "/api/checkins", checkin())
    me = db.session.scalar(select(User.id))
    found = data_version.fingerprint(db.session, me)
    if db.engine.dialect.name == "postgresql":
        assert isinstance(found, str) and len(found) == 32
    else:
        assert found is None


def test_the_list_of_parts_names_real_endpoints(app):
    assert routes.UNCHANGED_WITHOUT_WORK <= set(app.view_functions)


def chart_page(client, **headers) -> str:
    """The drawn part of the page: the chart, its caption and its table."""
    fresh_request_session()
    page = client.get("/chart?range=30", headers=headers).get_data(as_text=True)
    return re.search(r'<figure class="chart-figure">.*?</details>', page, re.S).group(0)


@on_postgresql
def test_the_chart_page_is_drawn_again_only_when_something_it_shows_changed(app, client, api, views_run, monkeypatch):
    """The drawing is kept (``chart._drawings``) and the page is the one drawn
    from scratch, whatever changed: a check-in, a taper step, the day, the
    language."""
    drawn: list[str] = []
    real_draw = chart_routes.draw
    monkeypatch.setattr(chart_routes, "draw", lambda *a, **k: drawn.append(a[0]) or real_draw(*a, **k))

    def fresh(**headers) -> str:
        names = ("steady.kept.charts", "steady.kept.personal_pages")
        kept = {name: app.extensions.pop(name, None) for name in names}
        page = chart_page(client, **headers)
        for name in names:
            if kept[name] is not None:
                app.extensions[name] = kept[name]
        return page

    api("POST", "/api/checkins", checkin(overall=7))
    client.get("/toolkit")  # shows (and so clears) the welcome notice
    first = chart_page(client)
    assert drawn == ["30"] and chart_page(client) == first and drawn == ["30"]  # kept
    token = client.get("/api/session").get_json()["csrf_token"]
    changes = [
        lambda: api("POST", "/api/checkins", checkin(overall=2)),
        lambda: client.post("/taper/accept", data={"understood": "y", "csrf_token": token}),
        lambda: client.post(
            "/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token}
        ),
        lambda: client.post(
            "/taper/steps/new",
            data={
                "starts_on": (utcnow() - timedelta(days=3)).date().isoformat(),
                "daily_dose": "10",
                "csrf_token": token,
            },
        ),
    ]
    page = first
    for number, change in enumerate(changes):
        assert change().status_code < 400, number
        before = len(drawn)
        now = chart_page(client)
        assert len(drawn) == before + 1, f"change {number} was not drawn again"
        assert now == fresh()
        page = now
    assert page != first  # the check-in and the step show
    # Another language, another Accept-Language: drawn for them.
    for headers in ({"Accept-Language": "es"}, {"Accept-Language": "en-US"}):
        assert chart_page(client, **headers) == fresh(**headers)
    # A new day: drawn again, to the new day.
    real_today = person_time.today_in
    monkeypatch.setattr(person_time, "today_in", lambda zone, now=None: real_today(zone, now) + timedelta(days=1))
    before = len(drawn)
    tomorrow = chart_page(client)
    assert len(drawn) == before + 1 and tomorrow == fresh() and tomorrow != page


def test_every_table_the_checked_parts_read_is_fingerprinted(app, client, api, monkeypatch):
    """Driven from the parts list: each view in ``PART_TABLES`` is run, with
    every kind of row in place and the person linked to others both ways,
    and every table its statements name must be one the fingerprint reads
    and one its entry names (or ``ALWAYS``), so a part that starts reading a
    new table fails here."""
    from sqlalchemy import event

    from tests.conftest import Auth

    for name, write in every_write(app, client, api):
        if name != "language":
            assert write().status_code < 400, name
    me = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
    for email, supported in (("alex@example.com", True), ("kit@example.com", False)):
        Auth(app.test_client()).register(email)
        other = db.session.scalar(select(User.id).where(User.email == email))
        db.session.execute(
            text(
                "INSERT INTO circle_links (user_id, supporter_id, share_light, share_taper, share_help_me,"
                " notify_reach_out, created_at) VALUES (:p, :s, true, true, true, true, :now)"
            ),
            {"p": me if supported else other, "s": other if supported else me, "now": utcnow()},
        )
    db.session.commit()
    fingerprinted = {
        table.name
        for table in Base.metadata.sorted_tables
        if f'"{table.name}"' in str(data_version._statement()) or table.name == "users"
    }
    assert "user_sessions" not in fingerprinted and "check_ins" in fingerprinted
    assert data_version.ALWAYS <= fingerprinted
    names = [table.name for table in Base.metadata.sorted_tables]
    read: dict[str, set[str]] = {}
    statements: list[str] = []
    # What the person's time is read from (their zone) is in every key as
    # the time itself (``words.person_time_key``): not a part's own read.
    working_out_time = [False]
    real_person = words._person

    def person_time_only(*args, **kwargs):
        working_out_time[0] = True
        try:
            return real_person(*args, **kwargs)
        finally:
            working_out_time[0] = False

    monkeypatch.setattr(words, "_person", person_time_only)

    def seen(conn, cursor, statement, *args):
        # Nor is the fingerprint's own statement (a part asking for its key),
        # nor the signed-in check, which may carry the fingerprint (security.read_with_session).
        if not working_out_time[0] and not statement.startswith(("WITH linked AS", "SELECT user_sessions.")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
        for endpoint in sorted(routes.PART_TABLES):
            client.get("/api/session")  # the session's own statements, before the part's
            statements.clear()
            assert client.get(rules[endpoint]).status_code == 200, endpoint
            read[endpoint] = {
                name for sql in statements for name in names if re.search(rf'\b(?:FROM|JOIN)\s+"?{name}"?\b', sql)
            }
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert read["checkins.list_checkins"] >= {"check_ins"}  # the capture works
    assert read["chart.api_chart"] >= {"check_ins", "taper_steps"}
    for endpoint, tables in read.items():
        # user_sessions: the signed-in check before every view, not the part.
        assert tables - {"user_sessions"} <= fingerprinted, (endpoint, tables - fingerprinted)
        declared = routes.PART_TABLES[endpoint] | data_version.ALWAYS
        assert tables - {"user_sessions"} <= declared, (endpoint, tables - declared)
        assert routes.PART_TABLES[endpoint] <= fingerprinted, endpoint
    assert routes.PART_TABLES["chart.api_chart"] == chart_routes.TABLES  # the chart page keeps drawings by them


def every_write(app, client, api) -> list:
    """One of each kind of write a snapshot part shows, in an order that
    makes each meaningful (the taper set up before its steps and doses)."""
    token = client.get("/api/session").get_json()["csrf_token"]
    exercise = next(iter(app.extensions["steady.content"].exercises))
    return [
        ("check-in", lambda: api("POST", "/api/checkins", checkin())),
        ("card", lambda: client.post("/cards", data={"text": "Breathe out longer", "csrf_token": token})),
        ("thought", lambda: api("POST", "/api/thought-records", {"client_id": str(uuid.uuid4()), "thought": "Ugh"})),
        (
            "contact",
            lambda: api(
                "POST",
                "/api/people/contacts",
                {"client_id": str(uuid.uuid4()), "name": "Ruth", "relationship": "friend"},
            ),
        ),
        ("plan", lambda: api("PUT", "/api/plan", {"sections": {"warning_signs": "Pacing at night"}, "version": None})),
        ("favourite", lambda: api("PUT", f"/api/toolkit/favourites/{exercise}")),
        ("recent", lambda: api("POST", "/api/toolkit/recents", {"exercise_id": exercise})),
        ("taper accept", lambda: client.post("/taper/accept", data={"understood": "y", "csrf_token": token})),
        (
            "taper setup",
            lambda: client.post(
                "/taper/setup", data={"medication": "Diazepam", "form": "tablet", "unit": "mg", "csrf_token": token}
            ),
        ),
        (
            "taper step",
            lambda: client.post(
                "/taper/steps/new",
                data={
                    "starts_on": (utcnow() - timedelta(days=2)).date().isoformat(),
                    "daily_dose": "10",
                    "csrf_token": token,
                },
            ),
        ),
        (
            "dose",
            lambda: api(
                "POST",
                "/api/doses",
                {
                    "client_id": str(uuid.uuid4()),
                    "taken_at": utcnow().isoformat(),
                    "time_zone": "Europe/London",
                    "amount": "5",
                },
            ),
        ),
        (
            "zone",
            lambda: client.post("/reminders/settings", data={"timezone": "Asia/Kolkata", "csrf_token": token}),
        ),
        ("unfavourite", lambda: api("DELETE", f"/api/toolkit/favourites/{exercise}")),
        ("language", lambda: client.post("/language", data={"language": "es"})),
        ("check-in again", lambda: api("POST", "/api/checkins", checkin(overall=2, note="A wave"))),
    ]


@on_postgresql
def test_after_each_write_only_the_parts_reading_it_run_and_the_answer_is_the_full_one(app, client, api, views_run):
    """Each kind of write, then a sync: every part is what the views give
    worked out from nothing (the whole answer compared), and the views run
    are only those of parts reading a table whose rows changed."""
    me = db.session.scalar(select(User.id))
    whole(client)
    for name, write in every_write(app, client, api):
        before = data_version.fingerprints(db.session, me)
        zone_before = person_time.zone_for(me, db.session).key, person_time.chose_utc(db.session, me)
        assert write().status_code < 400, name
        after = data_version.fingerprints(db.session, me)
        zone_after = person_time.zone_for(me, db.session).key, person_time.chose_utc(db.session, me)
        changed = {table for table in set(before) | set(after) if before.get(table) != after.get(table)}
        views_run.clear()
        kept = whole(client)
        ran = set(views_run)
        assert kept == whole_in_full(app, client), name
        if changed & data_version.ALWAYS or zone_before != zone_after:
            # The person's row, the circle or their time: everything again.
            assert ran == routes.UNCHANGED_WITHOUT_WORK, name
        else:
            assert ran == {e for e, tables in routes.PART_TABLES.items() if tables & changed}, (name, changed)
        # Each write changes something a part shows: its rows, or the
        # person's time (a zone chosen is read from reminder_settings,
        # which is in every key as the time itself, not fingerprinted).
        assert changed or zone_before != zone_after, name
    # A check-in, the commonest write, runs only the parts that show check-ins
    # (its zone is the one the person already had: their time is unchanged).
    api("POST", "/api/checkins", checkin())
    views_run.clear()
    kept = whole(client)
    assert set(views_run) == {"checkins.list_checkins", "chart.api_chart"}
    assert kept == whole_in_full(app, client)


@on_postgresql
def test_another_worker_answers_from_the_tags_alone(app, make_app, client, api, views_run):
    """Each part's tag is worked out from what the part is made of, not kept
    by the process that sent it: another worker process (another app on the
    same database, having kept nothing) answers the device's tags with a 304
    without running a view, and after a check-in runs only the parts that
    show check-ins, the others named unchanged."""
    other = make_app()  # made first: apps made in one process share the database session
    ran_there: list[str] = []
    for endpoint, view in list(other.view_functions.items()):

        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            ran_there.append(_endpoint)
            return _view(*args, **kwargs)

        other.view_functions[endpoint] = counted
    device = other.test_client()
    for cookie in client._cookies.values():  # the same phone, its next request reaching the other worker
        device.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    api("POST", "/api/checkins", checkin())
    first = whole(client)
    _, tag = sync(client)
    fresh_request_session()
    unchanged = device.get(SNAPSHOT, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and ran_there == ["core.snapshot"]

    api("POST", "/api/checkins", checkin(overall=2))
    ran_there.clear()
    fresh_request_session()
    have = "".join(f"&have={tag}" for tag in first["etags"].values())
    answer = device.get(SNAPSHOT + have).get_json()
    assert set(ran_there) == {"core.snapshot", "checkins.list_checkins", "chart.api_chart"}
    assert set(answer["unchanged"]) == set(PARTS) - {"/api/checkins", "/api/chart"}
    in_full = whole_in_full(app, client)
    assert answer["etags"] == in_full["etags"]
    for path in ("/api/checkins", "/api/chart"):
        assert answer["parts"][path] == in_full["parts"][path]


@on_postgresql
def test_a_strange_accept_language_is_only_part_of_the_key(app, client, api):
    """Whatever the header holds (bytes beyond ASCII, a long list, nothing a
    language is named by), the tags it is part of are worked out, answered
    304 when sent back, and differ from those of another header."""
    api("POST", "/api/checkins", checkin())
    plain = sync(client)[1]
    for value in ("\xff\xfe, fr;q=0.5", "x" * 4000, ";;;q=", "\t"):
        status, tag = sync(client, **{"Accept-Language": value})
        assert status == 200 and tag != plain, value
        assert sync(client, tag, **{"Accept-Language": value}) == (304, tag), value


@on_postgresql
def test_kept_parts_never_reach_another_person_and_a_supporter_sees_changes(app, client, auth, api):
    """Two people with the same rows, and a supporter linked to one of them:
    each one's answer is always their own, worked out in full, whatever the
    others did and synced in between."""
    from tests.conftest import Auth

    sam = client
    kit, alex = app.test_client(), app.test_client()
    Auth(kit).register("kit@example.com")
    Auth(alex).register("alex@example.com")
    person = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
    supporter = db.session.scalar(select(User.id).where(User.email == "alex@example.com"))
    db.session.execute(
        text(
            "INSERT INTO circle_links (user_id, supporter_id, share_light, share_taper, share_help_me,"
            " notify_reach_out, created_at) VALUES (:p, :s, true, true, true, true, now())"
        ),
        {"p": person, "s": supporter},
    )
    db.session.commit()

    def kit_api(method, path, body=None):
        token = kit.get("/api/session").get_json()["csrf_token"]
        return kit.open(path, method=method, json=body, headers={"X-CSRFToken": token})

    answers = {}
    for name, write in every_write(app, sam, api):
        assert write().status_code < 400, name
        for who in (sam, kit, alex):
            answers[who] = whole(who)
        for who in (sam, kit, alex):
            assert answers[who] == whole_in_full(app, who), name
        assert answers[sam] != answers[kit]
        # Kit writes the same, and the kept answers stay each their own.
        if name == "check-in":
            assert kit_api("POST", "/api/checkins", checkin()).status_code == 201
    assert answers[kit]["parts"]["/api/checkins"]["checkins"] != answers[sam]["parts"]["/api/checkins"]["checkins"]


@on_postgresql
def test_a_new_day_and_another_language_work_out_the_parts_again(app, client, api, monkeypatch):
    for name, write in every_write(app, client, api)[:10]:
        assert write().status_code < 400, name
    first = whole(client)
    for headers in ({"Accept-Language": "es"}, {"Accept-Language": "en-US"}, {}):
        assert whole(client, **headers) == whole_in_full(app, client, **headers)
    assert whole(client) == first
    real = person_time.today_in
    monkeypatch.setattr(person_time, "today_in", lambda zone, now=None: real(zone, now) + timedelta(days=1))
    tomorrow = whole(client)
    assert tomorrow == whole_in_full(app, client) and tomorrow != first


def test_kept_answers_are_bounded_in_bytes_too():
    kept = data_version.Kept(10, max_bytes=100)
    for n in range(5):
        kept.put(("k", n), b"x" * 40)
    assert len(kept) == 2 and kept.get(("k", 4)) == b"x" * 40 and kept.get(("k", 0)) is None
    kept.put(("big",), b"x" * 101)  # larger than everything: not kept
    assert kept.get(("big",)) is None and len(kept) == 2
    kept.put(("k", 4), b"y" * 10)  # replaced: its old size no longer counts
    kept.put(("k", 5), b"z" * 80)
    assert kept.get(("k", 4)) == b"y" * 10 and kept.get(("k", 5)) == b"z" * 80 and kept.get(("k", 3)) is None


@on_postgresql
def test_the_chart_page_and_the_snapshot_share_their_drawings(app, client, api, monkeypatch):
    """A range drawn for the page is the snapshot's, and the other way round,
    for the same rows, time and language; what each gives is what it gives
    worked out from nothing."""
    drawn: list[str] = []
    real_draw = chart_routes.draw
    monkeypatch.setattr(chart_routes, "draw", lambda *a, **k: drawn.append(a[0]) or real_draw(*a, **k))
    client.get("/toolkit")  # shows (and so clears) the welcome notice
    api("POST", "/api/checkins", checkin(overall=7))
    chart_page(client)
    assert drawn == ["30"]
    snapshot = whole(client)
    assert sorted(drawn) == ["30", "7", "90", "all"]  # the 30 days came from the page
    assert snapshot == whole_in_full(app, client)
    api("POST", "/api/checkins", checkin(overall=2))
    drawn.clear()
    whole(client)
    page = chart_page(client)
    assert sorted(drawn) == ["30", "7", "90", "all"]  # the page's range came from the snapshot
    forget(app)
    assert chart_page(client) == page
    for headers in ({"Accept-Language": "es"}, {}):
        drawn.clear()
        theirs = chart_page(client, **headers)
        assert drawn == ["30"] and whole(client, **headers) == whole_in_full(app, client, **headers)
        forget(app)
        assert chart_page(client, **headers) == theirs


def write_before(app, monkeypatch, target, name: str, statement: str) -> list:
    """Run ``statement`` once, on a connection of its own and committed (as
    another device's request would be), just before ``target[name]`` (a view
    of the app, or a function of a module) reads; the rows it returns are
    collected in the list given back."""
    engine = app.extensions["steady.db"].engine
    original = target[name] if isinstance(target, dict) else getattr(target, name)
    written: list = []

    def meanwhile(*args, **kwargs):
        if not written:
            with engine.begin() as conn:
                written.extend(conn.execute(text(statement)).all())
        return original(*args, **kwargs)

    if isinstance(target, dict):
        monkeypatch.setitem(target, name, meanwhile)
    else:
        monkeypatch.setattr(target, name, meanwhile)
    return written


#: A copy of the person's first check-in under a new id (another device's check-in).
COPY_A_CHECKIN = (
    "INSERT INTO check_ins ({columns}) SELECT {values} FROM check_ins ORDER BY id LIMIT 1 RETURNING id, client_id"
)


def copy_a_checkin() -> str:
    from webapp.models import CheckIn

    columns = [column.name for column in CheckIn.__table__.columns if column.name != "id"]
    values = ["md5(random()::text)" if name == "client_id" else name for name in columns]
    return COPY_A_CHECKIN.format(columns=", ".join(columns), values=", ".join(values))


@on_postgresql
@pytest.mark.parametrize("path", [SNAPSHOT, "/api/chart", "/chart?range=30"])
def test_a_row_written_and_removed_while_an_answer_is_worked_out_is_never_kept(app, client, api, monkeypatch, path):
    """The fingerprint and the views read one snapshot of the database. A
    check-in stored by another device while the views run, then deleted,
    never stays in an answer kept under the rows without it (each statement
    its own snapshot would have kept it, and given it again once the rows
    were back as they were)."""
    api("POST", "/api/checkins", checkin(note="First."))
    if path == SNAPSHOT:  # between the fingerprint's read and the check-ins part's
        written = write_before(app, monkeypatch, app.view_functions, "checkins.list_checkins", copy_a_checkin())
    else:  # between the drawings' keys and the read they are drawn from
        written = write_before(app, monkeypatch, chart_routes, "_looked_back", copy_a_checkin())
    forget(app)
    first = client.get(path)
    assert first.status_code == 200 and written
    with app.extensions["steady.db"].engine.begin() as conn:  # the other device deletes it again
        conn.execute(text("DELETE FROM check_ins WHERE id = :id"), {"id": written[0].id})
    monkeypatch.undo()
    # What is answered now (the page's drawings are the ones /api/chart gives).
    read_back = SNAPSHOT if path == SNAPSHOT else "/api/chart"
    again = client.get(read_back)
    forget(app)
    in_full = client.get(read_back)
    assert again.status_code == in_full.status_code == 200
    assert written[0].client_id not in again.get_data(as_text=True)
    assert again.get_json() == in_full.get_json()


def test_what_keys_share_is_worked_out_once_per_fingerprint_read(app, monkeypatch):
    """The snapshot asks for a key per part: the person's time, the language
    and each set of tables' hash come once per fingerprint read, and a new
    read (another fingerprint) gives keys worked out afresh from it."""
    from types import SimpleNamespace

    from flask import g

    current = {"found": {"users": "u1", "check_ins": "c1", "coping_cards": "k1"}}
    monkeypatch.setattr(data_version, "fingerprints", lambda session, user_id: current["found"])
    asked = []
    monkeypatch.setattr(words, "person_time_key", lambda: asked.append(1) or ("UTC", "2026-12-02", False, False))
    with app.test_request_context("/api/snapshot", headers={"Accept-Language": "cy"}):
        g._login_user = SimpleNamespace(id=7, is_authenticated=True)
        checkins = data_version.person_key("a", tables={"check_ins"})
        same_tables = data_version.person_key("b", tables={"check_ins"})
        every_table = data_version.person_key("c")
        assert checkins[0] == 7 and checkins[1] == ("a",) and checkins[2] == ("check_ins",)
        assert checkins[3] == same_tables[3] == data_version.combined(current["found"], {"check_ins"})
        assert every_table[3] == data_version.combined(current["found"]) != checkins[3]
        assert checkins[4:] == every_table[4:] and checkins[4] == ("UTC", "2026-12-02", False, False)
        assert checkins[-2:] == ("cy", build.build_tag()) and len(asked) == 1
        current["found"] = {"users": "u1", "check_ins": "c2", "coping_cards": "k1"}  # a row of check_ins changed
        again = data_version.person_key("a", tables={"check_ins"})
        assert again[3] == data_version.combined(current["found"], {"check_ins"}) != checkins[3]
        assert data_version.person_key("d", tables={"coping_cards"})[3] == data_version.combined(
            current["found"], {"coping_cards"}
        )
        assert len(asked) == 2


def test_the_fingerprinted_tables_are_exactly_those_kept_answers_read():
    """``KEYED_TABLES`` is what the snapshot's parts and the chart read, and
    the person's row and circle: nothing missing (a part's answer kept under
    a fingerprint blind to a table it shows), nothing more (a write no
    answer shows would make every device send everything again)."""
    read = set().union(*routes.PART_TABLES.values()) | chart_routes.TABLES | data_version.ALWAYS
    assert data_version.KEYED_TABLES == read


def test_a_key_asked_for_with_a_table_not_fingerprinted_is_refused(app, auth, client):
    """A part that starts reading a table and names it in its entry, without
    that table being fingerprinted, fails on its first request, not by
    keeping an answer that never changes."""
    auth.register()
    with app.test_request_context("/api/snapshot"):
        from flask_login import login_user

        login_user(db.session.scalar(select(User)))
        data_version.g.steady_fingerprints = (db.session.scalar(select(User.id)), {"check_ins": "a"})
        assert data_version.person_key("part", tables={"check_ins"}) is not None
        with pytest.raises(ValueError, match="reminders"):
            data_version.person_key("part", tables={"check_ins", "reminders"})


@on_postgresql
def test_a_device_added_or_a_reminder_sent_leaves_the_snapshot_unchanged(app, client, api, views_run):
    """Rows no part of the snapshot shows (a push subscription added or
    updated, as the dispatcher does after a reminder; a session) are not
    fingerprinted: the next sync is still a 304 with no view run, and the
    answer is the one worked out in full."""
    api("POST", "/api/checkins", checkin())
    status, tag = sync(client)
    assert status == 200
    assert sync(client, tag) == (304, tag)
    me = db.session.scalar(select(User.id))
    written = {}
    for table in Base.metadata.sorted_tables:
        if table.name in data_version.KEYED_TABLES or table.name == "user_sessions":
            continue
        columns = [c.name for c in table.columns if any(k.column.table.name == "users" for k in c.foreign_keys)]
        if columns:
            written[table.name] = columns
    assert {"reminders", "reminder_deliveries", "push_subscriptions"} <= set(written)
    from webapp.models import PushSubscription

    device = PushSubscription(
        user_id=me, endpoint="https://push.example.com/send/abc", p256dh="B" * 87, auth="A" * 22, device_name="Phone"
    )
    db.session.add(device)
    db.session.commit()
    before = data_version.fingerprints(db.session, me)
    device.last_success_at = utcnow()
    db.session.execute(text("UPDATE push_subscriptions SET auth = auth WHERE user_id = :me"), {"me": me})
    db.session.commit()
    assert data_version.fingerprints(db.session, me) == before
    views_run.clear()
    assert sync(client, tag) == (304, tag)
    assert views_run == []
    assert in_full(app, client, tag) == (304, tag)
    # A row a part shows still changes it.
    api("POST", "/api/checkins", checkin())
    assert sync(client, tag)[0] == 200


@on_postgresql
def test_the_order_free_hash_tells_apart_every_change_that_keeps_the_count(app, client, api):
    """A table's hash is the count and the sum of each row version's hash
    (``data_version.ROWS_HASH``), in no order: a row changed in place, a row
    swapped for another (same count), and one of many rows changed each
    change it; a read that changes nothing leaves it; another person's rows
    never count; a table with no row of the person's is left out."""
    for _ in range(3):
        api("POST", "/api/checkins", checkin())
    me = db.session.scalar(select(User.id))

    def check_ins() -> str:
        db.session.commit()
        return data_version.fingerprints(db.session, me)["check_ins"]

    first = check_ins()
    assert first.startswith("3:") and first == check_ins()
    assert "coping_cards" not in data_version.fingerprints(db.session, me)
    db.session.execute(text("UPDATE check_ins SET overall = overall WHERE id = (SELECT min(id) FROM check_ins)"))
    in_place = check_ins()
    assert in_place != first and in_place.startswith("3:")
    client.get("/api/checkins")  # a read writes nothing
    assert check_ins() == in_place
    api("POST", "/api/checkins", checkin())
    db.session.execute(text("DELETE FROM check_ins WHERE id = (SELECT min(id) FROM check_ins)"))
    swapped = check_ins()
    assert swapped.startswith("3:") and swapped not in (first, in_place)
    for _ in range(40):
        api("POST", "/api/checkins", checkin())
    many = check_ins()
    db.session.execute(text("UPDATE check_ins SET anxiety = anxiety WHERE id = (SELECT max(id) FROM check_ins)"))
    assert check_ins() not in (many, swapped)
    # Someone else's check-ins are not the person's.
    from tests.conftest import Auth

    before = check_ins()
    kit = app.test_client()
    Auth(kit).register("kit@example.com")
    token = kit.get("/api/session").get_json()["csrf_token"]
    assert kit.post("/api/checkins", json=checkin(), headers={"X-CSRFToken": token}).status_code == 201
    assert check_ins() == before
