// A counter under every input or textarea with data-limit: it appears as the
// limit nears ("20 characters left"), says how much to cut once over it, and
// is read out politely. Nothing is ever cut or blocked here: the server
// refuses over-long text and keeps it in the field.

import { t } from "./strings.js";
const SHOW_FROM = 0.8;

export function count(text) {
  // Characters as the server counts them: code points, newlines as one.
  return [...text.replace(/\r\n?/g, "\n").trim()].length;
}

/** The server's words for text over its limit, or "" when it fits. */
export function tooLong(label, limit, text) {
  const over = count(text || "") - limit;
  if (over <= 0) return "";
  const template = over === 1
    ? "{label} can be at most {limit} characters. Cut {count} character."
    : "{label} can be at most {limit} characters. Cut {count} characters.";
  return t(template, { label, limit, count: over });
}

function words(left) {
  if (left < 0) return t(left === -1 ? "Too long: cut {count} character." : "Too long: cut {count} characters.", { count: -left });
  return t(left === 1 ? "{count} character left." : "{count} characters left.", { count: left });
}

function enhance(field) {
  const limit = Number(field.dataset.limit);
  if (!Number.isInteger(limit) || limit <= 0 || field.dataset.limitCounter) return;
  field.dataset.limitCounter = "on";
  const counter = document.createElement("p");
  counter.className = "limit-count";
  counter.id = `${field.id || field.name}-count`;
  counter.setAttribute("aria-live", "polite");
  counter.hidden = true;
  field.insertAdjacentElement("afterend", counter);
  const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  field.setAttribute("aria-describedby", [...described, counter.id].join(" "));
  const update = () => {
    const left = limit - count(field.value);
    counter.hidden = left > limit * (1 - SHOW_FROM);
    counter.classList.toggle("limit-over", left < 0);
    const text = counter.hidden ? "" : words(left);
    if (counter.textContent !== text) counter.textContent = text;
  };
  field.addEventListener("input", update);
  update();
}

export function enableLimits(root = document) {
  root.querySelectorAll("input[data-limit], textarea[data-limit]").forEach(enhance);
}
