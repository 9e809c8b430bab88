// Support circle: a "Copy the link" button for a new invite link, shown only
// where the clipboard can be written.
import { t } from "./strings.js";

export function enableCircle() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    const field = document.querySelector(button.dataset.copy);
    const status = document.querySelector(".copy-status");
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = t("Link copied. Paste it into a message to the person you trust.");
      } catch {
        field.select();
        if (status) status.textContent = t("Select the link above and copy it.");
      }
    });
  }
}
