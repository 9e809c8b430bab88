// Your people on this device: the part of the offline snapshot that holds a
// signed-in person's support network, and the pages that show it with no
// signal — "Your people" on Help now and the home screen, and the offline
// copy at /my/people (a page that is the same for everyone, filled in here).
// Changes made here (an edit, "I reached out") go through the outbox; ones
// the server refused (an edit made from an old copy) are listed with the
// reason and can be discarded. Everything is built with textContent: nothing
// a person typed is ever parsed as HTML.
import { outboxStore } from "./device-store.js";
import { clearFieldErrors, showFieldErrors, whileBusy } from "./form-kit.js";
import { spokenWhen } from "./person-time.js";
import {
  addSnapshotSource,
  currentUser,
  confirmOwner,
  flushOutbox,
  pageUser,
  personalKey,
  readSnapshot,
  refreshSnapshot,
  send,
  writeSnapshot,
} from "./account-sync.js";

const OFFLINE_COPIES = { "/people": "/my/people", "/plan": "/my/plan", "/people/help-me": "/my/help-me", "/taper/doses": "/my/dose", "/chart": "/my/chart", "/checkin": "/my/checkin" };
const PHONE = /^\+?[0-9 ()./-]+$/;

export function addPeopleToSnapshot() {
  addSnapshotSource("/api/people", (snapshot, data) => ({ ...snapshot, people: data }));
}

// --- links -------------------------------------------------------------------------

/** What follows tel: or sms: — the digits, with a leading + kept (as on the server). */
export function dialTarget(phone) {
  return (phone.trim().startsWith("+") ? "+" : "") + phone.replace(/\D/g, "");
}

function encode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function smsHref(phone, body) {
  const target = `sms:${dialTarget(phone)}`;
  return body ? `${target}?&body=${encode(body)}` : target;
}

function mailtoHref(email) {
  return `mailto:${encode(email).replace(/%40/g, "@").replace(/%2B/g, "+")}`;
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

function since(iso) {
  if (!iso) return "Not noted yet";
  const then = new Date(iso);
  const days = Math.floor((Date.UTC(...ymd(new Date())) - Date.UTC(...ymd(then))) / 86400000);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  return `${days} days ago`;
}

function ymd(date) {
  return [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
}

/** An email address as text with <wbr> after the @ and before the domain's dots. */
function emailBreaks(address) {
  const at = address.lastIndexOf("@");
  if (at < 0) return [document.createTextNode(address)];
  const parts = [document.createTextNode(address.slice(0, at + 1))];
  address.slice(at + 1).split(".").forEach((piece, index) => {
    parts.push(document.createElement("wbr"), document.createTextNode(index ? `.${piece}` : piece));
  });
  return parts;
}

/** One person, with one-tap call, text and email (the markup of people/_person.html). */
function personItem(contact, message, { details = true, actions = false } = {}) {
  const links = element("p", { class: "actions person-actions" });
  if (contact.phone) {
    links.append(element("a", { class: "button", href: `tel:${dialTarget(contact.phone)}`, "data-link": "call", text: `Call ${contact.name}` }));
    if (contact.can_text) {
      links.append(
        element("a", { class: "button button-secondary", href: smsHref(contact.phone, message), "data-link": "text", text: `Text ${contact.name}` })
      );
    }
  }
  if (contact.email) {
    links.append(element("a", { class: "button button-secondary", href: mailtoHref(contact.email), "data-link": "email", text: `Email ${contact.name}` }));
  }
  const meta = element("p", { class: "person-meta", text: contact.relationship_label || "" });
  if (contact.pinned) meta.append(" · ", element("span", { class: "tag", text: "One of my people" }));
  if (contact.understands_withdrawal) meta.append(" · ", element("span", { class: "tag", text: "Understands withdrawal" }));
  const item = element(
    "li",
    { class: contact.pinned ? "person person-pinned" : "person", "data-contact-id": contact.id ?? "" },
    element("h3", { class: "person-name", text: contact.name }),
    meta,
    links.childElementCount ? links : null
  );
  if (details) {
    const list = element("dl", { class: "person-details" });
    const add = (label, value, className) => {
      if (value) list.append(element("dt", { text: label }), element("dd", { text: value, class: className || false }));
    };
    add("Phone", contact.phone);
    add("Email", contact.email, "email");
    const email = list.querySelector("dd.email");
    if (email) email.replaceChildren(...emailBreaks(contact.email));
    add("Best times", contact.best_times);
    add("Notes", contact.notes, "preserve-lines");
    add("Last connected", since(contact.last_connected_at));
    item.append(list);
  }
  if (actions && contact.id) {
    item.append(
      element(
        "div",
        { class: "actions" },
        element("button", { type: "button", class: "button button-secondary button-small", "data-action": "reached-out", "data-id": contact.id, text: "I reached out" }, element("span", { class: "visually-hidden", text: ` to ${contact.name}` })),
        element("button", { type: "button", class: "button button-secondary button-small", "data-action": "edit", "data-id": contact.id, text: "Edit" }, element("span", { class: "visually-hidden", text: ` ${contact.name}` }))
      )
    );
  }
  return item;
}

// --- Help now and the home screen --------------------------------------------------

/** "Your people" on Help now and the home screen: pinned people first (or,
 * with none pinned, the first three), from this device's snapshot. */
function fillQuickPeople(section, people) {
  if (!section) return;
  const list = section.querySelector('[data-list="people"]');
  const contacts = people?.contacts || [];
  const pinned = contacts.filter((c) => c.pinned);
  const shown = (pinned.length ? pinned : contacts).slice(0, 3);
  list.replaceChildren(...shown.map((c) => personItem(c, people.templates?.[0], { details: false })));
  list.classList.add("people-list");
  section.hidden = shown.length === 0;
}

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
      const when = [g.meeting_day_label ? `${g.meeting_day_label}s` : "", g.meeting_time ? `at ${g.meeting_time}` : ""].filter(Boolean).join(" ");
      const item = element("li", { text: `${g.name}${when ? ` · ${when} (${g.time_zone})` : ""}${g.place ? ` · ${g.place}` : ""}` });
      if (/^https?:\/\//i.test(g.link)) item.append(" · ", element("a", { href: g.link, rel: "noopener noreferrer", text: `Join ${g.name} online` }));
      return item;
    })
  );
  root.querySelector('[data-section="groups"]').hidden = groups.length === 0;
  const fetched = root.querySelector("[data-fetched]");
  fetched.textContent = snapshot?.fetchedAt ? `Last brought up to date ${spokenWhen(snapshot.fetchedAt)}.` : "";
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

