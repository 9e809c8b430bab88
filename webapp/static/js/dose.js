// Doses on this device. The form (at /taper/doses, and at /my/dose — the same
// page for everyone, kept by the service worker so it opens with no signal)
// saves each dose into the outbox with an id made here and the phone's time
// zone; the outbox sends it when it can, exactly once. Doses still on the
// phone are listed with "Waiting to sync"; ones the server refused appear in
// "Changes that couldn't sync" with the reason. Built with textContent only.
import { element, clearFieldErrors, filled, showFieldErrors, showProblem, showSignedIn } from "./dom.js";
import { whileBusy } from "./form-kit.js";
import { currentUser, pageUser } from "./account-sync.js";
import { readSnapshot, refreshSnapshot } from "./snapshot.js";
import { spokenWhen } from "./person-time.js";
import { discard, entriesOf, keepAndSend } from "./outbox.js";
import { tooLong } from "./limits.js";
import { number, t, typedAmount } from "./strings.js";

const API = "/api/doses";

/** "2026-11-29T08:30" for a datetime-local field, in this phone's time. */
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The form as the body POST /api/doses takes (see taper/checks.py). */
export function doseBody(form, unit) {
  const when = form.elements.taken_at.value ? new Date(form.elements.taken_at.value) : new Date();
  const body = {
    client_id: crypto.randomUUID(),
    taken_at: when.toISOString(),
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    // As a machine writes it ("1.5"); what cannot be read goes as typed, for
    // problemsIn to name.
    amount: typedAmount(form.elements.amount.value)?.text ?? form.elements.amount.value.trim(),
    note: form.elements.note.value.trim(),
  };
  if (unit) body.unit = unit;
  return body;
}

function problemsIn(body, typed) {
  const problems = [];
  const read = typedAmount(typed);
  const amount = read?.text ? Number(read.text) : Number.NaN;
  if (read?.either) {
    const [thousands, decimals] = read.either;
    problems.push(["amount", t("{typed} could be read as {thousands} or as {decimals}. Type the one you mean.", { typed: typed.trim(), thousands, decimals })]);
  } else if (!Number.isFinite(amount) || amount <= 0) problems.push(["amount", t("Enter the amount you took, like 2 or 0.5.")]);
  if (Number.isNaN(Date.parse(body.taken_at))) problems.push(["taken_at", t("Enter when you took it.")]);
  const noteTooLong = tooLong(t("The note"), 1000, body.note);
  if (noteTooLong) problems.push(["dose-note", noteTooLong]);
  return problems;
}

function when(iso) {
  return spokenWhen(iso); // on the person's clock, as the server's pages are
}

async function render(root) {
  const userId = await currentUser();
  showSignedIn(root, userId);
  if (!userId) {
    // No one's (any more): nothing of the last person's stays on screen either.
    root.querySelectorAll("[data-list]").forEach((list) => list.replaceChildren());
    return;
  }
  const snapshot = await readSnapshot(userId);
  const taper = snapshot.taper;
  const unit = taper?.unit || "";
  root.querySelectorAll("[data-taper-unit]").forEach((node) => {
    node.textContent = unit ? `(${unit})` : "";
  });
  const entries = await entriesOf(userId, "dose");
  const waiting = root.querySelector('[data-list="waiting-doses"]');
  waiting.replaceChildren(
    ...entries.map((entry) => {
      const item = element("li", { "data-client-id": entry.body.client_id }, `${when(entry.body.taken_at)}: ${number(entry.body.amount)} ${unit} `);
      item.append(
        entry.failed
          ? element("span", { class: "tag tag-failed", "data-failed": true, text: t("Couldn't sync") })
          : element("span", { class: "tag tag-waiting", "data-waiting": true, text: t("Waiting to sync") })
      );
      if (entry.failed) {
        item.append(
          element("p", { class: "error-message", text: entry.failed }),
          element("button", { type: "button", class: "button button-secondary button-small", "data-action": "fix-dose", "data-entry": entry.id, text: t("Put it back in the form to fix it") })
        );
      }
      return item;
    })
  );
  root.querySelector('[data-section="waiting-doses"]').hidden = entries.length === 0;
  // Offline, the page kept by the worker has no list from the server: show the phone's copy.
  if (root.hasAttribute("data-shell") && taper) {
    const list = root.querySelector('[data-list="doses"]');
    const pending = new Set(entries.map((entry) => entry.body.client_id));
    list.replaceChildren(
      ...taper.doses.filter((dose) => !pending.has(dose.client_id)).map((dose) =>
        element("li", { "data-client-id": dose.client_id }, `${when(dose.taken_at)}: ${number(dose.amount)} ${unit}${dose.note ? ` · ${dose.note}` : ""}`)
      )
    );
    const today = root.querySelector("[data-taper-today]");
    const progress = taper.progress;
    if (progress && progress.current_daily !== null) {
      today.textContent = t("Your plan: {dose} {unit} a day ({percent}% of your starting dose), day {day} on this step.", {
        dose: number(progress.current_daily),
        unit,
        percent: number(progress.percent_of_start),
        day: progress.days_on_step,
      });
      today.hidden = false;
    }
  }
  if (root.hasAttribute("data-shell") && !taper) {
    const status = root.querySelector("[data-dose-status]");
    status.textContent = t("Turn on taper tracking (online, on the Taper page) before logging doses here.");
    status.hidden = false;
  }
}

