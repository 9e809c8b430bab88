// When writes wait in the outbox, they are sent: at start (account-sync.js),
// when the network comes back, when Steady is shown again, on a timer, and —
// where the browser has Background Sync — by the service worker once the
// phone is back online, even with Steady closed (service_worker/outbox-sync.js).
import { currentUser, flushOutbox } from "./account-sync.js";
import { outboxStore } from "./device-store.js";

const SYNC_TAG = "steady-outbox";
const TIMER_MS = 30000;

async function waiting() {
  const userId = await currentUser();
  if (!userId) return false;
  return (await outboxStore.all()).some((entry) => String(entry.userId) === String(userId) && !entry.failed);
}

async function sendIfWaiting() {
  if (navigator.onLine && (await waiting().catch(() => false))) await flushOutbox().catch(() => 0);
}

/** Ask the browser to wake the worker once it is online again. */
async function askForBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration && registration.sync && (await waiting().catch(() => false))) {
    await registration.sync.register(SYNC_TAG).catch(() => {});
  }
}

export function enableBackgroundSync() {
  window.addEventListener("online", sendIfWaiting);
  window.addEventListener("offline", askForBackgroundSync);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sendIfWaiting();
    else askForBackgroundSync();
  });
  window.addEventListener("pagehide", askForBackgroundSync);
  setInterval(sendIfWaiting, TIMER_MS);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "FLUSH_OUTBOX") sendIfWaiting();
    });
  }
}
