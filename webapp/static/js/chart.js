// Windows and waves on this device. Online, /chart is drawn by the server;
// check-ins still waiting to sync are added as hollow points. Offline,
// /my/chart (the same page for everyone, kept by the service worker) shows the
// chart last drawn for this person, kept in the snapshot, plus those waiting.
import { element, filled, showSignedIn } from "./dom.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { entriesOf } from "./outbox.js";
import { personZone } from "./person-time.js";
import { number, pageLanguage, t } from "./strings.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY_MS = 86400000;

/** Languages whose days the server writes with Babel (person_time.LOCALES);
 * every other page language (English, the pseudo-locales) gets English. */
const LOCALES = ["es"];
/** Browser languages that put the month first in English (person_time.MONTH_FIRST). */
const MONTH_FIRST = ["en-us", "en-ph", "en-ca"];
const dayFormats = new Map();

/** The parts of a day (weekday, day, month, year) as ``locale`` writes them short. */
function dayParts(iso, locale) {
  if (!dayFormats.has(locale)) {
    const options = { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" };
    dayFormats.set(locale, new Intl.DateTimeFormat(locale, options));
  }
  const parts = {};
  for (const part of dayFormats.get(locale).formatToParts(new Date(`${iso}T00:00:00Z`))) parts[part.type] = part.value;
  return parts;
}

/** A day (YYYY-MM-DD) as the server writes it (webapp/words.py day(),
 * person_time.format_day): "Mon 30 Nov 2026", "Mon, Nov 30, 2026" for a
 * browser whose first language is US English, "lun 30 nov 2026" in Spanish;
 * the year only when ``year``. Built from Intl's parts, as Babel's and
 * strftime's patterns put them (Intl's own order adds commas). */
export function spokenDay(iso, year = true) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso || "")) return iso || "";
  const language = pageLanguage().toLowerCase();
  const locale = LOCALES.find((code) => language === code || language.startsWith(`${code}-`));
  if (locale) {
    const { weekday, day, month, year: yearText } = dayParts(iso, locale);
    return [weekday.replace(/\.$/, ""), day, month.replace(/\.$/, ""), ...(year ? [yearText] : [])].join(" ");
  }
  const { weekday, day, month, year: yearText } = dayParts(iso, "en-US");
  const first = (typeof navigator !== "undefined" && navigator.languages?.[0]) || "";
  if (MONTH_FIRST.includes(first.toLowerCase())) return `${weekday}, ${month} ${day}${year ? `, ${yearText}` : ""}`;
  return `${weekday} ${day} ${month}${year ? ` ${yearText}` : ""}`;
}

async function waitingCheckins(userId) {
  return (await entriesOf(userId, "checkin")).filter((entry) => !entry.failed).map((entry) => entry.body);
}

/** The local date (YYYY-MM-DD) a check-in was made on, in its own zone. */
function localDate(checkin) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: checkin.time_zone || "UTC" }).format(new Date(checkin.checked_at));
}

/** Hollow points for check-ins waiting to sync, placed with the chart's own scale. */
function addPending(svg, checkins) {
  const data = svg.dataset;
  const start = Date.parse(`${data.start}T00:00:00Z`);
  const end = Date.parse(`${data.end}T00:00:00Z`);
  const x0 = Number(data.x0), perDay = Number(data.pxPerDay), y0 = Number(data.y0), y10 = Number(data.y10);
  let shown = 0;
  svg.querySelectorAll(".chart-pending-added").forEach((node) => node.remove());
  for (const checkin of checkins) {
    const day = Date.parse(`${localDate(checkin)}T00:00:00Z`);
    if (day < start || day > end) continue;
    const circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("class", "chart-pending chart-pending-added");
    circle.setAttribute("cx", (x0 + ((day - start) / DAY_MS) * perDay).toFixed(1));
    circle.setAttribute("cy", (y0 + ((y10 - y0) * checkin.overall) / 10).toFixed(1));
    circle.setAttribute("r", "4");
    circle.setAttribute("fill", "none");
    circle.setAttribute("stroke", "currentColor");
    svg.append(circle);
    shown += 1;
  }
  return shown;
}

