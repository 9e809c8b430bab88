// The outbox: every write made on this device goes here first, then to the
// server. One module, used by the pages and by the service worker alike
// (service_worker/outbox-sync.js imports it), so both follow the same rules:
// - an entry is { id, userId, kind, method, url, body, createdAt, attempts,
//   failed }: its id is made here, once, and the server treats it as an
//   idempotency key, so a replay never duplicates; its kind says what it is
//   (the lists below are drawn by kind, never by matching URLs);
// - entries are sent oldest first, only while the account that made them is
//   signed in: each request names its account (X-Steady-Account) and the
//   server refuses it under any other. A page the server drew for that
//   account sends with its own CSRF token at once; anywhere else (a page kept
//   for everyone, the worker), or once an answer says the session moved on,
//   the server is asked first who is signed in, for a fresh token;
// - a network error, a 5xx, 401, 408, 423 or 429 stops the round: it is tried
//   again later; any other refusal (a 409: the same id with a different body,
//   a 422...) sets the entry aside with the server's reason, listed under
//   "Changes that couldn't sync" until it is fixed or discarded;
// - one replay at a time, across tabs and the worker (a Web Lock).
// When the outbox is tried is decided in one place: outbox-schedule.js.
import { deviceLock, outboxStore, ownerOfEntry } from "./device-store.js";
import { session, signedInUser } from "./session.js";

/** The Web Lock every replay holds, and the Background Sync tag. */
export const OUTBOX_LOCK = "steady-outbox";
export const SYNC_TAG = "steady-outbox";

/** Every kind of write the outbox carries (sync-problems.js names each). */
const KINDS = new Set(["checkin", "dose", "contact-add", "contact", "reach-out", "plan", "thought", "favourite", "recent", "guest-import"]);

/** Entries queued before writes carried a kind: their kind, from their address. */
function legacyKind(entry) {
  const url = String(entry.url || "");
  const contact = url.match(/^\/api\/people\/contacts\/(\d+)(\/reached-out)?$/);
  if (contact) return { kind: contact[2] ? "reach-out" : "contact", about: Number(contact[1]) };
  const known = {
    "/api/checkins": "checkin",
    "/api/doses": "dose",
    "/api/people/contacts": "contact-add",
    "/api/plan": "plan",
    "/api/thought-records": "thought",
    "/api/toolkit/recents": "recent",
    "/api/toolkit/import": "guest-import",
  };
  if (known[url]) return { kind: known[url] };
  if (url.startsWith("/api/toolkit/favourites/")) return { kind: "favourite" };
  return { kind: "other" };
}

/** An entry with its kind (and what it is about) filled in. */
export function withKind(entry) {
  return entry.kind ? entry : { ...entry, ...legacyKind(entry) };
}

const inPage = typeof document !== "undefined";

function announce(name, detail) {
  if (inPage) document.dispatchEvent(new CustomEvent(name, { detail }));
}

// What the pages tell the outbox (account-sync.js): who the device is for,
// what to do when the server says someone else is signed in, and the token
// of a page drawn for that person.
let page = {
  currentUser: async () => null,
  ownerChanged: async () => {},
  tokenFor: () => null,
};

export function connectOutbox(hooks) {
  page = { ...page, ...hooks };
}

/** Keep a write on this device for the server; it is stored when this
 * resolves. Nothing is sent: `flushOutbox()` or the next round does that. */
export async function keep(userId, kind, { method = "POST", url, body, about } = {}) {
  if (!userId) throw new TypeError("a write is queued for an account");
  if (!KINDS.has(kind)) throw new TypeError(`no kind of write called ${kind}`);
  await outboxStore.put({
    id: crypto.randomUUID(),
    userId,
    kind,
    about: about === undefined ? null : about,
    method,
    url,
    body: body === undefined ? null : body,
    createdAt: new Date().toISOString(),
    attempts: 0,
    failed: null,
  });
  announce("steady:queued", { userId });
}

/** Keep a write, then start sending it; resolves once it is stored and sent
 * or `waitMs` have passed, with the round (the number sent). Throws when this
 * phone cannot store it. */
export async function keepAndSend(userId, kind, write, waitMs = 400) {
  await keep(userId, kind, write);
  const sending = flushOutbox().catch(() => 0);
  await Promise.race([sending, new Promise((resolve) => setTimeout(resolve, waitMs))]);
  return { sending };
}

/** Queue a write for the server, then try to send everything queued. The
 * number of entries sent (0 offline, locked or refused). */
export async function queue(userId, kind, write = {}) {
  await keep(userId, kind, write);
  return flushOutbox();
}

const oldestFirst = (a, b) => String(a.createdAt).localeCompare(String(b.createdAt));

/** This person's entries that can be read now, with their kinds: all of them,
 * or only those of `kind`; newest first. */
export async function entriesOf(userId, kind = null) {
  if (!userId) return [];
  return (await outboxStore.all())
    .filter((entry) => String(entry.userId) === String(userId))
    .map(withKind)
    .filter((entry) => kind === null || entry.kind === kind)
    .sort((a, b) => oldestFirst(b, a));
}

