// The app lock: a PIN that locks Steady on this device after a chosen idle
// time (or at once with "Lock Steady now").
//
// - While it is on, everything Steady keeps here about the person is sealed
//   (device-store.js); while locked, the key is gone from memory, so nothing
//   of theirs can be read, shown or sent — writes still queue, sealed, and
//   are sent once unlocked.
// - Locked, a page that may show their data (people, plan, check-ins, the
//   account...) shows the lock screen instead; the home screen, the toolkit
//   with its exercises and Help now stay open (webapp/security.py has the list).
// - Wrong PINs are limited here: from the third, a growing wait; at the
//   tenth, Steady removes its copy from this phone and signs out — the
//   account and everything in it stay on the server. "Forgot your PIN?" does
//   the same on purpose.
// - The settings page (/lock) turns it on and off, changes the PIN and the
//   idle time. A different person signing in here ends the lock (their data
//   was never under it).
// - The server session is locked with the device: locking here tells the
//   server (POST /lock/lock); unlocking sends the server proof that only the
//   PIN opens (lock-crypto.js), never the PIN. Until then every page and API
//   route with the person's data answers the lock page or a 423, JavaScript
//   or not; the server also locks on its own after the idle time (and a
//   little more) without a sign of use, and when the browser closes.
// Not built: unlocking with the device's own screen lock (WebAuthn).
// The parts: lock-screen.js (what a locked page shows), lock-idle.js (the
// idle time), lock-settings.js (/lock), lock-server.js (the server's side).
import { deviceLock, handOverKeys } from "./device-store.js";
import { WrongPin, openLock } from "./lock-crypto.js";
import { pageUser } from "./account-sync.js";
import { session } from "./session.js";
import { stringsReady } from "./strings.js";
import { SIGN_OUT_PENDING, lockChannel as channel, lockServer, proveToServer, removeCopyAndSignOut, serverState, signOutHere } from "./lock-server.js";
import { cover, showLockedBanner, showSignedOutScreen, uncover } from "./lock-screen.js";
import { addLockNowButton, connectIdle, listenForActivity, stopTimers, watchIdle } from "./lock-idle.js";

export const IDLE_CHOICES = [1, 5, 15, 60];
export const MAX_FAILURES = 10;

/** Seconds to wait before the next try, after `failures` wrong PINs. */
export function waitAfter(failures) {
  if (failures < 3) return 0;
  return [30, 60, 300, 900][failures - 3] ?? 3600;
}

// Whether this page came from the server as the lock page (it is covered by
// the lock screen later, so this is read once, at the start).
let cameLocked = false;
const RELOADED = "steady.lock-reloaded";

/** This page came locked and the server is open now: load it again, to show
 * what it holds (at most once in a few seconds, whatever happens). */
function reloadOpened() {
  const last = Number(sessionStorage.getItem(RELOADED) || 0);
  if (Date.now() - last < 5000) return false;
  sessionStorage.setItem(RELOADED, String(Date.now()));
  window.location.reload();
  return true;
}

/** Bring the server in line with this device, whichever way it differs. */
async function syncServer(record) {
  if (!navigator.onLine || !pageUser()) return;
  if ((await deviceLock.status()) === "unlocked") {
    const open = await proveToServer(record, await deviceLock.current(), { onEnded: showSignedOut });
    if (open && cameLocked) reloadOpened();
  } else {
    const server = await serverState();
    if (server?.state === "unlocked") await lockServer();
  }
}

// --- locking and unlocking --------------------------------------------------------------------

let state = "off";

/** Whether Steady is locked here is known (and shown): the page's content may
 * be drawn (also if lock-gate.js never ran). */
function settled() {
  document.documentElement.classList.remove("app-lock-pending");
  document.documentElement.classList.add("lock-checked");
}

/** Lock now, here and in every other tab. */
export async function lockNow() {
  deviceLock.forgetKeys();
  channel?.postMessage({ type: "locked" });
  const told = lockServer();
  await showLocked();
  await told;
}

async function showLocked() {
  state = "locked";
  stopTimers();
  document.querySelectorAll("[data-lock-now]").forEach((button) => button.remove());
  if (document.documentElement.dataset.lockPage === "open") {
    await showLockedBanner();
  } else {
    await cover(screenActions);
  }
  settled();
  // What was drawn from the person's data is drawn again, now from nothing.
  document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { locked: true } }));
}

async function showUnlocked(record) {
  state = "unlocked";
  uncover();
  document.querySelector("[data-lock-banner]")?.remove();
  settled();
  addLockNowButton();
  watchIdle(record);
}

