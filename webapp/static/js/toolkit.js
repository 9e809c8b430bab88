// Favourites and recently used exercises, and coping cards in the toolkit.
// Guests keep them on this device; signed-in people keep them in their
// account, with the device snapshot for offline use. Whose they are
// (account-sync.js), the snapshot and the outbox are loaded only when asked
// for: on a device that held no one's Steady as the page started (app.js's
// deviceInUse), the page starts with a guest's lists, and none of that code.
import { kv } from "./device-store.js";
import { t } from "./strings.js";

const RECENT_KEEP = 10;

/** Whose the device is, the snapshot and the outbox (account-sync.js imports the other two anyway). */
const account = () => Promise.all([import("./account-sync.js"), import("./snapshot.js"), import("./outbox.js")]);

/** The person this device belongs to right now (null: a guest). */
async function currentUser() {
  const [sync] = await account();
  return sync.currentUser();
}

/** `guestDevice`: nothing of anyone's is on this device yet, so nothing to read. */
async function loadState(guestDevice = false) {
  if (guestDevice) return { userId: null, favourites: [], recents: [], cards: [] };
  const userId = await currentUser();
  if (userId) {
    const [, { readSnapshot }] = await account();
    const snapshot = await readSnapshot(userId);
    return { userId, favourites: snapshot.favourites || [], recents: snapshot.recents || [], cards: snapshot.cards || [] };
  }
  const recents = ((await kv.get("guest:recents")) || []).map((item) => item.exercise_id);
  return { userId: null, favourites: (await kv.get("guest:favourites")) || [], recents, cards: [] };
}

/** Throws when this phone cannot keep the change (the button then goes back). */
async function setFavourite(exerciseId, on) {
  const userId = await currentUser();
  if (userId) {
    const [, { readSnapshot, writeSnapshot }, { keep, flushOutbox }] = await account();
    // Stored for the server first: the copy here never shows what will not reach it.
    await keep(userId, "favourite", { method: on ? "PUT" : "DELETE", url: `/api/toolkit/favourites/${encodeURIComponent(exerciseId)}` });
    const snapshot = await readSnapshot(userId);
    const favourites = (snapshot.favourites || []).filter((id) => id !== exerciseId);
    if (on) favourites.push(exerciseId);
    await writeSnapshot(userId, { ...snapshot, favourites });
    flushOutbox().catch(() => {});
    return;
  }
  const favourites = ((await kv.get("guest:favourites")) || []).filter((id) => id !== exerciseId);
  if (on) favourites.push(exerciseId);
  await kv.set("guest:favourites", favourites);
}

/** `guestDevice`: no one's Steady was on this device as the page started: a guest's use. */
async function recordUse(exerciseId, guestDevice = false) {
  const userId = guestDevice ? null : await currentUser();
  if (userId) {
    const [, { readSnapshot, writeSnapshot }, { keep, flushOutbox }] = await account();
    await keep(userId, "recent", { url: "/api/toolkit/recents", body: { exercise_id: exerciseId } });
    const snapshot = await readSnapshot(userId);
    const recents = [exerciseId, ...(snapshot.recents || []).filter((id) => id !== exerciseId)].slice(0, RECENT_KEEP);
    await writeSnapshot(userId, { ...snapshot, recents });
    flushOutbox().catch(() => {});
    return;
  }
  const recents = ((await kv.get("guest:recents")) || []).filter((item) => item.exercise_id !== exerciseId);
  recents.unshift({ exercise_id: exerciseId, used_at: new Date().toISOString() });
  await kv.set("guest:recents", recents.slice(0, RECENT_KEEP));
}

function enableFavouriteButton(article, favourites) {
  const button = article.querySelector(".favourite-toggle");
  if (!button) return;
  const exerciseId = article.dataset.exerciseId;
  const label = button.querySelector(".favourite-label");
  const show = (on) => {
    button.setAttribute("aria-pressed", String(on));
    label.textContent = on ? t("In your favourites") : t("Add to favourites");
  };
  show(favourites.includes(exerciseId));
  button.classList.add("is-ready"); // its room was kept (app.css): nothing moves
  button.addEventListener("click", async () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    show(on);
    try {
      await setFavourite(exerciseId, on);
    } catch {
      show(!on); // this phone could not keep it: the press did not take
    }
  });
}

/** Copy the exercise links already on the page into a list, in the given order. */
function fillExerciseList(section, ids) {
  const list = section.querySelector("ul");
  list.replaceChildren();
  const seen = new Set();
  for (const id of ids) {
    const link = document.querySelector(`section:not(.device-section) a[data-exercise-id="${CSS.escape(id)}"]`);
    if (!link || seen.has(id)) continue;
    seen.add(id);
    list.append(link.closest("li").cloneNode(true));
  }
  section.hidden = seen.size === 0;
}

function fillCards(section, cards) {
  const list = section.querySelector("ul");
  list.replaceChildren(
    ...cards.map((card) => {
      const item = document.createElement("li");
      item.className = "coping-card";
      const text = document.createElement("p");
      text.className = "coping-card-text";
      text.textContent = card.text;
      item.append(text);
      return item;
    })
  );
  section.hidden = cards.length === 0;
}

async function renderToolkitPage(guestDevice = false) {
  const state = await loadState(guestDevice);
  const favourites = document.getElementById("favourites");
  const recents = document.getElementById("recents");
  const cards = document.getElementById("my-cards");
  if (favourites) fillExerciseList(favourites, state.favourites);
  if (recents) fillExerciseList(recents, state.recents);
  if (cards) fillCards(cards, state.cards);
}

/** `inUse`: whether this device may hold someone's Steady (app.js's deviceInUse). */
export async function enableToolkit(inUse = true) {
  const guestDevice = !inUse;
  const article = document.querySelector("article.exercise[data-exercise-id]");
  if (article) {
    const state = await loadState(guestDevice);
    enableFavouriteButton(article, state.favourites);
    // A use this phone cannot keep is not recorded anywhere: nothing to tell.
    await recordUse(article.dataset.exerciseId, guestDevice).catch(() => {});
  }
  if (document.getElementById("favourites")) {
    // What follows is drawn once this is filled (app.css; as dom.js's `filled`, not imported:
    // dom.js is not among an exercise page's modules, and this one is).
    await renderToolkitPage(guestDevice).finally(() => document.querySelector("[data-fills]")?.setAttribute("data-filled", ""));
    document.addEventListener("steady:snapshot", () => renderToolkitPage());
  }
}
