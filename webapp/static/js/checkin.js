// Check-ins on this device. The form (at /checkin, and at /my/checkin — the
// same page for everyone, kept by the service worker so it opens with no
// signal) saves each check-in into the outbox with an id made here and the
// phone's time zone; the outbox sends it when it can, exactly once. Check-ins
// still on the phone are listed with "Waiting to sync"; ones the server
// refused are listed with the reason (and in "Changes that couldn't sync",
// where they can be discarded). A "yes" to any red-flag question shows the
// urgent-help panel at once, offline too. Built with textContent only.
import { currentUser, pageUser } from "./account-sync.js";
import { readSnapshot, refreshSnapshot } from "./snapshot.js";
import { spokenWhen } from "./person-time.js";
import { discard, entriesOf, keepAndSend } from "./outbox.js";
import { updateUrgentPanel } from "./help-now.js";
import { element, clearFieldErrors, filled, showFieldErrors, showProblem, showSignedIn } from "./dom.js";
import { whileBusy } from "./form-kit.js";
import { bodyFrom, fillForm, problemsIn, redFlagsIn } from "./checkin-answers.js";
import { number, t } from "./strings.js";

const API = "/api/checkins";
const SEVERITY = ["None", "Mild", "Moderate", "Severe"]; // their words, in lower case in the list

// --- the form ------------------------------------------------------------------------

/** The urgent-help panel: shown while any red-flag answer is yes, with the
 * emergency number for the country this device chose on Help now. */
function updateUrgentHelp(form) {
  const root = form.closest("[data-page]") || document;
  const panel = root.querySelector("[data-urgent-help]");
  if (!panel) return false;
  const flags = redFlagsIn(form);
  const flagged = Object.values(flags).some(Boolean);
  const keep = form.querySelector("[data-keep-answer]");
  if (keep) keep.hidden = !flags.suicidal_thoughts;
  // The country's part is chosen when the panel shows (choosing reads the
  // device's time zone: the page's first use of Intl, ~15 ms on a phone).
  if (flagged) updateUrgentPanel(panel, flags);
  const wasHidden = panel.hidden;
  panel.hidden = !flagged;
  if (flagged && wasHidden) panel.scrollIntoView({ block: "nearest" });
  return flagged;
}

// --- lists ----------------------------------------------------------------------------

function when(iso) {
  return spokenWhen(iso); // on the person's clock, as the server's pages are
}

function entryItem(checkin, { state = null, reason = "", labels = {}, entryId = "" } = {}) {
  const summary = [t("Overall {value}/10", { value: checkin.overall }), t("Anxiety {value}/10", { value: checkin.anxiety })];
  if (checkin.sleep_hours !== null && checkin.sleep_hours !== undefined) summary.push(t("Slept {hours} h", { hours: number(checkin.sleep_hours) }));
  const heading = element("h3", { text: when(checkin.checked_at) });
  if (state === "waiting") heading.append(" ", element("span", { class: "tag tag-waiting", "data-waiting": true, text: t("Waiting to sync") }));
  if (state === "failed") heading.append(" ", element("span", { class: "tag tag-failed", "data-failed": true, text: t("Couldn't sync") }));
  const symptoms = Object.entries(checkin.symptoms || {}).map(([id, s]) => `${labels[id] || id} (${t(SEVERITY[s]).toLowerCase()})`);
  (checkin.other_symptoms || []).forEach((item) => symptoms.push(item.label));
  const item = element(
    "li",
    { class: "checkin-entry", "data-client-id": checkin.client_id },
    heading,
    element("p", { text: summary.join(" · ") }),
    symptoms.length ? element("p", { class: "hint", text: symptoms.join(", ") }) : null
  );
  if (state === "failed") {
    item.append(
      element("p", { class: "error-message", text: reason }),
      element("button", { type: "button", class: "button button-secondary button-small", "data-action": "fix-checkin", "data-entry": entryId, text: t("Put it back in the form to fix it") })
    );
  }
  if (checkin.id) {
    item.append(element("p", {}, element("a", { href: `/checkins/${checkin.id}/edit`, text: t("Change or delete") })));
  }
  return item;
}


function symptomLabels() {
  const labels = {};
  document.querySelectorAll("fieldset.symptom").forEach((fieldset) => {
    const input = fieldset.querySelector('input[name^="symptom-"]');
    if (input) labels[input.name.slice("symptom-".length)] = fieldset.querySelector("legend").textContent.trim();
  });
  return labels;
}

