// The app lock's cryptography, with WebCrypto only.
//
// - A random data key (AES-GCM, 256 bits) encrypts what Steady keeps on this
//   device about a person. It is stored only wrapped (AES-GCM key wrap) by a
//   key derived from the PIN with PBKDF2-SHA-256 and a random salt; the
//   unwrapped key lives in memory, never in storage.
// - A device key pair (ECDH P-256) lets a write be sealed while Steady is
//   locked (an exercise used, a thought record saved from the toolkit): the
//   public key is stored as is, the private key only wrapped by the data key.
//   Such a record can be opened again only after unlocking.
// - Every sealed record carries associated data naming where it is stored, so
//   a record copied to another key or outbox entry does not open there.
// - An unlock proof for the server: 32 random bytes, stored only encrypted by
//   the data key. The server keeps a hash of it with this device's session
//   and stays locked until the device sends it, so only the PIN (through the
//   data key) can open the session, and the PIN itself never travels.
//
// ITERATIONS: 2,000,000 (was 600,000; a lock keeps the count it was made with,
// and a new PIN takes the new count). Measured in this project's Chromium on
// a loaded 2-core machine: 0.34-0.46 s per unlock (600,000: 0.09-0.14 s).

export const ITERATIONS = 2000000;
const WRAP_DATA_KEY = "steady-lock:data-key";
const WRAP_PRIVATE_KEY = "steady-lock:private-key";
const LOCKED_WRITE_INFO = "steady-lock:sealed-while-locked";
const SERVER_PROOF = "steady-lock:server-proof";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const subtle = () => crypto.subtle;

/** Thrown when a PIN does not open the lock. */
export class WrongPin extends Error {
  constructor() {
    super("That PIN is not right.");
    this.name = "WrongPin";
  }
}

/** Thrown when something sealed is needed while Steady is locked. */
export class LockedError extends Error {
  constructor() {
    super("Steady is locked on this device.");
    this.name = "LockedError";
  }
}

const random = (length) => crypto.getRandomValues(new Uint8Array(length));

async function keyFromPin(pin, salt, iterations) {
  const base = await subtle().importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"]
  );
}

function wrapDataKey(dataKey, pinKey, iv) {
  return subtle().wrapKey("raw", dataKey, pinKey, { name: "AES-GCM", iv, additionalData: encoder.encode(WRAP_DATA_KEY) });
}

async function unwrapDataKey(record, pinKey, extractable) {
  try {
    return await subtle().unwrapKey(
      "raw",
      record.wrappedDataKey,
      pinKey,
      { name: "AES-GCM", iv: record.wrapIv, additionalData: encoder.encode(WRAP_DATA_KEY) },
      { name: "AES-GCM", length: 256 },
      extractable,
      ["encrypt", "decrypt", "wrapKey", "unwrapKey"]
    );
  } catch {
    throw new WrongPin();
  }
}

async function unwrapPrivateKey(record, dataKey) {
  return subtle().unwrapKey(
    "pkcs8",
    record.wrappedPrivateKey,
    dataKey,
    { name: "AES-GCM", iv: record.privateIv, additionalData: encoder.encode(WRAP_PRIVATE_KEY) },
    { name: "ECDH", namedCurve: "P-256" },
    false,
    ["deriveBits"]
  );
}

/** A new lock for `pin`: the record to store (nothing in it opens without the
 * PIN) and the unwrapped keys to hold in memory. */
export async function createLock(pin, { iterations = ITERATIONS } = {}) {
  const salt = random(16);
  const wrapIv = random(12);
  const privateIv = random(12);
  const pinKey = await keyFromPin(pin, salt, iterations);
  const dataKey = await subtle().generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
  const pair = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const record = {
    version: 1,
    kdf: "PBKDF2-SHA-256",
    iterations,
    salt,
    wrapIv,
    wrappedDataKey: await wrapDataKey(dataKey, pinKey, wrapIv),
    privateIv,
    wrappedPrivateKey: await subtle().wrapKey("pkcs8", pair.privateKey, dataKey, {
      name: "AES-GCM",
      iv: privateIv,
      additionalData: encoder.encode(WRAP_PRIVATE_KEY),
    }),
    publicKey: new Uint8Array(await subtle().exportKey("raw", pair.publicKey)),
  };
  const sealedProof = await sealServerProof({ dataKey });
  return { record: { ...record, ...sealedProof }, keys: await openLock(record, pin) };
}

