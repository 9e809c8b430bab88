// A check-in's answers: read from the form (at /checkin and /my/checkin), as
// the body POST /api/checkins takes (see checkins/checks.py), checked before
// saving, and put back into the form (a check-in the server refused, to be
// fixed). The answer to the suicide question is never written to the device
// unless it is a "yes" the person chose to keep (SAFETY.md).
import { count, tooLong } from "./limits.js";
import { withoutUnkeptAnswer } from "./unkept-answer.js";
import { t } from "./strings.js";

export { withoutUnkeptAnswer };

// The server's limits and its text rule (checkins/checks.py, services/text.py):
// a check-in it would refuse is not saved on the phone as if it were fine.
const OTHER_MAX = 10;
const OTHER_LABEL_MAX = 80;
// Hours of sleep as typed: "7", "7.5" or "7,5" (checkins/routes.py, HOURS).
const HOURS = /^[0-9]{1,4}(?:[.,][0-9]{1,4})?$/;
// Control characters but newline and tab, the line and paragraph separators,
// and a lone half of a surrogate pair (text that is not valid Unicode).
// eslint-disable-next-line no-control-regex
const UNSAVEABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]|[\u{d800}-\u{dfff}]/u;

function radioNumber(form, name) {
  const checked = form.querySelector(`input[name="${name}"]:checked`);
  return checked ? Number(checked.value) : null;
}

/** The red flags answered yes in the form as it stands (the urgent-help
 * panel reads these as the person answers; nothing else is read, so the page's
 * start does not wait on the device's time zone). */
export function redFlagsIn(form) {
  const yes = (name) => form.querySelector(`input[name="${name}"][value="yes"]`)?.checked || false;
  return {
    seizure: yes("seizure"),
    hallucinations: yes("hallucinations"),
    confusion: yes("confusion"),
    suicidal_thoughts: yes("suicidal_thoughts"),
    oversedation: yes("oversedation"),
  };
}

/** The form's answers as they stand. */
export function answersFrom(form) {
  const value = (name) => form.elements[name]?.value ?? "";
  const ticked = (name) => Boolean(form.elements[name]?.checked);
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
    sleep_hours: hours === "" ? null : HOURS.test(hours) ? Number(hours.replace(",", ".")) : Number.NaN,
    sleep_quality: radioNumber(form, "sleep_quality"),
    symptoms,
    other_symptoms: value("other_symptoms")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((label) => ({ label, severity: null })),
    doses: form.querySelector('input[name="doses"]:checked')?.value ?? null,
    self_care: { moved: ticked("moved"), ate: ticked("ate"), outside: ticked("outside"), connected: ticked("connected") },
    red_flags: redFlagsIn(form),
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
export function problemsIn(body) {
  const problems = [];
  if (body.overall === null) problems.push(["overall", t("Choose a number from 0 to 10 for how you are overall.")]);
  if (body.anxiety === null) problems.push(["anxiety", t("Choose a number from 0 to 10 for anxiety.")]);
  if (body.sleep_hours !== null && !(body.sleep_hours >= 0 && body.sleep_hours <= 24)) {
    problems.push(["sleep_hours", t("Hours of sleep must be a number from 0 to 24.")]);
  }
  if (!body.doses) problems.push(["doses", t("Say whether you took your doses as planned (or that you are not tapering).")]);
  const others = body.other_symptoms || [];
  if (others.length > OTHER_MAX) {
    problems.push(["other_symptoms", t("Write at most {max} other symptoms, one on each line.", { max: OTHER_MAX })]);
  } else {
    if (others.some((item) => count(item.label) > OTHER_LABEL_MAX)) {
      problems.push([
        "other_symptoms",
        t("One of the other symptoms is too long: each can be at most {limit} characters.", { limit: OTHER_LABEL_MAX }),
      ]);
    } else if (others.some((item) => UNSAVEABLE.test(item.label))) {
      problems.push(["other_symptoms", t("{label} has a hidden or broken character. Please retype it.", { label: t("Other symptoms") })]);
    }
  }
  const noteTooLong = tooLong(t("The note"), 5000, body.note);
  if (noteTooLong) problems.push(["note", noteTooLong]);
  else if (UNSAVEABLE.test(body.note)) {
    problems.push(["note", t("{label} has a hidden or broken character. Please retype it.", { label: t("The note") })]);
  }
  return problems;
}

/** Show a check-in's answers in the form again (to fix one the server refused). */
export function fillForm(form, body) {
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
}
