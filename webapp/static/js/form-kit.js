// What every form enhanced on the device shares (GOV.UK patterns; errors
// beside fields and in the summary are shown by dom.js): a busy button that
// says what it is doing, and <details data-remember> sections that stay open once opened. Only the
// words "open" or "closed" go into local storage, never anything typed.
// Built with textContent only.

import { t } from "./strings.js";

const REMEMBER_PREFIX = "steady.open.";

/** Say on the button what is happening while `work` runs, then put it back. */
export async function whileBusy(button, work) {
  if (!button) return work();
  const words = button.textContent;
  button.textContent = button.dataset.busy || t("Please wait…");
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.textContent = words;
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

function storedOpen(key) {
  try {
    return window.localStorage.getItem(REMEMBER_PREFIX + key);
  } catch (error) {
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
      } catch (error) {
        /* storage turned off: nothing to remember with */
      }
    });
  });
}

/** A plain form post (one no script took over) says on its button, when the
 * button has data-busy, that it is on its way, and a second tap does not send
 * it twice. The button stays enabled so its own name and value still go. */
export function enableBusyButtons() {
  document.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return;
    const form = event.target;
    const button = event.submitter;
    if (!button || !button.dataset.busy) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "yes";
    button.dataset.words = button.textContent;
    button.textContent = button.dataset.busy;
    button.setAttribute("aria-busy", "true");
  });
  // Back to a page kept by the browser: the form is ready again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-sending]").forEach((form) => {
      delete form.dataset.sending;
      form.querySelectorAll('[aria-busy="true"][data-words]').forEach((button) => {
        button.textContent = button.dataset.words;
        button.removeAttribute("aria-busy");
      });
    });
  });
}
