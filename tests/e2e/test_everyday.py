"""Everyday details in a real Chromium: the reminder form shows only the
section that applies, and a breathing page's Start is on the first screen."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from conftest import LAYOUT_SHIFTS, wait_until
from playwright.sync_api import expect
from test_status_banners import SETTLED
from test_toolkit_accounts import unique_email

pytestmark = pytest.mark.e2e


def test_the_reminder_form_shows_only_the_section_that_applies(server, page, accounts):
    accounts.register(page, server.url, unique_email("reminder-kinds"))
    page.goto(server.url + "/reminders")
    kind = page.get_by_label("What is it for?")
    meeting = page.locator(".meeting-choice")
    dose = page.locator(".taper-choice")
    times = page.locator(".time-choice")
    expect(kind).to_have_value("checkin")
    expect(meeting).to_be_hidden()
    expect(dose).to_be_hidden()
    expect(times).to_be_visible()
    kind.select_option("meeting")
    expect(meeting).to_be_visible()
    expect(times).to_be_hidden()
    kind.select_option("dose")
    expect(dose).to_be_visible()
    expect(times).to_be_visible()
    expect(meeting).to_be_hidden()
    kind.select_option("checkin")
    page.get_by_label("Time", exact=True).fill("20:00")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("button", name="Save reminder").click()
    expect(page.get_by_text("8:00 pm").first).to_be_visible()
    assert page.js_errors == []


#: Which of the reminder form's sections are seen, once reminder-form.js has run (or not).
SECTIONS_SEEN = """() => [...document.querySelectorAll('[data-reminder-kinds], [data-reminder-kinds-hint]')]
    .map((node) => node.checkVisibility())"""


def test_the_reminder_form_is_drawn_as_its_script_leaves_it(server, new_context, accounts):
    """The server leaves out the sections that are not for the form's kind,
    so reminder-form.js changes nothing as it starts (it hid them, and the
    page moved: 0.087 under load). A new reminder (a check-in) and one for
    dose times, each drawn with the script kept from starting and then with
    it: the same boxes. Without JavaScript every section shows."""
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    accounts.register(page, server.url, unique_email("reminder-drawn"))
    page.goto(server.url + "/reminders")
    page.get_by_label("What is it for?").select_option("dose")
    page.get_by_label("Time", exact=True).fill("08:00")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("button", name="Save reminder").click()
    page.get_by_role("link", name="Change").first.click()
    expect(page.get_by_label("What is it for?")).to_have_value("dose")
    for path, seen in (
        (urlsplit(page.url).path, [False, True, True, False]),
        ("/reminders", [False, False, True, False]),
    ):
        page.route("**/static/js/reminder-form.js*", lambda route: route.abort())
        page.goto(server.url + path)
        first = wait_until(page, SETTLED)
        assert page.evaluate(SECTIONS_SEEN) == seen, path
        page.unroute("**/static/js/reminder-form.js*")
        page.goto(server.url + path)
        wait_until(page, "() => !document.querySelector('[data-other-kind]')")
        assert (page.evaluate(SECTIONS_SEEN), page.evaluate(LAYOUT_SHIFTS)) == (seen, []), path
        assert wait_until(page, SETTLED) == first, path
    without = new_context(java_script_enabled=False, storage_state=page.context.storage_state()).new_page()
    without.goto(server.url + "/reminders")
    assert without.evaluate(SECTIONS_SEEN) == [True, True, True, True]


def test_breathe_with_me_start_is_on_the_first_screen(server, page):
    page.goto(server.url + "/toolkit/breathe")
    start = page.locator(".pacer-start")
    expect(start).to_be_visible()
    box = start.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"], box
    page.goto(server.url + "/toolkit/exercise/paced-breathing")
    link = page.locator(".eyebrow a").first
    assert link.bounding_box()["height"] >= 44
    expect(page.get_by_role("button", name="Next")).to_have_count(0)


def test_show_password_is_a_full_row_lined_up_with_its_field(server, page):
    """ "Show password" sits under its field, lined up with its left edge, as
    a tap-anywhere row at least 44 px tall like every other tick."""
    page.goto(server.url + "/register")
    field = page.get_by_label("Choose a password", exact=True)
    toggle = page.locator(".show-password").first
    expect(toggle).to_be_visible()
    box, row = field.bounding_box(), toggle.bounding_box()
    assert row["height"] >= 44, row
    assert abs(row["x"] - box["x"]) <= 1, (row, box)
    assert row["y"] >= box["y"] + box["height"], (row, box)
    toggle.click()
    expect(field).to_have_attribute("type", "text")


def test_signing_in_page_does_not_move_when_its_scripts_start(server, page):
    """The "Show password" switch is drawn with the page, kept invisible
    until its script wires it: nothing shifts (Lighthouse counted the footer
    moving when the switch used to be added by the script)."""
    page.goto(server.url + "/login")
    expect(page.locator(".show-password")).to_be_visible()
    shifts = page.evaluate(
        """() => new Promise((done) => {
            new PerformanceObserver((list) => done(list.getEntries().map((e) => ({
                value: e.value,
                at: Math.round(e.startTime),
                moved: (e.sources || []).map((s) => s.node ? `${s.node.nodeName}.${s.node.className || ""}#${s.node.id || ""}` : "?"),
            })))).observe({ type: "layout-shift", buffered: true });
            setTimeout(() => done([]), 500);
        })"""
    )
    # What moved, and when, is kept in the message: a shift seen once under load can be traced.
    assert sum(shift["value"] for shift in shifts) == 0, shifts
    page.locator(".show-password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")


BAR_LINKS_WITHOUT_THE_LATER_ONES = """() => {
    const links = [...document.querySelectorAll('.bottom-nav a')];
    const boxes = () => links.map((a) => a.isConnected ? JSON.stringify(a.getBoundingClientRect()) : null);
    const whole = boxes();
    // As the browser may draw the bar while the page is still arriving: each
    // icon without its label, then the later links taken away one by one,
    // the earlier ones measured each time.
    const moved = [];
    for (const a of links) {
        const icon = a.querySelector('svg'), before = JSON.stringify(icon.getBoundingClientRect());
        const label = a.querySelector('span');
        label.remove();
        const after = JSON.stringify(icon.getBoundingClientRect());
        if (after !== before) moved.push({ icon: a.getAttribute('href'), was: before, now: after });
        a.append(label);
    }
    for (let kept = links.length - 1; kept >= 1; kept -= 1) {
        links[kept].remove();
        boxes().slice(0, kept).forEach((box, i) => { if (box !== whole[i]) moved.push({ kept, link: i, was: whole[i], now: box }); });
    }
    return { count: links.length, moved };
}"""


@pytest.mark.parametrize("width", [320, 390])
def test_the_bottom_bar_does_not_move_while_the_page_arrives(server, new_context, accounts, width):
    """Chromium may paint a page before all of it has arrived (seen under load:
    three of the bar's links drawn, then all five; an icon drawn, then its
    label): each link and icon keeps its place whatever comes after it, for a
    guest and for someone signed in."""
    page = new_context(viewport={"width": width, "height": 740}).new_page()
    page.goto(server.url + "/login")
    guest = page.evaluate(BAR_LINKS_WITHOUT_THE_LATER_ONES)
    assert guest == {"count": 5, "moved": []}, guest
    accounts.register(page, server.url, unique_email(f"bar-{width}"))
    page.goto(server.url + "/")
    signed_in = page.evaluate(BAR_LINKS_WITHOUT_THE_LATER_ONES)
    assert signed_in == {"count": 5, "moved": []}, signed_in


@pytest.mark.parametrize("language", ["en", "es", "en-XA"])
def test_the_bottom_bar_labels_stay_within_their_links_at_320_px(server, new_context, language):
    """Each label stays over its own icon, a long word ("Herramientas") broken
    within its fifth rather than spilt over its neighbours, and the bar keeps
    its height (the page leaves room for that much)."""
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(server.url + f"/login?lang={language}")
    assert page.evaluate("document.documentElement.lang") == language
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.bottom-nav a')].map((a) => {
            const link = a.getBoundingClientRect(), label = a.querySelector('span').getBoundingClientRect();
            return { label: a.textContent.trim(), link: [link.left, link.right, link.height], words: [label.left, label.right] };
        })"""
    )
    room = page.evaluate("parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--nav-height')) * 16")
    spilt = [box for box in boxes if box["words"][0] < box["link"][0] or box["words"][1] > box["link"][1]]
    too_tall = [box for box in boxes if box["link"][2] > room]
    assert (len(boxes), spilt, too_tall) == (5, [], []), boxes