function say(root, text) {
  let status = root.querySelector("[data-people-status]");
  if (!status) {
    status = element("p", { class: "notice notice-success", role: "status", "data-people-status": true });
    root.querySelector("h1").after(status);
  }
  status.textContent = text;
}

async function updateContact(userId, id, change) {
  const snapshot = await readSnapshot(userId);
  const contacts = snapshot.people?.contacts || [];
  const contact = contacts.find((c) => c.id === id);
  if (!contact) return null;
  const updated = { ...contact, ...change };
  const people = { ...snapshot.people, contacts: contacts.map((c) => (c.id === id ? updated : c)) };
  await writeSnapshot(userId, { ...snapshot, people });
  return { before: contact, after: updated };
}

async function reachedOut(root, userId, id) {
  const now = new Date().toISOString();
  const result = await updateContact(userId, id, { last_connected_at: now });
  if (!result) return;
  say(root, `Noted: you connected with ${result.after.name} today. Reaching out takes courage.`);
  send(userId, "POST", `/api/people/contacts/${id}/reached-out`, { client_id: crypto.randomUUID(), reached_at: now }).catch(() => {});
}

function problemsIn(values) {
  const problems = [];
  if (!values.name.trim()) problems.push(["offline-name", "Write their name."]);
  if (values.phone.trim() && (!PHONE.test(values.phone.trim()) || !/^(\D*\d){3,17}\D*$/.test(values.phone))) {
    problems.push(["offline-phone", "Enter a phone number using digits, spaces and an optional + at the start."]);
  }
  if (values.can_text && !values.phone.trim()) problems.push(["offline-phone", "Add a phone number to send texts to."]);
  if (values.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) {
    problems.push(["offline-email", "Enter an email address like name@example.com, or leave it empty."]);
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
    } catch (error) {
      const errors = form.querySelector("[data-edit-errors]");
      errors.replaceChildren(
        element("h3", { text: "There is a problem" }),
        element("p", { text: "This phone could not save the change. Nothing was changed. Try again." })
      );
      errors.hidden = false;
      errors.focus();
    }
  });
}

/** Save the offline editor's change on this phone, then send it. */
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
  const snapshot = await readSnapshot(userId);
  const contact = (snapshot.people?.contacts || []).find((c) => c.id === id);
  if (!contact) return;
  // The change is made from this version; the copy here moves on by one,
  // as the server's will, so a second edit made offline follows the first.
  const body = { ...values, relationship: contact.relationship, pinned: contact.pinned, version: contact.version };
  await updateContact(userId, id, { ...values, version: contact.version + 1 });
  form.hidden = true;
  say(root, navigator.onLine ? `${values.name}'s details are saved.` : `${values.name}'s details are saved on this phone. They will sync when you are back online.`);
  send(userId, "PUT", `/api/people/contacts/${id}`, body).catch(() => {});
}

