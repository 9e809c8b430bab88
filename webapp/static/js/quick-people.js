// "Your people" on Help now and the home screen: pinned people first (or,
// with none pinned, the first three), from this device's snapshot, so they
// are there with no signal.
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { personItem } from "./person-card.js";

/** "Your people" on Help now and the home screen: pinned people first (or,
 * with none pinned, the first three), from this device's snapshot. */
function fillQuickPeople(section, people) {
  if (!section) return;
  const list = section.querySelector('[data-list="people"]');
  const contacts = people?.contacts || [];
  const pinned = contacts.filter((c) => c.pinned);
  const shown = (pinned.length ? pinned : contacts).slice(0, 3);
  list.replaceChildren(...shown.map((c) => personItem(c, people.templates?.[0], { details: false })));
  list.classList.add("people-list");
  section.hidden = shown.length === 0;
}

export function enableQuickPeople(synced) {
  const sections = [document.querySelector(".my-people-help"), document.querySelector(".my-people-home")].filter(Boolean);
  if (!sections.length) return;
  const render = async () => {
    const userId = await currentUser();
    const snapshot = userId ? await readSnapshot(userId) : null;
    sections.forEach((section) => fillQuickPeople(section, snapshot?.people));
  };
  const renderSafely = () => render().catch(() => {});
  renderSafely();
  document.addEventListener("steady:snapshot", renderSafely);
  Promise.resolve(synced).then(renderSafely, renderSafely);
}