/** Are any of this person's writes waiting to be sent (not refused)? Readable while locked. */
export async function hasWaiting(userId) {
  return Boolean(userId) && (await outboxStore.waiting(userId)) > 0;
}

/** Let a refused entry go (discarded, or put back in its form to be fixed). */
export async function discard(entry) {
  await outboxStore.remove(entry.id);
  announce("steady:snapshot", { userId: entry.userId });
}

const RETRY_LATER = new Set([401, 408, 423, 429]);

/** Send `entries` (oldest first) as `account` with `token`. Stops at the first
 * network error or answer to try again later ({ sent, stopped: true }). With
 * `untilAsked`, an answer saying the session is not the one the token came
 * from (signed out, another account, an old token: the server marks these
 * with a "Steady-Session: ask" header) stops the round too, the entry left as
 * it was ({ sent, stopped: true, ask: true }). */
async function sendEntries(entries, { account, token, untilAsked = false }) {
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
          "X-Steady-Account": account,
        },
        body: entry.body === null ? undefined : JSON.stringify(entry.body),
      });
    } catch {
      return { sent, stopped: true }; // offline again: try later
    }
    if (untilAsked && response.headers.get("Steady-Session") === "ask") return { sent, stopped: true, ask: true };
    if (response.ok) {
      await outboxStore.remove(entry.id);
      sent += 1;
    } else if (response.status >= 500 || RETRY_LATER.has(response.status)) {
      await outboxStore.put({ ...entry, attempts: (entry.attempts || 0) + 1 });
      return { sent, stopped: true };
    } else {
      const reason = await response.json().then((data) => data.error).catch(() => null);
      await outboxStore.put({ ...entry, attempts: (entry.attempts || 0) + 1, failed: reason || `refused (${response.status})` });
      // Every list drawn from this device's data ("couldn't sync" too) draws itself again.
      announce("steady:snapshot", { userId: account });
    }
  }
  return { sent, stopped: false };
}

function oneAtATime(work) {
  return typeof navigator !== "undefined" && navigator.locks ? navigator.locks.request(OUTBOX_LOCK, work) : work();
}

/** This person's readable entries still to send, oldest first. */
async function sendable(userId) {
  return (await outboxStore.all()).filter((entry) => String(entry.userId) === String(userId) && !entry.failed).sort(oldestFirst);
}

/** A page's round: this device's person's readable entries, if the server
 * says they are the one signed in. A page the server drew for them holds a
 * token of their session: the entries go at once, each naming its account
 * (the server refuses it under any other); only when an answer says the
 * session moved on is the server asked who is signed in, as on a page kept
 * for everyone. */
async function flushOnce() {
  if ((await deviceLock.status()) === "locked") return 0; // replay needs the key: it happens once unlocked
  const userId = await page.currentUser();
  let entries = await sendable(userId);
  if (!userId || !entries.length || !navigator.onLine) return 0;
  const token = page.tokenFor(userId);
  let sentFirst = 0;
  if (token) {
    const { sent, ask } = await sendEntries(entries, { account: String(userId), token, untilAsked: true });
    if (!ask) return announceSent(userId, sent);
    sentFirst = sent;
    entries = await sendable(userId);
  }
  let info;
  try {
    info = await session();
  } catch {
    return announceSent(userId, sentFirst);
  }
  const signedIn = signedInUser(info);
  if (signedIn !== String(userId)) {
    // Signed out, or someone else signed in: these are not theirs to send.
    await page.ownerChanged(signedIn);
    return announceSent(userId, sentFirst);
  }
  const { sent } = await sendEntries(entries, { account: signedIn, token: info.csrf_token });
  return announceSent(userId, sentFirst + sent);
}

function announceSent(userId, sent) {
  if (sent) announce("steady:outbox", { userId, sent });
  return sent;
}

let flushing = null;
let flushAgain = false;

/** Send queued writes in order (see the top of this file). A call while a
 * flush runs makes that flush go round again, so a write queued meanwhile is
 * sent too. The number sent. */
export function flushOutbox() {
  if (flushing) {
    flushAgain = true;
    return flushing;
  }
  flushing = (async () => {
    let sent = 0;
    do {
      flushAgain = false;
      sent += await oneAtATime(flushOnce);
    } while (flushAgain);
    return sent;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/** The service worker's round, with no Steady window open (Background Sync):
 * every entry of any account but the one signed in (or of none) is removed,
 * sealed or not, before anything is sent; sealed entries (the app lock is on)
 * wait for a page, which holds the key. Throws when the round must be tried
 * again, so the browser fires the sync later. */
async function replayOnce() {
  const rows = await outboxStore.rows();
  if (!rows.length) return 0;
  const info = await session(); // throws offline or on a 5xx: try again later
  const signedIn = signedInUser(info);
  await outboxStore.keepOnlyEntriesOf(signedIn);
  if (signedIn === null) return 0;
  const entries = rows
    .filter((row) => ownerOfEntry(row) === signedIn && row.url && !row.sealed && !row.failed)
    .sort(oldestFirst);
  const { sent, stopped } = await sendEntries(entries, { account: signedIn, token: info.csrf_token });
  if (stopped) throw new Error("the outbox could not be sent: try again later");
  return sent;
}

export function replayFromWorker() {
  return oneAtATime(replayOnce);
}
