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

/** Resolves once the page has loaded and the browser is idle: the worker's
 * install (which precaches the offline set) never competes with the page. */
export function afterFirstPaint() {
  return new Promise((resolve) => {
    const idle = () =>
      "requestIdleCallback" in window ? window.requestIdleCallback(() => resolve(), { timeout: 1000 }) : setTimeout(resolve, 50);
    if (document.readyState === "complete") idle();
    else window.addEventListener("load", idle, { once: true });
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
  if (!navigator.serviceWorker.controller) await afterFirstPaint();
  try {
    // A module worker: it imports the outbox (and what it needs) from /static/js.
    // It keeps the pages in this page's language, which its address names: a
    // page in another language brings that language's worker (sw.js).
    const url = `/sw.js?lang=${encodeURIComponent(document.documentElement.lang)}`;
    const registration = await navigator.serviceWorker.register(url, { scope: "/", type: "module" });
    watchForWaitingWorker(registration);
    const check = () => registration.update().catch(() => {});
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") check();
    });
    setInterval(check, UPDATE_CHECK_MS);
  } catch (error) {
    console.warn("Steady could not register its service worker", error);
  }
}
