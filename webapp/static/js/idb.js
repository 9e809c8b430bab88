// Steady's IndexedDB ("steady"): two stores, "kv" (a small key-value store)
// and "outbox" (writes waiting for the server), read and written here without
// any sealing (device-store.js seals and unseals on top of this), and the
// gate every sealed read and write waits at while the device is being given
// to its account.
import { isSealed } from "./lock-crypto.js";

const DB_NAME = "steady";
const DB_VERSION = 1;
export const LOCK_KEY = "app-lock";
let opening = null;

// Reads and writes wait while the device is being given to its account (see
// holdUntilOwned): nothing is shown or sent from a record about to go.
let owned = Promise.resolve();

/** Resolves once the device is its account's (see holdUntilOwned). */
export const whenOwned = () => owned;

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

export const raw = {
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
export async function replaceIf(name, key, expected, next, inlineKey) {
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

export function lockRecord() {
  return raw.get("kv", LOCK_KEY);
}
