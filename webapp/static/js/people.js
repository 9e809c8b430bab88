// Your people on this device: the part of the offline snapshot that holds a
// signed-in person's support network, and the pages that show it with no
// signal — "Your people" on Help now and the home screen, and the offline
// copy at /my/people (a page that is the same for everyone, filled in here).
// Changes made here (an edit, "I reached out") go through the outbox; ones
// the server refused (an edit made from an old copy) are listed with the
// reason and can be discarded. Everything is built with textContent: nothing
// a person typed is ever parsed as HTML.
import { clearFieldErrors, element, filled, showFieldErrors, showProblem } from "./dom.js";
import { whileBusy } from "./form-kit.js";
import { currentUser, personalKey } from "./account-sync.js";
import { readSnapshot, writeSnapshot } from "./snapshot.js";
import { spokenWhen } from "./person-time.js";
import { flushOutbox, keep } from "./outbox.js";
import { dialTarget, encode, smsHref } from "./people-links.js";
import { personItem } from "./person-card.js";
import { t } from "./strings.js";

export { dialTarget, smsHref };

const PHONE = /^\+?[0-9 ()./-]+$/;

// --- the offline copy at /my/people -------------------------------------------------

function showWhen(root, state) {
  root.querySelectorAll("[data-when]").forEach((node) => {
    if (["signed-in", "signed-out"].includes(node.dataset.when)) node.hidden = node.dataset.when !== state;
  });
}

