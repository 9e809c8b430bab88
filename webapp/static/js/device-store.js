// What Steady keeps on this device, in IndexedDB: a small key-value store
// (guest favourites, recents and thought records; each signed-in person's
// offline snapshot) and the outbox of writes waiting to reach the server.
//
// With the app lock on, every record is sealed here, at the storage layer,
// whoever writes it (so a new part of the snapshot is covered without doing
// anything): AES-GCM with the lock's data key while unlocked, or with the
// device's public key while locked (see lock-crypto.js). Only the name of the
// person this device belongs to ("current-user", an account number) and the
// lock's own record stay readable; an outbox entry keeps its id, its
// owner's number and whether the server refused it, so "N changes will sync
// when you unlock" can be counted without the PIN. The unwrapped keys live in
// this page's memory and in the service worker's (so the next page opens
// without the PIN until the chosen idle time is up) — never in storage.
//
// Every record names whose it is, readable without the PIN: a kv key is
// "user:<account>:<part>" (one account's), "guest:<part>" (kept for a guest,
// moved into the account at sign-up), or one of the device's own two
// ("current-user", the lock's record, which names its owner); an outbox entry
// carries its account as `userId`. `keepOnly(account)` removes everything
// that is not that account's (or a guest's, or the device's), sealed or not;
// account-sync.js runs it before anything reads what is kept here, and every
// read below waits for it (`holdUntilOwned`).
import { LockedError, isSealed, seal, sealLocked, unseal } from "./lock-crypto.js";

export { LockedError };

const DB_NAME = "steady";
const DB_VERSION = 1;
const LOCK_KEY = "app-lock";
const LOCK_FLAG = "steady.app-lock";
const PLAIN_KEYS = new Set(["current-user", LOCK_KEY]);
const WORKER_TIMEOUT_MS = 2000;
let opening = null;

// Reads and writes wait while the device is being given to its account (see
// holdUntilOwned): nothing is shown or sent from a record about to go.
let owned = Promise.resolve();

/** Make every read and write of the stores below wait for `claim` (which
 * must itself only use the raw stores). */
export function holdUntilOwned(claim) {
  const previous = owned;
  owned = Promise.all([previous, claim]).then(
    () => undefined,
    () => undefined
  );
  return owned;
}

/** Whose a kv key is: an account's id (a string), "guest", "device", or
 * null (no known account: such a record is removed). */
export function ownerOfKey(key) {
  if (typeof key !== "string") return null;
  if (key === "current-user" || key === LOCK_KEY) return "device";
  if (key.startsWith("guest:")) return "guest";
  const match = /^user:([^:]+):./.exec(key);
  return match ? match[1] : null;
}

/** Whose an outbox row is (an account's id, or null for none). */
export function ownerOfEntry(row) {
  const owner = row && row.userId;
  return owner === undefined || owner === null || owner === "" ? null : String(owner);
}

function openDatabase() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function withStore(name, mode, action) {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(name, mode);
    const request = action(transaction.objectStore(name));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

const raw = {
  get: (name, key) => withStore(name, "readonly", (store) => store.get(key)),
  keys: (name) => withStore(name, "readonly", (store) => store.getAllKeys()),
  all: (name) => withStore(name, "readonly", (store) => store.getAll()),
  put: (name, value, key) => withStore(name, "readwrite", (store) => (key === undefined ? store.put(value) : store.put(value, key))),
  remove: (name, key) => withStore(name, "readwrite", (store) => store.delete(key)),
  clear: (name) => withStore(name, "readwrite", (store) => store.clear()),
};

/** Two stored forms are the same record (a sealed one by its fresh IV). */
function sameStored(a, b) {
  if (isSealed(a) || isSealed(b)) return isSealed(a) && isSealed(b) && String(a.iv) === String(b.iv);
  if (a?.sealed || b?.sealed) return Boolean(a?.sealed && b?.sealed) && String(a.sealed.iv) === String(b.sealed.iv);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Put `next` only if the record still holds `expected` (re-sealing must not
 * undo a write made meanwhile). */
async function replaceIf(name, key, expected, next, inlineKey) {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(name, "readwrite");
    const store = transaction.objectStore(name);
    const request = store.get(key);
    request.onsuccess = () => {
      if (request.result !== undefined && sameStored(request.result, expected)) {
        if (inlineKey) store.put(next);
        else store.put(next, key);
      }
    };
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

// --- the keys, in memory ----------------------------------------------------------------

let keys = null;
let restoring = null;

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function activeWorker() {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await Promise.race([navigator.serviceWorker.ready, wait(WORKER_TIMEOUT_MS).then(() => null)]);
  return registration?.active || null;
}

/** Ask the service worker something; null when there is none or it does not answer. */
export async function askWorker(message) {
  try {
    const worker = await activeWorker();
    if (!worker) return null;
    return await new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), WORKER_TIMEOUT_MS);
      channel.port1.onmessage = (event) => {
        clearTimeout(timer);
        resolve(event.data);
      };
      worker.postMessage(message, [channel.port2]);
    });
  } catch (error) {
    return null;
  }
}

