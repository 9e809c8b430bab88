/* Background Sync for the outbox (appended to sw.js by the server).
 *
 * A page asks for the "steady-outbox" sync when it leaves with writes still
 * waiting, or goes offline (static/js/outbox-schedule.js). When the browser
 * fires it (back online, perhaps with Steady closed), an open Steady window
 * is asked to send (it holds the app lock's keys, if any); with none open,
 * the worker sends what it can read itself, through the very module the
 * pages use (static/js/outbox.js: the same order, the same fresh CSRF token,
 * the same ownership checks and answers), serialised with the pages' replays
 * through a Web Lock. Sealed entries (the app lock is on) wait for a page.
 */
import { SYNC_TAG, replayFromWorker } from "/static/js/outbox.js";

async function syncOutbox() {
  const windows = await self.clients.matchAll({ type: "window" });
  if (windows.length) {
    windows.forEach((client) => client.postMessage({ type: "FLUSH_OUTBOX" }));
    return;
  }
  await replayFromWorker();
}

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(syncOutbox());
});