SIGNED_IN_PART_SEEN = """() => {
    const root = document.querySelector('[data-page][data-shell]');
    const part = root && root.querySelector(':scope > [data-when="signed-in"]');
    return { filled: Boolean(root && root.hasAttribute('data-filled')), seen: Boolean(part && part.checkVisibility({ visibilityProperty: true })) };
}"""


@pytest.mark.parametrize("size", [(320, 640), (390, 844)])
def test_the_kept_copies_move_nothing_as_they_fill_in(server, new_context, accounts, size):
    """The copies kept for offline use are filled in from this device's copy
    after they are drawn: the footer starts below the first screen (it moved
    down as the lists came in), and the dose form waits for the line above it
    (it was pushed down under someone's thumb), as does every kept copy's
    signed-in part, which shows once filled; the check-in page's link to all
    check-ins comes before the recent ones it fills in."""
    width, height = size
    page = new_context(viewport={"width": width, "height": height}).new_page()
    accounts.register(page, server.url, unique_email(f"copies-{width}"))
    wait_until(page, "() => localStorage.getItem('steady.device-owned') === '1'")
    moved, unseen = {}, []
    for path in ("/my/dose", "/my/people", "/my/plan", "/my/help-me", "/my/checkin", "/my/chart", "/checkin"):
        page.goto(server.url + path)
        shifts = page.evaluate(LAYOUT_SHIFTS)
        if sum(shift["value"] for shift in shifts):
            moved[path] = shifts
        # Each kept copy says it is filled (well before the 2 s its signed-in part waits at most).
        seen = page.evaluate(SIGNED_IN_PART_SEEN)
        if path.startswith("/my/") and seen != {"filled": True, "seen": True}:
            unseen.append((path, seen))
    assert (moved, unseen) == ({}, [])
    page.goto(server.url + "/my/dose")
    expect(page.get_by_role("button", name="Save dose")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Turn on taper tracking")).to_be_visible()


def test_a_kept_copys_wait_never_shows_through_the_app_lock(server, page):
    """The 2 s after which a kept copy's signed-in part shows whatever never
    applies while the app lock hides the page (a child made visible would
    show through the hidden page)."""
    page.goto(server.url + "/my/people")
    # Its script has filled it in first (or it would hide the signed-in part again: no one's device).
    wait_until(page, "() => document.querySelector('[data-shell]').hasAttribute('data-filled')")
    page.evaluate(
        """() => {
            const root = document.querySelector('[data-shell]');
            document.documentElement.classList.add('app-lock-pending');
            root.removeAttribute('data-filled');
            const part = root.querySelector(':scope > [data-when="signed-in"]');
            part.hidden = false;
            part.replaceWith(part.cloneNode(true));  // its animation starts again
        }"""
    )
    page.wait_for_timeout(2300)
    seen = "() => document.querySelector('[data-shell] > [data-when=\"signed-in\"]').checkVisibility({ visibilityProperty: true })"
    assert page.evaluate(seen) is False
    page.evaluate("() => document.documentElement.classList.remove('app-lock-pending')")
    assert page.evaluate(seen) is False  # now the copy's own wait: not filled yet
    page.wait_for_timeout(2300)
    assert page.evaluate(seen) is True  # ...and after 2 s, whatever


def test_print_buttons_keep_their_room_until_their_script_comes(server, new_context, accounts):
    """A print button is there, unseen, from the first paint until print.js
    makes it work (it used to be added then and push the page down); without
    JavaScript it is not there at all."""
    page = new_context().new_page()
    accounts.register(page, server.url, unique_email("print-room"))
    wait_until(page, "() => localStorage.getItem('steady.device-owned') === '1'")
    page.route("**/static/js/print.js*", lambda route: route.abort())
    page.goto(server.url + "/my/plan")
    # Once the copy is filled in (its signed-in part, with the button, is left out until the script says whose it is).
    wait_until(page, "() => document.querySelector('[data-shell]').hasAttribute('data-filled')")
    button = page.locator('button[data-action="print"]')
    box = button.evaluate(
        "(b) => ({ height: b.getBoundingClientRect().height, seen: b.checkVisibility({ visibilityProperty: true }) })"
    )
    assert box["height"] >= 44 and box["seen"] is False, box
    page.unroute("**/static/js/print.js*")
    page.reload()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert button.bounding_box()["height"] == box["height"]
    bare = new_context(java_script_enabled=False).new_page()
    bare.goto(server.url + "/my/plan")
    assert bare.locator('button[data-action="print"]').evaluate("(b) => b.getBoundingClientRect().height") == 0


def test_the_busy_words_come_back_with_the_button_after_a_slow_answer(server, page, accounts):
    """A plain form post says "Saving…" at once; if no answer comes for a
    long while the button is ready again with a word that it is taking long."""
    accounts.register(page, server.url, unique_email("slow-post"))
    page.goto(server.url + "/cards")
    page.clock.install()
    # The post never gets an answer: the browser's own sending is held back
    # after Steady's handler has seen the tap (window hears it last).
    page.evaluate("""() => window.addEventListener('submit', (event) => {
        window.__sent = (window.__sent || 0) + (event.defaultPrevented ? 0 : 1);
        event.preventDefault();
    })""")
    page.get_by_label("Your card").fill("Breathe out slowly")
    page.get_by_role("button", name="Save card").click()
    saving = page.locator("main form button[type=submit]", has_text="Saving…")
    expect(saving).to_have_attribute("aria-busy", "true")
    page.get_by_role("button", name="Saving…").click()  # a second tap sends nothing twice
    assert page.evaluate("() => window.__sent") == 1
    page.clock.fast_forward(21_000)
    button = page.get_by_role("button", name="Save card")
    expect(button).to_be_visible()
    assert button.get_attribute("aria-busy") is None
    expect(page.get_by_role("status").filter(has_text="taking longer than it should")).to_be_visible()


def test_a_reminder_with_its_own_title_and_no_text_is_saved_with_the_default_text(server, page, accounts):
    """A title of one's own with the text left empty is a whole reminder: the
    text falls back to the default, which says nothing private."""
    accounts.register(page, server.url, unique_email("reminder-own-title"))
    page.goto(server.url + "/reminders")
    page.get_by_label("What is it for?").select_option("custom")
    page.get_by_label("Time", exact=True).fill("07:30")
    page.locator("summary", has_text="Change the words").click()
    page.get_by_label("Notification title").fill("Walk the dog")
    expect(page.get_by_label("Notification text")).to_have_value("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save reminder").click()
    expect(page.locator(".error-message")).to_have_count(0)
    expect(page.get_by_text("Walk the dog").first).to_be_visible()
    expect(page.get_by_text("7:30 am").first).to_be_visible()
    assert page.js_errors == []
