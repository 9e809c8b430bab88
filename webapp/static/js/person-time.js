// The person's own clock on this device, as the server uses it
// (webapp/services/person_time.py): a signed-in page carries the person's
// zone in <meta name="steady-zone">; it is kept under the account's own
// local-storage key, so the offline copies (/my/checkin, /my/dose...) show
// times in that zone, not the zone the phone happens to be set to.
import { PERSONAL_STORAGE_PREFIX, pageUser, personalKey } from "./account-sync.js";

const NAME = "zone";

/** Keep the zone a signed-in page names, for the offline copies. */
export function rememberZone() {
  const user = pageUser();
  const meta = document.querySelector('meta[name="steady-zone"]');
  if (!user || !meta || !meta.content) return;
  try {
    window.localStorage.setItem(personalKey(user, NAME), meta.content);
  } catch {
    /* storage turned off: the offline copies use the phone's zone */
  }
}

/** The person's zone: the page's, else the one kept for the one account on
 * this device; undefined (the phone's own zone) when neither says. */
export function personZone() {
  const meta = document.querySelector('meta[name="steady-zone"]');
  if (meta && meta.content) return meta.content;
  try {
    const kept = Object.keys(window.localStorage)
      .filter((key) => key.startsWith(PERSONAL_STORAGE_PREFIX) && key.endsWith(`:${NAME}`))
      .map((key) => window.localStorage.getItem(key));
    return kept.length === 1 ? kept[0] : undefined;
  } catch {
    return undefined;
  }
}

function formatter(zone, options) {
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat(undefined, options); // a zone this browser does not know
  }
}

/** A moment like "Mon 30 Nov, 8:14 pm" on the person's clock. */
export function spokenWhen(iso, zone = personZone()) {
  const moment = new Date(iso || "");
  if (Number.isNaN(moment.getTime())) return "";
  const dayWords = formatter(zone, { weekday: "short", day: "numeric", month: "short" }).format(moment);
  const clockWords = formatter(zone, { hour: "numeric", minute: "2-digit", hour12: true }).format(moment);
  return `${dayWords}, ${clockWords.replace(/\s?([AP])M$/i, (_, half) => ` ${half.toLowerCase()}m`)}`;
}
