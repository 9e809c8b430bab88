// "Changes that couldn't sync" (people/_sync_problems.html): writes the server
// refused, for every kind, with the server's reason and a way to let each go.
// Drawn from the outbox (by kind: see outbox.js) whenever this device's data
// changes. Built with textContent only.
import { element } from "./dom.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { describe, discard, entriesOf } from "./outbox.js";
import { t } from "./strings.js";

/** Draw the refused writes of `userId` into every "couldn't sync" section on the page. */
export async function renderSyncProblems(userId, snapshot) {
  const sections = document.querySelectorAll(".sync-problems");
  if (!sections.length) return;
  const entries = userId ? (await entriesOf(userId)).filter((entry) => entry.failed).reverse() : [];
  const names = new Map((snapshot?.people?.contacts || []).map((contact) => [contact.id, contact.name]));
  sections.forEach((section) => {
    const list = section.querySelector('[data-list="sync-problems"]');
    list.replaceChildren(
      ...entries.map((entry) => {
        const button = element("button", { type: "button", class: "button button-secondary button-small", text: t("Discard this change") });
        button.addEventListener("click", () => discard(entry));
        return element(
          "li",
          { class: "sync-problem" },
          element("p", {}, element("strong", { text: t("{what} couldn't sync.", { what: describe(entry, names) }) }), " ", element("span", { text: entry.failed })),
          button
        );
      })
    );
    section.hidden = entries.length === 0;
  });
}

export function enableSyncProblems(synced) {
  const render = async () => {
    const userId = await currentUser();
    await renderSyncProblems(userId, userId ? await readSnapshot(userId) : null);
  };
  const renderSafely = () => render().catch(() => {});
  renderSafely();
  document.addEventListener("steady:snapshot", renderSafely);
  document.addEventListener("steady:outbox", renderSafely);
  Promise.resolve(synced).then(renderSafely, renderSafely);
}
