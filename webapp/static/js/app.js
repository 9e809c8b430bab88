// Entry point: each module enhances the page with one job.
import { registerServiceWorker } from "./pwa.js";
import { watchConnection } from "./connection.js";
import { offerInstall } from "./install.js";
import { enablePasswordToggles } from "./password-toggle.js";

registerServiceWorker();
watchConnection();
offerInstall();
enablePasswordToggles();
