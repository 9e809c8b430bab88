// The app lock: a PIN that locks Steady on this device after a chosen idle
// time (or at once with "Lock Steady now").
//
// - While it is on, everything Steady keeps here about the person is sealed
//   (device-store.js); while locked, the key is gone from memory, so nothing
//   of theirs can be read, shown or sent — writes still queue, sealed, and
//   are sent once unlocked.
// - Locked, a page that may show their data (people, plan, check-ins, the
//   account...) shows the lock screen instead; the home screen, the toolkit
//   with its exercises and Help now stay open (lock-gate.js has the list).
// - Wrong PINs are limited here: from the third, a growing wait; at the
//   tenth, Steady removes its copy from this phone and signs out — the
//   account and everything in it stay on the server. "Forgot your PIN?" does
//   the same on purpose.
// - The settings page (/lock) turns it on and off, changes the PIN and the
//   idle time. A different person signing in here ends the lock (their data
//   was never under it).
// - The server session is locked with the device: locking here tells the
//   server (POST /lock/lock); unlocking sends the server proof that only the
//   PIN opens (lock-crypto.js), never the PIN. Until then every page and API
//   route with the person's data answers the lock page or a 423, JavaScript
//   or not; the server also locks on its own after the idle time (and a
//   little more) without a sign of use, and when the browser closes.
// Not built: unlocking with the device's own screen lock (WebAuthn).
import { askWorker, deviceLock, outboxStore, tellWorker } from "./device-store.js";
import { WrongPin, changePin, createLock, openLock, serverProof, withServerProof } from "./lock-crypto.js";
import { currentUser, pageUser } from "./account-sync.js";

export const IDLE_CHOICES = [1, 5, 15, 60];
const DEFAULT_IDLE = 5;
export const MAX_FAILURES = 10;
const PIN_PATTERN = /^[0-9]{6,12}$/;
const SIGN_OUT_PENDING = "steady.lock-sign-out";
const CHECK_EVERY_MS = 5000;
const KEEP_WORKER_MS = 20000;
const ACTIVITY_EVERY_MS = 5000;
const SERVER_SEEN_EVERY_MS = 60000;

/** Seconds to wait before the next try, after `failures` wrong PINs. */
export function waitAfter(failures) {
  if (failures < 3) return 0;
  return [30, 60, 300, 900][failures - 3] ?? 3600;
}

const channel = "BroadcastChannel" in window ? new BroadcastChannel("steady-app-lock") : null;

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

function minutesLabel(minutes) {
  if (minutes === 60) return "1 hour";
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function waitLabel(ms) {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function changesLabel(count) {
  return count === 1 ? "1 change" : `${count} changes`;
}

async function waitingCount() {
  const userId = await currentUser();
  return userId ? outboxStore.waiting(userId) : 0;
}

// --- signing out when the local copy is removed ---------------------------------------------

async function sessionInfo() {
  const response = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`session answered ${response.status}`);
  return response.json();
}

/** End this device's session on the server. With no connection now, the next
 * page that loads signed in does it first (nothing shows until then). */
async function signOutHere() {
  localStorage.setItem(SIGN_OUT_PENDING, "1");
  try {
    let info = await sessionInfo();
    if (info.user !== null && info.csrf_token) {
      await fetch("/logout", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": info.csrf_token },
        body: new URLSearchParams({ csrf_token: info.csrf_token }),
      });
      info = await sessionInfo();
    }
    if (info.user === null) localStorage.removeItem(SIGN_OUT_PENDING);
  } catch (error) {
    /* offline: SIGN_OUT_PENDING stays */
  }
}

// --- the server's side of the lock --------------------------------------------------------------

async function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta?.content) return meta.content;
  const info = await sessionInfo();
  return info.csrf_token || null;
}

/** POST to one of the lock's endpoints; { status, body }, or null offline / signed out. */
async function tellServer(path, fields = {}) {
  try {
    const token = await csrfToken();
    if (!token) return null;
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", "X-CSRFToken": token },
      body: new URLSearchParams({ ...fields, csrf_token: token }),
    });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  } catch (error) {
    return null;
  }
}

async function serverState() {
  try {
    const response = await fetch("/lock/state", { credentials: "same-origin", headers: { Accept: "application/json" } });
    return response.ok ? await response.json() : null;
  } catch (error) {
    return null;
  }
}

/** Unlocked here: make sure this device's session is unlocked too, with this
 * lock's proof and idle time. True when the server's session is open. */
