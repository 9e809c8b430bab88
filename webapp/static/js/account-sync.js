// Keeps a signed-in person's data on this device in step with the server:
// - whose the device is: before anything reads what is kept here (the
//   snapshot, the outbox), the account signed in now is found (from the page,
//   or by asking the server when the page is one kept for everyone) and
//   everything of any other account — or of none — is removed from IndexedDB,
//   Cache Storage and local/session storage (a shared phone, a session ended
//   from elsewhere). Offline, with nobody to ask, the last account stays;
// - the offline snapshot (snapshot.js) and the outbox (outbox.js) are told
//   who the device is for; when the outbox learns from the server that
//   someone else is signed in, the device is given to them;
// - what a guest kept on the device moves into the account at sign-in;
// - signing out sends what it can, then removes this person's data here.
// With the app lock on and Steady locked, nothing here reads or replaces the
// sealed copy: writes still queue (sealed), and sending and refreshing wait
// for the "steady:unlocked" event.
import { deviceLock, holdUntilOwned, holdsAccountData, keepOnly, kv, outboxStore } from "./device-store.js";
import { session, signedInUser } from "./session.js";
import { connectOutbox, flushOutbox, queue } from "./outbox.js";
import { forgetSnapshot, stopWritingSnapshots } from "./snapshot.js";

const GUEST_KEYS = ["guest:favourites", "guest:recents", "guest:thought-records"];
/** local/session storage keys of one account start with this, then "<id>:". */
export const PERSONAL_STORAGE_PREFIX = "steady.user:";
const SESSION_WAIT_MS = 4000;

export function pageUser() {
  const meta = document.querySelector('meta[name="steady-user"]');
  return meta ? meta.content : null;
}

/** A local-storage key for one account's setting on this device. */
export function personalKey(userId, name) {
  return `${PERSONAL_STORAGE_PREFIX}${userId}:${name}`;
}

// --- whose the device is -------------------------------------------------------------------

function withinTime(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error("no answer in time")), ms))]);
}

/** Who is signed in: an account id, null for no one, undefined when that
 * cannot be known now (offline, the server away: keep what is here). */
async function whoIsSignedIn() {
  const fromPage = pageUser();
  if (fromPage) return fromPage;
  if (!(await holdsAccountData())) return undefined; // nothing of anyone's here
  if (!navigator.onLine) return undefined;
  try {
    return signedInUser(await withinTime(session(), SESSION_WAIT_MS));
  } catch {
    return undefined;
  }
}

/** Remove from Cache Storage every response made for someone signed in
 * (Steady only keeps pages that are the same for everyone; this is the
 * belt to that pair of braces). */
async function forgetPersonalCaches() {
  if (typeof caches === "undefined") return;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      if (!response) continue;
      // (Not "Vary: Cookie": Flask sends it on every page, guests' included.)
      let personal = /no-store|private/i.test(response.headers.get("Cache-Control") || "");
      if (!personal && /text\/html/i.test(response.headers.get("Content-Type") || "")) {
        const text = await response.clone().text();
        personal = /<meta name="(steady-user|csrf-token)"/.test(text);
      }
      if (personal) await cache.delete(request);
    }
  }
}

/** Remove local/session storage keys of any account but `owner`. */
function forgetPersonalStorage(owner) {
  for (const storage of [window.localStorage, window.sessionStorage]) {
    try {
      for (let index = storage.length - 1; index >= 0; index -= 1) {
        const key = storage.key(index);
        if (key && key.startsWith(PERSONAL_STORAGE_PREFIX) && (owner === null || !key.startsWith(personalKey(owner, "")))) {
          storage.removeItem(key);
        }
      }
    } catch {
      /* storage refused: nothing kept there either */
    }
  }
}

/** Whether this device is someone's, as a flag the lock gate (lock-gate.js)
 * reads before a page kept for everyone is first drawn: it then shows the
 * signed-in part, not the "Sign in" part the page's module would swap out a
 * moment later. Only "someone": no account number is kept there. */
function markOwned(owned) {
  try {
    if (owned) window.localStorage.setItem("steady.device-owned", "1");
    else window.localStorage.removeItem("steady.device-owned");
  } catch {
    /* storage refused: the page's module shows the right part a moment later */
  }
}

/** Give the device to `owner` (an id, or null for no one): everything else goes. */
async function giveDeviceTo(owner) {
  forgetPersonalStorage(owner);
  const removed = await keepOnly(owner);
  markOwned(owner !== null);
  if (removed.records || removed.lock || (removed.previous !== null && removed.previous !== owner)) {
    await forgetPersonalCaches().catch(() => {});
    document.dispatchEvent(new CustomEvent("steady:owner", { detail: { userId: owner } }));
  }
  return removed;
}

async function claimDevice() {
  const owner = await whoIsSignedIn();
  if (owner === undefined) return;
  await giveDeviceTo(owner);
}

// Started as soon as this module loads (before any feature reads the device):
// every read and write of the stores waits for it.
const owned = holdUntilOwned(claimDevice());

/** The server says `owner` is signed in now, not whom this device held. */
async function ownerChanged(owner) {
  await holdUntilOwned(giveDeviceTo(owner));
  document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { userId: owner } }));
}

/** Ask the server who is signed in; if it is not whom the device holds, the
 * device is given to them (everything else removed). The signed-in account
 * (an id, or null), or undefined when the server cannot be asked. */
