// One person, as a list item with one-tap call, text and email (the markup of
// people/_person.html), drawn on the device from the offline snapshot.
import { element } from "./dom.js";
import { dialTarget, mailtoHref, smsHref } from "./people-links.js";
import { t } from "./strings.js";

function since(iso) {
  if (!iso) return t("Not noted yet");
  const then = new Date(iso);
  const days = Math.floor((Date.UTC(...ymd(new Date())) - Date.UTC(...ymd(then))) / 86400000);
  if (days <= 0) return t("today");
  if (days === 1) return t("yesterday");
  return t("{days} days ago", { days });
}

function ymd(date) {
  return [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
}

/** An email address as text with <wbr> after the @ and before the domain's dots. */
function emailBreaks(address) {
  const at = address.lastIndexOf("@");
  if (at < 0) return [document.createTextNode(address)];
  const parts = [document.createTextNode(address.slice(0, at + 1))];
  address.slice(at + 1).split(".").forEach((piece, index) => {
    parts.push(document.createElement("wbr"), document.createTextNode(index ? `.${piece}` : piece));
  });
  return parts;
}

/** One person, with one-tap call, text and email (the markup of people/_person.html). */
export function personItem(contact, message, { details = true, actions = false } = {}) {
  const links = element("p", { class: "actions person-actions" });
  if (contact.phone) {
    links.append(element("a", { class: "button", href: `tel:${dialTarget(contact.phone)}`, "data-link": "call", text: t("Call {name}", { name: contact.name }) }));
    if (contact.can_text) {
      links.append(
        element("a", { class: "button button-secondary", href: smsHref(contact.phone, message), "data-link": "text", text: t("Text {name}", { name: contact.name }) })
      );
    }
  }
  if (contact.email) {
    links.append(element("a", { class: "button button-secondary", href: mailtoHref(contact.email), "data-link": "email", text: t("Email {name}", { name: contact.name }) }));
  }
  const meta = element("p", { class: "person-meta", text: contact.relationship_label || "" });
  if (contact.pinned) meta.append(" · ", element("span", { class: "tag", text: t("One of my people") }));
  if (contact.understands_withdrawal) meta.append(" · ", element("span", { class: "tag", text: t("Understands withdrawal") }));
  const item = element(
    "li",
    { class: contact.pinned ? "person person-pinned" : "person", "data-contact-id": contact.id ?? "" },
    element("h3", { class: "person-name", text: contact.name }),
    meta,
    links.childElementCount ? links : null
  );
  if (details) {
    const list = element("dl", { class: "person-details" });
    const add = (label, value, className) => {
      if (value) list.append(element("dt", { text: label }), element("dd", { text: value, class: className || false }));
    };
    add(t("Phone"), contact.phone);
    add(t("Email"), contact.email, "email");
    const email = list.querySelector("dd.email");
    if (email) email.replaceChildren(...emailBreaks(contact.email));
    add(t("Best times"), contact.best_times);
    add(t("Notes"), contact.notes, "preserve-lines");
    add(t("Last connected"), since(contact.last_connected_at));
    item.append(list);
  }
  if (actions && contact.id) {
    item.append(
      element(
        "div",
        { class: "actions" },
        element("button", { type: "button", class: "button button-secondary button-small", "data-action": "reached-out", "data-id": contact.id, text: t("I reached out") }, element("span", { class: "visually-hidden", text: t(" to {name}", { name: contact.name }) })),
        element("button", { type: "button", class: "button button-secondary button-small", "data-action": "edit", "data-id": contact.id, text: t("Edit") }, element("span", { class: "visually-hidden", text: ` ${contact.name}` }))
      )
    );
  }
  return item;
}
