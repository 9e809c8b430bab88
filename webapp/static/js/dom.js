// The front-end kit's smallest part: building elements (with textContent
// only: nothing a person typed is ever parsed as HTML), showing which state a
// page is in, and showing problems the GOV.UK way — in the summary at the top
// *and* beside each field (aria-invalid, aria-describedby).
import { t } from "./strings.js";

/** `element("p", { class: "hint", text: "Hello" }, child...)`: attributes that
 * are false, null or undefined are left off, `true` sets an empty one, `text`
 * sets the text; children that are null, false or "" are left out. */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false && child !== ""));
  return node;
}

/** For ``promise.finally``: a kept copy (data-shell) is drawn once its first
 * filling-in has run, so nothing moves as it fills (app.css: data-filled). */
export const filled = (root) => () => root && root.setAttribute("data-filled", "");

/** Show the parts of `root` marked data-when="signed-in" or "signed-out" that fit. */
export function showSignedIn(root, userId) {
  root.querySelectorAll('[data-when="signed-in"], [data-when="signed-out"]').forEach((node) => {
    node.hidden = node.dataset.when !== (userId ? "signed-in" : "signed-out");
  });
}

/** The inputs a problem is about: the field itself, or the radios/ticks in its fieldset. */
function inputsOf(target) {
  if (target.matches("input, select, textarea")) return [target];
  return [...target.querySelectorAll("input, select, textarea")];
}

/** Take away the errors shown beside fields by showFieldErrors. */
export function clearFieldErrors(form) {
  form.querySelectorAll("[data-client-error]").forEach((node) => node.remove());
  form.querySelectorAll("[data-client-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("data-client-invalid");
    const kept = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.endsWith("-client-error"));
    if (kept.length) node.setAttribute("aria-describedby", kept.join(" "));
    else node.removeAttribute("aria-describedby");
  });
  form.querySelectorAll(".field-error[data-client-field]").forEach((node) => {
    node.classList.remove("field-error");
    node.removeAttribute("data-client-field");
  });
}

/** A problem that belongs to no one field (the phone could not store what
 * was typed), in the form's summary box, which takes the focus. */
export function showProblem(box, text, { level = 2 } = {}) {
  box.replaceChildren(element(`h${level}`, { text: t("There is a problem") }), element("p", { text }));
  box.hidden = false;
  box.focus();
}

/** Show each [field id, words] beside its field and in the summary box; the
 * summary takes the focus (as GOV.UK's does), and a closed <details> holding
 * a field with a problem opens. `level`: the summary heading's, below the
 * form's own heading where the form has one. */
export function showFieldErrors(form, box, problems, { level = 2 } = {}) {
  clearFieldErrors(form);
  for (const [id, text] of problems) {
    const target = form.querySelector(`#${CSS.escape(id)}`);
    if (!target) continue;
    const group = target.matches("fieldset");
    const messageId = `${id}-client-error`;
    const message = element("p", { class: "error-message", id: messageId, "data-client-error": "" },
      element("span", { class: "visually-hidden", text: `${t("Error:")} ` }), text);
    if (group) {
      const heading = [...target.children].filter((child) => child.matches("legend, .hint")).pop();
      target.insertBefore(message, heading ? heading.nextSibling : target.firstChild);
    } else {
      target.parentElement.insertBefore(message, target);
    }
    const holder = group ? target : target.closest(".field");
    if (holder && !holder.classList.contains("field-error")) {
      holder.classList.add("field-error");
      holder.setAttribute("data-client-field", "");
    }
    const ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    target.setAttribute("aria-describedby", [...ids, messageId].join(" "));
    target.setAttribute("data-client-invalid", "");
    inputsOf(target).forEach((input) => {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("data-client-invalid", "");
    });
    const details = target.closest("details");
    if (details) details.open = true;
  }
  box.replaceChildren(
    element(`h${level}`, { text: t("There is a problem") }),
    element("ul", {}, ...problems.map(([field, text]) => element("li", {}, element("a", { href: `#${field}`, text }))))
  );
  box.hidden = false;
  box.focus();
}
