// The app lock on the server: the session is locked with the device.
// Locking here tells the server (POST /lock/lock); unlocking sends the proof
// that only the PIN opens (lock-crypto.js), never the PIN; removing Steady's
// copy from this phone signs out here too (at once, or — offline — on the
// next page that loads signed in).
import { deviceLock } from "./device-store.js";
import { serverProof, withServerProof } from "./lock-crypto.js";
import { csrfToken, session } from "./session.js";
import { devicePush } from "./account-sync.js";

export const SIGN_OUT_PENDING = "steady.lock-sign-out";
export const DEFAULT_IDLE = 5;

/** Every tab's lock hears of locking, unlocking and changes here. */
export const lockChannel = "BroadcastChannel" in window ? new BroadcastChannel("steady-app-lock") : null;

/** End this device's session on the server, and its reminders: the server
 * forgets its push address, then the browser its subscription. With no
 * connection now, the next page that loads signed in does it first (nothing
 * shows until then). */
export async function signOutHere() {
  localStorage.setItem(SIGN_OUT_PENDING, "1");
  try {
    let info = await session();
    const subscription = await devicePush();
    if (info.user !== null && info.csrf_token) {
      const fields = { csrf_token: info.csrf_token, ...(subscription ? { push_endpoint: subscription.endpoint } : {}) };
      await fetch("/logout", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": info.csrf_token },
        body: new URLSearchParams(fields),
      });
      info = await session();
    }
    if (info.user === null) {
      await subscription?.unsubscribe().catch(() => {});
      localStorage.removeItem(SIGN_OUT_PENDING);
    }
  } catch {
    /* offline: SIGN_OUT_PENDING stays */
  }
}

/** POST to one of the lock's endpoints; { status, body }, or null offline / signed out. */
export async function tellServer(path, fields = {}) {
  try {
    const token = await csrfToken();
    if (!token) return null;
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", "X-CSRFToken": token },
      body: new URLSearchParams({ ...fields, csrf_token: token }),
    });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  } catch {
    return null;
  }
}

export async function serverState() {
  try {
    const response = await fetch("/lock/state", { credentials: "same-origin", headers: { Accept: "application/json" } });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** Unlocked here: make sure this device's session is unlocked too, with this
 * lock's proof and idle time. True when the server's session is open. */
export async function proveToServer(record, keys, { onEnded = () => {} } = {}) {
  if (!record || !keys) return false;
  let lock = record;
  if (!lock.wrappedServerProof) {
    lock = await withServerProof(lock, keys);
    const latest = (await deviceLock.record()) || record;
    await deviceLock.saveRecord({ ...latest, serverIv: lock.serverIv, wrappedServerProof: lock.wrappedServerProof });
  }
  const proof = await serverProof(lock, keys);
  const server = await serverState();
  if (!server) return false;
  let open = server.state === "unlocked";
  if (server.state === "locked") {
    const answer = await tellServer("/lock/unlock", { proof });
    if (answer?.status === 401 && answer.body?.ended) {
      await removeCopyAndSignOut();
      onEnded();
      return false;
    }
    open = answer?.status === 200;
    // Refused (a wait, or the session holds another lock's proof — turned off
    // and on again while offline): this session stays locked; the lock page
    // offers signing out.
    if (!open) return false;
  }
  if (server.state === "off" || (open && server.idle_minutes !== (lock.idleMinutes || DEFAULT_IDLE))) {
    const answer = await tellServer("/lock/set-up", { proof, idle_minutes: String(lock.idleMinutes || DEFAULT_IDLE) });
    open = answer?.status === 200;
  }
  return open;
}

/** Locked here: the server's session locks too (best effort; the server also
 * locks on its own after the idle time). */
export function lockServer() {
  return tellServer("/lock/lock");
}

export async function removeCopyAndSignOut() {
  await deviceLock.wipe();
  lockChannel?.postMessage({ type: "wiped" });
  await signOutHere();
}
