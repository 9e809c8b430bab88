/* Background Sync for the outbox (appended to sw.js by the server).
 *
 * A page asks for the "steady-outbox" sync when it leaves with writes still
 * waiting, or goes offline. When the browser fires it (back online, perhaps
 * with Steady closed), an open Steady window is asked to send (it holds the
 * app lock's keys, if any); with none open, the worker sends what it can read
 * itself: the same order, a fresh CSRF token first, only for the person still
 * signed in, and the server treats each entry's own id as an idempotency key,
 * so a replay never duplicates. Sealed entries (the app lock is on) wait for
 * the page. Replays are serialised with the page's through a Web Lock.
 *
 * Ownership (as in account-sync.js): every entry names its account. Once the
 * server has said who is signed in, entries of any other account (or of
 * none) are removed, sealed or not, before anything is sent: another
 * account's entry is never replayed under this session. Each request also
 * names its account (X-Steady-Account), and the server refuses it for any
 * other session.
 */

const OUTBOX_SYNC_TAG = "steady-outbox";

function openOutbox() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("steady");
    request.onupgradeneeded = () => request.transaction.abort(); // no database yet: nothing to send
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function outboxRequest(db, mode, action) {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction("outbox", mode);
    const request = action(transaction.objectStore("outbox"));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

async function replayFromWorker() {
  let db;
  try {
    db = await openOutbox();
  } catch (error) {
    return 0;
  }
  try {
    if (!db.objectStoreNames.contains("outbox")) return 0;
    const rows = await outboxRequest(db, "readonly", (store) => store.getAll());
    if (!rows.length) return 0;
    const answer = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!answer.ok) throw new Error(`the session answered ${answer.status}: try again later`);
    const info = await answer.json();
    const signedIn = info.user === null || info.user === undefined ? null : String(info.user);
    const ownerOf = (row) => (row.userId === undefined || row.userId === null || row.userId === "" ? null : String(row.userId));
    // Not this session's: removed, never sent.
    for (const row of rows.filter((item) => signedIn === null || ownerOf(item) !== signedIn)) {
      await outboxRequest(db, "readwrite", (store) => store.delete(row.id));
    }
    if (signedIn === null) return 0;
    const entries = rows
      .filter((entry) => ownerOf(entry) === signedIn && entry.url && !entry.sealed && !entry.failed)
      .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    let sent = 0;
    for (const entry of entries) {
      const response = await fetch(entry.url, {
        method: entry.method,
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": info.csrf_token,
          "X-Steady-Account": signedIn,
        },
        body: entry.body === null ? undefined : JSON.stringify(entry.body),
      });
      if (response.ok) {
        await outboxRequest(db, "readwrite", (store) => store.delete(entry.id));
        sent += 1;
      } else if (response.status >= 500 || [401, 408, 423, 429].includes(response.status)) {
        throw new Error(`the server answered ${response.status}: try again later`); // the browser retries the sync
      } else {
        const reason = await response.json().then((data) => data.error).catch(() => null);
        const failed = reason || `refused (${response.status})`;
        await outboxRequest(db, "readwrite", (store) => store.put({ ...entry, attempts: (entry.attempts || 0) + 1, failed }));
      }
    }
    return sent;
  } finally {
    db.close();
  }
}

async function syncOutbox() {
  const windows = await self.clients.matchAll({ type: "window" });
  if (windows.length) {
    windows.forEach((client) => client.postMessage({ type: "FLUSH_OUTBOX" }));
    return;
  }
  if (self.navigator.locks) {
    await self.navigator.locks.request("steady-outbox", replayFromWorker);
  } else {
    await replayFromWorker();
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(syncOutbox());
});
