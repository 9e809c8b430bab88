// Keeps a signed-in person's data on this device in step with the server:
// - whose the device is: before anything reads what is kept here (the
//   snapshot, the outbox), the account signed in now is found (from the page,
//   or by asking the server when the page is one kept for everyone) and
//   everything of any other account — or of none — is removed from IndexedDB,
//   Cache Storage and local/session storage (a shared phone, a session ended
//   from elsewhere). Offline, with nobody to ask, the last account stays;
// - the offline snapshot (coping cards, favourites, recents, thought records),
//   keyed by user and refreshed whenever the server can be reached;
// - the outbox: writes made here are stored first, each naming its account,
//   then sent with a fresh CSRF token — only while that same account is
//   signed in (the server checks it too: X-Steady-Account); the server treats
//   each entry's id as an idempotency key, so a replay never duplicates.
//   Failed entries stay, with the reason;
// - what a guest kept on the device moves into the account at sign-in;
// - signing out sends what it can, then removes this person's data here.
// With the app lock on and Steady locked, nothing here reads or replaces the
// sealed copy: writes still queue (sealed), and sending and refreshing wait
// for the "steady:unlocked" event.
import { LockedError, deviceLock, holdUntilOwned, holdsAccountData, keepOnly, kv, outboxStore } from "./device-store.js";

const GUEST_KEYS = ["guest:favourites", "guest:recents", "guest:thought-records"];
const snapshotKey = (userId) => `user:${userId}:snapshot`;
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
    const info = await withinTime(session(), SESSION_WAIT_MS);
    return info.user === null || info.user === undefined ? null : String(info.user);
  } catch (error) {
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
    } catch (error) {
      /* storage refused: nothing kept there either */
    }
  }
}

/** Give the device to `owner` (an id, or null for no one): everything else goes. */
async function giveDeviceTo(owner) {
  forgetPersonalStorage(owner);
  const removed = await keepOnly(owner);
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
    const info = await session();
    signedIn = info.user === null || info.user === undefined ? null : String(info.user);
  } catch (error) {
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

export async function readSnapshot(userId) {
  const empty = { cards: [], favourites: [], recents: [], thought_records: [] };
  try {
    const stored = await kv.get(snapshotKey(userId));
    if (!stored || (stored.owner !== undefined && String(stored.owner) !== String(userId))) return empty;
    return stored;
  } catch (error) {
    if (error instanceof LockedError) return empty; // locked: nothing of theirs shows
    throw error;
  }
}

const isLocked = async () => (await deviceLock.status()) === "locked";

/** Changes made on this page to a snapshot (a favourite, a thought record...):
 * a refresh whose answers left the server before such a change must not undo it. */
let localChanges = 0;

// Once sign-out starts, nothing may write this person's data to the device
// again (a snapshot download still in flight would otherwise land after it).
let signingOut = false;

async function storeSnapshot(userId, snapshot) {
  if (signingOut || (await isLocked())) return;
  await kv.set(snapshotKey(userId), { ...snapshot, owner: String(userId) });
  document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { userId } }));
}

/** Keep a change made on this device (the write itself goes through the outbox). */
export async function writeSnapshot(userId, snapshot) {
  localChanges += 1;
  await storeSnapshot(userId, snapshot);
}

async function session() {
  const response = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`session answered ${response.status}`);
  return response.json();
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** Queue a write for the server, then try to send everything queued. */
export async function send(userId, method, url, body) {
  if (!userId) throw new TypeError("a write is queued for an account");
  await outboxStore.put({
    id: crypto.randomUUID(),
    userId,
    method,
    url,
    body: body === undefined ? null : body,
    createdAt: new Date().toISOString(),
    attempts: 0,
    failed: null,
  });
  document.dispatchEvent(new CustomEvent("steady:queued", { detail: { userId } }));
  return flushOutbox();
}

let flushing = null;
let flushAgain = false;

/** Send queued writes in order. Stops at the first network or server error
 * (to retry later); a refusal (4xx) is kept aside with its reason. A call
 * while a flush runs makes that flush go round again, so a write queued
 * meanwhile is sent too. */
export function flushOutbox() {
  if (flushing) {
    flushAgain = true;
    return flushing;
  }
  flushing = (async () => {
    let sent = 0;
    do {
      flushAgain = false;
      // One replay at a time across tabs and the service worker's Background Sync.
      sent += navigator.locks ? await navigator.locks.request("steady-outbox", flushOnce) : await flushOnce();
    } while (flushAgain);
    return sent;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

async function flushOnce() {
  if (await isLocked()) return 0; // replay needs the key: it happens once unlocked
  const userId = await currentUser();
  const entries = (await outboxStore.all())
    .filter((entry) => String(entry.userId) === String(userId) && !entry.failed)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (!userId || !entries.length || !navigator.onLine) return 0;
  let token;
  try {
    const info = await session();
    const signedIn = info.user === null || info.user === undefined ? null : String(info.user);
    if (signedIn !== String(userId)) {
      // Signed out, or someone else signed in: these are not theirs to send.
      await ownerChanged(signedIn);
      return 0;
    }
    token = info.csrf_token;
  } catch (error) {
    return 0;
  }
  let sent = 0;
  for (const entry of entries) {
    let response;
    try {
      response = await fetch(entry.url, {
        method: entry.method,
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token,
          "X-Steady-Account": String(entry.userId),
        },
        body: entry.body === null ? undefined : JSON.stringify(entry.body),
      });
    } catch (error) {
      break; // offline again: try later
    }
    if (response.ok) {
      await outboxStore.remove(entry.id);
      sent += 1;
    } else if (response.status >= 500 || [401, 408, 423, 429].includes(response.status)) {
      await outboxStore.put({ ...entry, attempts: entry.attempts + 1 });
      break;
    } else {
      const reason = await response.json().then((data) => data.error).catch(() => `refused (${response.status})`);
      await outboxStore.put({ ...entry, attempts: entry.attempts + 1, failed: reason || `refused (${response.status})` });
      // Every list drawn from this device's data ("couldn't sync" too) draws itself again.
      document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { userId } }));
    }
  }
  return sent;
}

