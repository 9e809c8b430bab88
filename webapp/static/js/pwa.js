// Registers the service worker and shows "A new version is ready — Reload"
// when an updated worker is waiting. Tapping Reload activates it; the page
// reloads once the new worker has taken control.

const UPDATE_CHECK_MS = 60 * 60 * 1000;

function showUpdatePrompt(registration) {
  const banner = document.getElementById("update-banner");
  if (!banner || !registration.waiting) return;
  banner.hidden = false;
  const button = banner.querySelector("[data-action=reload-update]");
  button.addEventListener(
    "click",
    () => {
      button.disabled = true;
      sessionStorage.setItem("steady-updating", "1");
      registration.waiting.postMessage({ type: "SKIP_WAITING" });
    },
    { once: true }
  );
}

function watchForWaitingWorker(registration) {
  if (registration.waiting && navigator.serviceWorker.controller) {
    showUpdatePrompt(registration);
  }
  registration.addEventListener("updatefound", () => {
    const incoming = registration.installing;
    if (!incoming) return;
    incoming.addEventListener("statechange", () => {
      // With no controller this is the first install, not an update.
      if (incoming.state === "installed" && navigator.serviceWorker.controller) {
        showUpdatePrompt(registration);
      }
    });
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
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
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
