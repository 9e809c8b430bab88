// The offline snapshot: a signed-in person's data kept on this device (in
// IndexedDB, sealed when the app lock is on), keyed by account, refreshed
// whenever the server can be reached, and read by every page that works with
// no signal. Its parts are declared here, in one list: each names the API it
// comes from and where its answer goes (GET /api/snapshot?part=... fetches
// them all in one request).
import { LockedError, deviceLock, kv } from "./device-store.js";
import { flushOutbox, hasWaiting } from "./outbox.js";
import { withoutUnkeptAnswer } from "./unkept-answer.js";

const snapshotKey = (userId) => `user:${userId}:snapshot`;

/** Every part of the snapshot: [API, (snapshot, its answer) => the snapshot with it]. */
const PARTS = [
  ["/api/toolkit/state", (snapshot, data) => ({ ...snapshot, favourites: data.favourites, recents: data.recents })],
  ["/api/cards", (snapshot, data) => ({ ...snapshot, cards: data.cards })],
  ["/api/thought-records", (snapshot, data) => ({ ...snapshot, thought_records: data.records })],
  ["/api/people", (snapshot, data) => ({ ...snapshot, people: data })],
  ["/api/plan", (snapshot, data) => ({ ...snapshot, plan: data })],
  ["/api/help-me", (snapshot, data) => ({ ...snapshot, helpMe: data })],
  // Never the answer to the suicide question unless it is a "yes" the person chose to keep (SAFETY.md).
  ["/api/checkins", (snapshot, data) => ({ ...snapshot, checkins: (data.checkins || []).map(withoutUnkeptAnswer) })],
  ["/api/taper", (snapshot, data) => ({ ...snapshot, taper: data.taper })],
  ["/api/chart", (snapshot, data) => ({ ...snapshot, chart: data })],
];

const isLocked = async () => (await deviceLock.status()) === "locked";

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

/** Changes made on this page to a snapshot (a favourite, a thought record...):
 * a refresh whose answers left the server before such a change must not undo it. */
let localChanges = 0;

// Once sign-out starts, nothing may write this person's data to the device
// again (a snapshot download still in flight would otherwise land after it).
let signingOut = false;

export function stopWritingSnapshots() {
  signingOut = true;
}

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

/** Remove one person's snapshot from this device. */
export function forgetSnapshot(userId) {
  return kv.remove(snapshotKey(userId));
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** Fetch this person's data and keep it for offline use. */
export async function refreshSnapshot(userId) {
  if (await isLocked()) return null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const changes = localChanges;
    // Every part in one request (GET /api/snapshot): one sync, one round trip.
    const query = PARTS.map(([url]) => `part=${encodeURIComponent(url)}`).join("&");
    const { parts } = await getJSON(`/api/snapshot?${query}`);
    // Signed out (here or in another tab) while the answers were on their way:
    // do not write this person's data back onto the device.
    if (String(await kv.get("current-user")) !== String(userId)) return null;
    // A change made here meanwhile, or still queued, may be missing from the
    // answers: send it, then ask again. Until then the device's copy stands.
    if (changes !== localChanges || (await hasWaiting(userId))) {
      await flushOutbox();
      continue;
    }
    const snapshot = PARTS.reduce((result, [url, apply]) => apply(result, parts[url]), { fetchedAt: new Date().toISOString() });
    await storeSnapshot(userId, snapshot);
    return snapshot;
  }
  return null;
}
