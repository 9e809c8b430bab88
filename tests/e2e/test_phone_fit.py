"""Steady on a phone, with an account holding one of everything.

1. Every page fits a 320 px and a 390 px screen, light and dark: the page
   never scrolls sideways, every visible field, button and tick/radio row is
   at least 44 px tall, and no visible text is under 12 px (chart text
   included, measured as drawn).
2. A core check-in from home takes at most 5 taps, with Save on the first
   screen; the figures (taps and seconds) are printed for the README.
3. Chart, check-ins, taper and summary are at most two taps from home for a
   person with no people saved.

One browser and one signed-in context for the whole module, to stay fast.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.support.phone_walk import (  # noqa: F401 - full_account is a fixture
    PHONE_HEIGHT,
    context_url,
    full_account,
    measure,
    open_everything,
    problems_on,
    register,
)

WIDTHS = (390, 320)
SCHEMES = ("light", "dark")


def test_every_page_fits_a_phone(full_account):
    context, page, paths = full_account
    problems = []
    for path in paths:
        page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
        page.emulate_media(color_scheme="light")
        response = page.goto(context_url(page, path))
        assert response is not None and response.status < 400, f"{path}: {response.status if response else 'no answer'}"
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # the page's own scripts fill lists from the device copy
        open_everything(page)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                problems += problems_on(page, f"{path} at {width} px ({scheme})")
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_the_walk_holds_every_kind_of_page(full_account):
    """The walk above reaches a page for each kind of data the account holds."""
    _, _, paths = full_account
    for pattern in (
        r"^/people/\d+/edit$",
        r"^/people/groups/\d+/edit$",
        r"^/cards/\d+/edit$",
        r"^/checkins/\d+/edit$",
        r"^/taper/steps/\d+/edit$",
        r"^/taper/doses/\d+/edit$",
        r"^/reminders/\d+/edit$",
        r"^/people/\d+/appointments/new$",
        r"^/appointments/\d+/edit$",
        r"^/appointments/\d+/prepare$",
        r"^/people/messages/\d+/edit$",
        r"^/learn/[\w-]+$",
        r"^/learn/supporting/[\w-]+$",
        r"^/circle/links/\d+/thanks$",
        r"^/shared/plan/[\w-]+$",
        r"^/toolkit/exercise/[\w-]+$",
    ):
        assert any(re.match(pattern, path) for path in paths), f"no page matching {pattern} in the walk"


def test_every_page_passes_axe_light_and_dark(full_account, axe):
    """axe-core: no serious or critical violation on any page of the walk,
    light and dark, with the folded parts open."""
    context, page, paths = full_account
    page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
    failures = []
    for path in paths:
        page.emulate_media(color_scheme="light")
        page.goto(context_url(page, path))
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)
        open_everything(page)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            try:
                axe(page, f"{path} ({scheme})")
            except pytest.fail.Exception as failed:
                failures.append(str(failed))
    assert not failures, "\n\n".join(failures)


def test_the_chart_text_is_readable_on_a_phone(full_account):
    """The chart's own words (axes, legend, cut labels) drawn at 12 px or more
    at 320 px, and no axis carries two scales."""
    context, page, _ = full_account
    page.set_viewport_size({"width": 320, "height": PHONE_HEIGHT})
    page.goto(context_url(page, "/chart"))
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart text')].map((t) =>
             parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b))"""
    )
    assert sizes, "the chart has no text"
    assert min(sizes) >= 12, f"chart text drawn at {min(sizes):.1f} px"
    labels = page.evaluate("() => [...document.querySelectorAll('svg.chart text')].map((t) => t.textContent)")
    assert not [text for text in labels if "·" in text and "%" in text], labels


# --------------------------------------------------------------------------
# The daily path
# --------------------------------------------------------------------------


@pytest.fixture
def newcomer(shared_server, new_context):
    """Someone signed in just now, with no people saved, on a 390×844 phone."""
    context = new_context(service_workers="block", viewport={"width": 390, "height": PHONE_HEIGHT})
    page = context.new_page()
    register(page, shared_server.url)
    return page