export function tellWorker(message) {
  return activeWorker()
    .then((worker) => worker && worker.postMessage(message))
    .catch(() => {});
}

function lockRecord() {
  return raw.get("kv", LOCK_KEY);
}

/** The keys, from this page or (once per page) from the service worker. */
async function currentKeys() {
  if (keys) return keys;
  if (!restoring) {
    restoring = askWorker({ type: "lock:get", at: Date.now() }).then((answer) => {
      if (answer && answer.keys && !keys) keys = answer.keys;
      return keys;
    });
  }
  return restoring;
}

// --- the stores ----------------------------------------------------------------------------

const kvPlace = (key) => `kv:${key}`;
const outboxPlace = (id) => `outbox:${id}`;

export const kv = {
  async get(key) {
    await owned;
    const stored = await raw.get("kv", key);
    if (PLAIN_KEYS.has(key) || !isSealed(stored)) return stored;
    return unseal(stored, kvPlace(key), await currentKeys());
  },
  async set(key, value) {
    await owned;
    if (PLAIN_KEYS.has(key)) return raw.put("kv", value, key);
    const record = await lockRecord();
    if (!record) return raw.put("kv", value, key);
    const held = await currentKeys();
    if (held) return raw.put("kv", await seal(value, kvPlace(key), held), key);
    // Locked: never replace what cannot be read now with something made without it.
    if (isSealed(await raw.get("kv", key))) throw new LockedError();
    return raw.put("kv", await sealLocked(value, kvPlace(key), record.publicKey), key);
  },
  async remove(key) {
    await owned;
    return raw.remove("kv", key);
  },
};

export const outboxStore = {
  async put(entry) {
    await owned;
    if (ownerOfEntry(entry) === null) throw new TypeError("an outbox entry must name its account (userId)");
    const record = await lockRecord();
    if (!record) return raw.put("outbox", entry);
    const held = await currentKeys();
    const place = outboxPlace(entry.id);
    const sealed = held ? await seal(entry, place, held) : await sealLocked(entry, place, record.publicKey);
    return raw.put("outbox", { id: entry.id, userId: entry.userId, failed: Boolean(entry.failed), sealed });
  },
  /** Every entry that can be read now (while locked, none that is sealed). */
  async all() {
    await owned;
    const rows = await raw.all("outbox");
    const held = rows.some((row) => row.sealed) ? await currentKeys() : null;
    const entries = [];
    for (const row of rows) {
      if (!row.sealed) entries.push(row);
      else if (held) entries.push(await unseal(row.sealed, outboxPlace(row.id), held));
    }
    return entries;
  },
  async remove(id) {
    await owned;
    return raw.remove("outbox", id);
  },
  /** How many of this person's writes wait to be sent (readable while locked). */
  async waiting(userId) {
    await owned;
    return (await raw.all("outbox")).filter((row) => String(row.userId) === String(userId) && !row.failed).length;
  },
  /** Remove this person's entries, sealed or not. */
  async removeFor(userId) {
    await owned;
    const rows = await raw.all("outbox");
    await Promise.all(rows.filter((row) => String(row.userId) === String(userId)).map((row) => raw.remove("outbox", row.id)));
  },
};

// --- the lock, as the storage layer sees it -------------------------------------------------

function setFlag(on) {
  try {
    if (on) localStorage.setItem(LOCK_FLAG, "on");
    else localStorage.removeItem(LOCK_FLAG);
  } catch (error) {
    /* storage refused: the lock itself still holds */
  }
}

async function resealEverything(held) {
  for (const key of await raw.keys("kv")) {
    if (PLAIN_KEYS.has(key)) continue;
    const stored = await raw.get("kv", key);
    if (stored === undefined || (isSealed(stored) && stored.alg === "A256GCM")) continue;
    const value = isSealed(stored) ? await unseal(stored, kvPlace(key), held) : stored;
    await replaceIf("kv", key, stored, await seal(value, kvPlace(key), held));
  }
  for (const row of await raw.all("outbox")) {
    if (row.sealed && row.sealed.alg === "A256GCM") continue;
    const entry = row.sealed ? await unseal(row.sealed, outboxPlace(row.id), held) : row;
    const sealed = await seal(entry, outboxPlace(row.id), held);
    await replaceIf("outbox", row.id, row, { id: row.id, userId: entry.userId, failed: Boolean(entry.failed), sealed }, true);
  }
}

