"""The walk of every page of an account holding one of everything, shared
by the browser tests that measure pages (tests/e2e/test_phone_fit.py, and
the pseudo-locale one, tests/e2e/test_pseudo_fit.py): the account is made
through the real forms and API, and the pages are found from its own lists."""

from __future__ import annotations

import re
import secrets
import urllib.parse
import uuid

import pytest

PHONE_HEIGHT = 844

#: Everything a page shows that must be big enough to tap, and every piece
#: of visible text, measured in the page. Radios and ticks count as the row
#: (their label) they sit in.
MEASURE = r"""
() => {
  const shown = (el) => el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true })
    && !el.closest(".visually-hidden, .skip-link, [hidden]");
  const label = (el) => el.closest("label") || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
  const describe = (el) => {
    const text = (el.textContent || el.value || el.getAttribute("aria-label") || el.name || "").trim().replace(/\s+/g, " ");
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""} "${text.slice(0, 40)}"`;
  };
  const small = [];
  const targets = document.querySelectorAll("input:not([type=hidden]), select, textarea, button, .button, summary");
  for (const el of targets) {
    if (!shown(el)) continue;
    let box = el;
    if (el.matches("input[type=radio], input[type=checkbox]")) box = label(el) || el;
    const rect = box.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    if (rect.height < 43.5) small.push(`${describe(box)} is ${rect.height.toFixed(1)} px tall`);
  }
  const tiny = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !shown(el) || el.closest("script, style, noscript, title")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) {
      const matrix = el.getScreenCTM();
      if (matrix) size *= Math.hypot(matrix.a, matrix.b);
    }
    if (size < 11.95) tiny.push(`"${node.textContent.trim().slice(0, 30)}" in ${el.tagName.toLowerCase()} is ${size.toFixed(1)} px`);
  }
  return {
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    width: window.innerWidth,
    small: small.slice(0, 15),
    tiny: tiny.slice(0, 15),
  };
}
"""


# --------------------------------------------------------------------------
# An account with one of everything, made through the real forms and API
# --------------------------------------------------------------------------


