// The app lock, as the storage layer sees it: turning it on seals every
// record in IndexedDB (AES-GCM with the lock's data key, see lock-crypto.js),
// turning it off opens them again; the lock's own record (attempt counts,
// idle time, wrapped keys: never a key in the clear) stays readable.
import { isSealed, seal, unseal, LockedError } from "./lock-crypto.js";
import { LOCK_KEY, lockRecord, raw, replaceIf, whenOwned } from "./idb.js";
import { currentKeys, forgetKeys, heldKeys, holdKeys, restoreKeys } from "./device-keys.js";

const LOCK_FLAG = "steady.app-lock";
const PLAIN_KEYS = new Set(["current-user", LOCK_KEY]);

/** Keys of "kv" records never sealed: whose the device is, and the lock's own record. */
export const isPlainKey = (key) => PLAIN_KEYS.has(key);
export const kvPlace = (key) => `kv:${key}`;
export const outboxPlace = (id) => `outbox:${id}`;

function setFlag(on) {
  try {
    if (on) localStorage.setItem(LOCK_FLAG, "on");
    else localStorage.removeItem(LOCK_FLAG);
  } catch {
    /* storage refused: the lock itself still holds */
  }
}

async function resealEverything(held) {
  for (const key of await raw.keys("kv")) {
    if (isPlainKey(key)) continue;
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
    await whenOwned();
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
  hold: (unlocked, idleMinutes) => holdKeys(unlocked, idleMinutes),

  /** The keys, if Steady is unlocked. */
  current: () => currentKeys(),

  /** Let go of the keys everywhere: Steady is locked. */
  forgetKeys: () => forgetKeys(),

  /** Ask the service worker again (another tab unlocked). */
  restore: () => restoreKeys(),

  /** Turn the lock on: from now on every write is sealed; then seal what is here. */
  async turnOn(record, unlocked, idleMinutes) {
    await whenOwned();
    await deviceLock.saveRecord(record);
    await deviceLock.hold(unlocked, idleMinutes);
    await resealEverything(unlocked);
  },

  /** After unlocking: seal with the data key what was written while locked (or before). */
  async tidy() {
    const held = heldKeys();
    if (held && (await lockRecord())) await resealEverything(held);
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
