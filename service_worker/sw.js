/* Steady's service worker (a module worker: it imports the pages' own
 * modules from /static/js, see outbox-sync.js).
 *
 * The server prepends `STEADY_BUILD` = { version, language, pack, offlinePage,
 * offlineCopies, ... }; the shell pages are those the offline pack keeps.
 * - Install (the page registers this worker once it has loaded and is idle):
 *   precache every shell asset and the offline pack, the public pages as
 *   someone signed out sees them, in one response (so no one's signed-in HTML
 *   is ever stored).
 * - Activate: delete caches that are not this version's; enable navigation
 *   preload (off while the device is offline, see preloadFor); take control
 *   of open pages.
 * - Navigations: offline, a precached page at once; otherwise network
 *   first with a short timeout (a kept page's copy refreshed as the page reads
 *   it), then the cache; for a
 *   page with an offline copy (/checkin → /my/checkin..., the server's
 *   webapp/offline_copies.py), the copy, served at the page's own address,
 *   when this device holds someone's data; then the offline page.
 * - Static assets: cache first (their URLs carry a content hash).
 * - Updates wait until the page asks (the "A new version is ready" prompt),
 *   except a worker for another language (a page in it registers /sw.js?lang=<its language>, and the footer's language
 *   switch does before it asks for that page: webapp/static/js/pwa.js): it takes over at once, and the cache of the language left behind is deleted, so
 *   the device keeps the pages of the person's language only.
 * - Choosing a language offline (the footer's POST /language): the offline
 *   page, which says that needs a connection once, in the language kept.
 * - Push reminders: push.js; the outbox's Background Sync: outbox-sync.js; forms sent as pages: forms.js.
 */

import { raw } from "/static/js/idb.js";

const SHELL_PREFIX = "steady-shell-";
const SHELL_CACHE = `${SHELL_PREFIX}${STEADY_BUILD.language}-${STEADY_BUILD.version}`;
const KEEP_CACHES = new Set([SHELL_CACHE]);
const NETWORK_TIMEOUT_MS = 3500;
const CONTENT_URL = STEADY_BUILD.contentUrl;
const OFFLINE_COPIES = STEADY_BUILD.offlineCopies || {};

/** This version's cache, opened once per run of the worker and held: each
 * answer is one lookup in an open cache, not an open and a lookup. */
let shellCache = null;
const openShell = () =>
  (shellCache ??= caches.open(SHELL_CACHE).catch((error) => {
    shellCache = null;
    throw error;
  }));

/** Precache the offline set: the offline pack (see webapp/pwa/routes.py)
 * holds every shell page and the content bundle, each put in the cache at its
 * own path (a body is pieces: text, or the index of a part pages share), and
 * the list of static files, fetched into the cache. Those carry their content
 * hash: what the page has fetched already comes from the HTTP cache. */
async function precache(cache) {
  const response = await fetch(STEADY_BUILD.pack, { credentials: "omit", cache: "no-cache" });
  if (!response.ok) throw new Error(`offline pack answered ${response.status}`);
  const pack = await response.json();
  if (pack.version !== STEADY_BUILD.version) throw new Error("offline pack of another version");
  await Promise.all([
    cache.addAll(pack.assets.map((url) => new Request(url, { credentials: "omit" }))),
    ...pack.entries.map(([path, type, pieces]) => cache.put(path, new Response(pieces.map((piece) => (typeof piece === "number" ? pack.parts[piece] : piece)).join(""), { headers: { ...pack.headers, "Content-Type": type } }))),
  ]);
}

/** Whether this worker brings another language than the one kept: the
 * device keeps only shell caches of other languages (or an older naming). */
async function isLanguageSwitch() {
  const kept = (await caches.keys()).filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE);
  return kept.length > 0 && !kept.some((name) => name.startsWith(`${SHELL_PREFIX}${STEADY_BUILD.language}-`));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      await precache(await openShell());
      if (await isLanguageSwitch()) await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("steady-") && !KEEP_CACHES.has(name)).map((name) => caches.delete(name))
      );
      if (self.registration.navigationPreload) {
        await self.registration.navigationPreload.enable();
        preloading = true;
      }
      await self.clients.claim();
    })()
  );
});

/* Navigation preload: offline it can only fail, and a failed preload still costs
 * the page's first paint a few ms: off while offline, on with the first
 * navigation online (the registration's setting: it outlives this worker). */
let preloading = null; // as last set by this run of the worker (null: not known)

function preloadFor(event, online) {
  const preload = self.registration.navigationPreload;
  if (!preload || preloading === online) return;
  preloading = online;
  event.waitUntil((online ? preload.enable() : preload.disable()).catch(() => (preloading = null)));
}

/* ---- App lock ------------------------------------------------------------
 * While Steady is unlocked, the unwrapped keys are held here, in memory only,
 * so moving from page to page does not ask for the PIN again. They are let go
 * when a page says so (locking, idle time up), when a page asks for them after
 * the idle time, and whenever the browser stops this worker. Times come from
 * the pages (their clock), so every page and this worker agree on "idle".
 */
let heldLock = null;

function lockMessage(event) {
  const data = event.data;
  const reply = (value) => event.ports[0] && event.ports[0].postMessage(value);
  if (data.type === "lock:hold") {
    heldLock = { keys: data.keys, idleMs: data.idleMs, lastActivity: data.at };
  } else if (data.type === "lock:activity") {
    if (heldLock) heldLock.lastActivity = Math.max(heldLock.lastActivity, data.at);
  } else if (data.type === "lock:forget") {
    heldLock = null;
  } else if (data.type === "lock:get") {
    if (heldLock && data.at - heldLock.lastActivity > heldLock.idleMs) heldLock = null;
    reply(heldLock ? { keys: heldLock.keys, lastActivity: heldLock.lastActivity, idleMs: heldLock.idleMs } : null);
  } else if (data.type === "lock:last-activity") {
    reply(heldLock ? { lastActivity: heldLock.lastActivity } : null);
  }
  // "lock:ping" needs no answer: the message alone keeps this worker running.
}