async function sealServerProof(keys) {
  const serverIv = random(12);
  const wrappedServerProof = await subtle().encrypt(
    { name: "AES-GCM", iv: serverIv, additionalData: encoder.encode(SERVER_PROOF) },
    keys.dataKey,
    random(32)
  );
  return { serverIv, wrappedServerProof };
}

/** The lock with a server proof (a lock made before there was one gets it
 * at its next unlock). */
export async function withServerProof(record, keys) {
  if (record.wrappedServerProof) return record;
  return { ...record, ...(await sealServerProof(keys)) };
}

/** The proof that unlocks this device's session on the server (base64url),
 * which only the data key — so only the PIN — opens. */
export async function serverProof(record, keys) {
  if (!keys || !record?.wrappedServerProof) throw new LockedError();
  const raw = new Uint8Array(
    await subtle().decrypt(
      { name: "AES-GCM", iv: record.serverIv, additionalData: encoder.encode(SERVER_PROOF) },
      keys.dataKey,
      record.wrappedServerProof
    )
  );
  let text = "";
  for (const byte of raw) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The keys the lock holds, if `pin` is right; else WrongPin. */
export async function openLock(record, pin) {
  const pinKey = await keyFromPin(pin, record.salt, record.iterations);
  const dataKey = await unwrapDataKey(record, pinKey, false);
  return { dataKey, privateKey: await unwrapPrivateKey(record, dataKey) };
}

/** The same lock under a new PIN (the data key, so every record, stays). */
export async function changePin(record, oldPin, newPin) {
  const dataKey = await unwrapDataKey(record, await keyFromPin(oldPin, record.salt, record.iterations), true);
  const salt = random(16);
  const wrapIv = random(12);
  const iterations = Math.max(record.iterations, ITERATIONS);
  const pinKey = await keyFromPin(newPin, salt, iterations);
  return { ...record, iterations, salt, wrapIv, wrappedDataKey: await wrapDataKey(dataKey, pinKey, wrapIv) };
}

export function isSealed(value) {
  return Boolean(value) && typeof value === "object" && value.steadySealed === 1;
}

/** `value` (anything JSON can hold) sealed with the data key. */
export async function seal(value, place, keys) {
  const iv = random(12);
  const data = await subtle().encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(place) },
    keys.dataKey,
    encoder.encode(JSON.stringify(value))
  );
  return { steadySealed: 1, alg: "A256GCM", iv, data };
}

async function lockedWriteKey(privateKey, publicKey, salt, usage) {
  const shared = await subtle().deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256);
  const base = await subtle().importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: encoder.encode(LOCKED_WRITE_INFO) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    [usage]
  );
}

/** `value` sealed while locked, with only the device's public key: an
 * ephemeral ECDH key agreement, HKDF, then AES-GCM. */
export async function sealLocked(value, place, publicKeyRaw) {
  const devicePublic = await subtle().importKey("raw", publicKeyRaw, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const ephemeral = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const ephemeralPublic = new Uint8Array(await subtle().exportKey("raw", ephemeral.publicKey));
  const key = await lockedWriteKey(ephemeral.privateKey, devicePublic, ephemeralPublic, "encrypt");
  const iv = random(12);
  const data = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(place) }, key, encoder.encode(JSON.stringify(value)));
  return { steadySealed: 1, alg: "ECDH-ES+A256GCM", epk: ephemeralPublic, iv, data };
}

/** What a sealed record holds; LockedError without keys. */
export async function unseal(sealed, place, keys) {
  if (!keys) throw new LockedError();
  let key = keys.dataKey;
  if (sealed.alg === "ECDH-ES+A256GCM") {
    const ephemeralPublic = await subtle().importKey("raw", sealed.epk, { name: "ECDH", namedCurve: "P-256" }, false, []);
    key = await lockedWriteKey(keys.privateKey, ephemeralPublic, sealed.epk, "decrypt");
  } else if (sealed.alg !== "A256GCM") {
    throw new Error(`unknown sealing ${sealed.alg}`);
  }
  const plain = await subtle().decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: encoder.encode(place) }, key, sealed.data);
  return JSON.parse(decoder.decode(plain));
}