async function proveToServer(record, keys) {
  if (!record || !keys) return false;
  let lock = record;
  if (!lock.wrappedServerProof) {
    lock = await withServerProof(lock, keys);
    const latest = (await deviceLock.record()) || record;
    await deviceLock.saveRecord({ ...latest, serverIv: lock.serverIv, wrappedServerProof: lock.wrappedServerProof });
  }
  const proof = await serverProof(lock, keys);
  const server = await serverState();
  if (!server) return false;
  let open = server.state === "unlocked";
  if (server.state === "locked") {
    const answer = await tellServer("/lock/unlock", { proof });
    if (answer?.status === 401 && answer.body?.ended) {
      await removeCopyAndSignOut();
      showSignedOut();
      return false;
    }
    open = answer?.status === 200;
    // Refused (a wait, or the session holds another lock's proof — turned off
    // and on again while offline): this session stays locked; the lock page
    // offers signing out.
    if (!open) return false;
  }
  if (server.state === "off" || (open && server.idle_minutes !== (lock.idleMinutes || DEFAULT_IDLE))) {
    const answer = await tellServer("/lock/set-up", { proof, idle_minutes: String(lock.idleMinutes || DEFAULT_IDLE) });
    open = answer?.status === 200;
  }
  return open;
}

/** Locked here: the server's session locks too (best effort; the server also
 * locks on its own after the idle time). */
function lockServer() {
  return tellServer("/lock/lock");
}

// Whether this page came from the server as the lock page (it is covered by
// the lock screen later, so this is read once, at the start).
let cameLocked = false;
const RELOADED = "steady.lock-reloaded";

/** This page came locked and the server is open now: load it again, to show
 * what it holds (at most once in a few seconds, whatever happens). */
function reloadOpened() {
  const last = Number(sessionStorage.getItem(RELOADED) || 0);
  if (Date.now() - last < 5000) return false;
  sessionStorage.setItem(RELOADED, String(Date.now()));
  window.location.reload();
  return true;
}

/** Bring the server in line with this device, whichever way it differs. */
async function syncServer(record) {
  if (!navigator.onLine || !pageUser()) return;
  if ((await deviceLock.status()) === "unlocked") {
    const open = await proveToServer(record, await deviceLock.current());
    if (open && cameLocked) reloadOpened();
  } else {
    const server = await serverState();
    if (server?.state === "unlocked") await lockServer();
  }
}

async function removeCopyAndSignOut() {
  await deviceLock.wipe();
  channel?.postMessage({ type: "wiped" });
  await signOutHere();
}

// --- locking and unlocking --------------------------------------------------------------------

let state = "off";
let covered = null; // the page's own content while the lock screen shows
let timers = [];

function stopTimers() {
  timers.forEach((timer) => clearInterval(timer));
  timers = [];
}

/** Lock now, here and in every other tab. */
export async function lockNow() {
  deviceLock.forgetKeys();
  channel?.postMessage({ type: "locked" });
  const told = lockServer();
  await showLocked();
  await told;
}

async function showLocked() {
  state = "locked";
  stopTimers();
  document.querySelectorAll("[data-lock-now]").forEach((button) => button.remove());
  if (document.documentElement.dataset.lockPage === "open") {
    await showLockedBanner();
  } else {
    await cover();
  }
  document.documentElement.classList.remove("app-lock-pending");
  // What was drawn from the person's data is drawn again, now from nothing.
  document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { locked: true } }));
}

async function showUnlocked(record) {
  state = "unlocked";
  uncover();
  document.querySelector("[data-lock-banner]")?.remove();
  document.documentElement.classList.remove("app-lock-pending");
  addLockNowButton();
  watchIdle(record);
}

/** After the right PIN (here or in another tab): show everything again, then sync. */
async function afterUnlock(record) {
  if (cameLocked && reloadOpened()) return;
  await showUnlocked(record);
  await deviceLock.tidy().catch(() => {});
  document.dispatchEvent(new CustomEvent("steady:unlocked"));
  document.dispatchEvent(new CustomEvent("steady:snapshot", { detail: { unlocked: true } }));
}

