/* Push reminders (appended to sw.js by the server).
 *
 * Payloads are Declarative Web Push JSON ({"web_push": 8030, notification:
 * {title, body, navigate, tag, actions}, steady: {reminder, delivery, kind}}):
 * Safari can show them without this worker; everywhere else this shows them.
 */
import { session } from "/static/js/session.js";

function readPush(event) {
  try {
    return event.data ? event.data.json() : null;
  } catch {
    return null;
  }
}

self.addEventListener("push", (event) => {
  const message = readPush(event);
  const note = (message && message.notification) || { title: "Steady", body: STEADY_BUILD.texts.reminder, navigate: "/" };
  event.waitUntil(
    self.registration.showNotification(note.title, {
      body: note.body,
      tag: note.tag || "steady",
      lang: note.lang || STEADY_BUILD.language,
      icon: STEADY_BUILD.icon,
      badge: STEADY_BUILD.icon,
      data: { navigate: note.navigate || "/", actions: note.actions || [], steady: (message && message.steady) || {} },
      actions: (note.actions || []).slice(0, 2).map(({ action, title }) => ({ action, title })),
    })
  );
});

async function openPage(path) {
  const target = new URL(path, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin === self.location.origin) {
      // Focus is only allowed while handling a real tap; navigating works either way.
      await client.focus().catch(() => {});
      return client.navigate ? client.navigate(target) : client;
    }
  }
  return self.clients.openWindow(target);
}

async function snooze(delivery) {
  const { csrf_token: token } = await session();
  if (!token) throw new Error("signed out");
  const response = await fetch(`/api/reminders/deliveries/${encodeURIComponent(delivery)}/snooze`, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": token },
  });
  if (!response.ok) throw new Error(`snooze answered ${response.status}`);
}

/** What tapping a notification (or one of its actions) does: "snooze" asks
 * the server for the same reminder in an hour; anything else opens the page,
 * in an existing Steady window if there is one. */
async function handleNotificationClick(notification, action) {
  const data = notification.data || {};
  notification.close();
  if (action === "snooze" && data.steady && data.steady.delivery) {
    try {
      await snooze(data.steady.delivery);
      return;
    } catch {
      await openPage("/reminders");
      return;
    }
  }
  const chosen = (data.actions || []).find((item) => item.action === action);
  await openPage((chosen && chosen.navigate) || data.navigate || "/");
}

// A module worker has no implicit globals: this one stays reachable from the
// worker's scope, as it was (DevTools and the e2e tests tap a notification through it).
self.handleNotificationClick = handleNotificationClick;

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(handleNotificationClick(event.notification, event.action));
});

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const { publicKey } = await (await fetch("/api/push/key")).json();
      const subscription =
        event.newSubscription ||
        (await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey }));
      const current = await session();
      if (!current.csrf_token) return;
      await fetch("/api/push/subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": current.csrf_token },
        body: JSON.stringify({
          subscription: subscription.toJSON(),
          replaces: event.oldSubscription ? event.oldSubscription.endpoint : null,
        }),
      });
    })()
  );
});
