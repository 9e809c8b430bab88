// The app lock's settings page (/lock): turn it on (a new PIN, twice, and
// the idle time), change the idle time or the PIN, lock now, turn it off.
// What locking and unlocking do is the lock's (app-lock.js): it hands its
// actions in as `lock` ({ tryPin, lockNow, showUnlocked, showSignedOut,
// turnedOff, idleChoices }).
import { clearFieldErrors, element, showFieldErrors } from "./dom.js";
import { t } from "./strings.js";
import { deviceLock } from "./device-store.js";
import { changePin, createLock } from "./lock-crypto.js";
import { currentUser, pageUser } from "./account-sync.js";
import { DEFAULT_IDLE, lockChannel, proveToServer, tellServer } from "./lock-server.js";
import { minutesLabel, waitLabel, waitMessage } from "./lock-screen.js";
import { watchIdle } from "./lock-idle.js";

const PIN_PATTERN = /^[0-9]{6,12}$/;

function problemsBox(form) {
  return form.querySelector("[data-problems]");
}

/** Each problem beside its field and in the form's summary (below the
 * form's own h2). */
function showProblems(form, problems) {
  showFieldErrors(form, problemsBox(form), problems, { level: 3 });
}

function clearProblems(form) {
  clearFieldErrors(form);
  const box = problemsBox(form);
  box.hidden = true;
  box.replaceChildren();
}

function newPinProblems(form, first, second) {
  const pin = form.querySelector(`#${first}`).value;
  const again = form.querySelector(`#${second}`).value;
  const problems = [];
  if (!PIN_PATTERN.test(pin)) problems.push([first, t("Choose a PIN of 6 to 12 digits (numbers only).")]);
  else if (/^(\d)\1+$/.test(pin) || "01234567890123".includes(pin) || "98765432109876".includes(pin)) {
    problems.push([first, t("Choose a PIN that is harder to guess than a row or a repeat of one digit.")]);
  } else if (pin !== again) problems.push([second, t("The two PINs are not the same. Enter the same PIN twice.")]);
  return { pin, problems };
}

function say(root, text) {
  const status = root.querySelector("[data-lock-status]");
  status.textContent = text;
  status.hidden = !text;
}

function fillIdle(select, chosen, choices) {
  select.replaceChildren(
    ...choices.map((minutes) => element("option", { value: String(minutes), text: minutesLabel(minutes), selected: minutes === chosen }))
  );
  select.value = String(chosen);
}

async function renderSettings(root, lock) {
  const userId = pageUser() || (await currentUser());
  const record = await deviceLock.record();
  const status = record ? await deviceLock.status() : "off";
  const show = (name, visible) => {
    root.querySelectorAll(`[data-when="${name}"]`).forEach((node) => {
      node.hidden = !visible;
    });
  };
  const capable = Boolean(window.crypto?.subtle && window.indexedDB);
  show("signed-out", !userId && !record);
  show("lock-off", capable && Boolean(userId) && !record);
  show("not-capable", !capable && !record);
  show("lock-on", Boolean(record) && status === "unlocked");
  if (record && status === "unlocked") {
    root.querySelector("[data-idle-label]").textContent = minutesLabel(record.idleMinutes);
    fillIdle(root.querySelector("#idle"), record.idleMinutes, lock.idleChoices);
  }
  if (!record) fillIdle(root.querySelector("#idle-on"), DEFAULT_IDLE, lock.idleChoices);
}