/** Try a PIN, within the limits. Returns what the lock screen should say. */
export async function tryPin(pin) {
  const record = await deviceLock.record();
  if (!record) return { ok: true };
  const now = Date.now();
  if (record.waitUntil && now < record.waitUntil) return { wait: record.waitUntil - now, failures: record.failures };
  let keys;
  try {
    keys = await openLock(record, pin);
  } catch (error) {
    if (!(error instanceof WrongPin)) throw error;
    const latest = (await deviceLock.record()) || record;
    const failures = (latest.failures || 0) + 1;
    if (failures >= MAX_FAILURES) {
      await removeCopyAndSignOut();
      return { wiped: true };
    }
    const wait = waitAfter(failures) * 1000;
    await deviceLock.saveRecord({ ...latest, failures, waitUntil: wait ? Date.now() + wait : 0 });
    return { wrong: true, failures, wait };
  }
  const latest = (await deviceLock.record()) || record;
  await deviceLock.saveRecord({ ...latest, failures: 0, waitUntil: 0 });
  await deviceLock.hold(keys, latest.idleMinutes);
  // The server's session opens with the proof only the PIN opened (offline:
  // the next page that loads online does it).
  await proveToServer(latest, keys).catch(() => false);
  channel?.postMessage({ type: "unlocked" });
  return { ok: true, record: (await deviceLock.record()) || latest };
}

function pinField(id, label, hint) {
  const hintId = hint ? `${id}-hint` : null;
  return element(
    "div",
    { class: "field" },
    element("label", { for: id, text: label }),
    hint ? element("p", { class: "hint", id: hintId, text: hint }) : null,
    element("input", {
      id,
      type: "password",
      inputmode: "numeric",
      autocomplete: "off",
      maxlength: "12",
      "aria-describedby": hintId,
      "data-pin": true,
    })
  );
}

