// What every form enhanced on the device shares (GOV.UK patterns; errors
// beside fields and in the summary are shown by dom.js): a busy button that
// says what it is doing, and <details data-remember> sections that stay open once opened. Only the
// words "open" or "closed" go into local storage, never anything typed.
// Built with textContent only.

import { element } from "./dom.js";
import { t } from "./strings.js";

const REMEMBER_PREFIX = "steady.open.";

/** Say on the button what is happening while `work` runs, then put it back. */
export async function whileBusy(button, work) {
  if (!button) return work();
  const kept = [...button.childNodes];
  button.textContent = busyWords(button);
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.replaceChildren(...kept);
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

function storedOpen(key) {
  try {
    return window.localStorage.getItem(REMEMBER_PREFIX + key);
  } catch {
    return null; // storage turned off: the section just starts as the page says
  }
}

/** <details data-remember="name">: opened once, open next time on this device. */
export function rememberOpen(root = document) {
  root.querySelectorAll("details[data-remember]").forEach((details) => {
    const key = details.dataset.remember;
    if (storedOpen(key) === "open") details.open = true;
    details.addEventListener("toggle", () => {
      try {
        window.localStorage.setItem(REMEMBER_PREFIX + key, details.open ? "open" : "closed");
      } catch {
        /* storage turned off: nothing to remember with */
      }
    });
  });
}

/** How long a plain form post may take before the button is ready again,
 * with a word that it is taking long. */
const LATE_MS = 20_000;

/** Words for a button whose form is on its way ("Saving…"): the page says
 * them on the button, in its language (data-busy, set where the button is
 * drawn, so they follow what the button does, not its label's words). */
export function busyWords(button) {
  return button.dataset.busy || t("Sending…");
}

const waiting = new WeakMap();

function ready(form) {
  delete form.dataset.sending;
  form.querySelectorAll('[aria-busy="true"]').forEach((button) => {
    const kept = waiting.get(button);
    if (kept) button.replaceChildren(...kept);
    waiting.delete(button);
    button.removeAttribute("aria-busy");
  });
}

/** Every plain form post (one no script took over) says on its button that
 * it is on its way ("Saving…"), and a second tap does not send it twice.
 * The button stays enabled so its own name and value still go. If no answer
 * has come after a while, the button is ready again and says so. */
export function enableBusyButtons() {
  document.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return;
    const form = event.target;
    if (form.target && form.target !== "_self") return;
    const button = event.submitter || form.querySelector('button[type="submit"], button:not([type])');
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    if (!button || button.tagName !== "BUTTON") return;
    form.dataset.sending = "yes";
    waiting.set(button, [...button.childNodes]);
    button.textContent = busyWords(button);
    button.setAttribute("aria-busy", "true");
    form.querySelectorAll("[data-busy-late]").forEach((node) => node.remove());
    window.setTimeout(() => {
      if (!form.dataset.sending) return;
      ready(form);
      button.insertAdjacentElement("afterend", element("p", {
        class: "hint busy-late", role: "status", "data-busy-late": "",
        text: t("This is taking longer than it should. Check your connection, then try again."),
      }));
    }, LATE_MS);
  });
  // Back to a page kept by the browser: the form is ready again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-sending]").forEach(ready);
  });
  // No connection: the service worker kept this page, with everything typed
  // still in it (service_worker/forms.js). Say so beside the button.
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "FORM_NOT_SENT") document.querySelectorAll("form[data-sending]").forEach(notSent);
  });
}

function notSent(form) {
  const button = form.querySelector('[aria-busy="true"]');
  ready(form);
  form.querySelectorAll("[data-busy-late]").forEach((node) => node.remove());
  const words = t("Not sent: there is no connection. What you wrote is still here. Send it again once you are back online.");
  const note = element("p", { class: "error-message", role: "alert", "data-busy-late": "" },
    element("span", { class: "visually-hidden", text: `${t("Error:")} ` }), words);
  if (button) button.insertAdjacentElement("afterend", note);
  else form.append(note);
}
