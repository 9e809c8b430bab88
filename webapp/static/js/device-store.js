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
// The parts: idb.js (the raw stores), device-keys.js (the keys in memory),
// device-lock.js (turning the lock on and off).
import { LockedError, isSealed, seal, sealLocked, unseal } from "./lock-crypto.js";
import { LOCK_KEY, holdUntilOwned, lockRecord, raw, whenOwned } from "./idb.js";
import { askWorker, currentKeys, handOverKeys, tellActivity, tellWorker } from "./device-keys.js";
import { deviceLock, isPlainKey, kvPlace, outboxPlace } from "./device-lock.js";

export { LockedError, askWorker, deviceLock, handOverKeys, holdUntilOwned, tellActivity, tellWorker };

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


export const kv = {
  async get(key) {
    await whenOwned();
    const stored = await raw.get("kv", key);
    if (isPlainKey(key) || !isSealed(stored)) return stored;
    return unseal(stored, kvPlace(key), await currentKeys());
  },
  async set(key, value) {
    await whenOwned();
    if (isPlainKey(key)) return raw.put("kv", value, key);
    const record = await lockRecord();
    if (!record) return raw.put("kv", value, key);
    const held = await currentKeys();
    if (held) return raw.put("kv", await seal(value, kvPlace(key), held), key);
    // Locked: never replace what cannot be read now with something made without it.
    if (isSealed(await raw.get("kv", key))) throw new LockedError();
    return raw.put("kv", await sealLocked(value, kvPlace(key), record.publicKey), key);
  },
  async remove(key) {
    await whenOwned();
    return raw.remove("kv", key);
  },
};

export const outboxStore = {
  async put(entry) {
    await whenOwned();
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
    await whenOwned();
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
    await whenOwned();
    return raw.remove("outbox", id);
  },
  /** How many of this person's writes wait to be sent (readable while locked). */
  async waiting(userId) {
    await whenOwned();
    return (await raw.all("outbox")).filter((row) => String(row.userId) === String(userId) && !row.failed).length;
  },
  /** Every row as stored (sealed ones unread), for the service worker. */
  async rows() {
    await whenOwned();
    return raw.all("outbox");
  },
  /** Remove every entry that is not `owner`'s (an id; null: every entry), sealed or not. */
  async keepOnlyEntriesOf(owner) {
    await whenOwned();
    for (const row of await raw.all("outbox")) {
      if (owner === null || ownerOfEntry(row) !== owner) await raw.remove("outbox", row.id);
    }
  },
  /** Remove this person's entries, sealed or not. */
  async removeFor(userId) {
    await whenOwned();
    const rows = await raw.all("outbox");
    await Promise.all(rows.filter((row) => String(row.userId) === String(userId)).map((row) => raw.remove("outbox", row.id)));
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

