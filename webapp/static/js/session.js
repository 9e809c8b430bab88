// The server's session, as the browser and the service worker see it:
// GET /api/session answers { user, csrf_token, ... } (user null when no one
// is signed in). Every part of Steady that needs to know who is signed in, or
// a CSRF token for a write, asks here. Each call asks the server afresh
// (a token or a session may change at any time: signing out elsewhere, the
// lock); calls made while an answer is on its way share that one request.

let asking = null;

/** The session now: { user, csrf_token, ... }. Throws when the server cannot
 * be asked or does not answer 200. */
export function session() {
  if (!asking) {
    asking = (async () => {
      const response = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`session answered ${response.status}`);
      return response.json();
    })().finally(() => {
      asking = null;
    });
  }
  return asking;
}

/** Who the session is for: an account id as a string, or null for no one. */
export function signedInUser(info) {
  return info.user === null || info.user === undefined ? null : String(info.user);
}

/** A CSRF token for a write: the page's own when it has one, else the server's. */
export async function csrfToken() {
  const meta = typeof document === "undefined" ? null : document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const info = await session();
  return info.csrf_token || null;
}
