"""app.js waits for the page's first frame before it starts the page's
modules, and runs none of its own code inside that frame, in a real Chromium.

When app.js runs before the first frame, the callback it gives
requestAnimationFrame runs inside the task that paints. A function of its own
there made tools that infer from a trace's tasks what a paint needed
(Lighthouse's simulation) count app.js's download as needed for the first
paint: 0.3 s more on a simulated phone, in about half of the audits
(README, bench/lighthouse.py). The callback is the browser's own setTimeout,
which starts the modules in a task of their own, as before."""

from __future__ import annotations

#: Every frame callback asked for, with whether it is the browser's own code and which script asked.
RECORD_FRAME_CALLBACKS = """
window.steadyFrameCallbacks = [];
const ask = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => {
  const stack = new Error().stack || "";
  window.steadyFrameCallbacks.push({
    native: Function.prototype.toString.call(callback).includes("[native code]"),
    fromApp: /\\/static\\/js\\/app\\.js/.test(stack),
  });
  return ask(callback);
};
"""


def test_app_js_runs_none_of_its_own_code_inside_the_first_frame(shared_server, new_context):
    context = new_context()
    context.add_init_script(RECORD_FRAME_CALLBACKS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(shared_server.url + "/toolkit/exercise/box-breathing")
    # What app.js starts after the frame has started: the service worker is registered.
    page.wait_for_function("() => navigator.serviceWorker.getRegistration().then(Boolean)", timeout=30_000)
    asked = page.evaluate("() => window.steadyFrameCallbacks")
    from_app = [entry for entry in asked if entry["fromApp"]]
    assert from_app, asked  # app.js waited for a frame (the page is on screen)
    assert all(entry["native"] for entry in from_app), from_app
    assert errors == []