function sayPending(root, count) {
  const note = root.querySelector("[data-chart-pending]");
  if (!note) return;
  const words = count === 1 ? "{count} check-in waiting to sync is shown as a hollow circle." : "{count} check-ins waiting to sync are shown as hollow circles.";
  note.textContent = count ? t(words, { count }) : "";
  note.hidden = !count;
}

/** A figure of the table as the server's page writes it ("—" for none). */
function cellText(value) {
  return value === null || value === undefined ? "—" : number(value);
}

function pendingRows(checkins) {
  return checkins.map((c) =>
    element(
      "tr",
      { "data-waiting": "" },
      element("th", { scope: "row", text: t("{day} (waiting to sync)", { day: spokenDay(localDate(c)) }) }),
      element("td", { text: number(c.overall) }),
      element("td", { text: number(c.anxiety) }),
      element("td", { text: "—" }),
      element("td", { text: "1" }),
      element("td", { text: "—" })
    )
  );
}

/** A kept row as the server's table writes it (chart/_table.html): the day
 * with its year, the dose without its unit (the column's heading names it)
 * and "(cut)" on the day a cut starts. */
function keptRow(row) {
  const dose = row.dose === null || row.dose === undefined ? "—" : number(row.dose);
  return element(
    "tr",
    {},
    element("th", { scope: "row", text: spokenDay(row.day) }),
    element("td", { text: cellText(row.mood) }),
    element("td", { text: cellText(row.anxiety) }),
    element("td", { text: cellText(row.load) }),
    element("td", { text: number(row.checkins) }),
    element("td", { text: row.change === "cut" ? `${dose} (${t("cut")})` : dose })
  );
}

/** The dose column's heading names the unit, as on the server's page. */
function sayUnit(root, unit) {
  const named = root.querySelector("[data-chart-unit]");
  if (named) named.textContent = unit ? ` (${unit})` : "";
}

/** "drawn on" a day: with its year only when that is not this year (as webapp/words.py day()). */
function drawnDay(iso) {
  const thisYear = new Intl.DateTimeFormat("en-CA", { timeZone: personZone() || undefined, year: "numeric" }).format(new Date());
  return spokenDay(iso, !String(iso).startsWith(`${thisYear}-`));
}

async function showOffline(root) {
  const userId = await currentUser();
  showSignedIn(root, userId);
  if (!userId) return;
  const snapshot = await readSnapshot(userId);
  const status = root.querySelector("[data-chart-status]");
  const figure = root.querySelector("[data-chart-figure]");
  const rows = root.querySelector("[data-chart-rows]");
  const chosen = (window.location.hash.match(/^#range-(7|30|90|all)$/) || [null, "30"])[1];
  root.querySelectorAll("[data-range]").forEach((link) => {
    if (link.dataset.range === chosen) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
  const view = snapshot.chart?.ranges?.[chosen];
  const waiting = await waitingCheckins(userId);
  if (!view) {
    status.textContent = t("Your chart has not been kept on this phone yet. Open it once while online.");
    figure.replaceChildren();
    sayUnit(root, "");
    rows.replaceChildren(...pendingRows(waiting));
    return;
  }
  status.textContent = t("Showing the copy on this phone, drawn on {day}.", { day: drawnDay(snapshot.chart.drawn_on) });
  const parsed = new DOMParser().parseFromString(view.svg, "image/svg+xml").documentElement;
  const svg = document.importNode(parsed, true);
  figure.replaceChildren(svg);
  sayPending(root, addPending(svg, waiting));
  sayUnit(root, snapshot.chart.unit);
  // Oldest first, as the server lists them; those waiting to sync are the newest.
  rows.replaceChildren(...view.rows.map(keptRow), ...pendingRows(waiting));
}

export function enableChart() {
  const root = document.querySelector('[data-page="chart"]');
  if (!root) return;
  if (root.hasAttribute("data-shell")) {
    const draw = () => showOffline(root).catch(() => {});
    draw().finally(filled(root));
    window.addEventListener("hashchange", draw);
    document.addEventListener("steady:snapshot", draw);
    document.addEventListener("steady:outbox", draw);
    return;
  }
  const svg = root.querySelector("svg.chart");
  if (!svg) return;
  currentUser().then(async (userId) => {
    if (userId) sayPending(root, addPending(svg, await waitingCheckins(userId)));
  });
}
