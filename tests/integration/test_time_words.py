"""People's time on every page: dates and times on the person's clock, never
"UTC" unless they chose it, and plain plurals (never "(s)")."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

from tests.support.seed import owned_id, seed
from webapp.extensions import db
from webapp.models import ReminderSettings


class VisibleText(HTMLParser):
    """The words a person can read: no scripts, styles or the zone picker's options."""

    SKIP = {"script", "style", "select", "template"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def pages(app, client, user_id: int):
    """Every GET page of the app, walked from the url_map, with owned ids."""
    content = app.extensions["steady.content"]
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        values = {}
        for arg in rule.arguments:
            if "Integer" in rule._converters[arg].__class__.__name__:
                values[arg] = owned_id(arg, user_id)
            elif arg == "exercise_id":
                values[arg] = next(iter(content.exercises))
            elif arg == "feeling_id":
                values[arg] = next(iter(content.feelings))
            else:
                values[arg] = "x"
        response = client.get(rule.build(values, append_unknown=False)[1])
        if response.mimetype == "text/html" and response.status_code == 200:
            text = VisibleText()
            text.feed(response.get_data(as_text=True))
            yield rule.rule, " ".join(text.parts)


def summary_page(client, token: str) -> str:
    today = date.today()  # the seeded rows are from today: the range must hold it, whatever the day the suite runs
    start, end = (today - timedelta(days=60)).isoformat(), (today + timedelta(days=1)).isoformat()
    response = client.post("/summary/print", data={"start": start, "end": end, "csrf_token": token})
    assert response.status_code == 200
    text = VisibleText()
    text.feed(response.get_data(as_text=True))
    return " ".join(text.parts)


def test_no_page_says_utc_or_s_in_brackets_for_someone_who_did_not_choose_utc(app, client, auth):
    auth.register(email="time@example.com")
    info = client.get("/api/session").get_json()
    seed(client, info["csrf_token"])
    walked = 0
    for path, text in pages(app, client, info["user"]):
        walked += 1
        assert not re.search(r"\bUTC\b", text), (
            f"{path} says UTC: …{text[max(0, text.find('UTC') - 80) : text.find('UTC') + 20]}…"
        )
        assert "(s)" not in text, f"{path} has a (s)"
        # Sources keep the date they were checked on as written ("checked 2026-11-22").
        dates = re.findall(r"(\w+\W{1,3})?\b(20\d\d-\d\d-\d\d)\b", text)
        assert all(before.lower().startswith("checked") for before, _ in dates), f"{path} shows an ISO date: {dates}"
    assert walked >= 25
    summary = summary_page(client, info["csrf_token"])
    assert "UTC" not in summary and "(s)" not in summary
    assert re.search(r"\b1 time\b|\b0 times\b|\b\d+ times\b", summary)


def test_times_follow_the_zone_the_person_chose(app, client, auth):
    auth.register(email="zone@example.com")
    info = client.get("/api/session").get_json()
    token = info["csrf_token"]
    client.post("/reminders/settings", data={"timezone": "Asia/Tokyo", "csrf_token": token})
    settings = db.session.get(ReminderSettings, info["user"])
    assert settings is not None and settings.timezone == "Asia/Tokyo" and not settings.zone_from_device
    db.session.rollback()
    client.post(
        "/reminders",
        data={"kind": "checkin", "time1": "20:00", "weekdays": [str(d) for d in range(7)], "csrf_token": token},
    )
    page = client.get("/reminders").get_data(as_text=True)
    assert "8:00 pm" in page and "(UTC)" not in page and "T20:00" not in page


def test_utc_is_named_when_the_person_chose_it(app, client, auth):
    auth.register(email="utc@example.com")
    info = client.get("/api/session").get_json()
    token = info["csrf_token"]
    client.post("/reminders/settings", data={"timezone": "UTC", "csrf_token": token})
    client.post(
        "/reminders",
        data={"kind": "checkin", "time1": "20:00", "weekdays": [str(d) for d in range(7)], "csrf_token": token},
    )
    page = client.get("/reminders").get_data(as_text=True)
    assert "8:00 pm (UTC)" in page


def test_a_page_reads_the_zone_once_and_asks_whether_utc_was_chosen_only_in_utc(app, client, auth):
    """The person's zone is one statement a page; whether they chose UTC is
    asked only when their zone is UTC (no one else can have chosen it)."""
    from sqlalchemy import event

    auth.register()
    token = client.get("/api/session").get_json()["csrf_token"]
    client.post("/reminders/settings", data={"timezone": "Europe/Madrid", "csrf_token": token})
    sent = []
    engine = app.extensions["steady.db"].engine
    note = lambda *args: sent.append(args[2].lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/toolkit").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len([s for s in sent if "reminder_settings" in s]) == 1, sent
