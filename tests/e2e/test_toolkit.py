"""The coping toolkit in a real Chromium, as a person in a hard moment uses it.

1. Offline, with the server gone: every exercise page, the feelings picker,
   every feeling, the toolkit, the breathing page and Help now open from the
   service worker's cache, with every step of every exercise.
2. The step player: one step at a time, Back/Next, "Step k of N", a timed step
   counts down to "Time is up" (fake clock), Finish says "You did it".
3. The breathing pacer runs through every phase and round to "Well done",
   the shape growing (is-in) and shrinking (is-out).
4. With "reduce motion" the pacer counts in words, hides the shape and runs
   no animation or transition at all.
5. Help now picks the country from the browser's language region, shows its
   emergency number, switches on request and remembers the choice offline.
6. axe-core finds no serious or critical problem on any toolkit screen, in
   the light and the dark scheme.

Everything is computed from the content files (``load_library()``), never
from a hard-coded list, so a new exercise is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from conftest import LAYOUT_SHIFTS, wait_until
from playwright.sync_api import expect

from webapp.services.content import load_library

OFFLINE_HEADING = "You are offline"


def normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def library():
    return load_library()


def exercise_url(exercise_id: str) -> str:
    return f"/toolkit/exercise/{exercise_id}"


def toolkit_pages(library) -> list[str]:
    """Every page of the toolkit that must open offline."""
    pages = ["/toolkit", "/toolkit/feel", "/toolkit/breathe", "/help"]
    pages += [f"/toolkit/feel/{feeling_id}" for feeling_id in library.feelings]
    pages += [exercise_url(exercise_id) for exercise_id in library.exercises]
    return pages


def wait_all_precached(page, paths: list[str], timeout: float = 30_000) -> None:
    """Wait until one ``steady-shell-*`` cache holds every path."""
    wait_until(
        page,
        """async (paths) => {
            for (const name of await caches.keys()) {
                if (!name.startsWith("steady-shell-")) continue;
                const cache = await caches.open(name);
                const found = await Promise.all(paths.map((path) => cache.match(path)));
                if (found.every(Boolean)) return true;
            }
            return false;
        }""",
        paths,
        timeout,
        polling=200,
    )


def quiet_context(new_context, **options):
    """A profile without the service worker, for checks that are not about it."""
    options.setdefault("service_workers", "block")
    return new_context(**options)


def open_page(context, url: str, clock: bool = False):
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    if clock:
        page.clock.install()
    page.goto(url)
    return page


# --------------------------------------------------------------------------
# 1. Offline everything
# --------------------------------------------------------------------------


def test_every_toolkit_page_opens_offline_with_all_its_steps(server, context, page, pwa, library):
    page.goto(server.url + "/")
    pwa.wait_controlled(page)
    expected = toolkit_pages(library) + ["/api/content"]
    wait_all_precached(page, expected)

    context.set_offline(True)
    server.stop()

    def open_offline(path: str):
        response = page.goto(server.url + path)
        assert response is not None and response.from_service_worker, f"{path} did not come from the worker"
        heading = page.get_by_role("heading", level=1)
        expect(heading).not_to_have_text(OFFLINE_HEADING)
        return heading

    for exercise in library.exercises.values():
        path = exercise_url(exercise.id)
        expect(open_offline(path)).to_have_text(exercise.title)
        steps = page.locator(".exercise-step")
        expect(steps, f"{path}: wrong number of steps").to_have_count(len(exercise.steps))
        shown = [normalise(t) for t in page.locator(".exercise-step .step-text").all_text_contents()]
        assert shown == [normalise(step.text) for step in exercise.steps], f"{path}: steps differ from the content"
        if exercise.breathing:
            # The pacer is a breathing exercise's one control; its steps are read, not stepped.
            expect(page.locator(".pacer .pacer-start")).to_be_visible()
            expect(page.locator(".player-progress")).to_have_count(0)
        else:
            # The player script came from the cache too: one step at a time.
            expect(page.locator(".player")).to_have_class(re.compile(r"\bis-player\b"))
            expect(page.locator(".player-progress")).to_have_text(f"Step 1 of {len(exercise.steps)}")

    expect(open_offline("/toolkit/feel")).to_have_text("How do you feel right now?")
    labels = [normalise(t) for t in page.locator(".feeling-button .feeling-label").all_text_contents()]
    assert labels == [f.label for f in library.feelings.values()]

    for feeling in library.feelings.values():
        expect(open_offline(f"/toolkit/feel/{feeling.id}")).to_have_text(feeling.label)
        first = [normalise(t) for t in page.locator(".exercise-list-first .card-title").all_text_contents()]
        assert first == [library.exercises[i].title for i in feeling.first], feeling.id

    expect(open_offline("/toolkit")).to_have_text("Your toolkit")
    listed = page.locator("section:not(.device-section) a.exercise-link")
    expect(listed).to_have_count(len(library.exercises))
    for key_heading_items in library.by_category():
        expect(page.get_by_role("heading", level=2, name=key_heading_items[1], exact=True)).to_be_visible()

    expect(open_offline("/toolkit/breathe")).to_have_text("Breathe with me")
    expect(page.get_by_role("button", name="Start")).to_be_visible()

    expect(open_offline("/help")).to_have_text("Help now")
    expect(page.locator("#offline-banner")).to_be_visible()
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 2. Step player and timer
# --------------------------------------------------------------------------


def timed_exercise(library):
    """An exercise whose first timed step is not its first step (so Next is
    needed), preferring the shortest timer."""
    candidates = []
    for exercise in library.exercises.values():
        if exercise.kind != "steps" or len(exercise.steps) < 3:
            continue
        for index, step in enumerate(exercise.steps):
            if index > 0 and step.timer_seconds:
                candidates.append((step.timer_seconds, exercise.id, index))
                break
    assert candidates, "no exercise has a timed step after the first: nothing to test the timer with"
    seconds, exercise_id, index = min(candidates)
    return library.exercises[exercise_id], index


def test_step_player_moves_step_by_step_and_timer_says_time_is_up(shared_server, new_context, library):
    exercise, timed = timed_exercise(library)
    total = len(exercise.steps)
    seconds = exercise.steps[timed].timer_seconds
    page = open_page(quiet_context(new_context), shared_server.url + exercise_url(exercise.id), clock=True)

    progress = page.locator(".player-progress")
    steps = page.locator(".exercise-step")
    back = page.get_by_role("button", name="Back")
    nxt = page.get_by_role("button", name="Next")

    def expect_on(index: int) -> None:
        expect(progress).to_have_text(f"Step {index + 1} of {total}")
        expect(steps.nth(index)).to_be_visible()
        expect(steps.locator("visible=true")).to_have_count(1)
        expect(steps.nth(index).locator(".step-text")).to_have_text(exercise.steps[index].text)

    expect_on(0)
    expect(back).to_be_disabled()
    nxt.click()
    expect_on(1)
    expect(back).to_be_enabled()
    back.click()
    expect_on(0)

    for _ in range(timed):
        nxt.click()
    expect_on(timed)
    step = steps.nth(timed)
    display = step.locator(".timer-display")
    done = step.get_by_text("Time is up")
    expect(display).to_have_text(f"{seconds // 60}:{seconds % 60:02d}")
    expect(done).to_be_hidden()

    step.get_by_role("button", name="Start timer").click()
    expect(step.get_by_role("button", name="Pause")).to_be_visible()
    page.clock.run_for(1000)
    left = seconds - 1
    expect(display).to_have_text(f"{left // 60}:{left % 60:02d}")
    page.clock.run_for((seconds - 2) * 1000)
    expect(display).to_have_text("0:01")
    expect(done).to_be_hidden()
    page.clock.run_for(1000)
    expect(display).to_have_text("0:00")
    expect(done).to_be_visible()
    expect(step.get_by_role("button", name="Start again")).to_be_visible()
    # More time passing does not run the count below zero.
    page.clock.run_for(5000)
    expect(display).to_have_text("0:00")

    for index in range(timed + 1, total):
        nxt.click()
        expect_on(index)
    finish = page.get_by_role("button", name="Finish")
    expect(finish).to_be_visible()
    finish.click()
    expect(page.get_by_text("You did it")).to_be_visible()
    expect(steps.locator("visible=true")).to_have_count(0)
    expect(progress).to_be_hidden()
    expect(back).to_be_hidden()
    expect(finish).to_be_hidden()

    page.get_by_role("button", name="Start again").click()
    expect_on(0)
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 3. Breathing pacer
# --------------------------------------------------------------------------


def breathing_exercises(library):
    found = [e for e in library.exercises.values() if e.kind == "breathing"]
    assert {"paced-breathing", "box-breathing"} <= {e.id for e in found}
    return found


def test_breathing_pacer_runs_every_round_to_well_done(shared_server, new_context, library):
    context = quiet_context(new_context)
    for exercise in breathing_exercises(library):
        b = exercise.breathing
        cycle = b.inhale + b.hold_in + b.exhale + b.hold_out
        page = open_page(context, shared_server.url + exercise_url(exercise.id), clock=True)
        pacer = page.locator(".pacer")
        shape = pacer.locator(".pacer-shape")
        phase = pacer.locator(".pacer-phase")
        count = pacer.locator(".pacer-count")
        round_text = pacer.locator(".pacer-round")
        expect(shape).to_be_visible()
        expect(pacer.get_by_role("button", name="Stop")).to_be_hidden()

        pacer.get_by_role("button", name="Start").click()
        expect(phase).to_have_text("Breathe in")
        expect(count).to_have_text("1")
        expect(round_text).to_have_text(f"Round 1 of {b.rounds}")
        expect(shape).to_have_class(re.compile(r"\bis-in\b"))
        # The shape really is growing: a transform transition is under way.
        assert page.evaluate("() => document.getAnimations().length") > 0, exercise.id
        page.clock.run_for(1000)
        expect(count).to_have_text("2")

        page.clock.run_for((b.inhale - 1) * 1000)
        if b.hold_in:
            expect(phase).to_have_text("Hold")
            expect(shape).to_have_class(re.compile(r"\bis-in\b"))
            page.clock.run_for(b.hold_in * 1000)
        expect(phase).to_have_text("Breathe out")
        expect(shape).to_have_class(re.compile(r"\bis-out\b"))
        expect(shape).not_to_have_class(re.compile(r"\bis-in\b"))
        page.clock.run_for(b.exhale * 1000)
        if b.hold_out:
            expect(phase).to_have_text("Hold")
            expect(shape).to_have_class(re.compile(r"\bis-out\b"))
            page.clock.run_for(b.hold_out * 1000)
        if b.rounds > 1:
            expect(phase).to_have_text("Breathe in")
            expect(round_text).to_have_text(f"Round 2 of {b.rounds}")

        # To one second before the end: still going.
        page.clock.run_for(((b.rounds - 1) * cycle - 1) * 1000)
        expect(round_text).to_have_text(f"Round {b.rounds} of {b.rounds}")
        expect(phase).not_to_have_text(re.compile("Well done"))
        page.clock.run_for(1000)
        expect(phase).to_contain_text("Well done")
        expect(shape).not_to_have_class(re.compile(r"\bis-(in|out)\b"))
        expect(pacer.get_by_role("button", name="Start again")).to_be_visible()
        expect(pacer.get_by_role("button", name="Stop")).to_be_hidden()
        assert page.js_errors == [], exercise.id
        page.close()


def test_breathe_page_pattern_choice_changes_the_pacer(shared_server, new_context):
    page = open_page(quiet_context(new_context), shared_server.url + "/toolkit/breathe", clock=True)
    pacer = page.locator(".pacer")
    page.get_by_role("radio", name=re.compile("^Box breathing")).check()
    expect(pacer.locator(".pacer-plain")).to_contain_text("Breathe in for 4, hold for 4, breathe out for 4, hold for 4")
    pacer.get_by_role("button", name="Start").click()
    page.clock.run_for(4000)
    expect(pacer.locator(".pacer-phase")).to_have_text("Hold")
    pacer.get_by_role("button", name="Stop").click()
    expect(pacer.locator(".pacer-phase")).to_contain_text("Stopped")

    page.get_by_role("radio", name="My own pace").check()
    page.get_by_label("In (seconds)", exact=True).fill("3")
    page.get_by_label("Out (seconds)", exact=True).fill("5")
    page.get_by_label("Out (seconds)", exact=True).dispatch_event("change")
    expect(pacer.locator(".pacer-plain")).to_contain_text("Breathe in for 3, breathe out for 5")
    pacer.get_by_role("button", name="Start again").click()
    page.clock.run_for(3000)
    expect(pacer.locator(".pacer-phase")).to_have_text("Breathe out")
    assert page.js_errors == []


def test_own_pace_refuses_over_breathing_beside_the_field_and_keeps_what_was_typed(shared_server, new_context):
    page = open_page(quiet_context(new_context), shared_server.url + "/toolkit/breathe", clock=True)
    pacer = page.locator(".pacer")
    start = pacer.get_by_role("button", name="Start")
    page.get_by_role("radio", name="My own pace").check()
    inhale = page.get_by_label("In (seconds)", exact=True)
    exhale = page.get_by_label("Out (seconds)", exact=True)
    hold_in = page.get_by_label("Hold after in (seconds)", exact=True)
    blocked = page.locator(".free-pattern-blocked")

    # 1 s in, 1 s out: 30 breaths a minute. Refused, said beside each field, typed text untouched.
    inhale.fill("1")
    exhale.fill("1")
    expect(page.locator("#breath-inhale-error")).to_be_visible()
    expect(page.locator("#breath-inhale-error")).to_contain_text("at least 3 seconds")
    expect(page.locator("#breath-exhale-error")).to_contain_text("at least 4 seconds")
    expect(inhale).to_have_value("1")
    expect(exhale).to_have_value("1")
    expect(inhale).to_have_attribute("aria-invalid", "true")
    expect(start).to_be_disabled()
    expect(blocked).to_be_visible()
    # The pacer still describes its last safe pattern, not the refused one.
    expect(pacer.locator(".pacer-plain")).to_contain_text("Breathe in for 4, breathe out for 6")
    assert page.evaluate("() => document.querySelector('.pacer').dataset.inhale") == "4"

    # A long in-breath with a shorter out-breath is refused on the out-breath.
    inhale.fill("8")
    exhale.fill("5")
    expect(page.locator("#breath-inhale-error")).to_be_hidden()
    expect(page.locator("#breath-exhale-error")).to_contain_text(
        "Breathe out at least as long as in: 8 seconds or more"
    )
    expect(start).to_be_disabled()

    # A 20 s hold, a negative hold, a fraction, an empty field and words are refused too (and kept as typed).
    exhale.fill("8")
    for typed in ("20", "5", "-1", "2.5", "", "1e0", "99999999999999999999", "four", "4 s", "\uff14"):
        hold_in.fill(typed)
        expect(page.locator("#breath-hold_in-error")).to_be_visible()
        expect(hold_in).to_have_value(typed)
        expect(start).to_be_disabled()

    # Within bounds (3 in, hold 4, 4 out): accepted, errors gone, and it runs.
    inhale.fill("3")
    exhale.fill("4")
    hold_in.fill("4")
    expect(page.locator(".free-pattern .error-message:visible")).to_have_count(0)
    expect(blocked).to_be_hidden()
    expect(start).to_be_enabled()
    expect(pacer.locator(".pacer-plain")).to_contain_text("Breathe in for 3, hold for 4, breathe out for 4")
    start.click()
    page.clock.run_for(3000)
    expect(pacer.locator(".pacer-phase")).to_have_text("Hold")
    page.clock.run_for(4000)
    expect(pacer.locator(".pacer-phase")).to_have_text("Breathe out")
    assert page.js_errors == []


def test_the_pacer_never_runs_a_pattern_faster_than_the_bounds_even_if_the_page_says_so(shared_server, new_context):
    page = open_page(quiet_context(new_context), shared_server.url + exercise_url("paced-breathing"), clock=True)
    pacer = page.locator(".pacer")
    page.evaluate(
        "() => { const p = document.querySelector('.pacer'); p.dataset.inhale = '1'; p.dataset.exhale = '1'; }"
    )
    pacer.get_by_role("button", name="Start").click()
    expect(pacer.locator(".pacer-phase")).to_contain_text("too fast to pace safely")
    page.clock.run_for(3000)
    expect(pacer.locator(".pacer-phase")).to_contain_text("too fast to pace safely")
    expect(pacer.locator(".pacer-round")).to_have_text("")
    assert page.js_errors == []


def test_box_breathing_skip_the_holds_really_skips_them(shared_server, new_context, library):
    b = library.exercises["box-breathing"].breathing
    assert b.hold_in and b.hold_out
    page = open_page(quiet_context(new_context), shared_server.url + exercise_url("box-breathing"), clock=True)
    pacer = page.locator(".pacer")
    phase = pacer.locator(".pacer-phase")
    skip = pacer.get_by_role("checkbox", name=re.compile("^Skip the holds"))
    expect(skip).to_be_visible()
    # The step that tells people to skip the holds points at this very control.
    steps = " ".join(s.text for s in library.exercises["box-breathing"].steps)
    assert "Skip the holds" in steps

    pacer.get_by_role("button", name="Start").click()
    page.clock.run_for(b.inhale * 1000)
    expect(phase).to_have_text("Hold")
    # Ticked during a hold: the hold ends at once.
    skip.check()
    expect(phase).to_have_text("Breathe out")
    expect(pacer.locator(".pacer-plain")).to_contain_text("Holds skipped")
    page.clock.run_for(b.exhale * 1000)
    expect(phase).to_have_text("Breathe in")  # no hold after the out-breath either
    expect(pacer.locator(".pacer-round")).to_have_text(f"Round 2 of {b.rounds}")
    # Every remaining round runs in and out only, to the end.
    seen = set()
    for _ in range((b.rounds - 1) * (b.inhale + b.exhale) - 1):
        page.clock.run_for(1000)
        seen.add(phase.text_content())
    assert "Hold" not in seen
    page.clock.run_for(1000)
    expect(phase).to_contain_text("Well done")
    assert page.js_errors == []

    # Paced breathing has no holds, so it offers no skip.
    page.goto(shared_server.url + exercise_url("paced-breathing"))
    expect(page.locator(".pacer").get_by_role("checkbox", name=re.compile("^Skip the holds"))).to_be_hidden()


# --------------------------------------------------------------------------
# 4. Reduced motion
# --------------------------------------------------------------------------


#: The shape's box with the words after it in the stage taken away, as when
#: the browser paints before the rest of the page has arrived; and whole.
SHAPE_WITHOUT_ITS_WORDS = """() => {
    const shape = document.querySelector('.pacer-shape');
    const box = () => JSON.stringify(shape.getBoundingClientRect());
    const whole = box();
    [...shape.parentNode.children].filter((e) => e !== shape).forEach((e) => e.remove());
    return [whole, box()];
}"""


@pytest.mark.parametrize("path", ["/toolkit/exercise/box-breathing", "/toolkit/breathe"])
@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_the_pacer_moves_nothing_as_its_page_arrives_and_starts(shared_server, new_context, motion, path):
    """With reduced motion the shape is not drawn from the first paint (it used
    to be hidden when the script started, and Start jumped up by its height);
    the vibration choice comes with the first Start (shown as the script
    started, it pushed down all below the pacer); and the shape keeps its
    place whatever of its words have arrived."""
    context = quiet_context(new_context, reduced_motion=motion, viewport={"width": 320, "height": 740})
    page = open_page(context, shared_server.url + path)
    shifts = page.evaluate(LAYOUT_SHIFTS)
    assert sum(shift["value"] for shift in shifts) == 0, shifts
    vibration = page.get_by_role("checkbox", name="Gentle vibration at each change")
    expect(vibration).to_be_hidden()
    page.locator(".pacer").get_by_role("button", name="Start").click()
    expect(vibration).to_be_visible()  # Chromium has navigator.vibrate
    if motion == "no-preference":
        whole, without_words = page.evaluate(SHAPE_WITHOUT_ITS_WORDS)
        assert whole == without_words
    assert page.js_errors == []


def test_reduced_motion_pacer_counts_in_words_and_nothing_moves(shared_server, new_context, library):
    context = quiet_context(new_context, reduced_motion="reduce")
    exercise = library.exercises["paced-breathing"]
    b = exercise.breathing
    page = open_page(context, shared_server.url + exercise_url(exercise.id), clock=True)
    assert page.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
    pacer = page.locator(".pacer")
    count = pacer.locator(".pacer-count")
    expect(pacer.locator(".pacer-shape")).to_be_hidden()

    pacer.get_by_role("button", name="Start").click()
    expect(pacer.locator(".pacer-phase")).to_have_text("Breathe in")
    expect(count).to_have_text("Breathe in… 1")
    expect(count).to_be_visible()
    expect(pacer.locator(".pacer-shape")).to_be_hidden()
    assert page.evaluate("() => document.getAnimations().length") == 0
    page.clock.run_for(1000)
    expect(count).to_have_text("Breathe in… 2")
    page.clock.run_for((b.inhale - 1 + b.hold_in) * 1000)
    expect(count).to_have_text("Breathe out… 1")
    assert page.evaluate("() => document.getAnimations().length") == 0
    # Nothing anywhere on the page transitions or animates for real.
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter((el) => {
            const style = getComputedStyle(el);
            const longest = (value) => Math.max(...value.split(',').map((part) => parseFloat(part) || 0));
            return longest(style.transitionDuration) > 0.01 || longest(style.animationDuration) > 0.01;
        }).map((el) => el.className || el.tagName)"""
    )
    assert moving == [], f"elements that still move with reduced motion: {moving}"
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 5. Help now
# --------------------------------------------------------------------------


