// Entry point: each module enhances the page with one job, and does nothing
// on pages without its elements.
import { registerServiceWorker } from "./pwa.js";
import { watchConnection } from "./connection.js";
import { offerInstall } from "./install.js";
import { enablePasswordToggles } from "./password-toggle.js";
import { syncAccount } from "./account-sync.js";
import { enableToolkit } from "./toolkit.js";
import { enableExercisePlayer } from "./exercise-player.js";
import { enableBreathing } from "./breathing.js";
import { enableThoughtRecord } from "./thought-record.js";
import { enableHelpNow } from "./help-now.js";
import { addPeopleToSnapshot, enablePeople } from "./people.js";
import { addPlanToSnapshot, enablePlan } from "./plan.js";
import { enablePush } from "./push.js";
import { addCheckinsToSnapshot, enableCheckin } from "./checkin.js";
import { enableAppLock } from "./app-lock.js";

registerServiceWorker();
enableAppLock();
watchConnection();
offerInstall();
enablePasswordToggles();
enableHelpNow();
enableExercisePlayer();
enableBreathing();
addPeopleToSnapshot();
addPlanToSnapshot();
addCheckinsToSnapshot();
const synced = syncAccount();
enableToolkit();
enableThoughtRecord();
enablePeople(synced);
enablePlan(synced);
enablePush();
enableCheckin();
