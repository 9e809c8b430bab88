// Reminders on this device: the permission prompt comes only from the
// "Turn on reminders" tap. On every app start a signed-in device re-sends its
// subscription (and its time zone), so the server always has a fresh one.
import { pageUser } from "./account-sync.js";
import { filled } from "./dom.js";
import { t } from "./strings.js";

const isIOS = () => /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
const isStandalone = () => window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

// Longest wait for each step of turning reminders on.
const SUBSCRIBE_TIMEOUT_MS = 45_000;

class TimedOut extends Error {}

function withTimeout(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut("timed out")), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

async function publicKey() {
  const response = await fetch("/api/push/key");
  return (await response.json()).publicKey;
}

async function saveSubscription(subscription, deviceName) {
  const response = await fetch("/api/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({
      subscription: subscription.toJSON(),
      device_name: deviceName,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || t("The server answered {status}.", { status: response.status }));
  return answer;
}

/** Re-send this device's subscription on every start (signed in, permission given). */
async function refreshSubscription() {
  if (!pageUser() || !supported() || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) await saveSubscription(subscription).catch(() => {});
}

function enableSetup(section) {
  const status = section.querySelector(".push-status");
  const enable = section.querySelector(".push-enable");
  const disable = section.querySelector(".push-disable");
  const nameField = section.querySelector(".push-name-field");
  const nameInput = section.querySelector("#push-device-name");
  // What follows this section is drawn once it shows its controls (app.css): nothing is pushed down.
  const shown = filled(section.closest("[data-fills]"));
  const show = (text, on) => {
    status.textContent = text;
    enable.hidden = on;
    nameField.hidden = on;
    disable.hidden = !on;
  };

  if (isIOS() && !isStandalone()) {
    section.querySelector(".push-ios-help").hidden = false;
    status.textContent = t("Reminders on this device: add Steady to your Home Screen first.");
    shown();
    return;
  }
  if (!supported()) {
    status.textContent = t("This browser cannot show reminders.");
    shown();
    return;
  }
  if (Notification.permission === "denied") {
    section.querySelector(".push-denied").hidden = false;
    status.textContent = t("Reminders on this device: blocked.");
    shown();
    return;
  }
  // No active worker yet (a first visit, its worker still to install): no
  // subscription can exist, so "off" at once rather than waiting for one.
  navigator.serviceWorker
    .getRegistration()
    .then((registration) => (registration && registration.active ? registration.pushManager.getSubscription() : null))
    .then((subscription) => show(subscription ? t("Reminders on this device: on.") : t("Reminders on this device: off."), Boolean(subscription)))
    .finally(shown);

  enable.addEventListener("click", async () => {
    // Subscribing goes through the browser's push service and can take a
    // while: say what is happening, and give up with a clear word.
    const label = enable.textContent;
    const busy = (text) => {
      status.textContent = text;
      enable.textContent = t("Turning on…");
      enable.setAttribute("aria-busy", "true");
    };
    enable.disabled = true;
    try {
      busy(t("Asking this browser whether Steady may show notifications…"));
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        show(t("Reminders on this device: off. Notifications were not allowed."), false);
        return;
      }
      busy(t("Setting up reminders with this browser's push service. This can take a little while…"));
      const registration = await withTimeout(navigator.serviceWorker.ready, SUBSCRIBE_TIMEOUT_MS);
      const subscription = await withTimeout(
        (async () =>
          (await registration.pushManager.getSubscription()) ||
          (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: await publicKey() })))(),
        SUBSCRIBE_TIMEOUT_MS,
      );
      busy(t("Saving this device…"));
      await withTimeout(saveSubscription(subscription, nameInput.value.trim() || t("This device")), SUBSCRIBE_TIMEOUT_MS);
      show(t("Reminders on this device: on."), true);
      window.location.reload();
    } catch (error) {
      status.textContent = error instanceof TimedOut
        ? t("Reminders could not be turned on: this browser's push service did not answer in time. Check your connection and try again.")
        : t("Reminders could not be turned on: {reason}. Try again in a moment.", { reason: error.message || t("something went wrong") });
    } finally {
      enable.disabled = false;
      enable.textContent = label;
      enable.removeAttribute("aria-busy");
    }
  });

  disable.addEventListener("click", async () => {
    const label = disable.textContent;
    disable.disabled = true;
    disable.textContent = t("Turning off…");
    disable.setAttribute("aria-busy", "true");
    status.textContent = t("Turning off reminders on this device…");
    try {
      const registration = await withTimeout(navigator.serviceWorker.ready, SUBSCRIBE_TIMEOUT_MS);
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        const response = await withTimeout(fetch("/api/push/subscriptions", {
          method: "DELETE",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ endpoint: subscription.endpoint }),
        }), SUBSCRIBE_TIMEOUT_MS);
        if (!response.ok) throw new Error(t("the server answered {status}", { status: response.status }));
        await subscription.unsubscribe();
      }
      show(t("Reminders on this device: off."), false);
      window.location.reload();
    } catch (error) {
      status.textContent = error instanceof TimedOut
        ? t("Reminders could not be turned off: there was no answer in time. Check your connection and try again.")
        : t("Reminders could not be turned off: {reason}. Try again in a moment.", { reason: error.message || t("something went wrong") });
    } finally {
      disable.disabled = false;
      disable.textContent = label;
      disable.removeAttribute("aria-busy");
    }
  });
}

export function enablePush() {
  const section = document.querySelector(".push-setup");
  if (section) enableSetup(section);
  refreshSubscription();
}
