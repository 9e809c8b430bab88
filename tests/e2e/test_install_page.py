"""The install page in a real Chromium: the browser's offer to install moves nothing.

Where Chromium could install Steady it fires ``beforeinstallprompt``, and
install.js then shows its "Add Steady to home screen" button. The button's
room is kept from the first paint (there, but not seen, not focusable and not
read out), so the steps below it never jump while someone reads them: no
layout shift, which Lighthouse also counts against the page. Headless
Chromium makes no such offer, so the test sends the event itself, with a
stand-in ``prompt()``.
"""

from __future__ import annotations

from conftest import wait_until
from playwright.sync_api import expect

#: Notes when install.js starts listening for the browser's offer, and every
#: layout shift from the start (buffered), as Lighthouse's CLS counts them.
WATCH = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
}).observe({ type: "layout-shift", buffered: true });
const listen = window.addEventListener;
window.addEventListener = function (type, ...rest) {
  if (type === "beforeinstallprompt") window.__offerHeard = true;
  return listen.call(this, type, ...rest);
};
"""

OFFER = """() => {
  const offer = new Event("beforeinstallprompt", { cancelable: true });
  let answer;
  offer.userChoice = new Promise((resolve) => { answer = resolve; });
  offer.prompt = () => { window.__prompted = true; window.__answer = answer; };
  window.dispatchEvent(offer);
  return offer.defaultPrevented;
}"""

STEPS_TOP = "() => [...document.querySelectorAll('ol.steps, h2')].map((e) => e.getBoundingClientRect().top)"
#: The button's box, seen or not (Playwright gives none for an unseen element).
BOX = """() => {
  const { x, y, width, height } = document.getElementById("install-button").getBoundingClientRect();
  return { x, y, width, height };
}"""


def test_the_offer_to_install_appears_in_kept_room_and_moves_nothing(shared_server, new_context):
    context = new_context(service_workers="block", viewport={"width": 320, "height": 640})
    context.add_init_script(WATCH)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(shared_server.url + "/install")
    wait_until(page, "() => window.__offerHeard === true")

    button = page.locator("#install-button")
    offered = page.get_by_role("button", name="Add Steady to home screen")
    expect(button).to_be_hidden()  # not seen...
    expect(offered).to_have_count(0)  # ...nor offered to a screen reader
    focus = "() => { document.getElementById('install-button').focus(); return document.activeElement.id; }"
    assert page.evaluate(focus) != "install-button"  # ...nor reached from the keyboard
    before = page.evaluate(STEPS_TOP)
    room = page.evaluate(BOX)
    assert room["height"] >= 44, room  # its room is there already

    assert page.evaluate(OFFER) is True  # install.js keeps the offer for its own button
    expect(offered).to_be_visible()
    shown = page.evaluate(BOX)
    assert shown == room, (shown, room)
    assert shown["height"] >= 44 and shown["x"] + shown["width"] <= 320, shown
    assert page.evaluate(STEPS_TOP) == before

    offered.click()
    wait_until(page, "() => window.__prompted === true")
    # The pressed button had the focus; it lets go as it goes, not at the browser's next
    # redraw (which, on a busy machine, can come after someone has pressed a key).
    answered = """async () => {
      window.__answer({ outcome: 'accepted', platform: 'web' });
      await new Promise((resolve) => setTimeout(resolve, 0));
      return [document.activeElement.id, document.getElementById('install-button').classList.contains('ready')];
    }"""
    assert page.evaluate(answered) == ["", False]
    expect(offered).to_have_count(0)  # offered once: the browser's prompt cannot be shown again
    expect(button).to_be_hidden()
    assert page.evaluate(STEPS_TOP) == before
    assert page.evaluate(focus) != "install-button"

    assert page.evaluate("() => window.__shifts") == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert errors == []


#: Where the kept room sits: the gap from the lead paragraph to the first
#: heading, and the button's box against the Android steps and the next heading.
PLACES = """() => {
  const box = (element) => element.getBoundingClientRect();
  const [android, iphone] = document.querySelectorAll("h2");
  const androidSteps = document.querySelector("ol.steps");
  const button = box(document.getElementById("install-button"));
  return {
    leadToFirstHeading: box(android).top - box(document.querySelector(".lead")).bottom,
    afterAndroidSteps: button.top >= box(androidSteps).bottom,
    beforeIphoneHeading: button.bottom <= box(iphone).top,
    buttonHeight: button.height,
  };
}"""


def test_without_the_offer_the_kept_room_is_the_space_between_sections_not_a_gap_under_the_lead(
    shared_server, new_context
):
    # Safari, Firefox, or no JavaScript: no offer ever comes, so all anyone sees of
    # the button is its kept room. It follows the Android steps (the browser's own
    # way to the same thing), so the page reads on from its lead to the first heading.
    for javascript in (True, False):
        context = new_context(
            service_workers="block", java_script_enabled=javascript, viewport={"width": 320, "height": 640}
        )
        page = context.new_page()
        page.goto(shared_server.url + "/install")
        places = page.evaluate(PLACES)
        assert places["afterAndroidSteps"] and places["beforeIphoneHeading"], places
        assert places["leadToFirstHeading"] < places["buttonHeight"], places
        expect(page.get_by_role("button", name="Add Steady to home screen")).to_have_count(0)
        context.close()