/** The form that asks for the PIN: on the lock screen and on /lock. */
function unlockForm(onUnlocked) {
  const message = element("p", { class: "error-message", role: "alert", "data-lock-message": true });
  const field = pinField("lock-pin", "PIN");
  const button = element("button", { type: "submit", class: "button", text: "Unlock" });
  const form = element("form", { class: "lock-form", novalidate: true, "data-lock-form": "unlock" }, field, message, button);
  const input = field.querySelector("input");
  let reenable = null;
  // The wait itself is kept with the lock (tryPin refuses any PIN until it is
  // over, after a reload too); this only says when it is over.
  const holdOff = (ms) => {
    clearTimeout(reenable);
    reenable = setTimeout(() => {
      message.textContent = "You can try your PIN again.";
    }, ms);
  };
  deviceLock.record().then((record) => {
    if (record?.waitUntil && record.waitUntil > Date.now()) {
      message.textContent = `Too many wrong PINs. You can try again in ${waitLabel(record.waitUntil - Date.now())}.`;
      holdOff(record.waitUntil - Date.now());
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return; // a PIN is being checked
    const pin = input.value;
    if (!pin) {
      message.textContent = "Enter your PIN.";
      input.focus();
      return;
    }
    button.disabled = true;
    message.textContent = "Checking…";
    let result;
    try {
      result = await tryPin(pin);
    } catch (error) {
      result = { error: true };
    }
    input.value = "";
    button.disabled = false;
    if (result.ok) {
      message.textContent = "";
      await onUnlocked(result.record);
      return;
    }
    if (result.wiped) {
      showSignedOut();
      return;
    }
    if (result.error) {
      message.textContent = "Steady could not check the PIN on this phone. Try again.";
    } else if (result.wrong) {
      const left = MAX_FAILURES - result.failures;
      const then = `After ${left} more wrong ${left === 1 ? "PIN" : "PINs"}, Steady removes its copy from this phone and you sign in again.`;
      message.textContent = result.wait
        ? `That PIN is not right. You can try again in ${waitLabel(result.wait)}. ${then}`
        : `That PIN is not right. ${then}`;
      if (result.wait) holdOff(result.wait);
    } else if (result.wait) {
      message.textContent = `Too many wrong PINs. You can try again in ${waitLabel(result.wait)}.`;
      holdOff(result.wait);
    }
    input.focus();
  });
  return form;
}

function forgotSection() {
  const explain = element("p", {
    text: "Sign in again with your email and password. Steady first removes its copy from this phone; everything saved in your account stays.",
  });
  const lost = element("p", { class: "error-message", hidden: true });
  waitingCount().then((count) => {
    if (count) {
      lost.textContent = `${changesLabel(count)} made on this phone have not synced yet and will be lost.`;
      lost.hidden = false;
    }
  });
  const button = element("button", { type: "button", class: "button button-secondary", text: "Remove Steady's copy and sign in again" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    await removeCopyAndSignOut();
    showSignedOut();
  });
  return element("details", { class: "lock-forgot" }, element("summary", { text: "Forgot your PIN?" }), explain, lost, button);
}

async function lockScreen() {
  const count = await waitingCount();
  const title = element("h1", { id: "lock-title", tabindex: "-1", text: "Steady is locked" });
  const screen = element(
    "section",
    { class: "lock-screen", "aria-labelledby": "lock-title", "data-lock-screen": true },
    title,
    element("p", { class: "lead", text: "Enter your PIN to open your people, your plan and your check-ins on this phone." }),
    count ? element("p", { class: "notice", "data-lock-waiting": true, text: `${changesLabel(count)} will sync when you unlock.` }) : null,
    unlockForm(async (record) => afterUnlock(record)),
    element(
      "p",
      {},
      "The toolkit and Help now stay open without your PIN: ",
      element("a", { href: "/toolkit", text: "Toolkit" }),
      " · ",
      element("a", { href: "/help", text: "Help now" })
    ),
    forgotSection()
  );
  return screen;
}

async function cover() {
  const main = document.getElementById("main");
  if (!main) return;
  if (!covered) {
    covered = document.createDocumentFragment();
    covered.append(...main.childNodes);
  } else {
    main.replaceChildren();
  }
  main.append(await lockScreen());
  if (document.activeElement === document.body || !document.activeElement) main.querySelector("#lock-title").focus();
}

function uncover() {
  const main = document.getElementById("main");
  if (!main || !covered) return;
  main.replaceChildren(covered);
  covered = null;
}

async function showLockedBanner() {
  const main = document.getElementById("main");
  if (!main) return;
  const count = await waitingCount();
  const banner = element(
    "p",
    { class: "notice lock-banner", "data-lock-banner": true },
    "Steady is locked on this phone. ",
    count ? element("span", { "data-lock-waiting": true, text: `${changesLabel(count)} will sync when you unlock. ` }) : null,
    element("a", { href: "/lock", text: "Unlock" })
  );
  const shown = main.querySelector("[data-lock-banner]");
  if (shown) shown.replaceWith(banner);
  else main.prepend(banner);
}

function showSignedOut() {
  stopTimers();
  state = "off";
  const main = document.getElementById("main");
  if (!main) return;
  covered = null;
  const title = element("h1", { id: "signed-out-title", tabindex: "-1", text: "Please sign in again" });
  main.replaceChildren(
    element(
      "section",
      { class: "lock-screen", "aria-labelledby": "signed-out-title", "data-lock-wiped": true },
      title,
      element("p", {
        class: "lead",
        text: "For your safety, Steady removed its copy from this phone and signed you out here. Everything saved in your account is still there.",
      }),
      element("p", {}, element("a", { class: "button", href: "/login", text: "Sign in" }))
    )
  );
  document.documentElement.classList.remove("app-lock-pending");
  title.focus();
}

// --- idle time ---------------------------------------------------------------------------------

let lastActivity = Date.now();
let lastTold = 0;
let lastToldServer = Date.now();

function noteActivity() {
  if (state !== "unlocked") return;
  lastActivity = Date.now();
  if (lastActivity - lastTold >= ACTIVITY_EVERY_MS) {
    lastTold = lastActivity;
    tellWorker({ type: "lock:activity", at: lastActivity });
  }
  // The server locks on its own after the idle time without a sign of use.
  if (lastActivity - lastToldServer >= SERVER_SEEN_EVERY_MS) {
    lastToldServer = lastActivity;
    tellServer("/lock/seen");
  }
}

async function checkIdle(record) {
  if (state !== "unlocked") return;
  const idleMs = (record.idleMinutes || DEFAULT_IDLE) * 60000;
  if (Date.now() - lastActivity <= idleMs) return;
  // Maybe used meanwhile in another tab.
  const answer = await askWorker({ type: "lock:last-activity" });
  if (answer && answer.lastActivity > lastActivity) lastActivity = answer.lastActivity;
  if (state === "unlocked" && Date.now() - lastActivity > idleMs) await lockNow();
}

function watchIdle(record) {
  stopTimers();
  if (!record) return;
  lastActivity = Date.now();
  askWorker({ type: "lock:last-activity" }).then((answer) => {
    if (answer && answer.lastActivity) lastActivity = answer.lastActivity;
  });
  timers.push(setInterval(() => checkIdle(record).catch(() => {}), CHECK_EVERY_MS));
  timers.push(setInterval(() => tellWorker({ type: "lock:ping" }), KEEP_WORKER_MS));
}

function listenForActivity() {
  for (const name of ["pointerdown", "keydown", "touchstart", "wheel", "scroll"]) {
    window.addEventListener(name, noteActivity, { capture: true, passive: true });
  }
  // Timers sleep in a hidden tab (and in a page kept for the back button):
  // coming back after the idle time locks before anything else.
  const recheck = async () => {
    if (state !== "unlocked") return;
    const record = await deviceLock.record();
    if (record) await checkIdle(record);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") recheck().catch(() => {});
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) recheck().catch(() => {});
  });
}

