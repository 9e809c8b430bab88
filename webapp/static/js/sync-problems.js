// "Changes that couldn't sync" (people/_sync_problems.html): writes the server
// refused, for every kind, with the server's reason and a way to let each go.
// Drawn from the outbox (by kind: see outbox.js) whenever this device's data
// changes. Built with textContent only.
import { element } from "./dom.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { discard, entriesOf, withKind } from "./outbox.js";
import { number, t } from "./strings.js";

/** What each kind of write is called here, in the page's language; `names`
 * maps a contact's id to their name (from the offline snapshot). */
const KINDS = {
  checkin: () => t("A check-in"),
  dose: (entry) => t("The dose you logged ({amount})", { amount: entry.body?.amount ? number(entry.body.amount) : "?" }),
  "contact-add": (entry) => (entry.body?.name ? t("Adding {name}", { name: entry.body.name }) : t("Adding a person")),
  contact: (entry, names) => {
    const name = entry.body?.name || names.get(entry.about);
    return name ? t("Your change to {name}", { name }) : t("Your change to someone");
  },
  "reach-out": (entry, names) => {
    const name = names.get(entry.about) || entry.body?.name;
    return name ? t("\u201cI reached out\u201d to {name}", { name }) : t("\u201cI reached out\u201d to someone");
  },
  plan: () => t("Your change to your wave plan"),
};

/** How this list names an entry. */
export function describe(entry, names = new Map()) {
  const known = withKind(entry);
  return (KINDS[known.kind] || (() => t("A change made on this phone")))(known, names);
}

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
