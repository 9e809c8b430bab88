// The lock's idle time: any sign of use (a tap, a key, scrolling) counts,
// in this tab and — through the service worker — in every other; past the
// chosen idle time, Steady locks. The server is told now and then that the
// phone is in use (it locks on its own after the idle time without a sign).
// The "Lock" button in the top bar is here too.
import { element } from "./dom.js";
import { t } from "./strings.js";
import { askWorker, deviceLock, tellWorker } from "./device-store.js";
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
    tellWorker({ type: "lock:activity", at: lastActivity });
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

export function addLockNowButton() {
  const bar = document.querySelector(".topbar");
  if (!bar || bar.querySelector("[data-lock-now]")) return;
  // Shows "Lock"; says "Lock Steady now" (one whole phrase in every language).
  const button = element(
    "button",
    { type: "button", class: "lock-now", "data-lock-now": true },
    element("span", { "aria-hidden": "true", text: t("Lock") }),
    element("span", { class: "visually-hidden", text: t("Lock Steady now") })
  );
  button.addEventListener("click", () => lock.lockNow());
  bar.querySelector(".help-now")?.before(button);
}
