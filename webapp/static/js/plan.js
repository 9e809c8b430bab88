// My wave plan on this device: the copy
// kept at /my/plan (the same page for everyone, filled in here from the
// snapshot), and copying a share link. (Print buttons: print.js.)
import { element, filled, showSignedIn } from "./dom.js";
import { currentUser } from "./account-sync.js";
import { readSnapshot } from "./snapshot.js";
import { spokenWhen } from "./person-time.js";
import { dialTarget } from "./people-links.js";
import { t } from "./strings.js";

function renderPlan(root, snapshot, userId) {
  showSignedIn(root, userId);
  if (!userId) return;
  const plan = snapshot?.plan?.plan;
  const labels = snapshot?.plan?.labels || {};
  root.querySelector("[data-plan]").replaceChildren(
    ...(plan
      ? Object.entries(labels).map(([key, label], index) =>
          element(
            "section",
            { class: "plan-section", "aria-labelledby": `plan-${key}` },
            element("h2", { id: `plan-${key}`, text: `${index + 1}. ${label}` }),
            plan.sections[key]
              ? element("p", { class: "preserve-lines", text: plan.sections[key] })
              : element("p", { class: "plan-empty", text: t("Not written yet.") })
          )
        )
      : [])
  );
  root.querySelector('[data-when="no-plan"]').hidden = Boolean(plan);
  const contacts = snapshot?.people?.contacts || [];
  root.querySelector('[data-list="plan-people"]').replaceChildren(
    ...contacts.map((c) => {
      const item = element("li", {}, element("strong", { text: c.name }), ` (${c.relationship_label})`);
      if (c.phone) item.append(": ", element("a", { href: `tel:${dialTarget(c.phone)}`, text: c.phone }));
      return item;
    })
  );
  root.querySelector('[data-section="plan-people"]').hidden = contacts.length === 0;
  const fetched = root.querySelector("[data-fetched]");
  fetched.textContent = snapshot?.fetchedAt ? t("Last brought up to date {when}.", { when: spokenWhen(snapshot.fetchedAt) }) : "";
}

function enableCopyLink() {
  const button = document.querySelector('button[data-action="copy-link"]');
  if (!button) return;
  const input = document.getElementById(button.dataset.target);
  const status = document.querySelector("[data-copy-status]");
  input.addEventListener("focus", () => input.select());
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = t("Link copied. Paste it into a message to the person you trust.");
    } catch {
      input.select();
      status.textContent = t("Copying did not work here. The link is selected: copy it from the box.");
    }
  });
}

export function enablePlan(synced) {
  enableCopyLink();
  const root = document.querySelector('[data-page="my-plan"]');
  if (!root) return;
  const render = async () => {
    const userId = await currentUser();
    renderPlan(root, userId ? await readSnapshot(userId) : null, userId);
  };
  const renderSafely = () => render().catch(() => {});
  renderSafely().finally(filled(root));
  document.addEventListener("steady:snapshot", renderSafely);
  Promise.resolve(synced).then(renderSafely, renderSafely);
}