function addLockNowButton() {
  const bar = document.querySelector(".topbar");
  if (!bar || bar.querySelector("[data-lock-now]")) return;
  const button = element("button", { type: "button", class: "lock-now", "data-lock-now": true, text: "Lock" });
  button.append(element("span", { class: "visually-hidden", text: " Steady now" }));
  button.addEventListener("click", () => lockNow());
  bar.querySelector(".help-now")?.before(button);
}

// --- the settings page (/lock) -------------------------------------------------------------

function problemsBox(form) {
  return form.querySelector("[data-problems]");
}

function showProblems(form, problems) {
  const box = problemsBox(form);
  box.replaceChildren(
    element("h3", { text: "There is a problem" }),
    element("ul", {}, ...problems.map(([field, text]) => element("li", {}, element("a", { href: `#${field}`, text }))))
  );
  box.hidden = false;
  box.focus();
}

function clearProblems(form) {
  const box = problemsBox(form);
  box.hidden = true;
  box.replaceChildren();
}

function newPinProblems(form, first, second) {
  const pin = form.querySelector(`#${first}`).value;
  const again = form.querySelector(`#${second}`).value;
  const problems = [];
  if (!PIN_PATTERN.test(pin)) problems.push([first, "Choose a PIN of 6 to 12 digits (numbers only)."]);
  else if (/^(\d)\1+$/.test(pin) || "01234567890123".includes(pin) || "98765432109876".includes(pin)) {
    problems.push([first, "Choose a PIN that is harder to guess than a row or a repeat of one digit."]);
  } else if (pin !== again) problems.push([second, "The two PINs are not the same. Enter the same PIN twice."]);
  return { pin, problems };
}

function say(root, text) {
  const status = root.querySelector("[data-lock-status]");
  status.textContent = text;
  status.hidden = !text;
}

function fillIdle(select, chosen) {
  select.replaceChildren(
    ...IDLE_CHOICES.map((minutes) => element("option", { value: String(minutes), text: minutesLabel(minutes), selected: minutes === chosen }))
  );
  select.value = String(chosen);
}

async function renderSettings(root) {
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
    fillIdle(root.querySelector("#idle"), record.idleMinutes);
  }
  if (!record) fillIdle(root.querySelector("#idle-on"), DEFAULT_IDLE);
}