export function enableSettings(root, lock) {
  const rerender = () => renderSettings(root, lock).catch(() => {});
  const turnOn = root.querySelector('[data-lock-form="turn-on"]');
  turnOn.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { pin, problems } = newPinProblems(turnOn, "new-pin", "new-pin-again");
    if (problems.length) return showProblems(turnOn, problems);
    clearProblems(turnOn);
    const userId = pageUser() || (await currentUser());
    if (!userId) return rerender();
    const button = turnOn.querySelector("button[type=submit]");
    button.disabled = true;
    say(root, t("Turning on the app lock…"));
    const idleMinutes = Number(root.querySelector("#idle-on").value) || DEFAULT_IDLE;
    try {
      const { record, keys } = await createLock(pin);
      await deviceLock.turnOn({ ...record, owner: String(userId), idleMinutes, failures: 0, waitUntil: 0 }, keys, idleMinutes);
    } catch {
      button.disabled = false;
      say(root, "");
      return showProblems(turnOn, [
        ["new-pin", t("This browser could not turn on the app lock. Nothing was changed. Try again, or try another browser.")],
      ]);
    }
    lockChannel?.postMessage({ type: "changed" });
    turnOn.reset();
    button.disabled = false;
    const saved = await deviceLock.record();
    await proveToServer(saved, await deviceLock.current(), { onEnded: lock.showSignedOut }).catch(() => false);
    await lock.showUnlocked(saved);
    say(root, t("The app lock is on. Steady locks after {time} without use, and when you tap the padlock at the top.", { time: minutesLabel(idleMinutes) }));
    await rerender();
  });

  root.querySelector("[data-action=lock-now]").addEventListener("click", () => lock.lockNow());

  const idleForm = root.querySelector('[data-lock-form="idle"]');
  idleForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const minutes = Number(root.querySelector("#idle").value);
    if (!lock.idleChoices.includes(minutes)) return;
    const record = await deviceLock.record();
    if (!record || (await deviceLock.status()) !== "unlocked") return rerender();
    const saved = { ...record, idleMinutes: minutes };
    await deviceLock.saveRecord(saved);
    // The worker's copy of the idle time changes with a fresh hold.
    const held = await deviceLock.current();
    if (held) await deviceLock.hold(held, minutes);
    await proveToServer(saved, await deviceLock.current(), { onEnded: lock.showSignedOut }).catch(() => false);
    lockChannel?.postMessage({ type: "changed" });
    watchIdle(saved);
    say(root, t("Saved. Steady now locks after {time} without use.", { time: minutesLabel(minutes) }));
    await rerender();
  });

  const change = root.querySelector('[data-lock-form="change-pin"]');
  change.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = change.querySelector("#current-pin").value;
    const { pin, problems } = newPinProblems(change, "changed-pin", "changed-pin-again");
    if (!current) problems.unshift(["current-pin", t("Enter the PIN you use now.")]);
    if (problems.length) return showProblems(change, problems);
    const record = await deviceLock.record();
    const checked = await lock.tryPin(current);
    if (!checked.ok) {
      change.reset();
      if (checked.wiped) return lock.showSignedOut();
      const problem =
        checked.wrong && !checked.wait
          ? t("That is not the PIN you use now.")
          : t("That is not the PIN you use now, or you need to wait {time} before trying again.", { time: waitLabel(checked.wait) });
      return showProblems(change, [["current-pin", problem]]);
    }
    clearProblems(change);
    const latest = (await deviceLock.record()) || record;
    await deviceLock.saveRecord(await changePin(latest, current, pin));
    change.reset();
    say(root, t("Your PIN is changed. Use the new one from now on."));
  });

  const off = root.querySelector('[data-lock-form="turn-off"]');
  off.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pin = off.querySelector("#off-pin").value;
    if (!pin) return showProblems(off, [["off-pin", t("Enter your PIN to turn the app lock off.")]]);
    const checked = await lock.tryPin(pin);
    off.reset();
    if (!checked.ok) {
      if (checked.wiped) return lock.showSignedOut();
      return showProblems(off, [["off-pin", checked.wait && !checked.wrong ? waitMessage(checked.wait) : t("That PIN is not right.")]]);
    }
    clearProblems(off);
    await deviceLock.turnOff();
    await tellServer("/lock/remove");
    lockChannel?.postMessage({ type: "changed" });
    lock.turnedOff();
    say(root, t("The app lock is off. What Steady keeps on this phone is no longer locked with your PIN."));
    await rerender();
  });
  rerender();
  document.addEventListener("steady:unlocked", rerender);
}

// --- start ---------------------------------------------------------------------------------------