def pick_countries(library):
    countries = list(library.countries.values())
    assert len(countries) >= 2, "the crisis data needs at least two countries for this test"
    home = library.countries.get("GB") or next((c for c in countries if c.lines), countries[0])
    other = next((c for c in countries if c.emergency != home.emergency), None)
    assert other is not None, "every country shares one emergency number: cannot tell sections apart"
    return home, other


def test_help_now_follows_locale_switches_country_and_remembers_it_offline(server, new_context, pwa, library):
    home, other = pick_countries(library)
    context = new_context(locale=f"en-{home.code}")
    page = open_page(context, server.url + "/help")
    assert page.evaluate("() => navigator.languages[0]") == f"en-{home.code}"

    def expect_country(country) -> None:
        section = page.locator(f'.help-country[data-country="{country.code}"]')
        expect(section).to_be_visible()
        expect(page.locator(".help-country:visible")).to_have_count(1)
        expect(page.get_by_role("combobox", name="Your country")).to_have_value(country.code)
        expect(section.get_by_role("link", name=f"Call {country.emergency}", exact=True)).to_be_visible()
        expect(section.get_by_role("link", name=f"Call {country.emergency}", exact=True)).to_have_attribute(
            "href", f"tel:{country.emergency}"
        )
        for line in country.lines:
            expect(section.get_by_role("heading", name=line.name, exact=True)).to_be_visible()

    expect_country(home)
    # The JS-less "Show help" button is not needed with the script running.
    expect(page.get_by_role("button", name="Show help for this country")).to_be_hidden()

    page.get_by_role("combobox", name="Your country").select_option(other.code)
    expect_country(other)
    expect(page.locator(f'.help-country[data-country="{home.code}"]')).to_be_hidden()

    pwa.wait_controlled(page)
    pwa.wait_precached(page, "/help")
    context.set_offline(True)
    server.stop()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help now")
    expect_country(other)

    # "Another country": the general emergency numbers and the directory.
    page.get_by_role("combobox", name="Your country").select_option("")
    general = page.locator('.help-country[data-country=""]')
    expect(general).to_be_visible()
    expect(general.get_by_role("link", name="Call 112")).to_be_visible()
    expect(page.get_by_role("link", name=library.directory.name)).to_be_visible()
    assert page.js_errors == []