async function render(root) {
  const userId = await currentUser();
  showSignedIn(root, userId);
  if (!userId) {
    // No one's (any more): nothing of the last person's stays on screen either.
    root.querySelectorAll("[data-list]").forEach((list) => list.replaceChildren());
    return;
  }
  const entries = await entriesOf(userId, "checkin");
  const labels = symptomLabels();
  const local = entries.map((entry) =>
    entryItem(entry.body, { state: entry.failed ? "failed" : "waiting", reason: entry.failed, labels, entryId: entry.id })
  );
  const recent = root.querySelector('[data-list="recent-checkins"]');
  if (recent) {
    const snapshot = await readSnapshot(userId);
    const pending = new Set(entries.map((entry) => entry.body?.client_id));
    const synced = (snapshot.checkins || []).filter((c) => !pending.has(c.client_id)).slice(0, 10);
    recent.replaceChildren(...local, ...synced.map((c) => entryItem(c, { labels })));
    root.querySelector('[data-when="no-checkins"]').hidden = recent.childElementCount > 0;
  }
  const waiting = root.querySelector('[data-list="waiting-checkins"]');
  if (waiting) {
    waiting.replaceChildren(...local);
    root.querySelector('[data-section="waiting"]').hidden = local.length === 0;
  }
}

// --- sending ----------------------------------------------------------------------------

function enableFixing(root, form, rerender) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest('button[data-action="fix-checkin"]');
    if (!button || !form) return;
    const userId = await currentUser();
    const entry = (await entriesOf(userId, "checkin")).find((item) => item.id === button.dataset.entry);
    if (!entry) return;
    fillForm(form, entry.body);
    updateUrgentHelp(form);
    // Every list drawn from this device's data (the "couldn't sync" panel too) draws itself again.
    await discard(entry);
    const status = root.querySelector("[data-checkin-status]");
    status.textContent = t("Your check-in is back in the form. Fix it and save it again. ({reason})", { reason: entry.failed });
    status.hidden = false;
    form.querySelector("legend").scrollIntoView({ block: "start" });
    await rerender();
  });
}

function enableForm(root, rerender) {
  const form = root.querySelector("[data-checkin-form]");
  if (!form) return;
  const status = root.querySelector("[data-checkin-status]");
  const errors = form.querySelector("[data-checkin-errors]");
  // The browser may keep a form's state for going back; never this answer.
  form.querySelectorAll('input[name="suicidal_thoughts"], input[name="keep_suicidal_answer"]').forEach((input) => {
    input.autocomplete = "off";
  });
  form.addEventListener("change", () => updateUrgentHelp(form));
  updateUrgentHelp(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const userId = await currentUser();
    if (!userId) return;
    const flagged = updateUrgentHelp(form); // from the answers on screen, kept or not
    const body = bodyFrom(form);
    form.elements.time_zone.value = body.time_zone; // read here, not at start: Intl's first use is slow
    const problems = problemsIn(body);
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
        keepAndSend(userId, "checkin", { url: API, body })
      ));
    } catch {
      showProblem(errors, t("This phone could not save the check-in. What you wrote is still here: try again."));
      return;
    }
    form.reset();
    updateUrgentHelp(form);
    const panel = root.querySelector("[data-urgent-help]");
    if (flagged && panel) panel.hidden = false; // keep the help on screen after saving
    status.textContent = navigator.onLine
      ? t("Check-in saved. Thank you for taking a moment for yourself.")
      : t("Check-in saved on this phone. It will sync when you are back online.");
    status.hidden = false;
    (flagged ? panel : status).scrollIntoView({ block: "nearest" });
    await rerender();
    sending.then(async (sent) => {
      if (sent && pageUser()) await refreshSnapshot(userId).catch(() => {});
      await rerender();
    });
  });
}

export function enableCheckin() {
  // Changing a check-in online (a plain form): the urgent help shows at once there too.
  document.querySelectorAll("form[data-checkin-edit]").forEach((form) => {
    form.addEventListener("change", () => updateUrgentHelp(form));
    updateUrgentHelp(form);
  });
  const root = document.querySelector('[data-page="checkin"], [data-page="checkins"]');
  if (!root) return;
  const rerender = () => render(root).catch(() => {});
  enableForm(root, rerender);
  enableFixing(root, root.querySelector("[data-checkin-form]"), rerender);
  rerender().finally(filled(root));
  // The outbox sends on its own schedule (outbox-schedule.js); the lists follow.
  document.addEventListener("steady:snapshot", rerender);
  document.addEventListener("steady:outbox", rerender);
  // A change discarded from "Changes that couldn't sync" leaves the list here too.
  const problems = document.querySelector('[data-list="sync-problems"]');
  if (problems) new MutationObserver(rerender).observe(problems, { childList: true });
}
