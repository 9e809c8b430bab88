// When the outbox is tried — decided here, and only here:
// - at start (once whose the device is has been settled; on a signed-in
//   page, after unlocking when the app lock is on, and after moving what a
//   guest kept here into the account);
// - when the network comes back, and when Steady is shown again;
// - on one timer, while writes wait;
// - when the service worker asks (Background Sync fired with a Steady window
//   open: the page holds the app lock's keys, if any). Where the browser has
//   Background Sync, leaving a page with writes still waiting (or going
//   offline) asks for the "steady-outbox" sync, so the worker sends them once
//   the phone is back online, even with Steady closed (outbox.js replays
//   there by itself: service_worker/outbox-sync.js).
// On a page kept by the worker (no signed-in user in it), the server is asked
// first whether the person this device's copy belongs to is still the one
// signed in (confirmOwner): if not, their copy leaves the device instead.
// After sending, the offline copy is brought up to date (at start, only when
// the page says the person's data changed since the copy; when it has not,
// confirmCopyCurrent marks the copy current); the lists that show waiting
// writes follow the "steady:outbox" and "steady:snapshot" events.
import { confirmOwner, currentUser, importGuestData, pageUser } from "./account-sync.js";
import { deviceLock } from "./device-store.js";
import { SYNC_TAG, flushOutbox, hasWaiting } from "./outbox.js";
import { confirmCopyCurrent, refreshSnapshot } from "./snapshot.js";

const TIMER_MS = 5000;

/** One try. `full`: bring the offline copy up to date even when nothing was sent. */
async function run({ full = false, start = false } = {}) {
  if (!navigator.onLine) return;
  const userId = await currentUser();
  if (!userId) return;
  // Locked, nothing can be sent (replay needs the key): only a full try goes on.
  if (!full && (!(await hasWaiting(userId)) || (await deviceLock.status()) === "locked")) return;
  // No longer this person's session: their copy leaves the device (confirmOwner).
  if (!pageUser() && (await confirmOwner()) !== String(userId)) return;
  if (start && pageUser()) await importGuestData(userId);
  const sent = await flushOutbox();
  // At start, a page drawn from the same data as the copy kept here asks nothing more.
  if (sent || (full && !(start && (await confirmCopyCurrent(userId))))) await refreshSnapshot(userId);
}

const tryNow = (options) => run(options).catch(() => {}); // offline, or the server is away: later

/** Ask the browser to wake the worker once it is online again. */
async function askForBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration && registration.sync && (await hasWaiting(await currentUser()).catch(() => false))) {
    await registration.sync.register(SYNC_TAG).catch(() => {});
  }
}

async function firstTry() {
  if (pageUser() && (await deviceLock.status()) === "locked") {
    // Replay needs the key: the first try waits for unlocking.
    document.addEventListener("steady:unlocked", () => tryNow({ full: true, start: true }), { once: true });
    return;
  }
  await tryNow({ full: true, start: true });
}

/** Start the schedule once `settled` (account-sync.js's syncAccount) resolves. */
export function startOutboxSchedule(settled) {
  Promise.resolve(settled).then(firstTry, firstTry);
  window.addEventListener("online", () => tryNow({ full: true }));
  window.addEventListener("offline", askForBackgroundSync);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tryNow();
    else askForBackgroundSync();
  });
  window.addEventListener("pagehide", askForBackgroundSync);
  setInterval(tryNow, TIMER_MS);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "FLUSH_OUTBOX") tryNow();
    });
  }
}