# --------------------------------------------------------------------------
# 6. axe-core
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed_in_state(shared_server, browser, accounts):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        accounts.register(page, shared_server.url, "toolkit-axe@example.com")
        accounts.expect_signed_in(page)
        # Something on each signed-in page, so its filled-in state is checked.
        page.goto(shared_server.url + "/cards")
        page.get_by_label("Your card").fill("This is withdrawal, not who I am.")
        page.get_by_role("button", name="Save card").click()
        expect(page.locator(".coping-card-text")).to_have_count(1)
        page.goto(shared_server.url + "/toolkit/exercise/thought-record")
        page.get_by_label("The thought that came").fill("I will never feel normal again.")
        page.get_by_label("A kinder, more balanced thought").fill("I have had better days this month.")
        page.get_by_role("button", name="Save my thought record").click()
        expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
        wait_until(
            page,
            "() => fetch('/api/thought-records').then((r) => r.json()).then((d) => d.records.length === 1)",
            polling=200,
        )
        return context.storage_state()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_toolkit_screens_have_no_serious_axe_violations(
    shared_server, new_context, axe, library, signed_in_state, scheme
):
    failures: list[str] = []

    def check(page, label: str) -> None:
        try:
            axe(page, f"{label} ({scheme})")
        except pytest.fail.Exception as failure:
            failures.append(str(failure))

    def visit(page, path: str) -> None:
        page.goto(shared_server.url + path)
        page.wait_for_load_state("load")
        expect(page.get_by_role("heading", level=1)).not_to_have_text("")
        assert page.evaluate(f"() => matchMedia('(prefers-color-scheme: {scheme})').matches")

    guest = quiet_context(new_context).new_page()
    guest.emulate_media(color_scheme=scheme)
    first_feeling = next(iter(library.feelings))
    for path in ["/toolkit", "/toolkit/feel", f"/toolkit/feel/{first_feeling}", "/toolkit/breathe", "/help"]:
        visit(guest, path)
        check(guest, path)
    # The own-pace refusal, beside its fields.
    visit(guest, "/toolkit/breathe")
    guest.get_by_role("radio", name="My own pace").check()
    guest.get_by_label("In (seconds)", exact=True).fill("1")
    expect(guest.locator("#breath-inhale-error")).to_be_visible()
    check(guest, "/toolkit/breathe (own pace refused)")
    # Box breathing offers "Skip the holds".
    visit(guest, exercise_url("box-breathing"))
    expect(guest.locator(".pacer-skip")).to_be_visible()
    # The pacer while it runs, and the player's end screen.
    visit(guest, "/toolkit/breathe")
    guest.get_by_role("button", name="Start").click()
    expect(guest.locator(".pacer-phase")).to_have_text("Breathe in")
    check(guest, "/toolkit/breathe (running)")
    for exercise in library.exercises.values():
        visit(guest, exercise_url(exercise.id))
        expect(guest.locator(".pacer-start" if exercise.breathing else ".player-progress")).to_be_visible()
        check(guest, exercise_url(exercise.id))

    member = quiet_context(new_context, storage_state=signed_in_state).new_page()
    member.emulate_media(color_scheme=scheme)
    for path in ["/cards", "/toolkit/thought-records", "/toolkit"]:
        visit(member, path)
        check(member, f"{path} signed in")
    expect(member.get_by_role("heading", name="Your coping cards")).to_be_visible()
    check(member, "/toolkit signed in with cards")

    assert not failures, "\n\n".join(failures)
