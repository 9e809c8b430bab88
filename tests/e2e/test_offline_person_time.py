"""The offline copies show times on the person's clock (the zone the server
uses, webapp/services/person_time.py), not the zone the phone is set to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from test_checkins import signed_in_with_shell

POST_CHECKIN = """async (body) => {
  const { csrf_token } = await (await fetch('/api/session')).json();
  const r = await fetch('/api/checkins', { method: 'POST', headers: {
    'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf_token },
    body: JSON.stringify(body) });
  return r.status;
}"""


def clock_words(moment: datetime, zone: str) -> str:
    here = moment.astimezone(ZoneInfo(zone))
    return f"{here.hour % 12 or 12}:{here.minute:02d} {'am' if here.hour < 12 else 'pm'}"


def test_offline_check_ins_read_on_the_persons_clock(server, new_context, pwa, accounts):
    # The phone is set to New York; the person chose Tokyo in their settings.
    context = new_context(timezone_id="America/New_York", locale="en-GB")
    page = context.new_page()
    signed_in_with_shell(server, page, pwa, accounts)
    page.goto(server.url + "/reminders")
    settings = page.locator("form", has=page.locator("#timezone"))
    settings.locator("#timezone").select_option("Asia/Tokyo")
    follow = settings.get_by_label("Follow my phone's time zone when I travel")
    if follow.is_checked():
        follow.uncheck()
    settings.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()

    moment = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(second=0, microsecond=0)
    status = page.evaluate(
        POST_CHECKIN,
        {
            "client_id": "6f1c7d0e-3a1b-4c2d-9e8f-0a1b2c3d4e5f",
            "checked_at": moment.isoformat(),
            "time_zone": "America/New_York",
            "overall": 6,
            "anxiety": 3,
            "doses": "as_planned",
        },
    )
    assert status == 201
    page.goto(server.url + "/")  # a signed-in page: the zone is noted on this phone
    page.goto(server.url + "/my/checkin")
    recent = page.locator('[data-list="recent-checkins"]')
    expect(recent).to_contain_text(clock_words(moment, "Asia/Tokyo"), timeout=20_000)
    assert clock_words(moment, "America/New_York") not in recent.inner_text()
