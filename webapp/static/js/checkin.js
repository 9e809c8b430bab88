// Check-ins on this device. The form (at /checkin, and at /my/checkin — the
// same page for everyone, kept by the service worker so it opens with no
// signal) saves each check-in into the outbox with an id made here and the
// phone's time zone; the outbox sends it when it can, exactly once. Check-ins
// still on the phone are listed with "Waiting to sync"; ones the server
// refused are listed with the reason (and in "Changes that couldn't sync",
// where they can be discarded). A "yes" to any red-flag question shows the
// urgent-help panel at once, offline too. Built with textContent only.
import { outboxStore } from "./device-store.js";
import { confirmOwner } from "./account-sync.js";
import { addSnapshotSource, currentUser, flushOutbox, pageUser, readSnapshot, refreshSnapshot, send } from "./account-sync.js";
import { updateUrgentPanel } from "./help-now.js";
import { clearFieldErrors, rememberOpen, showFieldErrors, whileBusy } from "./form-kit.js";
import { spokenWhen } from "./person-time.js";
import { tooLong } from "./limits.js";

const API = "/api/checkins";
const OFFLINE_COPY = "/my/checkin";
const SEVERITY = ["none", "mild", "moderate", "severe"];
const RETRY_MS = 5000;

export function addCheckinsToSnapshot() {
  addSnapshotSource(API, (snapshot, data) => ({ ...snapshot, checkins: (data.checkins || []).map(withoutUnkeptAnswer) }));
}

/** A check-in as it may be written to the device: the answer to the suicide
 * question only when it is a "yes" the person chose to keep ("keep this in
 * my history"); otherwise neither the answer nor the key is written (the
 * server reads a missing answer as "no", and never keeps an unkept "yes"). */
export function withoutUnkeptAnswer(checkin) {
  if (!checkin || typeof checkin !== "object") return checkin;
  const flags = { ...(checkin.red_flags || {}) };
  const kept = flags.suicidal_thoughts === true && (checkin.keep_suicidal_answer === true || !("keep_suicidal_answer" in checkin));
  const result = { ...checkin };
  if (kept) return result;
  delete flags.suicidal_thoughts;
  delete result.keep_suicidal_answer;
  if (checkin.red_flags) result.red_flags = flags;
  return result;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter(Boolean));
  return node;
}

// --- the form ------------------------------------------------------------------------

function radioNumber(form, name) {
  const checked = form.querySelector(`input[name="${name}"]:checked`);
  return checked ? Number(checked.value) : null;
}

/** The form's answers as they stand (the urgent-help panel reads these). */
function answersFrom(form) {
  const value = (name) => form.elements[name]?.value ?? "";
  const ticked = (name) => Boolean(form.elements[name]?.checked);
  const yes = (name) => form.querySelector(`input[name="${name}"][value="yes"]`)?.checked || false;
  const symptoms = {};
  form.querySelectorAll('input[type="radio"][name^="symptom-"]:checked').forEach((input) => {
    if (Number(input.value) > 0) symptoms[input.name.slice("symptom-".length)] = Number(input.value);
  });
  const hours = value("sleep_hours").trim();
  return {
    client_id: crypto.randomUUID(),
    checked_at: new Date().toISOString(),
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    overall: radioNumber(form, "overall"),
    anxiety: radioNumber(form, "anxiety"),
    sleep_hours: hours === "" ? null : Number(hours),
    sleep_quality: radioNumber(form, "sleep_quality"),
    symptoms,
    other_symptoms: value("other_symptoms")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((label) => ({ label, severity: null })),
    doses: form.querySelector('input[name="doses"]:checked')?.value ?? null,
    self_care: { moved: ticked("moved"), ate: ticked("ate"), outside: ticked("outside"), connected: ticked("connected") },
    red_flags: {
      seizure: yes("seizure"),
      hallucinations: yes("hallucinations"),
      confusion: yes("confusion"),
      suicidal_thoughts: yes("suicidal_thoughts"),
      oversedation: yes("oversedation"),
    },
    keep_suicidal_answer: ticked("keep_suicidal_answer"),
    note: value("note").trim(),
  };
}