function renderMyPeople(root, snapshot, userId) {
  const people = snapshot?.people;
  showWhen(root, userId ? "signed-in" : "signed-out");
  if (!userId) {
    // No one's (any more): nothing of the last person's stays on screen either.
    root.querySelectorAll("[data-list]").forEach((list) => list.replaceChildren());
    return;
  }
  const contacts = people?.contacts || [];
  const message = chosenMessage(people?.templates || []);
  const fill = (name, items) => {
    root.querySelector(`[data-list="${name}"]`).replaceChildren(...items.map((c) => personItem(c, message, { actions: true })));
    root.querySelector(`[data-section="${name}"]`).hidden = items.length === 0;
  };
  fill("pinned", contacts.filter((c) => c.pinned));
  fill("others", contacts.filter((c) => !c.pinned));
  root.querySelector('[data-when="empty"]').hidden = contacts.length > 0;
  const groups = people?.groups || [];
  root.querySelector('[data-list="groups"]').replaceChildren(
    ...groups.map((g) => {
      const days = g.meeting_days_label || (g.meeting_day_label ? `${g.meeting_day_label}s` : "");
      const time = g.meeting_time;
      const when = days && time ? t("{days} at {time}", { days, time }) : days || (time ? t("at {time}", { time }) : "");
      const item = element("li", { text: `${g.name}${when ? ` · ${when} (${g.time_zone})` : ""}${g.place ? ` · ${g.place}` : ""}` });
      if (/^https?:\/\//i.test(g.link)) item.append(" · ", element("a", { href: g.link, rel: "noopener noreferrer", text: t("Join {name} online", { name: g.name }) }));
      return item;
    })
  );
  root.querySelector('[data-section="groups"]').hidden = groups.length === 0;
  const fetched = root.querySelector("[data-fetched]");
  fetched.textContent = snapshot?.fetchedAt ? t("Last brought up to date {when}.", { when: spokenWhen(snapshot.fetchedAt) }) : "";
  fillMessageChoice(root, people);
}

// The message chosen for the Text buttons is one account's choice: kept under
// that account's own key, so it leaves the device with the account.
let messageOwner = null;
const messageKey = () => (messageOwner ? personalKey(messageOwner, "message-choice") : null);

function storedMessageChoice() {
  const key = messageKey();
  return key ? localStorage.getItem(key) : null;
}

function chosenMessage(templates) {
  const index = Number(storedMessageChoice() || 0);
  return templates[index] ?? templates[0];
}

/** The "Message for the Text buttons" choice: rewrites every sms: link's body. */
function fillMessageChoice(root, people) {
  const select = root.querySelector("[data-message-choice]");
  if (!select) return;
  if (people) {
    select.replaceChildren(...(people.templates || []).map((text, index) => element("option", { value: String(index), text })));
  }
  const hasText = root.querySelector('a[data-link="text"]') !== null;
  select.closest(".message-choice").hidden = !hasText || select.options.length === 0;
  const stored = storedMessageChoice();
  if (stored !== null && stored < select.options.length) select.value = stored;
  applyMessage(root, select);
}

function applyMessage(root, select) {
  const text = select.options[select.selectedIndex]?.textContent || "";
  // A long message does not fit in the closed picker: show it whole below.
  const preview = select.closest(".message-choice").querySelector("[data-message-preview]");
  if (preview) preview.textContent = text ? `“${text}”` : "";
  root.querySelectorAll('a[data-link="text"]').forEach((link) => {
    link.href = `${link.getAttribute("href").split("?")[0]}${text ? `?&body=${encode(text)}` : ""}`;
  });
}

function enableMessageChoice(root) {
  const select = root.querySelector("[data-message-choice]");
  if (!select || select.dataset.ready) return;
  select.dataset.ready = "1";
  select.addEventListener("change", () => {
    if (messageKey()) localStorage.setItem(messageKey(), select.value);
    applyMessage(root, select);
  });
}

// --- changes made on this device ----------------------------------------------------

function say(root, text, { saved = true } = {}) {
  let status = root.querySelector("[data-people-status]");
  if (!status) {
    status = element("p", { class: "notice", role: "status", "data-people-status": true });
    root.querySelector("h1").after(status);
  }
  status.classList.toggle("notice-success", saved);
  status.textContent = text;
}

async function updateContact(userId, id, change) {
  const snapshot = await readSnapshot(userId);
  const contacts = snapshot.people?.contacts || [];
  const people = { ...snapshot.people, contacts: contacts.map((c) => (c.id === id ? { ...c, ...change } : c)) };
  await writeSnapshot(userId, { ...snapshot, people });
}

async function reachedOut(root, userId, id) {
  const contact = await contactOf(userId, id);
  if (!contact) return;
  const now = new Date().toISOString();
  // Stored for the server before the copy here shows it, so a "Noted" is never
  // said of a write this phone could not keep.
  try {
    await keep(userId, "reach-out", { url: `/api/people/contacts/${id}/reached-out`, about: id, body: { client_id: crypto.randomUUID(), reached_at: now } });
  } catch {
    say(root, t("This phone could not save the change. Nothing was changed. Try again."), { saved: false });
    return;
  }
  await updateContact(userId, id, { last_connected_at: now });
  say(root, t("Noted: you connected with {name} today. Reaching out takes courage.", { name: contact.name }));
  flushOutbox().catch(() => {});
}

async function contactOf(userId, id) {
  const snapshot = await readSnapshot(userId);
  return (snapshot.people?.contacts || []).find((c) => c.id === id) || null;
}

function problemsIn(values) {
  const problems = [];
  if (!values.name.trim()) problems.push(["offline-name", t("Write their name.")]);
  if (values.phone.trim() && (!PHONE.test(values.phone.trim()) || !/^(\D*\d){3,17}\D*$/.test(values.phone))) {
    problems.push(["offline-phone", t("Enter a phone number using digits, spaces and an optional + at the start.")]);
  }
  if (values.can_text && !values.phone.trim()) problems.push(["offline-phone", t("Add a phone number to send texts to.")]);
  if (values.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) {
    problems.push(["offline-email", t("Enter an email address like name@example.com, or leave it empty.")]);
  }
  return problems;
}

function openEditor(root, contact) {
  const form = root.querySelector("[data-offline-edit]");
  form.dataset.id = contact.id;
  form.querySelector("[data-edit-name]").textContent = contact.name;
  form.elements.name.value = contact.name;
  form.elements.phone.value = contact.phone;
  form.elements.can_text.checked = contact.can_text;
  form.elements.email.value = contact.email;
  form.elements.best_times.value = contact.best_times;
  form.elements.notes.value = contact.notes;
  form.elements.understands_withdrawal.checked = contact.understands_withdrawal;
  form.querySelector("[data-edit-errors]").hidden = true;
  clearFieldErrors(form);
  form.hidden = false;
  form.querySelector("h2").focus();
}

function enableEditor(root, userIdPromise) {
  const form = root.querySelector("[data-offline-edit]");
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "1";
  form.querySelector('[data-action="cancel-edit"]').addEventListener("click", () => {
    form.hidden = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter || form.querySelector('button[type="submit"]');
    try {
      await whileBusy(button, () => saveEdit(form, root, userIdPromise));
    } catch {
      showProblem(form.querySelector("[data-edit-errors]"), t("This phone could not save the change. Nothing was changed. Try again."));
    }
  });
}

/** Save the offline editor's change on this phone, then queue it for the server. */
async function saveEdit(form, root, userIdPromise) {
  const userId = await userIdPromise();
  const id = Number(form.dataset.id);
  const values = {
    name: form.elements.name.value.trim(),
    phone: form.elements.phone.value.trim(),
    can_text: form.elements.can_text.checked,
    email: form.elements.email.value.trim(),
    best_times: form.elements.best_times.value.trim(),
    notes: form.elements.notes.value.trim(),
    understands_withdrawal: form.elements.understands_withdrawal.checked,
  };
  const problems = problemsIn(values);
  if (problems.length) {
    showFieldErrors(form, form.querySelector("[data-edit-errors]"), problems);
    return;
  }
  clearFieldErrors(form);
  const contact = await contactOf(userId, id);
  if (!contact) return;
  // The change is made from this version; the copy here moves on by one,
  // as the server's will, so a second edit made offline follows the first.
  // It is stored for the server first: if this phone cannot keep it, the
  // editor stays open with what was typed (the caller says why).
  const body = { ...values, relationship: contact.relationship, pinned: contact.pinned, version: contact.version };
  await keep(userId, "contact", { method: "PUT", url: `/api/people/contacts/${id}`, about: id, body });
  await updateContact(userId, id, { ...values, version: contact.version + 1 });
  form.hidden = true;
  const name = values.name;
  say(root, navigator.onLine ? t("{name}'s details are saved.", { name }) : t("{name}'s details are saved on this phone. They will sync when you are back online.", { name }));
  flushOutbox().catch(() => {});
}

// --- wiring ------------------------------------------------------------------------

export function enablePeople(synced) {
  const root = document.querySelector('[data-page="my-people"]');
  const serverPage = document.querySelector('[data-page="people"]');
  const render = async () => {
    const userId = await currentUser();
    messageOwner = userId;
    const snapshot = userId ? await readSnapshot(userId) : null;
    if (root) renderMyPeople(root, snapshot, userId);
    if (serverPage) fillMessageChoice(serverPage, null);
  };
  const renderSafely = () => render().catch(() => {});
  if (root) {
    enableMessageChoice(root);
    enableEditor(root, currentUser);
    root.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const userId = await currentUser();
      const id = Number(button.dataset.id);
      if (button.dataset.action === "reached-out") await reachedOut(root, userId, id);
      if (button.dataset.action === "edit") {
        const snapshot = await readSnapshot(userId);
        const contact = (snapshot.people?.contacts || []).find((c) => c.id === id);
        if (contact) openEditor(root, contact);
      }
    });
  }
  if (serverPage) enableMessageChoice(serverPage);
  enableTimeZoneGuess();
  renderSafely().finally(filled(root));
  document.addEventListener("steady:snapshot", renderSafely);
  document.addEventListener("steady:outbox", renderSafely);
  Promise.resolve(synced).then(renderSafely, renderSafely);
}

/** Adding a support group: start from this phone's own time zone. */
function enableTimeZoneGuess() {
  const select = document.querySelector("select[data-time-zone]");
  if (!select || select.getAttribute("aria-invalid") || !window.location.pathname.endsWith("/new")) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && select.value === "UTC" && [...select.options].some((option) => option.value === zone)) select.value = zone;
}
