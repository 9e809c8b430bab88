// Help now: show the emergency number and crisis lines for the person's
// country. The country is guessed once from the browser's language region
// (en-GB → GB) and can always be changed; the choice stays on this device.
const KEY = "steady.country";

function guessCountry(available) {
  for (const language of navigator.languages || [navigator.language]) {
    const region = (language.split("-")[1] || "").toUpperCase();
    if (available.has(region)) return region;
  }
  return "";
}

export function enableHelpNow() {
  const sections = [...document.querySelectorAll(".help-country")];
  const select = document.getElementById("country");
  if (!sections.length || !select) return;
  const available = new Set(sections.map((section) => section.dataset.country).filter(Boolean));
  const show = (code) => {
    const chosen = available.has(code) ? code : "";
    sections.forEach((section) => {
      section.hidden = section.dataset.country !== chosen;
    });
    select.value = chosen;
  };
  const fromPage = new URLSearchParams(window.location.search).get("country");
  const stored = localStorage.getItem(KEY);
  const initial = fromPage !== null ? fromPage : stored !== null ? stored : guessCountry(available);
  if (fromPage !== null) localStorage.setItem(KEY, fromPage);
  show(initial);
  select.addEventListener("change", () => {
    localStorage.setItem(KEY, select.value);
    show(select.value);
  });
  select.form.addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem(KEY, select.value);
    show(select.value);
  });
  select.form.querySelector(".country-submit").hidden = true;
}