def save_is_on_first_screen(page) -> bool:
    """The Save button is wholly on screen and not under the bottom bar."""
    return page.evaluate(
        """() => {
            const save = [...document.querySelectorAll('form[data-checkin-form] button[type=submit]')].find((b) => b.checkVisibility());
            const nav = document.querySelector('.bottom-nav').getBoundingClientRect();
            const box = save.getBoundingClientRect();
            return window.scrollY === 0 && box.top >= 0 && box.bottom <= nav.top;
        }"""
    )


def test_a_core_check_in_from_home_in_five_taps(shared_server, newcomer, capsys):
    page = newcomer
    page.goto(shared_server.url + "/")
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        locator.click()
        taps += 1

    started = time.monotonic()
    tap(page.get_by_role("link", name="Check in", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check in")
    form = page.locator("form[data-checkin-form]")
    expect(form).to_be_visible()
    assert save_is_on_first_screen(page), "Save is not on the first screen at 390×844"
    tap(form.locator("fieldset#overall").get_by_label("6", exact=True))
    tap(form.locator("fieldset#anxiety").get_by_label("3", exact=True))
    tap(form.get_by_text("Yes, as planned"))
    assert page.evaluate("() => window.scrollY") == 0, "the core check-in made the page scroll"
    tap(form.get_by_role("button", name="Save check-in"))
    expect(page.locator("[data-checkin-status]")).to_contain_text("Check-in saved")
    seconds = time.monotonic() - started
    assert taps <= 5
    with capsys.disabled():
        print(f"\ncore check-in from home: {taps} taps, {seconds:.1f} s (scripted, no reading time)")
    stored = page.evaluate("""() => fetch('/api/checkins').then((r) => r.json())""")
    # It reaches the server (sent from the outbox) with what was tapped.
    deadline = time.monotonic() + 15
    while not stored["checkins"] and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        stored = page.evaluate("""() => fetch('/api/checkins').then((r) => r.json())""")
    [checkin] = stored["checkins"]
    assert (checkin["overall"], checkin["anxiety"], checkin["doses"]) == (6, 3, "as_planned")


def test_add_more_remembers_being_open(shared_server, newcomer):
    page = newcomer
    page.goto(shared_server.url + "/my/checkin")
    more = page.locator("details.more-details")
    expect(more).not_to_have_attribute("open", "")
    expect(page.get_by_label("Hours of sleep")).to_be_hidden()
    more.locator("summary").click()
    expect(page.get_by_label("Hours of sleep")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Hours of sleep")).to_be_visible()
    stored = page.evaluate("() => Object.entries(localStorage)")
    assert ["steady.open.checkin-more", "open"] in stored
    more.locator("summary").click()
    page.reload()
    expect(page.get_by_label("Hours of sleep")).to_be_hidden()


def test_check_in_errors_sit_beside_their_fields(shared_server, newcomer):
    page = newcomer
    page.goto(shared_server.url + "/my/checkin")
    page.get_by_role("button", name="Save check-in").click()
    summary = page.locator("[data-checkin-errors]")
    expect(summary).to_contain_text("There is a problem")
    overall = page.locator("fieldset#overall")
    expect(overall.locator(".error-message")).to_contain_text("Choose a number from 0 to 10")
    assert overall.get_attribute("aria-describedby").split()[-1] == "overall-client-error"
    expect(overall.locator("input").first).to_have_attribute("aria-invalid", "true")
    # A wrong value folded in "Add more" opens it, with its message beside it.
    page.locator("summary", has_text="Add more").click()
    page.get_by_label("Hours of sleep").fill("25")
    page.locator("summary", has_text="Add more").click()
    overall.get_by_label("5", exact=True).click()
    page.locator("fieldset#anxiety").get_by_label("5", exact=True).click()
    page.get_by_text("Yes, as planned").click()
    page.get_by_role("button", name="Save check-in").click()
    hours = page.get_by_label("Hours of sleep")
    expect(hours).to_be_visible()
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#sleep_hours-client-error")).to_contain_text("from 0 to 24")
    expect(overall.locator(".error-message")).to_have_count(0)
    expect(hours).to_have_value("25")


@pytest.mark.parametrize(
    "name, heading",
    [
        ("Your chart", "Windows and waves"),
        ("Your check-ins", "Your check-ins"),
        ("Your taper plan", None),
        ("Summary for your prescriber", None),
        ("Log a dose", None),
    ],
)
def test_the_daily_pages_are_one_tap_from_home_with_no_people(shared_server, newcomer, name, heading):
    page = newcomer
    page.goto(shared_server.url + "/")
    expect(page.locator(".my-people-home")).to_be_hidden()  # no people saved
    link = page.get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    assert link.evaluate("(a) => a.classList.contains('button') && a.getBoundingClientRect().height >= 44")
    with page.expect_navigation():
        link.click()
    assert page.url != shared_server.url + "/"
    expect(page.locator("main")).not_to_contain_text("Page not found")
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_guest_check_in_is_not_a_dead_end(shared_server, new_context):
    context = new_context(service_workers="block", viewport={"width": 390, "height": PHONE_HEIGHT})
    page = context.new_page()
    page.goto(shared_server.url + "/")
    page.get_by_role("link", name="Check in", exact=True).click()
    offer = page.locator('[data-when="signed-out"]')
    expect(offer).to_be_visible()
    expect(offer.get_by_role("link", name="Create an account")).to_have_attribute("href", "/register")
    expect(offer.get_by_role("link", name="Breathe with me")).to_be_visible()
    expect(page.locator("form[data-checkin-form]")).to_be_hidden()


def test_home_shows_today_step_only_to_its_owner(full_account, shared_server, new_context):
    context, page, _ = full_account
    page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
    page.goto(shared_server.url + "/")
    step = page.locator("[data-today-step]")
    expect(step).to_contain_text("9 mg")
    expect(step).to_contain_text("8:00 am")
    stranger = new_context(service_workers="block").new_page()
    stranger.goto(shared_server.url + "/")
    expect(stranger.locator("[data-today-step]")).to_have_count(0)
    expect(stranger.get_by_role("link", name="Log a dose")).to_have_count(0)


def test_the_measure_finds_what_it_looks_for(full_account):
    """The checks above can fail: a too-small button, tiny text and a
    too-wide block, put on a page, are each reported."""
    context, page, _ = full_account
    page.set_viewport_size({"width": 320, "height": PHONE_HEIGHT})
    page.goto(context_url(page, "/toolkit"))
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const button = document.createElement('button');
            button.textContent = 'Tiny button';
            button.style.cssText = 'height: 30px; min-height: 0; padding: 0';
            const note = document.createElement('p');
            note.textContent = 'Fine print';
            note.style.fontSize = '10px';
            const wide = document.createElement('div');
            wide.textContent = 'Wide';
            wide.style.width = '500px';
            main.append(button, note, wide);
        }"""
    )
    problems = "\n".join(problems_on(page, "probe"))
    assert '"Tiny button" is 30.0 px tall' in problems
    assert '"Fine print" in p is 10.0 px' in problems
    assert "wide on a 320 px screen" in problems


def test_a_button_waiting_on_the_network_says_so(full_account, shared_server):
    """A plain form post: once sent, the button says "Saving…" (aria-busy)
    until the next page comes, and a second tap does not send it again. (The
    page's own navigation is held back here by a last listener, which notes
    whether Steady let each submit through.)"""
    context, page, _ = full_account
    page.goto(shared_server.url + "/taper/steps/new")
    page.get_by_label("Starts on").fill("2026-12-20")
    page.get_by_label("Dose a day").fill("8")
    page.evaluate(
        """() => {
            window.sent = [];
            window.addEventListener("submit", (event) => { window.sent.push(!event.defaultPrevented); event.preventDefault(); });
        }"""
    )
    button = page.locator("form.step-form button[type=submit]")
    expect(button).to_have_text("Save step")
    button.click()
    expect(button).to_have_text("Saving…")
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_be_enabled()  # so its name and value still go with the form
    button.click()
    assert page.evaluate("() => window.sent") == [True, False]
