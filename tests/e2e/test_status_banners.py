"""The notes about the app itself push nothing.

"You are offline" and "A new version is ready" are shown by scripts after
the page is drawn (going offline, or a new worker waiting, can happen at any
moment). Shown above the page, they pushed it down under someone's thumb: a
layout shift of 0.10 on the kept copies opened offline at 320 px. They sit at
the end of the page, held above the bottom bar while there is more below, so
nothing already drawn moves, and what they cover can still be scrolled to.
"""

from __future__ import annotations

import re

import pytest
from conftest import LAYOUT_SHIFTS, wait_until
from playwright.sync_api import expect
from test_app_lock import lock_screen, signed_in_with_worker, turn_on_lock
from test_offline_copies import EXPECTED
from test_toolkit import exercise_url, wait_all_precached
from test_toolkit_accounts import go_offline, unique_email, wait_kv

#: Where everything on the page is (its position in the document), by order.
BOXES = """() => [...document.querySelectorAll('header, main, main *, footer, footer *, .bottom-nav')]
    .map((node) => { const box = node.getBoundingClientRect();
        return [node.nodeName, Math.round(box.top + scrollY), Math.round(box.left), Math.round(box.width)]; })"""

#: The boxes, once the page's scripts have stopped changing them (two looks 300 ms apart agree).
SETTLED = f"""async () => {{
    const look = {BOXES};
    const first = JSON.stringify(look());
    await new Promise((done) => setTimeout(done, 300));
    return first === JSON.stringify(look()) && look();
}}"""

SHOW_BOTH = (
    """() => ['offline-banner', 'update-banner'].forEach((id) => { document.getElementById(id).hidden = false; })"""
)

#: The notes, the bottom bar and the page's end, once scrolled to the bottom.
AT_THE_END = """() => {
    scrollTo(0, document.documentElement.scrollHeight);
    const box = (node) => node.getBoundingClientRect();
    const notes = ['offline-banner', 'update-banner'].map((id) => box(document.getElementById(id)));
    const footer = document.querySelector('footer');
    return {
        notesTop: Math.min(...notes.map((note) => note.top)),
        notesBottom: Math.max(...notes.map((note) => note.bottom)),
        navTop: box(document.querySelector('.bottom-nav')).top,
        lastOfPage: box(footer || document.querySelector('main')).bottom,
        wide: document.documentElement.scrollWidth,
    };
}"""


def show_the_notes(page) -> None:
    """Both notes shown on the page as it is: nothing moves, both are seen
    above the bottom bar, and the page's end can still be scrolled clear of
    them."""
    before = wait_until(page, SETTLED)
    page.evaluate(SHOW_BOTH)
    after = page.evaluate(BOXES)
    moved = [(was, now) for was, now in zip(before, after, strict=True) if was != now]
    assert moved == [], (page.url, moved[:5])
    for note in ("#offline-banner", "#update-banner"):
        expect(page.locator(note)).to_be_in_viewport()
    end = page.evaluate(AT_THE_END)
    width = page.viewport_size["width"]
    assert end["wide"] <= width, (page.url, end)
    # The bar is never covered (its 1 px edge may be), nor the page's end.
    assert end["notesBottom"] <= end["navTop"] + 1, (page.url, end)
    assert end["lastOfPage"] <= end["notesTop"] + 0.5, (page.url, end)


def phone_page(new_context, width: int):
    page = new_context(viewport={"width": width, "height": 640}).new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


PUBLIC = ("/", "/help", "/toolkit", "/login", "/register", "/learn")
SIGNED_IN = ("/checkin", "/taper/doses", "/plan", "/people", "/people/help-me", "/reminders", "/account/")


@pytest.mark.parametrize("width", [320, 390])
def test_the_notes_about_the_app_move_nothing_when_shown(server, new_context, accounts, width):
    page = phone_page(new_context, width)
    for path in PUBLIC:
        page.goto(server.url + path)
        show_the_notes(page)
    accounts.register(page, server.url, unique_email(f"notes-{width}"))
    for path in SIGNED_IN:
        page.goto(server.url + path)
        show_the_notes(page)
    assert page.js_errors == []


