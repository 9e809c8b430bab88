// Windows and waves on this device. Online, /chart is drawn by the server;
// check-ins still waiting to sync are added as hollow points. Offline,
// /my/chart (the same page for everyone, kept by the service worker) shows the
// chart last drawn for this person, kept in the snapshot, plus those waiting.
import { element, showSignedIn } from "./dom.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { entriesOf } from "./outbox.js";
import { number, t } from "./strings.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY_MS = 86400000;

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
      element("th", { scope: "row", text: t("{day} (waiting to sync)", { day: localDate(c) }) }),
      element("td", { text: number(c.overall) }),
      element("td", { text: number(c.anxiety) }),
      element("td", { text: "—" }),
      element("td", { text: "1" }),
      element("td", { text: "—" })
    )
  );
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
    rows.replaceChildren(...pendingRows(waiting));
    return;
  }
  status.textContent = t("Showing the copy on this phone, drawn on {day}.", { day: snapshot.chart.drawn_on });
  const parsed = new DOMParser().parseFromString(view.svg, "image/svg+xml").documentElement;
  const svg = document.importNode(parsed, true);
  figure.replaceChildren(svg);
  sayPending(root, addPending(svg, waiting));
  const unit = snapshot.chart.unit;
  rows.replaceChildren(
    ...pendingRows(waiting),
    ...view.rows
      .slice()
      .reverse()
      .map((row) =>
        element(
          "tr",
          {},
          element("th", { scope: "row", text: row.day }),
          element("td", { text: cellText(row.mood) }),
          element("td", { text: cellText(row.anxiety) }),
          element("td", { text: cellText(row.load) }),
          element("td", { text: number(row.checkins) }),
          element("td", { text: row.dose === null || row.dose === undefined ? "—" : `${number(row.dose)} ${unit}` })
        )
      )
  );
}

export function enableChart() {
  const root = document.querySelector('[data-page="chart"]');
  if (!root) return;
  if (root.hasAttribute("data-shell")) {
    const draw = () => showOffline(root).catch(() => {});
    draw();
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