/** The form as the body POST /api/checkins takes (see checkins/checks.py),
 * and as it is queued on the device: without an unkept "yes" to the suicide
 * question (SAFETY.md). */
export function bodyFrom(form) {
  return withoutUnkeptAnswer(answersFrom(form));
}

/** What must be fixed before saving, as [field id, words]. */
function problemsIn(body) {
  const problems = [];
  if (body.overall === null) problems.push(["overall", "Choose a number from 0 to 10 for how you are overall."]);
  if (body.anxiety === null) problems.push(["anxiety", "Choose a number from 0 to 10 for anxiety."]);
  if (body.sleep_hours !== null && !(body.sleep_hours >= 0 && body.sleep_hours <= 24)) {
    problems.push(["sleep_hours", "Hours of sleep must be a number from 0 to 24."]);
  }
  if (!body.doses) problems.push(["doses", "Say whether you took your doses as planned (or that you are not tapering)."]);
  const noteTooLong = tooLong("The note", 5000, body.note);
  if (noteTooLong) problems.push(["note", noteTooLong]);
  return problems;
}

/** The urgent-help panel: shown while any red-flag answer is yes, with the
 * emergency number for the country this device chose on Help now. */
function updateUrgentHelp(form) {
  const root = form.closest("[data-page]") || document;
  const panel = root.querySelector("[data-urgent-help]");
  if (!panel) return false;
  const body = answersFrom(form);
  const flagged = Object.values(body.red_flags).some(Boolean);
  const keep = form.querySelector("[data-keep-answer]");
  if (keep) keep.hidden = !body.red_flags.suicidal_thoughts;
  updateUrgentPanel(panel, body.red_flags);
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
  const summary = [`Overall ${checkin.overall}/10`, `Anxiety ${checkin.anxiety}/10`];
  if (checkin.sleep_hours !== null && checkin.sleep_hours !== undefined) summary.push(`Slept ${checkin.sleep_hours} h`);
  const heading = element("h3", { text: when(checkin.checked_at) });
  if (state === "waiting") heading.append(" ", element("span", { class: "tag tag-waiting", "data-waiting": true, text: "Waiting to sync" }));
  if (state === "failed") heading.append(" ", element("span", { class: "tag tag-failed", "data-failed": true, text: "Couldn't sync" }));
  const symptoms = Object.entries(checkin.symptoms || {}).map(([id, s]) => `${labels[id] || id} (${SEVERITY[s]})`);
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
      element("button", { type: "button", class: "button button-secondary button-small", "data-action": "fix-checkin", "data-entry": entryId, text: "Put it back in the form to fix it" })
    );
  }
  if (checkin.id) {
    item.append(element("p", {}, element("a", { href: `/checkins/${checkin.id}/edit`, text: "Change or delete" })));
  }
  return item;
}

