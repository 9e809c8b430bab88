// Reminders on this device: the permission prompt comes only from the
// "Turn on reminders" tap. On every app start a signed-in device re-sends its
// subscription (and its time zone), so the server always has a fresh one.
import { pageUser } from "./account-sync.js";

const isIOS = () => /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
const isStandalone = () => window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

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
  if (!response.ok) throw new Error(answer.error || `The server answered ${response.status}.`);
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
  const show = (text, on) => {
    status.textContent = text;
    enable.hidden = on;
    nameField.hidden = on;
    disable.hidden = !on;
  };

  if (isIOS() && !isStandalone()) {
    section.querySelector(".push-ios-help").hidden = false;
    status.textContent = "Reminders on this device: add Steady to your Home Screen first.";
    return;
  }
  if (!supported()) {
    status.textContent = "This browser cannot show reminders.";
    return;
  }
  if (Notification.permission === "denied") {
    section.querySelector(".push-denied").hidden = false;
    status.textContent = "Reminders on this device: blocked.";
    return;
  }
  navigator.serviceWorker.ready
    .then((registration) => registration.pushManager.getSubscription())
    .then((subscription) => show(subscription ? "Reminders on this device: on." : "Reminders on this device: off.", Boolean(subscription)));

  enable.addEventListener("click", async () => {
    enable.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        show("Reminders on this device: off. Notifications were not allowed.", false);
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const subscription =
        (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: await publicKey() }));
      await saveSubscription(subscription, nameInput.value.trim() || "This device");
      show("Reminders on this device: on.", true);
      window.location.reload();
    } catch (error) {
      status.textContent = `Reminders could not be turned on: ${error.message}`;
    } finally {
      enable.disabled = false;
    }
  });

  disable.addEventListener("click", async () => {
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await fetch("/api/push/subscriptions", {
        method: "DELETE",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ endpoint: subscription.endpoint }),
      });
      await subscription.unsubscribe();
    }
    show("Reminders on this device: off.", false);
    window.location.reload();
  });
}

export function enablePush() {
  const section = document.querySelector(".push-setup");
  if (section) enableSetup(section);
  refreshSubscription();
}
