/* "Read to me": reads a learn page aloud with the browser's own speech
 * synthesis, for days when reading is too hard. The page keeps room for the
 * button (app.css) and this shows it, or removes it where the browser cannot
 * speak. Nothing leaves the device. */

const root = document.querySelector("[data-speak-root]");
const holder = root && root.querySelector(".read-to-me");
const button = holder && holder.querySelector(".read-to-me-button");

function pageText() {
  return [...root.querySelectorAll(".speak-text")]
    .map((element) => element.textContent.replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .join("\n");
}

function show(speaking) {
  button.setAttribute("aria-pressed", speaking ? "true" : "false");
  button.textContent = speaking ? button.dataset.stopLabel : button.dataset.startLabel;
}

if (holder && !(button && "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function")) {
  holder.hidden = true;
}

if (button && "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function") {
  const synth = window.speechSynthesis;
  let current = null;
  holder.classList.add("is-ready");
  button.addEventListener("click", () => {
    if (current) {
      current = null;
      synth.cancel();
      show(false);
      return;
    }
    synth.cancel();
    const utterance = new SpeechSynthesisUtterance(pageText());
    utterance.lang = document.documentElement.lang || "en";
    utterance.rate = 0.95;
    const finished = () => {
      if (current === utterance) {
        current = null;
        show(false);
      }
    };
    utterance.addEventListener("end", finished);
    utterance.addEventListener("error", finished);
    current = utterance;
    show(true);
    synth.speak(utterance);
  });
  window.addEventListener("pagehide", () => {
    if (current) synth.cancel();
  });
}