class Client:
    """Posts forms and JSON as the signed-in browser (same cookies)."""

    def __init__(self, request, base: str) -> None:
        self.request, self.base = request, base

    def token(self) -> str:
        return self.request.get(self.base + "/api/session").json()["csrf_token"]

    def form(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token()}, doseq=True)
        response = self.request.post(
            self.base + path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert response.status < 400, f"POST {path}: {response.status} {response.text()[:300]}"
        return response.text()

    def json(self, path: str, body: dict) -> dict:
        response = self.request.post(self.base + path, data=body, headers={"X-CSRFToken": self.token()})
        assert response.status < 400, f"POST {path}: {response.status} {response.text()[:300]}"
        return response.json()

    def page(self, path: str) -> str:
        return self.request.get(self.base + path).text()


def now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def fill_account(client: Client) -> dict:
    """Fill the account through its forms; returns the pages shown once
    (the new circle invite link, the new shared plan link)."""
    client.form(
        "/cards", {"text": "When a wave comes, it also goes. This is a long card to see how it wraps on a small phone."}
    )
    client.json("/api/thought-records", {"client_id": str(uuid.uuid4()), "thought": "I will never feel better"})
    client.form(
        "/people/new",
        {
            "name": "Alexandra Montgomery-Whitfield",
            "relationship": "friend",
            "phone": "+44 7700 900123",
            "email": "alexandra.montgomery-whitfield@example-long-domain.co.uk",
            "can_text": "y",
            "pinned": "y",
            "notes": "Good at listening. Call after 6.",
        },
    )
    client.form("/people/groups/new", {"name": "Tuesday peers", "time_zone": "Europe/London"})
    client.form("/plan/edit", {"warning_signs": "Not sleeping for two nights", "version": ""})
    client.form("/reminders", {"kind": "checkin", "time1": "20:00", "weekdays": ["0", "3"]})
    for overall, anxiety in ((6, 4), (3, 8), (7, 2)):
        client.json(
            "/api/checkins",
            {
                "client_id": str(uuid.uuid4()),
                "checked_at": now_iso(),
                "time_zone": "UTC",
                "overall": overall,
                "anxiety": anxiety,
                "doses": "as_planned",
                "sleep_hours": 6.5,
                "note": "A hard afternoon",
                "symptoms": {"panic": 2, "tinnitus": 1},
            },
        )
    client.form("/taper/accept", {"understood": "y"})
    client.form("/taper/setup", {"medication": "Diazepam", "form": "tablet", "unit": "mg"})
    client.form(
        "/taper/steps/new",
        {
            "starts_on": "2026-09-01",
            "daily_dose": "10",
            "time-1": "08:00",
            "amount-1": "5",
            "time-2": "20:00",
            "amount-2": "5",
            "note": "Starting dose",
        },
    )
    client.form(
        "/taper/steps/new",
        {
            "starts_on": "2026-10-15",
            "daily_dose": "9",
            "time-1": "08:00",
            "amount-1": "4.5",
            "time-2": "20:00",
            "amount-2": "4.5",
            "note": "First cut",
        },
    )
    for amount in ("4.5", "4.5"):
        client.json(
            "/api/doses",
            {
                "client_id": str(uuid.uuid4()),
                "taken_at": now_iso(),
                "time_zone": "UTC",
                "amount": amount,
                "note": "With food",
            },
        )
    invite_page = client.form("/circle/invites", {"first_name": "Sam"})
    client.form(
        "/people/help-me/edit",
        {"hard_day": "Sit with me, bring tea, no questions needed.", "reach_me": "Text first.", "version": ""},
    )
    client.form("/people/new", {"name": "Dr Priya Raman", "relationship": "prescriber", "phone": "+44 20 7946 0000"})
    prescriber = re.findall(r'href="/people/(\d+)/appointments/new"', client.page("/people"))
    if prescriber:
        from datetime import date, timedelta

        client.form(
            f"/people/{prescriber[0]}/appointments/new",
            {
                "day": (date.today() + timedelta(days=9)).isoformat(),
                "at": "09:30",
                "place": "Riverside Surgery, room 4",
                "link": "https://video.example.org/room/steady-e2e",
            },
        )
    share_page = client.form("/plan/share", {"label": "Mum", "days": "7"})
    client.form("/people/messages", {"text": "Having a hard day. Could you call me when you can?"})
    return {"invite": invite_page, "share": share_page}


def join_circle(browser, base: str, invite_page: str) -> None:
    """A supporter (another browser profile) joins through the invite link."""
    match = re.search(r'id="invite-link"[^>]*value="([^"]+)"', invite_page)
    assert match, "the circle page showed no new invite link"
    path = "/" + match.group(1).split("://", 1)[1].split("/", 1)[1]
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        register(page, base)
        page.goto(base + path)
        page.get_by_label(re.compile("first name", re.I)).first.fill("Alex")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    finally:
        context.close()


def register(page, base: str) -> None:
    page.goto(base + "/register")
    page.get_by_label("Email address", exact=True).fill(f"phone-{secrets.token_hex(4)}@example.com")
    page.get_by_label("Choose a password", exact=True).fill("correct horse battery")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()


@pytest.fixture(scope="module")
def full_account(shared_server, browser):
    """A signed-in context (390×844) holding every kind of data, and the
    pages to walk (ids found from the account's own lists)."""
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": PHONE_HEIGHT})
    context.set_default_timeout(15_000)
    page = context.new_page()
    register(page, shared_server.url)
    client = Client(context.request, shared_server.url)
    shown_once = fill_account(client)
    join_circle(browser, shared_server.url, shown_once["invite"])
    paths = [
        "/",
        "/help",
        "/install",
        "/offline",
        "/toolkit",
        "/toolkit/feel",
        "/toolkit/breathe",
        "/toolkit/thought-records",
        "/people",
        "/people/new",
        "/people/groups",
        "/people/groups/new",
        "/people/messages",
        "/people/nudge",
        "/plan",
        "/plan/edit",
        "/plan/share",
        "/cards",
        "/checkin",
        "/my/checkin",
        "/checkins",
        "/taper",
        "/taper/setup",
        "/taper/steps/new",
        "/taper/doses",
        "/my/dose",
        "/chart",
        "/my/chart",
        "/summary",
        "/circle",
        "/reminders",
        "/account/",
        "/account/password",
        "/account/export",
        "/account/delete",
        "/lock",
        "/my/people",
        "/my/plan",
        "/people/help-me",
        "/people/help-me/edit",
        "/my/help-me",
        "/appointments",
        "/people/review",
        "/learn",
        "/learn/supporting",
        "/find-help",
        "/circle/supporting",
    ]
    listings = {
        "/people": r'href="(/people/\d+/edit)"',
        "/people/groups": r'href="(/people/groups/\d+/edit)"',
        "/cards": r'href="(/cards/\d+/edit)"',
        "/checkins": r'href="(/checkins/\d+/edit)"',
        "/taper": r'href="(/taper/steps/\d+/edit)"',
        "/taper/doses": r'href="(/taper/doses/\d+/edit)"',
        "/reminders": r'href="(/reminders/\d+/edit)"',
        "/toolkit": r'href="(/toolkit/exercise/[\w-]+)"',
        "/toolkit/feel": r'href="(/toolkit/feel/[\w-]+)"',
    }
    more = [
        ("/people", r'href="(/people/\d+/appointments/new)"'),
        ("/appointments", r'href="(/appointments/\d+/edit)"'),
        ("/appointments", r'href="(/appointments/\d+/prepare)"'),
        ("/people/messages", r'href="(/people/messages/\d+/edit)"'),
        ("/learn", r'href="(/learn/(?!supporting)[\w-]+)"'),
        ("/learn/supporting", r'href="(/learn/supporting/[\w-]+)"'),
        ("/circle", r'href="(/circle/links/\d+/thanks)"'),
        ("share", r"(/shared/plan/[\w-]+)"),
    ]
    for listing, pattern in [*listings.items(), *more]:
        found = re.search(pattern, shown_once[listing] if listing in shown_once else client.page(listing))
        if found:
            paths.append(found.group(1))
    yield context, page, paths
    context.close()


def measure(page) -> dict:
    return page.evaluate(MEASURE)


def sideways(found: dict, label: str) -> list[str]:
    """The page scrolls sideways: wider than the screen."""
    if found["scrollWidth"] > found["width"]:
        return [f"{label}: the page is {found['scrollWidth']} px wide on a {found['width']} px screen"]
    return []


def problems_on(page, label: str) -> list[str]:
    found = measure(page)
    problems = sideways(found, label)
    problems += [f"{label}: {item}" for item in found["small"]]
    problems += [f"{label}: {item}" for item in found["tiny"]]
    return problems


def open_everything(page) -> None:
    """Open the folded parts (check-in's "Add more", the chart's table...) so
    what is inside is measured too."""
    page.evaluate("() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })")


def context_url(page, path: str) -> str:
    base = re.match(r"https?://[^/]+", page.url).group(0)
    return base + path