function enableSettings(root) {
  const rerender = () => renderSettings(root).catch(() => {});
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
    say(root, "Turning on the app lock…");
    const idleMinutes = Number(root.querySelector("#idle-on").value) || DEFAULT_IDLE;
    try {
      const { record, keys } = await createLock(pin);
      await deviceLock.turnOn({ ...record, owner: String(userId), idleMinutes, failures: 0, waitUntil: 0 }, keys, idleMinutes);
    } catch (error) {
      button.disabled = false;
      say(root, "");
      return showProblems(turnOn, [["new-pin", "This browser could not turn on the app lock. Nothing was changed. Try again, or try another browser."]]);
    }
    channel?.postMessage({ type: "changed" });
    turnOn.reset();
    button.disabled = false;
    const saved = await deviceLock.record();
    await proveToServer(saved, await deviceLock.current()).catch(() => false);
    await showUnlocked(saved);
    say(root, `The app lock is on. Steady locks after ${minutesLabel(idleMinutes)} without use, and when you tap Lock.`);
    await rerender();
  });

  root.querySelector("[data-action=lock-now]").addEventListener("click", () => lockNow());

  const idleForm = root.querySelector('[data-lock-form="idle"]');
  idleForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const minutes = Number(root.querySelector("#idle").value);
    if (!IDLE_CHOICES.includes(minutes)) return;
    const record = await deviceLock.record();
    if (!record || (await deviceLock.status()) !== "unlocked") return rerender();
    const saved = { ...record, idleMinutes: minutes };
    await deviceLock.saveRecord(saved);
    // The worker's copy of the idle time changes with a fresh hold.
    const held = await deviceLock.current();
    if (held) await deviceLock.hold(held, minutes);
    await proveToServer(saved, await deviceLock.current()).catch(() => false);
    channel?.postMessage({ type: "changed" });
    watchIdle(saved);
    say(root, `Saved. Steady now locks after ${minutesLabel(minutes)} without use.`);
    await rerender();
  });

  const change = root.querySelector('[data-lock-form="change-pin"]');
  change.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = change.querySelector("#current-pin").value;
    const { pin, problems } = newPinProblems(change, "changed-pin", "changed-pin-again");
    if (!current) problems.unshift(["current-pin", "Enter the PIN you use now."]);
    if (problems.length) return showProblems(change, problems);
    const record = await deviceLock.record();
    const checked = await tryPin(current);
    if (!checked.ok) {
      change.reset();
      if (checked.wiped) return showSignedOut();
      return showProblems(change, [["current-pin", checked.wrong && !checked.wait ? "That is not the PIN you use now." : `That is not the PIN you use now, or you need to wait ${waitLabel(checked.wait)} before trying again.`]]);
    }
    clearProblems(change);
    const latest = (await deviceLock.record()) || record;
    await deviceLock.saveRecord(await changePin(latest, current, pin));
    change.reset();
    say(root, "Your PIN is changed. Use the new one from now on.");
  });

  const off = root.querySelector('[data-lock-form="turn-off"]');
  off.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pin = off.querySelector("#off-pin").value;
    if (!pin) return showProblems(off, [["off-pin", "Enter your PIN to turn the app lock off."]]);
    const checked = await tryPin(pin);
    off.reset();
    if (!checked.ok) {
      if (checked.wiped) return showSignedOut();
      return showProblems(off, [["off-pin", checked.wait && !checked.wrong ? `Too many wrong PINs. You can try again in ${waitLabel(checked.wait)}.` : "That PIN is not right."]]);
    }
    clearProblems(off);
    await deviceLock.turnOff();
    await tellServer("/lock/remove");
    channel?.postMessage({ type: "changed" });
    stopTimers();
    state = "off";
    document.querySelectorAll("[data-lock-now]").forEach((button) => button.remove());
    say(root, "The app lock is off. What Steady keeps on this phone is no longer locked with your PIN.");
    await rerender();
  });
  rerender();
  document.addEventListener("steady:unlocked", rerender);
}

// --- start ---------------------------------------------------------------------------------------

async function start() {
  if (localStorage.getItem(SIGN_OUT_PENDING) === "1" && pageUser()) {
    // The local copy was removed (wrong PINs, or a forgotten PIN) while offline.
    await deviceLock.wipe();
    await signOutHere();
    showSignedOut();
    return;
  }
  if (localStorage.getItem(SIGN_OUT_PENDING) === "1" && navigator.onLine) {
    // Not signed in on this page: if the server agrees, nothing is left to end.
    sessionInfo()
      .then((info) => info.user === null && localStorage.removeItem(SIGN_OUT_PENDING))
      .catch(() => {});
  }
  const record = await deviceLock.record();
  const user = pageUser();
  // Someone else signed in here: account-sync.js ends the lock that was not theirs.
  if (!record || (user && String(record.owner) !== String(user))) {
    document.documentElement.classList.remove("app-lock-pending");
    return;
  }
  localStorage.setItem("steady.app-lock", "on");
  if ((await deviceLock.status()) === "unlocked") await showUnlocked(record);
  else await showLocked();
  await syncServer(record).catch(() => {});
}

export function enableAppLock() {
  cameLocked = Boolean(document.querySelector("[data-server-locked]"));
  listenForActivity();
  // A write queued while locked (an exercise used, a thought record): say it waits.
  document.addEventListener("steady:queued", () => {
    if (state === "locked" && document.documentElement.dataset.lockPage === "open") showLockedBanner().catch(() => {});
  });
  channel?.addEventListener("message", async (event) => {
    const type = event.data?.type;
    if (type === "locked" && state === "unlocked") {
      deviceLock.forgetKeys();
      await showLocked();
    } else if (type === "unlocked" && state === "locked") {
      if ((await deviceLock.restore()) && state === "locked") await afterUnlock(await deviceLock.record());
    } else if (type === "changed" || type === "wiped") {
      window.location.reload();
    }
  });
  const ready = start().catch(() => {
    document.documentElement.classList.remove("app-lock-pending");
  });
  const root = document.querySelector('[data-page="app-lock"]');
  if (root) ready.then(() => enableSettings(root));
  return ready;
}
