// The entry point. What every page needs starts here: the service worker,
// the app lock, the connection banner, whose the device is, the outbox's
// schedule and the forms' shared behaviour. Everything else is started from
// the page's own markup, as GOV.UK Frontend does: an element with
// data-module="name" (several names, space-separated, are allowed) asks for
// that module, which is imported — only then — and started once per page.
import { registerServiceWorker } from "./pwa.js";
import { enableAppLock } from "./app-lock.js";
import { watchConnection } from "./connection.js";
import { syncAccount } from "./account-sync.js";
import { startOutboxSchedule } from "./outbox-schedule.js";
import { enableBusyButtons, rememberOpen } from "./form-kit.js";
import { enableLimits } from "./limits.js";
import { enablePasswordToggles } from "./password-toggle.js";
import { stringsReady } from "./strings.js";

/** data-module name → how to start it (`synced`: whose the device is, settled). */
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
  "thought-record": () => import("./thought-record.js").then((m) => m.enableThoughtRecord()),
  toolkit: () => import("./toolkit.js").then((m) => m.enableToolkit()),
};

/** Every module named by a data-module on the page, once each. */
export function modulesOnPage(root = document) {
  const names = new Set();
  root.querySelectorAll("[data-module]").forEach((node) => {
    node.dataset.module.split(/\s+/).filter(Boolean).forEach((name) => names.add(name));
  });
  return [...names];
}

async function startModules(synced) {
  await stringsReady(); // the page's words first (at once for English), so a module never shows two languages
  for (const name of modulesOnPage()) {
    const start = MODULES[name];
    if (!start) {
      console.warn(`Steady has no module called ${name}`);
      continue;
    }
    start(synced).catch((error) => console.warn(`Steady could not start ${name}`, error));
  }
}

registerServiceWorker();
enableAppLock();
watchConnection();
enablePasswordToggles();
stringsReady().then(enableLimits);
enableBusyButtons();
rememberOpen();
const synced = syncAccount();
startOutboxSchedule(synced);
startModules(synced);