async function unsealEverything(held) {
  for (const key of await raw.keys("kv")) {
    const stored = await raw.get("kv", key);
    if (!isSealed(stored)) continue;
    await replaceIf("kv", key, stored, await unseal(stored, kvPlace(key), held));
  }
  for (const row of await raw.all("outbox")) {
    if (!row.sealed) continue;
    await replaceIf("outbox", row.id, row, await unseal(row.sealed, outboxPlace(row.id), held), true);
  }
}

export const deviceLock = {
  /** The lock's record (once the device is its account's: a lock that was
   * not theirs is gone by then). */
  async record() {
    await owned;
    return lockRecord();
  },

  /** "off", "locked" or "unlocked". */
  async status() {
    if (!(await lockRecord())) return "off";
    return (await currentKeys()) ? "unlocked" : "locked";
  },

  /** Keep the lock's record (attempt counts, idle time...): never any key in the clear. */
  async saveRecord(record) {
    await raw.put("kv", record, LOCK_KEY);
    setFlag(true);
  },

  /** Hold the unwrapped keys in memory here and in the service worker. */
  hold(unlocked, idleMinutes) {
    keys = unlocked;
    restoring = Promise.resolve(keys);
    return tellWorker({ type: "lock:hold", keys: unlocked, idleMs: idleMinutes * 60000, at: Date.now() });
  },

  /** The keys, if Steady is unlocked. */
  current: () => currentKeys(),

  /** Let go of the keys everywhere: Steady is locked. */
  forgetKeys() {
    keys = null;
    restoring = Promise.resolve(null);
    tellWorker({ type: "lock:forget" });
  },

  /** Ask the service worker again (another tab unlocked). */
  async restore() {
    keys = null;
    restoring = null;
    return currentKeys();
  },

  /** Turn the lock on: from now on every write is sealed; then seal what is here. */
  async turnOn(record, unlocked, idleMinutes) {
    await owned;
    await deviceLock.saveRecord(record);
    await deviceLock.hold(unlocked, idleMinutes);
    await resealEverything(unlocked);
  },

  /** After unlocking: seal with the data key what was written while locked (or before). */
  async tidy() {
    if (keys && (await lockRecord())) await resealEverything(keys);
  },

  /** Turn the lock off (needs the keys): every record back as it was. */
  async turnOff() {
    const held = await currentKeys();
    if (!held) throw new LockedError();
    await raw.remove("kv", LOCK_KEY);
    setFlag(false);
    await unsealEverything(held);
    deviceLock.forgetKeys();
  },

  /** Let go of the lock when its owner's data leaves this device (signing
   * out, or someone else signing in): what is sealed goes with it. */
  async release() {
    deviceLock.forgetKeys();
    for (const key of await raw.keys("kv")) {
      if (isSealed(await raw.get("kv", key))) await raw.remove("kv", key);
    }
    for (const row of await raw.all("outbox")) {
      if (row.sealed) await raw.remove("outbox", row.id);
    }
    await raw.remove("kv", LOCK_KEY);
    setFlag(false);
  },

  /** Remove everything Steady keeps on this device, and the lock. */
  async wipe() {
    deviceLock.forgetKeys();
    await raw.clear("outbox");
    await raw.clear("kv");
    setFlag(false);
  },
};

// --- whose records stay ------------------------------------------------------------------------

/** Is anything of an account's kept here (so whose it is matters)? */
export async function holdsAccountData() {
  if ((await raw.get("kv", "current-user")) !== undefined || (await lockRecord())) return true;
  if ((await raw.keys("kv")).some((key) => !["device", "guest"].includes(ownerOfKey(key)))) return true;
  return (await raw.keys("outbox")).length > 0;
}

/** Remove every record that is not `account`'s (an id), a guest's or the
 * device's own; with `account` null (no one is signed in), every account's.
 * A lock that is not this account's goes with what it sealed. Uses only the
 * raw stores: it runs while every other read waits for it. Says what went. */
export async function keepOnly(account) {
  const owner = account === null || account === undefined ? null : String(account);
  const previous = await raw.get("kv", "current-user");
  const removed = { records: 0, lock: false, previous: previous === undefined ? null : String(previous) };
  const record = await lockRecord();
  if (record && (owner === null || String(record.owner) !== owner)) {
    await deviceLock.release();
    removed.lock = true;
  }
  for (const key of await raw.keys("kv")) {
    const whose = ownerOfKey(key);
    if (whose === "device" || whose === "guest" || (owner !== null && whose === owner)) continue;
    await raw.remove("kv", key);
    removed.records += 1;
  }
  for (const row of await raw.all("outbox")) {
    if (owner !== null && ownerOfEntry(row) === owner) continue;
    await raw.remove("outbox", row.id);
    removed.records += 1;
  }
  if (owner === null) await raw.remove("kv", "current-user");
  else if (removed.previous !== owner) await raw.put("kv", owner, "current-user");
  return removed;
}
