// Adds a "Show password" switch after every password field that asks for one.
export function enablePasswordToggles() {
  document.querySelectorAll("input[type=password][data-show-toggle]").forEach((input) => {
    const label = document.createElement("label");
    label.className = "choice show-password";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.addEventListener("change", () => {
      input.type = box.checked ? "text" : "password";
    });
    label.append(box, document.createTextNode(" Show password"));
    input.insertAdjacentElement("afterend", label);
  });
}