export async function confirmOwner() {
  await owned;
  let signedIn;
  try {
    signedIn = signedInUser(await session());
  } catch {
    return undefined;
  }
  const held = pageUser() || (await kv.get("current-user")) || null;
  if (signedIn !== (held === null ? null : String(held)) || (signedIn === null && (await holdsAccountData()))) {
    await ownerChanged(signedIn);
  }
  return signedIn;
}

/** The person this device belongs to right now (from the page, or from the last visit when offline). */
export async function currentUser() {
  await owned;
  return pageUser() || (await kv.get("current-user")) || null;
}

/** Move what a guest kept on this device into the account, then forget it here. */
export async function importGuestData(userId) {
  const [favourites, recents, records] = await Promise.all(GUEST_KEYS.map((key) => kv.get(key)));
  if (!favourites?.length && !recents?.length && !records?.length) return;
  await queue(userId, "guest-import", {
    url: "/api/toolkit/import",
    body: { favourites: favourites || [], recents: recents || [], thought_records: records || [] },
  });
  await Promise.all(GUEST_KEYS.map((key) => kv.remove(key)));
}

/** Remove one person's snapshot and queued writes from this device. */
export async function forgetUser(userId) {
  if (!userId) return;
  await forgetSnapshot(userId);
  await outboxStore.removeFor(userId);
  const lock = await deviceLock.record();
  if (lock && String(lock.owner) === String(userId)) await deviceLock.release();
  if ((await kv.get("current-user")) === userId) await kv.remove("current-user");
}

/** This device's push subscription, if it has one (never waits long). */
export async function devicePush() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    const lookup = registration?.pushManager?.getSubscription();
    return (lookup && (await Promise.race([lookup, new Promise((resolve) => setTimeout(resolve, 2000, null))]))) || null;
  } catch {
    return null;
  }
}

/** Signing out stops this device's reminders: the server forgets its push
 * address (sent with the form) and the browser its subscription. */
async function stopDeviceReminders(form) {
  const subscription = await devicePush();
  if (!subscription) return;
  const field = form.querySelector('input[name="push_endpoint"]') || form.appendChild(document.createElement("input"));
  Object.assign(field, { type: "hidden", name: "push_endpoint", value: subscription.endpoint });
  await subscription.unsubscribe().catch(() => {});
}

/** A form that ends the account's other sessions (a new password) names
 * this device's push address, so its reminders are the ones that go on
 * (without it, this device's come back when its next page re-sends it). */
async function nameThisDevice() {
  const forms = document.querySelectorAll("form[data-names-device]");
  const subscription = forms.length ? await devicePush() : null;
  if (!subscription) return;
  forms.forEach((form) => {
    const field = form.querySelector('input[name="push_endpoint"]') || form.appendChild(document.createElement("input"));
    Object.assign(field, { type: "hidden", name: "push_endpoint", value: subscription.endpoint });
  });
}

function interceptSignOut() {
  document.querySelectorAll("form[data-sign-out]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const userId = await currentUser();
      try {
        await Promise.race([flushOutbox(), new Promise((resolve) => setTimeout(resolve, 5000))]);
        await stopDeviceReminders(form);
      } finally {
        stopWritingSnapshots();
        await forgetUser(userId);
        // Nothing of any account stays on the device once no one is signed in.
        await holdUntilOwned(giveDeviceTo(null)).catch(() => {});
        form.submit();
      }
    });
  });
}

// The outbox asks here who the device is for, and hands back the device
// when the server says someone else is signed in.
/** The CSRF token of the page the server drew for `userId`, or null (a page
 * kept for everyone, or drawn for someone else). */
function tokenFor(userId) {
  if (pageUser() !== String(userId)) return null;
  return document.querySelector('meta[name="csrf-token"]')?.content || null;
}

connectOutbox({ currentUser, ownerChanged, tokenFor });

/** Start keeping the device in step: signing out is taken over; the first
 * catch-up (sending what waits, bringing the copy up to date) is the
 * outbox schedule's (outbox-schedule.js). Resolves once whose the device is
 * has been settled: a lock, a snapshot or a queued write of anyone else is
 * gone by then (see claimDevice). */
export async function syncAccount() {
  interceptSignOut();
  nameThisDevice().catch(() => {});
  await owned;
  // Not awaited: the modules waiting for whose the device is never wait for the words too.
  document.addEventListener("steady:owner", (event) => showAccountLink(event.detail.userId).catch(() => {}));
  currentUser()
    .then(showAccountLink)
    .catch(() => {});
}

/** The bottom bar's last link: "Sign in" on a page kept the same for everyone
 * (and so drawn for no one: offline, or a copy kept for offline use), while
 * someone is signed in on this device; it becomes their account ("Account"),
 * and "Sign in" again once the device is no one's. */
async function showAccountLink(userId) {
  const [from, to] = userId ? ["/login", "/account/"] : ["/account/", "/login"];
  const link = document.querySelector(`.bottom-nav a[href="${from}"]`);
  if (!link) return;
  const { stringsReady, t } = await import("./strings.js");
  await stringsReady();
  link.href = to;
  link.removeAttribute("aria-current");
  link.querySelector("span").textContent = userId ? t("Account") : t("Sign in");
}
