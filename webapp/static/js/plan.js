// My wave plan on this device: its part of the offline snapshot, the copy
// kept at /my/plan (the same page for everyone, filled in here from the
// snapshot), the Print buttons, and copying a share link.
import { addSnapshotSource, currentUser, readSnapshot } from "./account-sync.js";
import { spokenWhen } from "./person-time.js";
import { dialTarget } from "./people.js";

export function addPlanToSnapshot() {
  addSnapshotSource("/api/plan", (snapshot, data) => ({ ...snapshot, plan: data }));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function renderPlan(root, snapshot, userId) {
  root.querySelectorAll('[data-when="signed-in"], [data-when="signed-out"]').forEach((node) => {
    node.hidden = node.dataset.when !== (userId ? "signed-in" : "signed-out");
  });
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
              : element("p", { class: "plan-empty", text: "Not written yet." })
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
  fetched.textContent = snapshot?.fetchedAt ? `Last brought up to date ${spokenWhen(snapshot.fetchedAt)}.` : "";
}

function enablePrint() {
  document.querySelectorAll('button[data-action="print"]').forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
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
      status.textContent = "Link copied. Paste it into a message to the person you trust.";
    } catch (error) {
      input.select();
      status.textContent = "Copying did not work here. The link is selected: copy it from the box.";
    }
  });
}

export function enablePlan(synced) {
  enablePrint();
  enableCopyLink();
  const root = document.querySelector('[data-page="my-plan"]');
  if (!root) return;
  const render = async () => {
    const userId = await currentUser();
    renderPlan(root, userId ? await readSnapshot(userId) : null, userId);
  };
  const renderSafely = () => render().catch(() => {});
  renderSafely();
  document.addEventListener("steady:snapshot", renderSafely);
  Promise.resolve(synced).then(renderSafely, renderSafely);
}
