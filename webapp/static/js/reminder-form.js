// The reminder form shows only the sections that apply to the kind chosen
// (a group for a meeting, the taper's dose times for a dose, times and days
// for the rest). Without JavaScript every section shows, each with its heading.
function apply(form, select) {
  const kind = select.value;
  form.querySelectorAll("[data-reminder-kinds]").forEach((section) => {
    const applies = section.dataset.reminderKinds.split(/\s+/).includes(kind);
    section.hidden = !applies;
    section.removeAttribute("data-other-kind"); // left out by the server for the first paint
    // A hidden section's fields are not sent: nothing stale is saved with it.
    section.querySelectorAll("input, select, textarea").forEach((field) => {
      field.disabled = !applies;
    });
  });
  form.querySelectorAll("[data-reminder-kinds-hint]").forEach((hint) => {
    hint.hidden = true;
    hint.removeAttribute("data-other-kind");
  });
}

export function enableReminderForm() {
  document.querySelectorAll("form").forEach((form) => {
    const select = form.querySelector("select[name=kind]");
    if (!select || !form.querySelector("[data-reminder-kinds]")) return;
    select.addEventListener("change", () => apply(form, select));
    apply(form, select);
  });
}