self.addEventListener("message", (event) => {
  if (event.data && typeof event.data.type === "string" && event.data.type.startsWith("lock:")) {
    lockMessage(event);
    return;
  }
  if (event.data && event.data.type === "SKIP_WAITING") {
    self.skipWaiting();
  }
  if (event.data && event.data.type === "GET_VERSION" && event.ports[0]) {
    event.ports[0].postMessage({ version: STEADY_BUILD.version });
  }
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("network timeout")), ms));
}

/** A response that may be kept: a public shell page, never anything signed-in. */
function isShareable(response) {
  if (!response || response.status !== 200 || response.type !== "basic") return false;
  const cacheControl = response.headers.get("Cache-Control") || "";
  return !/no-store|private/i.test(cacheControl);
}

async function fromNetwork(event) {
  const preloaded = await event.preloadResponse;
  return preloaded || fetch(event.request);
}

/** Whose data this device holds ("current-user", never sealed), or null. */
async function deviceAccount() {
  try {
    return (await raw.get("kv", "current-user")) || null;
  } catch {
    return null;
  }
}

/** The offline copy of a page with someone's data, for the person this
 * device holds (for no one, the offline page says what is kept instead). */
async function offlineCopy(cache, pathname) {
  const copy = OFFLINE_COPIES[pathname];
  if (!copy || !(await deviceAccount())) return null;
  return (await cache.match(copy)) || null;
}

/** Pages being refreshed in the cache (path -> the put): an answer from the cache waits for it. */
const refreshing = new Map();

/** Keep a copy of ``response`` at ``path``, while the page already reads it. */
function refresh(event, cache, path, response) {
  const put = cache
    .put(path, response.clone())
    .catch(() => {})
    .finally(() => {
      if (refreshing.get(path) === put) refreshing.delete(path);
    });
  refreshing.set(path, put);
  event.waitUntil(put);
}

/** This version's copy of ``path`` (after any refresh of it under way), or undefined (one call, no cache to open). */
async function kept(path) {
  if (refreshing.has(path)) await refreshing.get(path);
  return caches.match(path, { cacheName: SHELL_CACHE });
}

/** Offline: a precached page at once (no network to wait for, no account
 * check for a public page); else the network-first path. */
async function handleOfflineNavigation(event, pathname) {
  event.preloadResponse.catch(() => {});
  const cached = await kept(pathname);
  return cached || handleNavigation(event, pathname);
}

async function handleNavigation(event, pathname) {
  const cache = await openShell();
  const isKept = cache.match(pathname).then(Boolean, () => false);
  try {
    const response = await Promise.race([fromNetwork(event), timeout(NETWORK_TIMEOUT_MS)]);
    if (response.status >= 500) throw new Error(`server error ${response.status}`);
    if (isShareable(response) && (await isKept)) refresh(event, cache, pathname, response); // a shell page: one the offline pack kept
    return response;
  } catch {
    const cached = await kept(pathname);
    if (cached) return cached;
    return (await offlineCopy(cache, pathname)) || offlinePage(cache);
  }
}

/** The offline page kept, else (not even that kept) a line in the worker's language. */
async function offlinePage(cache) {
  const page = await cache.match(STEADY_BUILD.offlinePage);
  return page || new Response(STEADY_BUILD.texts.offline, { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

async function handleAsset(request) {
  const cache = await openShell();
  const exact = await cache.match(request);
  if (exact) return exact;
  if (new URL(request.url).searchParams.has("v")) {
    // A content-hashed URL this version does not hold: a newer page (fetched
    // from the network before the new worker took over) wants a newer file.
    // Serving this version's copy would pair new HTML with old CSS or JS, so
    // ask the network, and fall back to this version's copy only offline.
    try {
      return await fetch(request);
    } catch (error) {
      const older = await cache.match(request, { ignoreSearch: true });
      if (older) return older;
      throw error;
    }
  }
  // Module imports name files without their ?v= hash; each version's cache
  // holds one copy of each file, so matching without the query is safe.
  return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
}

/** The content bundle: fresh from the network when there is one, else the copy kept at install. */
async function handleContent(event) {
  const cache = await openShell();
  try {
    const response = await Promise.race([fetch(event.request), timeout(NETWORK_TIMEOUT_MS)]);
    if (response.ok) {
      refresh(event, cache, CONTENT_URL, response);
      return response;
    }
    throw new Error(`content answered ${response.status}`);
  } catch (error) {
    const cached = await kept(CONTENT_URL);
    if (cached) return cached;
    throw error;
  }
}

/** The footer's language switcher: the network (the page then comes in the new language and
 * registers that language's worker), else the offline page: a new language needs a connection once. */
async function handleLanguageChoice(event) {
  if (self.navigator.onLine !== false) {
    try {
      return await fetch(event.request);
    } catch {
      // Below: no network.
    }
  }
  return offlinePage(await openShell());
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === STEADY_BUILD.languageUrl) {
    event.respondWith(handleLanguageChoice(event));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    const online = self.navigator.onLine !== false;
    event.respondWith(online ? handleNavigation(event, url.pathname) : handleOfflineNavigation(event, url.pathname));
    preloadFor(event, online);
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(handleAsset(request));
  } else if (url.pathname === CONTENT_URL) {
    event.respondWith(handleContent(event));
  }
});
