// "How to help me" on this device: its part of the offline snapshot, the
// copy kept at /my/help-me (the same page for everyone, filled in here from
// the snapshot).
import { element, filled, showSignedIn } from "./dom.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { spokenWhen } from "./person-time.js";
import { t } from "./strings.js";

function renderHelpMe(root, snapshot, userId) {
  showSignedIn(root, userId);
  if (!userId) return;
  const row = snapshot?.helpMe?.help_me;
  const labels = snapshot?.helpMe?.labels || {};
  root.querySelector("[data-help-me]").replaceChildren(
    ...(row
      ? Object.entries(labels).map(([key, label]) =>
          element(
            "section",
            { class: "plan-section", "aria-labelledby": `help-me-${key}` },
            element("h2", { id: `help-me-${key}`, text: label }),
            row.sections[key]
              ? element("p", { class: "preserve-lines", text: row.sections[key] })
              : element("p", { class: "plan-empty", text: t("Not written yet.") })
          )
        )
      : [])
  );
  root.querySelector('[data-when="no-help-me"]').hidden = Boolean(row);
  const fetched = root.querySelector("[data-fetched]");
  fetched.textContent = snapshot?.fetchedAt ? t("Last brought up to date {when}.", { when: spokenWhen(snapshot.fetchedAt) }) : "";
}

export function enableHelpMe(synced) {
  const root = document.querySelector('[data-page="my-help-me"]');
  if (!root) return;
  const render = async () => {
    const userId = await currentUser();
    renderHelpMe(root, userId ? await readSnapshot(userId) : null, userId);
  };
  const renderSafely = () => render().catch(() => {});
  renderSafely().finally(filled(root));
  document.addEventListener("steady:snapshot", renderSafely);
  Promise.resolve(synced).then(renderSafely, renderSafely);
}