/** Where each part of the offline snapshot comes from. Features add theirs
 * with addSnapshotSource(url, apply), where apply(snapshot, json) returns the
 * snapshot with that part filled in. */
const snapshotSources = [
  { url: "/api/toolkit/state", apply: (snapshot, data) => ({ ...snapshot, favourites: data.favourites, recents: data.recents }) },
  { url: "/api/cards", apply: (snapshot, data) => ({ ...snapshot, cards: data.cards }) },
  { url: "/api/thought-records", apply: (snapshot, data) => ({ ...snapshot, thought_records: data.records }) },
];

export function addSnapshotSource(url, apply) {
  snapshotSources.push({ url, apply });
}

async function hasQueuedWrites(userId) {
  return (await outboxStore.all()).some((entry) => String(entry.userId) === String(userId) && !entry.failed);
}

/** Fetch this person's data and keep it for offline use. */
export async function refreshSnapshot(userId) {
  if (await isLocked()) return null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const changes = localChanges;
    // Every part in one request (GET /api/snapshot): one sync, one round trip.
    const query = snapshotSources.map((source) => `part=${encodeURIComponent(source.url)}`).join("&");
    const { parts } = await getJSON(`/api/snapshot?${query}`);
    const answers = snapshotSources.map((source) => parts[source.url]);
    // Signed out (here or in another tab) while the answers were on their way:
    // do not write this person's data back onto the device.
    if (String(await kv.get("current-user")) !== String(userId)) return null;
    // A change made here meanwhile, or still queued, may be missing from the
    // answers: send it, then ask again. Until then the device's copy stands.
    if (changes !== localChanges || (await hasQueuedWrites(userId))) {
      await flushOutbox();
      continue;
    }
    const snapshot = snapshotSources.reduce(
      (result, source, index) => source.apply(result, answers[index]),
      { fetchedAt: new Date().toISOString() }
    );
    await storeSnapshot(userId, snapshot);
    return snapshot;
  }
  return null;
}

/** Move what a guest kept on this device into the account, then forget it here. */
async function importGuestData(userId) {
  const [favourites, recents, records] = await Promise.all(GUEST_KEYS.map((key) => kv.get(key)));
  if (!favourites?.length && !recents?.length && !records?.length) return;
  await send(userId, "POST", "/api/toolkit/import", {
    favourites: favourites || [],
    recents: recents || [],
    thought_records: records || [],
  });
  await Promise.all(GUEST_KEYS.map((key) => kv.remove(key)));
}

/** Remove one person's snapshot and queued writes from this device. */
export async function forgetUser(userId) {
  if (!userId) return;
  await kv.remove(snapshotKey(userId));
  await outboxStore.removeFor(userId);
  const lock = await deviceLock.record();
  if (lock && String(lock.owner) === String(userId)) await deviceLock.release();
  if ((await kv.get("current-user")) === userId) await kv.remove("current-user");
}

function interceptSignOut() {
  document.querySelectorAll("form[data-sign-out]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const userId = await currentUser();
      try {
        await Promise.race([flushOutbox(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      } finally {
        signingOut = true;
        await forgetUser(userId);
        // Nothing of any account stays on the device once no one is signed in.
        await holdUntilOwned(giveDeviceTo(null)).catch(() => {});
        form.submit();
      }
    });
  });
}

export async function syncAccount() {
  interceptSignOut();
  // Whose the device is was settled first (see claimDevice): a lock, a
  // snapshot or a queued write of anyone else is gone by now.
  await owned;
  const userId = pageUser();
  if (!userId) return;
  if ((await isLocked())) {
    document.addEventListener("steady:unlocked", () => catchUpAfterUnlock(userId), { once: true });
  } else {
    await catchUpAfterUnlock(userId);
  }
  const retry = () => flushOutbox().then(() => refreshSnapshot(userId)).catch(() => {});
  window.addEventListener("online", retry);
}

async function catchUpAfterUnlock(userId) {
  try {
    await importGuestData(userId);
    await flushOutbox();
    await refreshSnapshot(userId);
  } catch (error) {
    /* offline: the snapshot from last time stays */
  }
}
