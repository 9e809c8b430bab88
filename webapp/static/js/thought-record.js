// The CBT thought record: saved to the account when signed in (through the
// outbox, so it survives being offline), kept on this device for guests.
// Whose the device is, the snapshot, the outbox and the person's clock are
// loaded only when asked for (as in toolkit.js): on a device that held no
// one's Steady as the page started (app.js's deviceInUse) there is nothing
// saved to show, so the page starts with none of that code and reads nothing;
// it comes once the person starts writing.
import { deviceLock, kv } from "./device-store.js";
import { whileBusy } from "./form-kit.js";
import { t } from "./strings.js";

/** Whose the device is, the snapshot, the outbox and the person's clock. */
const account = () =>
  Promise.all([import("./account-sync.js"), import("./snapshot.js"), import("./outbox.js"), import("./person-time.js")]);

const FIELDS = ["situation", "thought", "feelings", "evidence_for", "evidence_against", "balanced"];

async function savedRecords() {
  const [{ currentUser }, { readSnapshot }] = await account();
  const userId = await currentUser();
  if (userId) return (await readSnapshot(userId)).thought_records || [];
  return (await kv.get("guest:thought-records")) || [];
}

async function save(record) {
  const [{ currentUser }, { readSnapshot, writeSnapshot }, { queue }] = await account();
  const userId = await currentUser();
  if (userId) {
    const snapshot = await readSnapshot(userId);
    await writeSnapshot(userId, { ...snapshot, thought_records: [record, ...(snapshot.thought_records || [])] });
    const sent = await queue(userId, "thought", { url: "/api/thought-records", body: record });
    if (!sent && (await deviceLock.status()) === "locked") {
      return t("Saved on this phone, locked with your PIN. It will reach your account when you unlock Steady.");
    }
    return navigator.onLine ? t("Saved to your account.") : t("Saved on this device. It will reach your account when you are back online.");
  }
  const records = (await kv.get("guest:thought-records")) || [];
  await kv.set("guest:thought-records", [record, ...records]);
  return t("Saved on this device. Create an account to keep it safe.");
}

/** `spokenWhen`: "Mon 30 Nov, 8:14 pm" on the person's clock (person-time.js). */
function renderRecords(list, records, spokenWhen) {
  list.replaceChildren(
    ...records.map((record) => {
      const item = document.createElement("li");
      item.className = "saved-record";
      const when = document.createElement("p");
      when.className = "meta";
      when.textContent = spokenWhen(record.created_at);
      const thought = document.createElement("p");
      thought.textContent = record.thought || record.situation || record.balanced || "";
      const balanced = document.createElement("p");
      if (record.balanced) balanced.textContent = t("Kinder thought: {text}", { text: record.balanced });
      item.append(when, thought, balanced);
      return item;
    })
  );
}

/** `inUse`: whether this device may hold someone's Steady (app.js's deviceInUse). */
export async function enableThoughtRecord(inUse = true) {
  const form = document.querySelector(".thought-record-form");
  if (!form) return;
  const status = form.querySelector(".form-status");
  const list = document.querySelector('[data-list="thought-records"]');
  const refresh = async () => {
    const records = await savedRecords();
    const [, , , { spokenWhen }] = await account();
    renderRecords(list, records, spokenWhen);
  };
  if (inUse) await refresh();
  // Otherwise the code comes as the person starts writing, well before the
  // record is saved (should the connection go by then).
  else form.addEventListener("focusin", () => account().catch(() => {}), { once: true });
  document.addEventListener("steady:snapshot", refresh);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const record = { client_id: crypto.randomUUID(), created_at: new Date().toISOString() };
    for (const name of FIELDS) record[name] = form.elements[name].value.trim();
    if (!FIELDS.some((name) => record[name])) {
      status.textContent = t("Write at least one part of the thought record.");
      form.elements.situation.focus();
      return;
    }
    try {
      status.textContent = await whileBusy(event.submitter || form.querySelector('button[type="submit"]'), () => save(record));
    } catch {
      status.textContent = t("This phone could not save the thought record. What you wrote is still here: try again.");
      return;
    }
    form.reset();
    await refresh();
  });
}
