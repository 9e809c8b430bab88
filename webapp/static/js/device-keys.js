// The app lock's unwrapped keys, in memory only: this page's copy, and the
// service worker's (so the next page opens without the PIN until the chosen
// idle time is up) — never in storage. In the service worker itself there is
// no page to ask: there, no keys are known here (sealed records wait for a page).

const WORKER_TIMEOUT_MS = 2000;
let keys = null;
let restoring = null;
/** What the worker holds beside the keys: the idle time and the last use. */
let held = null;

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function activeWorker() {
  if (typeof window === "undefined" || !("serviceWorker" in navigator)) return null;
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
  } catch {
    return null;
  }
}

export function tellWorker(message) {
  return activeWorker()
    .then((worker) => worker && worker.postMessage(message))
    .catch(() => {});
}

/** Steady was used at ``at``: the worker's idle time runs from then, and so
 * does that of a worker the keys are handed to (handOverKeys). */
export function tellActivity(at) {
  if (held) held.lastActivity = Math.max(held.lastActivity, at);
  return tellWorker({ type: "lock:activity", at });
}

/** The keys, from this page or (once per page) from the service worker. */
export async function currentKeys() {
  if (keys) return keys;
  if (!restoring) {
    restoring = askWorker({ type: "lock:get", at: Date.now() }).then((answer) => {
      if (answer && answer.keys && !keys) {
        keys = answer.keys;
        held = { idleMs: answer.idleMs, lastActivity: answer.lastActivity };
      }
      return keys;
    });
  }
  return restoring;
}

/** Hold the unwrapped keys in memory here and in the service worker. */
export function holdKeys(unlocked, idleMinutes) {
  keys = unlocked;
  restoring = Promise.resolve(keys);
  held = { idleMs: idleMinutes * 60000, lastActivity: Date.now() };
  return tellWorker({ type: "lock:hold", keys: unlocked, idleMs: held.idleMs, at: held.lastActivity });
}

/** The keys this page holds now (null while locked or not yet asked). */
export const heldKeys = () => keys;

/** Let go of the keys everywhere: Steady is locked. */
export function forgetKeys() {
  keys = null;
  held = null;
  restoring = Promise.resolve(null);
  tellWorker({ type: "lock:forget" });
}

/** Ask the service worker again (another tab unlocked). */
export function restoreKeys() {
  keys = null;
  held = null;
  restoring = null;
  return currentKeys();
}

/** A worker that takes over (another language's, sw.js; an update) starts
 * with nothing in memory: an unlocked page hands it the keys, with the idle
 * time and the last use the last worker had, so the next page does not ask
 * for the PIN again (a worker past the idle time lets them go at once). The
 * app lock calls this on "controllerchange" (app-lock.js): a page's, never the
 * worker's, so the worker's bundle leaves it out. */
export function handOverKeys() {
  const worker = navigator.serviceWorker.controller;
  if (!worker || !keys || !held || !held.idleMs) return;
  worker.postMessage({ type: "lock:hold", keys, idleMs: held.idleMs, at: held.lastActivity });
}