function enableForm(root, rerender) {
  const form = root.querySelector("[data-dose-form]");
  if (!form) return;
  const status = root.querySelector("[data-dose-status]");
  const errors = form.querySelector("[data-dose-errors]");
  const field = form.elements.taken_at;
  if (!field.value) field.value = localInputValue(new Date());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const userId = await currentUser();
    if (!userId) return;
    const snapshot = await readSnapshot(userId);
    const body = doseBody(form, snapshot.taper?.unit);
    const problems = problemsIn(body, form.elements.amount.value);
    if (problems.length) {
      showFieldErrors(form, errors, problems);
      return;
    }
    errors.hidden = true;
    clearFieldErrors(form);
    // Stored on this phone before the form empties and says so; sent within
    // the same moment when it can be.
    let sending;
    try {
      ({ sending } = await whileBusy(event.submitter || form.querySelector('button[type="submit"]'), () =>
        keepAndSend(userId, "dose", { url: API, body })
      ));
    } catch {
      showProblem(errors, t("This phone could not save the dose. What you entered is still here: try again."));
      return;
    }
    form.reset();
    field.value = localInputValue(new Date());
    status.textContent = navigator.onLine ? t("Dose logged.") : t("Dose saved on this phone. It will sync when you are back online.");
    status.hidden = false;
    await rerender();
    sending.then(async (sent) => {
      if (sent && pageUser()) await refreshSnapshot(userId).catch(() => {});
      await rerender();
    });
  });
}

/** A dose the server refused goes back into the form, to be fixed and saved again. */
function enableFixing(root, rerender) {
  const form = root.querySelector("[data-dose-form]");
  root.addEventListener("click", async (event) => {
    const button = event.target.closest('button[data-action="fix-dose"]');
    if (!button || !form) return;
    const userId = await currentUser();
    const entry = (await entriesOf(userId, "dose")).find((item) => item.id === button.dataset.entry);
    if (!entry) return;
    form.elements.taken_at.value = localInputValue(new Date(entry.body.taken_at));
    form.elements.amount.value = number(entry.body.amount); // in the page's language, as typed
    form.elements.note.value = entry.body.note || "";
    await discard(entry);
    const status = root.querySelector("[data-dose-status]");
    status.textContent = t("Your dose is back in the form. Fix it and save it again. ({reason})", { reason: entry.failed });
    status.hidden = false;
    form.elements.amount.focus();
    await rerender();
  });
}

export function enableDoses() {
  const root = document.querySelector('[data-page="doses"]');
  if (!root) return;
  const rerender = () => render(root).catch(() => {});
  enableForm(root, rerender);
  enableFixing(root, rerender);
  rerender().finally(filled(root)); // the kept copy's form drawn once what goes above it is known
  // The outbox sends on its own schedule (outbox-schedule.js); the list follows.
  document.addEventListener("steady:snapshot", rerender);
  document.addEventListener("steady:outbox", rerender);
}