/** Writes the server refused, with the reason and a way to let them go. */
async function renderSyncProblems(userId, snapshot) {
  const sections = document.querySelectorAll(".sync-problems");
  if (!sections.length) return;
  const entries = userId
    ? (await outboxStore.all()).filter((entry) => String(entry.userId) === String(userId) && entry.failed)
    : [];
  const contacts = snapshot?.people?.contacts || [];
  const describe = (entry) => {
    const match = entry.url.match(/^\/api\/people\/contacts\/(\d+)(\/reached-out)?$/);
    if (match) {
      const known = contacts.find((c) => c.id === Number(match[1]));
      const name = known?.name || entry.body?.name || "someone";
      return match[2] ? `\u201cI reached out\u201d to ${name}` : `Your change to ${entry.body?.name || name}`;
    }
    if (entry.url === "/api/people/contacts") return `Adding ${entry.body?.name || "a person"}`;
    if (entry.url === "/api/plan") return "Your change to your wave plan";
    if (entry.url === "/api/doses") return `The dose you logged (${entry.body?.amount ?? "?"})`;
    if (entry.url === "/api/checkins") return "A check-in";
    return "A change made on this phone";
  };
  sections.forEach((section) => {
    const list = section.querySelector('[data-list="sync-problems"]');
    list.replaceChildren(
      ...entries.map((entry) => {
        const discard = element("button", { type: "button", class: "button button-secondary button-small", text: "Discard this change" });
        discard.addEventListener("click", async () => {
          await outboxStore.remove(entry.id);
          renderSyncProblems(userId, snapshot);
        });
        return element(
          "li",
          { class: "sync-problem" },
          element("p", {}, element("strong", { text: `${describe(entry)} couldn't sync.` }), " ", element("span", { text: entry.failed })),
          discard
        );
      })
    );
    section.hidden = entries.length === 0;
  });
}

// --- wiring ------------------------------------------------------------------------

/** Offline, a page from the worker's cache has no signed-in user in it: point
 * the People and plan links at the copies kept on this phone. */
function pointAtOfflineCopies(userId) {
  if (pageUser() || !userId) return;
  document.querySelectorAll("a[href]").forEach((link) => {
    const copy = OFFLINE_COPIES[link.getAttribute("href")];
    if (copy) link.setAttribute("href", copy);
  });
}

/** On a page kept by the worker (no signed-in user in it) with a connection:
 * send what is queued and bring the copy up to date — only if the person
 * signed in here is still the one this device's copy belongs to. */
async function catchUp(userId) {
  if (!userId || pageUser() || !navigator.onLine) return;
  try {
    // No longer this person's session: their copy leaves the device (confirmOwner).
    if ((await confirmOwner()) !== String(userId)) return;
    await flushOutbox();
    await refreshSnapshot(userId);
  } catch (error) {
    /* still offline, or the server is away: the copy here stands */
  }
}

export function enablePeople(synced) {
  // The worker answered /people or /plan with its offline page: open the copy kept here.
  const copy = OFFLINE_COPIES[window.location.pathname];
  if (copy && !document.querySelector("[data-page]")) {
    currentUser().then((userId) => {
      if (userId) window.location.replace(copy);
    });
    return;
  }
  const root = document.querySelector('[data-page="my-people"]');
  const serverPage = document.querySelector('[data-page="people"]');
  const render = async () => {
    const userId = await currentUser();
    messageOwner = userId;
    const snapshot = userId ? await readSnapshot(userId) : null;
    pointAtOfflineCopies(userId);
    fillQuickPeople(document.querySelector(".my-people-help"), snapshot?.people);
    fillQuickPeople(document.querySelector(".my-people-home"), snapshot?.people);
    if (root) renderMyPeople(root, snapshot, userId);
    if (serverPage) fillMessageChoice(serverPage, null);
    await renderSyncProblems(userId, snapshot);
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
  renderSafely();
  document.addEventListener("steady:snapshot", renderSafely);
  Promise.resolve(synced)
    .then(renderSafely)
    .then(async () => {
      await catchUp(await currentUser());
      await renderSafely();
    })
    .catch(() => {});
  window.addEventListener("online", async () => {
    await catchUp(await currentUser());
    renderSafely();
  });
}

/** Adding a support group: start from this phone's own time zone. */
function enableTimeZoneGuess() {
  const select = document.querySelector("select[data-time-zone]");
  if (!select || select.getAttribute("aria-invalid") || !window.location.pathname.endsWith("/new")) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && select.value === "UTC" && [...select.options].some((option) => option.value === zone)) select.value = zone;
}
