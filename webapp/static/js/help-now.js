// Help now, and the country part of the urgent-help panel. The page holds
// every listed country, each with the time zones that belong to it
// (data-time-zones, from content/crisis_lines.toml). The country shown is the
// one chosen on this device; with no choice yet it is guessed from the
// device's time zone first (a phone set to English (US) in Berlin is in
// Germany), then from its languages (en-GB → GB). It can always be changed,
// and the choice stays on this device. Works offline: nothing here asks the
// network.
const KEY = "steady.country";

/** The device's IANA time zone, or "" when the browser will not say.
 * Temporal first where the browser has it: Intl's first use on a page loads
 * the browser's locale data (70 ms here, measured in Chromium; more on a slow
 * phone), on the page someone opens in a crisis, before its help is shown. */
function deviceZone() {
  try {
    return globalThis.Temporal?.Now?.timeZoneId?.() || Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

/** {code: Set(zones)} from the country sections in a page. */
function zonesByCountry(nodes) {
  const zones = new Map();
  nodes.forEach((node) => {
    const code = node.dataset.country;
    if (code) zones.set(code, new Set((node.dataset.timeZones || "").split(/\s+/).filter(Boolean)));
  });
  return zones;
}

/** The listed country for this device's time zone, else its language region, else "". */
export function guessCountry(zones, zone = deviceZone(), languages = navigator.languages || [navigator.language]) {
  for (const [code, names] of zones) {
    if (zone && names.has(zone)) return code;
  }
  for (const language of languages || []) {
    const region = (String(language || "").split("-")[1] || "").toUpperCase();
    if (zones.has(region)) return region;
  }
  return "";
}

/** The country to show among these sections: the one chosen on this device
 * (also "" for "Another country"), or the guess. */
export function chosenCountry(nodes) {
  const zones = zonesByCountry(nodes);
  let stored = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch {
    stored = null;
  }
  if (stored !== null && (stored === "" || zones.has(stored))) return stored;
  return guessCountry(zones);
}

function remember(code) {
  try {
    localStorage.setItem(KEY, code);
  } catch {
    /* storage refused (private mode): the choice lasts for this page only */
  }
}

/** Show one country's part of the urgent-help panel, and the parts for the
 * red flags answered yes (e.g. over-sedation: call the emergency number
 * first). With no flag answered the parts stay as they were, so the help
 * shown after saving does not change while the form is cleared. */
export function updateUrgentPanel(panel, flags = {}) {
  const countries = [...panel.querySelectorAll(".urgent-country")];
  const chosen = chosenCountry(countries);
  countries.forEach((node) => {
    node.hidden = node.dataset.country !== chosen;
  });
  if (!Object.values(flags).some(Boolean)) return;
  panel.querySelectorAll("[data-urgent-for]").forEach((part) => {
    part.hidden = !part.dataset.urgentFor.split(/\s+/).some((name) => flags[name]);
  });
}

export function enableHelpNow() {
  // The panel shown by the server after a plain form post: its country too.
  document.querySelectorAll("[data-urgent-help]:not([hidden])").forEach((panel) => {
    if (!panel.closest("form")) updateUrgentPanel(panel);
  });
  const sections = [...document.querySelectorAll(".help-country")];
  const select = document.getElementById("country");
  if (!sections.length || !select) return;
  const available = new Set(sections.map((section) => section.dataset.country).filter(Boolean));
  const show = (code) => {
    const chosen = available.has(code) ? code : "";
    sections.forEach((section) => {
      section.hidden = section.dataset.country !== chosen;
    });
    select.value = chosen;
  };
  const fromPage = new URLSearchParams(window.location.search).get("country");
  if (fromPage !== null) remember(available.has(fromPage) ? fromPage : "");
  show(fromPage !== null ? fromPage : chosenCountry(sections));
  select.addEventListener("change", () => {
    remember(select.value);
    show(select.value);
  });
  select.form.addEventListener("submit", (event) => {
    event.preventDefault();
    remember(select.value);
    show(select.value);
  });
  select.form.querySelector(".country-submit").hidden = true;
  select.dataset.guessed = "yes"; // the device's country is shown (tests wait for this)
}

// On Help now this module is loaded from the page's <head> and starts itself;
// the country's help is hidden until then (app.css: "help-ready"), so it is
// first drawn for the right country and nothing moves. Elsewhere (the
// check-in's urgent panel) it is started as data-module="help-now".
if (document.querySelector(".country-form #country")) {
  try {
    enableHelpNow();
  } finally {
    document.documentElement.classList.add("help-ready");
  }
}