def test_the_kept_copies_opened_offline_move_nothing(server, new_context, pwa, accounts):
    """Offline, the kept copies show "You are offline" and nothing moves (the
    note comes after the first frame: it pushed each copy down)."""
    page = phone_page(new_context, 320)
    context = page.context
    accounts.register(page, server.url, unique_email("notes-offline"))
    pwa.wait_controlled(page, timeout=40_000)
    wait_all_precached(page, sorted({copy for copy, _ in EXPECTED.values()}), timeout=60_000)
    page.goto(server.url + "/my/checkin")
    wait_kv(page, "current-user")
    go_offline(context, server)
    moved = {}
    for path in EXPECTED:
        page.goto(server.url + path)
        shifts = page.evaluate(LAYOUT_SHIFTS)
        expect(page.locator("#offline-banner")).to_be_visible()
        if sum(shift["value"] for shift in shifts):
            moved[path] = shifts
    assert moved == {}
    assert page.js_errors == []


def test_the_locked_note_on_an_open_page_moves_nothing(server, new_context, pwa, accounts):
    """Locked, the pages open to anyone (Help now, the toolkit) say so with a
    way to unlock: the note comes once the device's lock is read, after the
    first frame, and it pushed Help now's call button down under a thumb.
    It sits with the other notes, and nothing moves."""
    page = phone_page(new_context, 320)
    signed_in_with_worker(server, page, pwa, accounts, "lock-note")
    turn_on_lock(page, server.url)
    page.goto(server.url + "/account/")
    page.get_by_role("button", name="Lock Steady now").click()
    expect(lock_screen(page)).to_be_visible()
    moved = {}
    for path in ("/help", "/toolkit", exercise_url("thought-record")):
        page.goto(server.url + path)
        shifts = page.evaluate(LAYOUT_SHIFTS)
        note = page.locator(".status-dock [data-lock-banner]")
        expect(note).to_contain_text("Steady is locked on this phone.")
        expect(note.get_by_role("link", name="Unlock")).to_be_in_viewport()
        if shifts:
            moved[path] = shifts
    assert moved == {}
    show_the_notes(page)  # with the locked note too, the page's end can be scrolled clear of them
    assert page.js_errors == []


#: The top bar: its parts' boxes, and whether anything in it spills or wraps.
TOP_BAR = """() => {
    const bar = document.querySelector('.topbar');
    const box = (node) => node && [node.getBoundingClientRect()].map((r) => [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)])[0];
    const lock = bar.querySelector('[data-lock-now]');
    return { brand: box(bar.querySelector('.brand')), helpNow: box(bar.querySelector('.help-now')), lock: box(lock),
             bar: box(bar), spills: bar.scrollWidth > bar.clientWidth };
}"""


#: Where everything in the top bar and the page below it starts (the brand may
#: narrow to its mark: that moves nothing).
FRAME = """() => [...document.querySelectorAll('.topbar, .topbar > *, main, main > *')]
    .map((node) => { const r = node.getBoundingClientRect(); return [node.className, Math.round(r.left), Math.round(r.top)]; })
    .filter(([name]) => name !== 'lock-now')"""


