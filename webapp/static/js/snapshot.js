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

/** Every part of the snapshot: [API, (its answer) => what it puts in the snapshot]. */
const PARTS = [
  ["/api/toolkit/state", (data) => ({ favourites: data.favourites, recents: data.recents })],
  ["/api/cards", (data) => ({ cards: data.cards })],
  ["/api/thought-records", (data) => ({ thought_records: data.records })],
  ["/api/people", (data) => ({ people: data })],
  ["/api/plan", (data) => ({ plan: data })],
  ["/api/help-me", (data) => ({ helpMe: data })],
  // Never the answer to the suicide question unless it is a "yes" the person chose to keep (SAFETY.md).
  ["/api/checkins", (data) => ({ checkins: (data.checkins || []).map(withoutUnkeptAnswer) })],
  ["/api/taper", (data) => ({ taper: data.taper })],
  ["/api/chart", (data) => ({ chart: data })],
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

/** Keep a change made on this device (the write itself goes through the outbox).
 * The copy then matches no answer of the server's: it keeps none of their tags. */
export async function writeSnapshot(userId, { tags, ...snapshot }) {
  localChanges += 1;
  await storeSnapshot(userId, snapshot);
}

/** Remove one person's snapshot from this device. */
export function forgetSnapshot(userId) {
  return kv.remove(snapshotKey(userId));
}

/** If the copy kept here is the one the server drew this page from (the
 * page's tag of the person's data, base.html "steady-data", is the one the
 * copy came with, for the same parts), marks it up to date as of now, so it
 * says so offline ("Last brought up to date"), and resolves true: nothing it
 * could show has changed, and the page need not ask for it. Else (no tag, as
 * on SQLite; locked; another tag) resolves false and writes nothing. */
export async function confirmCopyCurrent(userId) {
  const tag = document.querySelector('meta[name="steady-data"]')?.content;
  if (!tag || (await isLocked())) return false;
  const changes = localChanges;
  const kept = await readSnapshot(userId);
  const { tags } = kept;
  if (tags?.data !== tag || !PARTS.every(([url]) => url in tags.parts)) return false;
  if (changes === localChanges) await storeSnapshot(userId, { ...kept, fetchedAt: new Date().toISOString() });
  return true;
}

/** GET /api/snapshot, sending the tags of the copy kept here (`tags`: the
 * whole answer's ETag and each part's): the answer, whose unchanged parts
 * are null and named in `unchanged`, or no parts at all when nothing changed
 * (304); `data`: the tag of the data it was worked out from, if any. */
async function fetchParts(query, tags) {
  const have = tags ? Object.values(tags.parts).map((tag) => `&have=${encodeURIComponent(tag)}`) : [];
  const headers = { Accept: "application/json", ...(tags && { "If-None-Match": tags.whole }) };
  const response = await fetch(`/api/snapshot?${query}${have.join("")}`, { credentials: "same-origin", headers });
  const header = (name) => response.headers.get(name);
  if (response.status === 304) return { data: header("Steady-Data") };
  if (!response.ok) throw new Error(`/api/snapshot answered ${response.status}`);
  return { ...(await response.json()), whole: header("ETag"), data: header("Steady-Data") };
}

/** Fetch this person's data and keep it for offline use. Only what changed
 * since the copy kept here comes (GET /api/snapshot with its tags). */
export async function refreshSnapshot(userId) {
  if (await isLocked()) return null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const changes = localChanges;
    const kept = await readSnapshot(userId);
    // Every part in one request (GET /api/snapshot): one sync, one round trip.
    const query = PARTS.map(([url]) => `part=${encodeURIComponent(url)}`).join("&");
    const answer = await fetchParts(query, kept.tags);
    // Signed out (here or in another tab) while the answers were on their way:
    // do not write this person's data back onto the device.
    if (String(await kv.get("current-user")) !== String(userId)) return null;
    // A change made here meanwhile, or still queued, may be missing from the
    // answers: send it, then ask again. Until then the device's copy stands.
    if (changes !== localChanges || (await hasWaiting(userId))) {
      await flushOutbox();
      continue;
    }
    const fetchedAt = new Date().toISOString();
    const { parts, etags, unchanged = [], whole, data } = answer;
    // Nothing changed (304): the copy stands, with the tag of the data it is now known to match.
    let snapshot = { ...kept, fetchedAt, tags: kept.tags && { ...kept.tags, data } };
    if (parts) {
      // A part left out as unchanged keeps what the copy here holds of it.
      const fresh = unchanged.length ? snapshot : { fetchedAt };
      snapshot = PARTS.reduce((result, [url, take]) => (unchanged.includes(url) ? result : { ...result, ...take(parts[url]) }), fresh);
      snapshot.tags = whole && etags ? { whole, parts: etags, data } : undefined;
    }
    await storeSnapshot(userId, snapshot);
    return snapshot;
  }
  return null;
}
