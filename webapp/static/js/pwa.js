// Registers the service worker and shows "A new version is ready — Reload"
// when an updated worker is waiting. Tapping Reload activates it; the page
// reloads once the new worker has taken control.

const UPDATE_CHECK_MS = 60 * 60 * 1000;

/** The language a worker keeps (its address says: /sw.js?lang=es). */
const languageOf = (worker) => worker && new URL(worker.scriptURL).searchParams.get("lang");

function showUpdatePrompt(registration) {
  const banner = document.getElementById("update-banner");
  if (!banner || !registration.waiting || !banner.hidden) return;
  // A worker for another language takes over by itself (sw.js): no prompt.
  if (languageOf(registration.waiting) !== languageOf(registration.active)) return;
  banner.hidden = false;
  const button = banner.querySelector("[data-action=reload-update]");
  button.addEventListener(
    "click",
    () => {
      button.disabled = true;
      const waiting = registration.waiting;
      if (!waiting) {
        // Another tab already switched to the new version: just reload.
        window.location.reload();
        return;
      }
      sessionStorage.setItem("steady-updating", "1");
      waiting.postMessage({ type: "SKIP_WAITING" });
    },
    { once: true }
  );
}

const trackedWorkers = new WeakSet();

function trackInstalling(registration, worker) {
  if (!worker || trackedWorkers.has(worker)) return;
  trackedWorkers.add(worker);
  const check = () => {
    // With no controller this is the first install, not an update.
    if (worker.state === "installed" && navigator.serviceWorker.controller) {
      showUpdatePrompt(registration);
    }
  };
  worker.addEventListener("statechange", check);
  check();
}

function watchForWaitingWorker(registration) {
  if (registration.waiting && navigator.serviceWorker.controller) {
    showUpdatePrompt(registration);
  }
  // An update may already be installing by the time this runs (the browser
  // checks on navigation), in which case "updatefound" has already fired.
  trackInstalling(registration, registration.installing);
  registration.addEventListener("updatefound", () => trackInstalling(registration, registration.installing));
}

/** How long a first visit waits after the load event before installing the
 * worker. The install fetches the whole offline set (some 70 files, about
 * 150 KB compressed) and runs the worker beside the page: measured on
 * Chromium here, about 200 ms of CPU across the browser's processes and
 * 25 ms on the page's own thread. Started at the first idle moment after
 * load, it fell among the page's own start (its modules, the first reads of
 * IndexedDB) and the person's first taps, and on a phone with two or four
 * cores it slows them. A few seconds in, the page has started and is being
 * read; every page of Steady asks again, so leaving sooner only defers it. */
const FIRST_INSTALL_DELAY_MS = 3000;

/** Resolves once the page has loaded, a few seconds have passed and the
 * browser is idle: the worker's first install (which precaches the offline
 * set) never competes with the page's start. */
export function whenPageSettled() {
  return new Promise((resolve) => {
    const idle = () =>
      "requestIdleCallback" in window ? window.requestIdleCallback(() => resolve(), { timeout: 1000 }) : resolve();
    const later = () => setTimeout(idle, FIRST_INSTALL_DELAY_MS);
    if (document.readyState === "complete") later();
    else window.addEventListener("load", later, { once: true });
  });
}

/** Another language chosen (the footer): its worker (sw.js?lang=) is brought
 * in and takes over before the page in that language is asked for, not as
 * pages open: in Chromium a navigation started just as a worker takes over
 * from a busy one can hang (README). Offline, or after 5 s, it goes as is. */
function swapBeforeSwitching() {
  const form = document.querySelector("form.language-switch");
  let state = null;
  form?.addEventListener("submit", (event) => {
    const language = event.submitter?.value;
    if (state === "sent" || !language || !form.requestSubmit || language === languageOf(navigator.serviceWorker.controller)) return;
    event.preventDefault();
    if (state) return;
    state = "waiting";
    const send = () => state === "waiting" && (state = "sent") && form.requestSubmit(event.submitter);
    navigator.serviceWorker.addEventListener("controllerchange", send, { once: true });
    setTimeout(send, 5000);
    navigator.serviceWorker.register(`/sw.js?lang=${language}`, { scope: "/", type: "module" }).catch(send);
  });
}

/** A page in another language than the worker that answered it (signing in
 * to an account kept in another language, or a language changed on another
 * device) brings that language's worker. Until it has taken over, a link or
 * a form that would open a page waits for it (at most 5 s; offline, not at
 * all), as the language switch does: in Chromium a navigation started just
 * as a worker takes over from a busy one can hang (README). What the page's
 * own scripts send (a check-in by fetch, say) goes at once. */
function holdNavigationsUntilSwapped(registering) {
  let held = true;
  const swapped = new Promise((resolve) => {
    navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
    setTimeout(resolve, 5000);
    registering.catch(resolve);
  }).then(() => {
    held = false;
  });
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!held || !link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.hasAttribute("download")) return;
    if ((link.target && link.target !== "_self") || link.origin !== window.location.origin) return;
    if (link.hash && link.pathname === window.location.pathname && link.search === window.location.search) return;
    event.preventDefault();
    swapped.then(() => window.location.assign(link.href));
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!held || event.defaultPrevented || !(form instanceof HTMLFormElement) || !form.requestSubmit) return;
    event.preventDefault();
    swapped.then(() => form.requestSubmit(event.submitter));
  });
}

export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only reload when the person asked for the update, never on first install.
    if (sessionStorage.getItem("steady-updating") === "1") {
      sessionStorage.removeItem("steady-updating");
      window.location.reload();
    }
  });
  if (!navigator.serviceWorker.controller) await whenPageSettled();
  try {
    // A module worker: it imports the outbox (and what it needs) from /static/js.
    // It keeps the pages in this page's language, which its address names: a
    // page in another language brings that language's worker (sw.js).
    const url = `/sw.js?lang=${encodeURIComponent(document.documentElement.lang)}`;
    const registering = navigator.serviceWorker.register(url, { scope: "/", type: "module" });
    const controller = navigator.serviceWorker.controller;
    if (controller && languageOf(controller) !== document.documentElement.lang) holdNavigationsUntilSwapped(registering);
    const registration = await registering;
    watchForWaitingWorker(registration);
    if (navigator.serviceWorker.controller) swapBeforeSwitching();
    const check = () => registration.update().catch(() => {});
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") check();
    });
    setInterval(check, UPDATE_CHECK_MS);
  } catch (error) {
    console.warn("Steady could not register its service worker", error);
  }
}