@pytest.mark.parametrize("width", [320, 390, 768])
def test_the_lock_button_moves_nothing_in_the_top_bar(server, new_context, pwa, accounts, width):
    """With the app lock on, "Lock Steady now" joins the top bar after the
    first frame. At 320 px it squeezed Help now onto two lines, the bar grew
    and the page moved (0.07 on Help now). Where the bar is narrow it is a
    padlock and the brand its mark alone; Help now keeps its place and line."""
    page = new_context(viewport={"width": width, "height": 640}).new_page()
    signed_in_with_worker(server, page, pwa, accounts, f"lock-bar-{width}")
    turn_on_lock(page, server.url)
    for path in ("/help", "/toolkit", "/my/people", "/account/"):
        page.goto(server.url + path)
        wait_until(page, "() => document.querySelector('[data-lock-now]')")
        shifts = page.evaluate(LAYOUT_SHIFTS)
        bar = page.evaluate(TOP_BAR)
        assert shifts == [], (path, shifts)
        assert not bar["spills"] and bar["helpNow"][3] <= 48, (path, bar)
        assert bar["lock"][2] >= 44 and bar["lock"][3] >= 44, (path, bar)
        expect(page.locator(".brand")).to_have_accessible_name("Steady")
    # Where there is room it says "Lock" beside the padlock.
    assert page.locator("[data-lock-now] .lock-word").is_visible() == (width >= 480)


@pytest.mark.parametrize("width", [320, 390])
def test_the_top_bar_keeps_help_now_on_one_line_in_spanish_with_the_lock_button_or_without(server, new_context, width):
    """Spanish's longer words: "Ayuda ahora" wrapped onto two lines beside the
    brand at 320 px (the bar 10 px taller), and the lock button, when it
    comes, moves nothing in the bar or the page."""
    page = new_context(viewport={"width": width, "height": 640}, locale="es-ES").new_page()
    page.goto(server.url + "/help")
    expect(page.get_by_role("link", name="Ayuda ahora").first).to_be_visible()
    bar = page.evaluate(TOP_BAR)
    assert not bar["spills"] and bar["helpNow"][3] <= 48 and bar["bar"][3] <= 62, bar
    before = page.evaluate(FRAME)
    page.evaluate("async () => (await import('/static/js/lock-idle.js')).addLockNowButton()")
    expect(page.locator("[data-lock-now]")).to_have_accessible_name("Bloquear Steady ahora")
    assert page.evaluate(FRAME) == before
    bar = page.evaluate(TOP_BAR)
    assert not bar["spills"] and bar["lock"][2] >= 44 and bar["lock"][3] >= 44, bar


def test_the_toolkit_moves_nothing_as_this_phones_favourites_and_recents_come_in(server, new_context):
    """The toolkit's own sections (coping cards, favourites, recently used)
    are filled from this phone after the first frame, above the exercises:
    the exercises were pushed down (0.09 at 320 px, 0.12 at 390 px, after
    one exercise was used). What follows them is drawn once they are filled
    (after 2 s whatever; at once without JavaScript)."""
    page = phone_page(new_context, 320)
    page.goto(server.url + exercise_url("five-four-three-two-one"))
    expect(page.get_by_role("button", name=re.compile("favourite", re.I))).to_be_visible()
    page.get_by_role("button", name=re.compile("favourite", re.I)).click()
    wait_kv(page, "guest:favourites", "(kept) => Array.isArray(kept) && kept.length === 1")
    page.goto(server.url + "/toolkit/breathe")
    for _ in range(3):
        page.goto(server.url + "/toolkit")
        assert page.evaluate(LAYOUT_SHIFTS) == []
        expect(page.locator("#recents li")).not_to_have_count(0)
        expect(page.locator("#favourites li")).to_have_count(1)
        expect(page.locator("main section:not(.device-section)").first).to_be_visible()
    # The script never comes: the exercises show after 2 s whatever.
    page.route("**/static/js/toolkit.js*", lambda route: route.abort())
    page.goto(server.url + "/toolkit")
    expect(page.locator("main section:not(.device-section)").first).to_be_visible(timeout=3_000)
    bare = new_context(java_script_enabled=False).new_page()
    bare.goto(server.url + "/toolkit")
    assert bare.locator("main section:not(.device-section)").first.evaluate(
        "(s) => s.checkVisibility({ visibilityProperty: true })"
    )
    assert page.js_errors == []


