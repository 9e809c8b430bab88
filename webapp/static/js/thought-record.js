// The CBT thought record: saved to the account when signed in (through the
// outbox, so it survives being offline), kept on this device for guests.
import { deviceLock, kv } from "./device-store.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot, writeSnapshot } from "./snapshot.js";
import { queue } from "./outbox.js";
import { whileBusy } from "./form-kit.js";
import { spokenWhen } from "./person-time.js";
import { t } from "./strings.js";

const FIELDS = ["situation", "thought", "feelings", "evidence_for", "evidence_against", "balanced"];

async function savedRecords() {
  const userId = await currentUser();
  if (userId) return (await readSnapshot(userId)).thought_records || [];
  return (await kv.get("guest:thought-records")) || [];
}

async function save(record) {
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

// "Mon 30 Nov, 8:14 pm" on the person's clock.
function spokenDate(iso) {
  return spokenWhen(iso);
}

function renderRecords(list, records) {
  list.replaceChildren(
    ...records.map((record) => {
      const item = document.createElement("li");
      item.className = "saved-record";
      const when = document.createElement("p");
      when.className = "meta";
      when.textContent = spokenDate(record.created_at);
      const thought = document.createElement("p");
      thought.textContent = record.thought || record.situation || record.balanced || "";
      const balanced = document.createElement("p");
      if (record.balanced) balanced.textContent = t("Kinder thought: {text}", { text: record.balanced });
      item.append(when, thought, balanced);
      return item;
    })
  );
}

export async function enableThoughtRecord() {
  const form = document.querySelector(".thought-record-form");
  if (!form) return;
  const status = form.querySelector(".form-status");
  const list = document.querySelector('[data-list="thought-records"]');
  const refresh = async () => renderRecords(list, await savedRecords());
  await refresh();
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
    } catch (error) {
      status.textContent = t("This phone could not save the thought record. What you wrote is still here: try again.");
      return;
    }
    form.reset();
    await refresh();
  });
}
