// The lock's idle time: any sign of use (a tap, a key, scrolling) counts,
// in this tab and — through the service worker — in every other; past the
// chosen idle time, Steady locks. The server is told now and then that the
// phone is in use (it locks on its own after the idle time without a sign).
// The "Lock" button in the top bar is here too.
import { element } from "./dom.js";
import { t } from "./strings.js";
import { askWorker, deviceLock, tellActivity, tellWorker } from "./device-store.js";
import { DEFAULT_IDLE, tellServer } from "./lock-server.js";

const CHECK_EVERY_MS = 5000;
const KEEP_WORKER_MS = 20000;
const ACTIVITY_EVERY_MS = 5000;
const SERVER_SEEN_EVERY_MS = 60000;

// What the lock tells this part: whether it is unlocked, and how to lock.
let lock = { isUnlocked: () => false, lockNow: async () => {} };
let timers = [];

export function connectIdle(actions) {
  lock = { ...lock, ...actions };
}

export function stopTimers() {
  timers.forEach((timer) => clearInterval(timer));
  timers = [];
}

let lastActivity = Date.now();
let lastTold = 0;
let lastToldServer = Date.now();

function noteActivity() {
  if (!lock.isUnlocked()) return;
  lastActivity = Date.now();
  if (lastActivity - lastTold >= ACTIVITY_EVERY_MS) {
    lastTold = lastActivity;
    tellActivity(lastActivity);
  }
  // The server locks on its own after the idle time without a sign of use.
  if (lastActivity - lastToldServer >= SERVER_SEEN_EVERY_MS) {
    lastToldServer = lastActivity;
    tellServer("/lock/seen");
  }
}

async function checkIdle(record) {
  if (!lock.isUnlocked()) return;
  const idleMs = (record.idleMinutes || DEFAULT_IDLE) * 60000;
  if (Date.now() - lastActivity <= idleMs) return;
  // Maybe used meanwhile in another tab.
  const answer = await askWorker({ type: "lock:last-activity" });
  if (answer && answer.lastActivity > lastActivity) lastActivity = answer.lastActivity;
  if (lock.isUnlocked() && Date.now() - lastActivity > idleMs) await lock.lockNow();
}

export function watchIdle(record) {
  stopTimers();
  if (!record) return;
  lastActivity = Date.now();
  askWorker({ type: "lock:last-activity" }).then((answer) => {
    if (answer && answer.lastActivity) lastActivity = answer.lastActivity;
  });
  timers.push(setInterval(() => checkIdle(record).catch(() => {}), CHECK_EVERY_MS));
  timers.push(setInterval(() => tellWorker({ type: "lock:ping" }), KEEP_WORKER_MS));
}

export function listenForActivity() {
  for (const name of ["pointerdown", "keydown", "touchstart", "wheel", "scroll"]) {
    window.addEventListener(name, noteActivity, { capture: true, passive: true });
  }
  // Timers sleep in a hidden tab (and in a page kept for the back button):
  // coming back after the idle time locks before anything else.
  const recheck = async () => {
    if (!lock.isUnlocked()) return;
    const record = await deviceLock.record();
    if (record) await checkIdle(record);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") recheck().catch(() => {});
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) recheck().catch(() => {});
  });
}

/** A padlock, drawn beside "Lock" (alone where the top bar is narrow: app.css). */
function padlock() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  for (const [name, value] of [["viewBox", "0 0 24 24"], ["aria-hidden", "true"], ["focusable", "false"]]) svg.setAttribute(name, value);
  const path = document.createElementNS(svg.namespaceURI, "path");
  path.setAttribute("d", "M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1zm2 0h6V7a3 3 0 0 0-6 0z");
  svg.append(path);
  return svg;
}

export function addLockNowButton() {
  const bar = document.querySelector(".topbar");
  if (!bar || bar.querySelector("[data-lock-now]")) return;
  // Shows a padlock and "Lock"; says "Lock Steady now" (one whole phrase in every language).
  const button = element(
    "button",
    { type: "button", class: "lock-now", "data-lock-now": true, title: t("Lock Steady now") },
    padlock(),
    element("span", { class: "lock-word", "aria-hidden": "true", text: t("Lock") }),
    element("span", { class: "visually-hidden", text: t("Lock Steady now") })
  );
  button.addEventListener("click", () => lock.lockNow());
  bar.querySelector(".help-now")?.before(button);
}