async function queued(userId) {
  if (!userId) return [];
  return (await outboxStore.all())
    .filter((entry) => String(entry.userId) === String(userId) && entry.url === API && entry.method === "POST")
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
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
  root.querySelectorAll('[data-when="signed-in"], [data-when="signed-out"]').forEach((node) => {
    node.hidden = node.dataset.when !== (userId ? "signed-in" : "signed-out");
  });
  if (!userId) {
    // No one's (any more): nothing of the last person's stays on screen either.
    root.querySelectorAll("[data-list]").forEach((list) => list.replaceChildren());
    return;
  }
  const entries = await queued(userId);
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

/** Send what is queued and, if anything went, bring the offline copy up to date. */
async function catchUp(userId) {
  if (!userId || !navigator.onLine) return;
  try {
    // No longer this person's session: their queued check-ins leave the
    // device instead of being sent (confirmOwner).
    if ((await confirmOwner()) !== String(userId)) return;
    const sent = await flushOutbox();
    if (sent || !pageUser()) await refreshSnapshot(userId);
  } catch (error) {
    /* still offline, or the server is away: try again later */
  }
}

/** Show a check-in's answers in the form again (to fix one the server refused). */
function fillForm(form, body) {
  const pick = (name, value) => {
    const input = form.querySelector(`input[name="${name}"][value="${CSS.escape(String(value))}"]`);
    if (input) input.checked = true;
  };
  form.reset();
  pick("overall", body.overall);
  pick("anxiety", body.anxiety);
  if (body.sleep_quality !== null && body.sleep_quality !== undefined) pick("sleep_quality", body.sleep_quality);
  pick("doses", body.doses);
  form.elements.sleep_hours.value = body.sleep_hours ?? "";
  Object.entries(body.symptoms || {}).forEach(([id, severity]) => pick(`symptom-${id}`, severity));
  form.elements.other_symptoms.value = (body.other_symptoms || []).map((item) => item.label).join("\n");
  Object.entries(body.self_care || {}).forEach(([name, ticked]) => {
    if (form.elements[name]) form.elements[name].checked = Boolean(ticked);
  });
  Object.entries(body.red_flags || {}).forEach(([name, yes]) => pick(name, yes ? "yes" : "no"));
  form.elements.keep_suicidal_answer.checked = Boolean(body.keep_suicidal_answer);
  form.elements.note.value = body.note || "";
  // Everything it held in view again, to be checked before saving.
  form.querySelectorAll("details[data-remember]").forEach((details) => { details.open = true; });
  const flags = form.querySelector("[data-red-flags]");
  if (flags && Object.values(body.red_flags || {}).some(Boolean)) flags.open = true;
  updateUrgentHelp(form);
}

function enableFixing(root, form, rerender) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest('button[data-action="fix-checkin"]');
    if (!button || !form) return;
    const userId = await currentUser();
    const entry = (await outboxStore.all()).find((item) => item.id === button.dataset.entry && String(item.userId) === String(userId));
    if (!entry) return;
    fillForm(form, entry.body);
    await outboxStore.remove(entry.id);
    // Every list drawn from this device's data (the "couldn't sync" panel too) draws itself again.
    document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { userId: entry.userId } }));
    const status = root.querySelector("[data-checkin-status]");
    status.textContent = `Your check-in is back in the form. Fix it and save it again. (${entry.failed})`;
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
  form.elements.time_zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
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
    const problems = problemsIn(body);
    if (problems.length) {
      showFieldErrors(form, errors, problems);
      return;
    }
    errors.hidden = true;
    clearFieldErrors(form);
    const sending = send(userId, "POST", API, body).catch(() => 0);
    await whileBusy(event.submitter || form.querySelector('button[type="submit"]'), () =>
      Promise.race([sending, new Promise((resolve) => setTimeout(resolve, 400))])
    );
    form.reset();
    updateUrgentHelp(form);
    const panel = root.querySelector("[data-urgent-help]");
    if (flagged && panel) panel.hidden = false; // keep the help on screen after saving
    status.textContent = navigator.onLine
      ? "Check-in saved. Thank you for taking a moment for yourself."
      : "Check-in saved on this phone. It will sync when you are back online.";
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
  // The worker answered /checkin or /checkins with its offline page: open the copy kept here.
  if (["/checkin", "/checkins"].includes(window.location.pathname) && !document.querySelector("[data-page]")) {
    currentUser().then((userId) => {
      if (userId) window.location.replace(OFFLINE_COPY);
    });
    return;
  }
  // Changing a check-in online (a plain form): the urgent help shows at once there too.
  document.querySelectorAll("form[data-checkin-edit]").forEach((form) => {
    form.addEventListener("change", () => updateUrgentHelp(form));
    updateUrgentHelp(form);
  });
  rememberOpen();
  const root = document.querySelector('[data-page="checkin"], [data-page="checkins"]');
  if (!root) return;
  const rerender = () => render(root).catch(() => {});
  enableForm(root, rerender);
  enableFixing(root, root.querySelector("[data-checkin-form]"), rerender);
  rerender();
  document.addEventListener("steady:snapshot", rerender);
  // A change discarded from "Changes that couldn't sync" leaves the list here too.
  const problems = document.querySelector('[data-list="sync-problems"]');
  if (problems) new MutationObserver(rerender).observe(problems, { childList: true });
  const retry = async () => {
    const userId = await currentUser();
    if ((await queued(userId)).some((entry) => !entry.failed)) await catchUp(userId);
    await rerender();
  };
  window.addEventListener("online", retry);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retry();
  });
  setInterval(retry, RETRY_MS);
}
