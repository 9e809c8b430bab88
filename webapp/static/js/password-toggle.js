// Wires each "Show password" switch the page draws under its password field
// (templates/_form.html); until then it keeps its room but is not shown.
export function enablePasswordToggles() {
  document.querySelectorAll(".show-password input[data-shows]").forEach((box) => {
    const input = document.getElementById(box.dataset.shows);
    if (!input) return;
    box.addEventListener("change", () => {
      input.type = box.checked ? "text" : "password";
    });
    box.closest(".show-password").classList.add("ready");
  });
}
