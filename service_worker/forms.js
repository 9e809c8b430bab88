/* Forms sent as pages (appended to sw.js by the server).
 *
 * A form posted the plain way (no script took it over: a page whose script
 * has not started yet, or a form that needs the server) goes to the network
 * through here. With no network the browser would put its own error page in
 * place of the form, and what was typed would be gone. Instead the answer is
 * 204 No Content: the browser stays on the page, every field as it was, and
 * the page is told, so it can say beside the button that nothing was sent
 * (static/js/form-kit.js). Every answer that does come (a redirect, a page, a
 * refusal) is passed on as it is. The language switch has its own handling
 * (sw.js). */

/** Tell the open pages a form they sent did not go; only a page with a form
 * on its way (form-kit.js marks it) shows it. */
async function sayNotSent() {
  const pages = await self.clients.matchAll({ type: "window" });
  pages.forEach((page) => page.postMessage({ type: "FORM_NOT_SENT" }));
}

async function sendForm(event) {
  try {
    return await fetch(event.request);
  } catch {
    await sayNotSent().catch(() => {}); // the page is kept whether or not it can be told
    return new Response(null, { status: 204 });
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "POST" || request.mode !== "navigate") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === STEADY_BUILD.languageUrl) return;
  event.respondWith(sendForm(event));
});
