// The entry point, and the only module before the first paint: it imports
// nothing statically (the two files it imported cost the first paint about
// 2 ms offline, paired load by load against them). What every page needs starts here: the connection
// banner at once, the service worker (pwa.js) after the first frame. What
// only a device in use needs (the app lock, whose the device is, the outbox's
// schedule) starts when the device may hold someone's Steady (see
// deviceInUse); the forms' shared behaviour starts on pages with a form or a
// remembered <details>. Everything else is started from the page's own
// markup, as GOV.UK Frontend does: an element with data-module="name"
// (several names, space-separated, are allowed) asks for that module, which
// is imported — only then — and started once per page.

/** data-module name → how to start it (`synced`: whose the device is, settled;
 * `inUse`: whether the device may hold someone's Steady, see deviceInUse). */
const MODULES = {
  breathing: () => import("./breathing.js").then((m) => m.enableBreathing()),
  chart: () => import("./chart.js").then((m) => m.enableChart()),
  checkin: () => import("./checkin.js").then((m) => m.enableCheckin()),
  circle: () => import("./circle.js").then((m) => m.enableCircle()),
  dose: () => import("./dose.js").then((m) => m.enableDoses()),
  "dose-times": () => import("./dose-times.js").then((m) => m.enableDoseTimes()),
  "exercise-player": () => import("./exercise-player.js").then((m) => m.enableExercisePlayer()),
  "help-me": (synced) => import("./helpme.js").then((m) => m.enableHelpMe(synced)),
  "help-now": () => import("./help-now.js").then((m) => m.enableHelpNow()),
  install: () => import("./install.js").then((m) => m.offerInstall()),
  people: (synced) => import("./people.js").then((m) => m.enablePeople(synced)),
  plan: (synced) => import("./plan.js").then((m) => m.enablePlan(synced)),
  print: () => import("./print.js").then((m) => m.enablePrint()),
  push: () => import("./push.js").then((m) => m.enablePush()),
  "quick-people": (synced) => import("./quick-people.js").then((m) => m.enableQuickPeople(synced)),
  "reminder-form": () => import("./reminder-form.js").then((m) => m.enableReminderForm()),
  "sync-problems": (synced) => import("./sync-problems.js").then((m) => m.enableSyncProblems(synced)),
  "thought-record": (synced, inUse) => import("./thought-record.js").then((m) => m.enableThoughtRecord(inUse)),
  toolkit: (synced, inUse) => import("./toolkit.js").then((m) => m.enableToolkit(inUse)),
};

/** Every module named by a data-module on the page, once each. */
export function modulesOnPage(root = document) {
  const names = new Set();
  root.querySelectorAll("[data-module]").forEach((node) => {
    node.dataset.module.split(/\s+/).filter(Boolean).forEach((name) => names.add(name));
  });
  return [...names];
}

/** The page's words for scripts (strings.js), loaded only where the page is
 * not in English: English needs no table. */
function stringsReady() {
  if (!document.querySelector('meta[name="steady-strings"]')) return Promise.resolve();
  return import("./strings.js").then((strings) => strings.stringsReady());
}

/** Modules that only show what this device holds for someone. */
const DEVICE_ONLY = new Set(["quick-people", "sync-problems"]);

/** Resolves in a task of its own (scheduler.yield where there is one, else a
 * message, which a page in the background does not hold back as it does
 * timers): what comes next never joins what came before in one long task,
 * and a tap or a frame waiting in between goes first. */
function nextTask() {
  if (typeof scheduler !== "undefined" && typeof scheduler.yield === "function") return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function startModules(synced, inUse) {
  await stringsReady(); // the page's words first (at once for English), so a module never shows two languages
  for (const name of modulesOnPage()) {
    const start = MODULES[name];
    if (!start) {
      console.warn(`Steady has no module called ${name}`);
      continue;
    }
    if (!inUse && DEVICE_ONLY.has(name)) continue;
    await nextTask(); // one module's start at a time
    start(synced, inUse).catch((error) => console.warn(`Steady could not start ${name}`, error));
  }
}

/** Whether this device may hold someone's Steady: a signed-in page, the app
 * lock turned on, a page about the lock or signing out, or Steady's database
 * on this device (when the browser cannot say, assume it does). A first
 * visit holds none of these, so it loads none of that code. */
async function deviceInUse() {
  if (document.querySelector('meta[name="steady-user"], [data-page="app-lock"], [data-server-locked], form[data-sign-out]')) return true;
  try {
    if (window.localStorage.getItem("steady.app-lock") === "on") return true;
  } catch {
    return true;
  }
  if (!window.indexedDB || typeof indexedDB.databases !== "function") return true;
  try {
    return (await indexedDB.databases()).some((database) => database.name === "steady");
  } catch {
    return true;
  }
}

/** The app lock, whose the device is and the outbox's schedule; resolves once whose the device is has been settled. */
async function startDevice() {
  const [{ enableAppLock }, { syncAccount }, { startOutboxSchedule }, { rememberZone }] = await Promise.all([
    import("./app-lock.js"),
    import("./account-sync.js"),
    import("./outbox-schedule.js"),
    import("./person-time.js"),
  ]);
  enableAppLock();
  rememberZone();
  const synced = syncAccount();
  startOutboxSchedule(synced);
  return synced;
}

async function startForms() {
  const [{ enableBusyButtons, rememberOpen }, { enableLimits }, { enablePasswordToggles }] = await Promise.all([
    import("./form-kit.js"),
    import("./limits.js"),
    import("./password-toggle.js"),
  ]);
  enablePasswordToggles();
  enableBusyButtons(); // its words come from the page (data-busy): a tap before the page's words have come is guarded too
  rememberOpen();
  await stringsReady();
  enableLimits();
}

/** Resolves once the page's first frame is drawn (at once for a page not on
 * screen), so the modules below never hold the first paint: the page is drawn
 * as they will leave it (app.css), and they start right after, in a task of
 * their own. The frame's callback is the browser's own setTimeout, not a
 * function of this file: when this file ran before the first frame, a
 * callback of its own ran inside the task that paints, and tools that infer
 * from the tasks what a paint needed (Lighthouse's simulation) then counted
 * this file's download as needed for the first paint, which it is not (0.3 s
 * more on a simulated phone, in half of the audits). */
function afterFirstPaint() {
  if (document.visibilityState !== "visible") return Promise.resolve();
  return new Promise((resolve) => {
    requestAnimationFrame(setTimeout.bind(window, resolve, 0));
    setTimeout(resolve, 250); // no frame comes (a throttled tab): start anyway
  });
}

/** Shows a calm note while the device is offline. */
function watchConnection() {
  const banner = document.getElementById("offline-banner");
  if (!banner) return;
  const update = () => {
    banner.hidden = navigator.onLine;
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}

watchConnection(); // the offline note belongs in the first paint
const painted = afterFirstPaint();
// On a page the worker controls, registering only looks its registration up
// (and sets the update checks): nothing the first paint needs.
painted
  .then(() => import("./pwa.js"))
  .then((pwa) => pwa.registerServiceWorker())
  .catch((error) => console.warn("Steady could not start its service worker", error));
painted.then(async () => {
  if (document.querySelector("form:not(.language-switch), details[data-remember]")) {
    startForms().catch((error) => console.warn("Steady could not start the forms' helpers", error));
    await nextTask();
  }
  const inUse = await deviceInUse();
  const synced = inUse ? startDevice() : Promise.resolve();
  if (inUse) await nextTask();
  await startModules(synced, inUse);
});