def slow_worker_answers(ms: int) -> str:
    """An init script: the browser's answers about this page's worker
    (``ready``, ``getRegistration``) come ``ms`` late, as on a slow phone."""
    return (
        """((late) => {
            const ready = Object.getOwnPropertyDescriptor(ServiceWorkerContainer.prototype, 'ready');
            const later = (value) => new Promise((done) => setTimeout(() => done(value), late));
            Object.defineProperty(ServiceWorkerContainer.prototype, 'ready', { get() { return later(ready.get.call(this)); } });
            const lookUp = ServiceWorkerContainer.prototype.getRegistration;
            ServiceWorkerContainer.prototype.getRegistration = function (...args) { return later(lookUp.apply(this, args)); };
        })(%d)"""
        % ms
    )


def test_the_reminders_page_moves_nothing_as_this_devices_controls_come(server, new_context, pwa, accounts):
    """ "This device" shows its controls (a name and "Turn on reminders", or
    "Turn off", or why not) once push.js has asked the browser, after the
    first frame: the devices and reminders below were pushed down (0.03 at
    320 px, the first visit after signing up). What follows it is drawn once
    it has (after 2 s whatever; at once without JavaScript)."""
    page = phone_page(new_context, 320)
    # The browser's answer comes a little late, as on a slow phone.
    page.add_init_script(slow_worker_answers(400))
    accounts.register(page, server.url, unique_email("push-room"))
    pwa.wait_controlled(page, timeout=40_000)
    page.goto(server.url + "/reminders")
    assert page.evaluate(LAYOUT_SHIFTS) == []
    expect(page.get_by_role("button", name="Turn on reminders on this device")).to_be_visible()
    expect(page.get_by_role("heading", name="Your reminders")).to_be_visible()
    bare = new_context(java_script_enabled=False, storage_state=page.context.storage_state()).new_page()
    bare.goto(server.url + "/reminders")
    assert bare.get_by_role("heading", name="Your reminders").evaluate(
        "(h) => h.checkVisibility({ visibilityProperty: true })"
    )
    assert page.js_errors == []


def test_a_reminders_page_with_errors_shows_its_fields_at_once(server, new_context, pwa, accounts):
    """With a problem to mend, the error summary's links must reach their
    fields at once: the page is drawn whole, not once "This device" has its
    controls (up to 2 s on a slow phone), so a quick tap on a link is never
    lost on a field not yet drawn."""
    page = phone_page(new_context, 320)
    # The browser's answer comes late, as on a very slow phone.
    page.add_init_script(slow_worker_answers(5000))
    accounts.register(page, server.url, unique_email("push-errors"))
    page.goto(server.url + "/reminders")
    form = page.locator("form", has=page.get_by_role("button", name="Save reminder"))
    for time in form.locator('input[name^="time"]').all():
        time.fill("")
    form.get_by_role("button", name="Save reminder").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    link = summary.locator("a").first
    target = page.locator(link.get_attribute("href"))
    assert target.evaluate("(field) => field.checkVisibility({ visibilityProperty: true })")
    link.click()
    expect(target).to_be_focused()
    assert page.js_errors == []


def test_the_reminders_page_says_off_at_once_before_this_devices_worker_is_there(server, new_context, accounts):
    """Before this device's worker is active (a first visit: it installs a
    few seconds after the page has loaded; here never), no subscription can
    exist: "This device" says reminders are off and offers to turn them on at
    once, and what follows it is drawn, not held back for 2 s waiting for a
    worker that is not there."""
    page = new_context(service_workers="block", viewport={"width": 320, "height": 640}).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    accounts.register(page, server.url, unique_email("push-no-worker"))
    page.goto(server.url + "/reminders")
    expect(page.locator(".push-status")).to_have_text("Reminders on this device: off.")
    expect(page.get_by_role("button", name="Turn on reminders on this device")).to_be_visible()
    assert page.locator("[data-fills]").get_attribute("data-filled") == ""
    assert errors == []