/** After the right PIN (here or in another tab): show everything again, then sync. */
async function afterUnlock(record) {
  if (cameLocked && reloadOpened()) return;
  await showUnlocked(record);
  await deviceLock.tidy().catch(() => {});
  document.dispatchEvent(new CustomEvent("steady:unlocked"));
  document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { unlocked: true } }));
}

/** Try a PIN, within the limits. Returns what the lock screen should say. */
export async function tryPin(pin) {
  const record = await deviceLock.record();
  if (!record) return { ok: true };
  const now = Date.now();
  if (record.waitUntil && now < record.waitUntil) return { wait: record.waitUntil - now, failures: record.failures };
  let keys;
  try {
    keys = await openLock(record, pin);
  } catch (error) {
    if (!(error instanceof WrongPin)) throw error;
    const latest = (await deviceLock.record()) || record;
    const failures = (latest.failures || 0) + 1;
    if (failures >= MAX_FAILURES) {
      await removeCopyAndSignOut();
      return { wiped: true };
    }
    const wait = waitAfter(failures) * 1000;
    await deviceLock.saveRecord({ ...latest, failures, waitUntil: wait ? Date.now() + wait : 0 });
    return { wrong: true, failures, wait };
  }
  const latest = (await deviceLock.record()) || record;
  await deviceLock.saveRecord({ ...latest, failures: 0, waitUntil: 0 });
  await deviceLock.hold(keys, latest.idleMinutes);
  // The server's session opens with the proof only the PIN opened (offline:
  // the next page that loads online does it).
  await proveToServer(latest, keys, { onEnded: showSignedOut }).catch(() => false);
  channel?.postMessage({ type: "unlocked" });
  return { ok: true, record: (await deviceLock.record()) || latest };
}

function showSignedOut() {
  stopTimers();
  state = "off";
  showSignedOutScreen();
}

/** What the lock screen and the settings page may do. */
const screenActions = { tryPin, afterUnlock, showSignedOut, maxFailures: MAX_FAILURES };
const settingsActions = {
  tryPin,
  lockNow,
  showUnlocked,
  showSignedOut,
  idleChoices: IDLE_CHOICES,
  turnedOff() {
    stopTimers();
    state = "off";
    document.querySelectorAll("[data-lock-now]").forEach((button) => button.remove());
  },
};
connectIdle({ isUnlocked: () => state === "unlocked", lockNow });

// --- start ---------------------------------------------------------------------------------------

async function start() {
  if (localStorage.getItem(SIGN_OUT_PENDING) === "1" && pageUser()) {
    // The local copy was removed (wrong PINs, or a forgotten PIN) while offline.
    await deviceLock.wipe();
    await signOutHere();
    showSignedOut();
    return;
  }
  if (localStorage.getItem(SIGN_OUT_PENDING) === "1" && navigator.onLine) {
    // Not signed in on this page: if the server agrees, nothing is left to end.
    session()
      .then((info) => info.user === null && localStorage.removeItem(SIGN_OUT_PENDING))
      .catch(() => {});
  }
  const record = await deviceLock.record();
  const user = pageUser();
  // Someone else signed in here: account-sync.js ends the lock that was not theirs.
  if (!record || (user && String(record.owner) !== String(user))) {
    settled();
    return;
  }
  localStorage.setItem("steady.app-lock", "on");
  if ((await deviceLock.status()) === "unlocked") await showUnlocked(record);
  else await showLocked();
  await syncServer(record).catch(() => {});
}

export function enableAppLock() {
  cameLocked = Boolean(document.querySelector("[data-server-locked]"));
  listenForActivity();
  navigator.serviceWorker?.addEventListener("controllerchange", handOverKeys);
  // A write queued while locked (an exercise used, a thought record): say it waits.
  document.addEventListener("steady:queued", () => {
    if (state === "locked" && document.documentElement.dataset.lockPage === "open") showLockedBanner().catch(() => {});
  });
  channel?.addEventListener("message", async (event) => {
    const type = event.data?.type;
    if (type === "locked" && state === "unlocked") {
      deviceLock.forgetKeys();
      await showLocked();
    } else if (type === "unlocked" && state === "locked") {
      if ((await deviceLock.restore()) && state === "locked") await afterUnlock(await deviceLock.record());
    } else if (type === "changed" || type === "wiped") {
      window.location.reload();
    }
  });
  // The page's words first: the lock screen is drawn in its language (the
  // content stays hidden meanwhile).
  const ready = stringsReady()
    .then(start)
    .catch(() => {
      settled();
    });
  const root = document.querySelector('[data-page="app-lock"]');
  if (root) ready.then(() => import("./lock-settings.js")).then((settings) => settings.enableSettings(root, settingsActions));
  return ready;
}
