// The breathing pacer: a shape that grows as you breathe in and shrinks as
// you breathe out. With "reduce motion" on, nothing moves: it counts in words
// instead. Optional gentle vibration at each change, where phones have it.

const PHASES = [
  { key: "inhale", label: "Breathe in", className: "is-in" },
  { key: "holdIn", label: "Hold", className: "is-in" },
  { key: "exhale", label: "Breathe out", className: "is-out" },
  { key: "holdOut", label: "Hold", className: "is-out" },
];

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function readPattern(pacer) {
  const number = (name) => Number(pacer.dataset[name] || 0);
  return {
    inhale: number("inhale"),
    holdIn: number("holdIn"),
    exhale: number("exhale"),
    holdOut: number("holdOut"),
    rounds: number("rounds") || 10,
  };
}

function enablePacer(pacer) {
  const shape = pacer.querySelector(".pacer-shape");
  const phaseText = pacer.querySelector(".pacer-phase");
  const countText = pacer.querySelector(".pacer-count");
  const roundText = pacer.querySelector(".pacer-round");
  const start = pacer.querySelector(".pacer-start");
  const stop = pacer.querySelector(".pacer-stop");
  const vibrateLabel = pacer.querySelector(".pacer-vibrate");
  const vibrateInput = pacer.querySelector(".pacer-vibrate-input");
  let timer = null;

  if ("vibrate" in navigator) vibrateLabel.hidden = false;

  const applyMotionPreference = () => pacer.classList.toggle("is-reduced", reducedMotion());
  applyMotionPreference();
  window.matchMedia("(prefers-reduced-motion: reduce)").addEventListener("change", applyMotionPreference);

  const end = (message) => {
    clearInterval(timer);
    timer = null;
    shape.classList.remove("is-in", "is-out");
    shape.style.transitionDuration = "";
    phaseText.textContent = message;
    countText.textContent = "";
    start.hidden = false;
    stop.hidden = true;
    start.textContent = "Start again";
    pacer.classList.remove("is-running");
  };

  const run = () => {
    const pattern = readPattern(pacer);
    const phases = PHASES.filter((phase) => pattern[phase.key] > 0);
    let round = 1;
    let phaseIndex = 0;
    let second = 0;

    const enterPhase = () => {
      const phase = phases[phaseIndex];
      const seconds = pattern[phase.key];
      phaseText.textContent = phase.label;
      roundText.textContent = `Round ${round} of ${pattern.rounds}`;
      if (!reducedMotion()) {
        shape.style.transitionDuration = `${seconds}s`;
        shape.classList.remove("is-in", "is-out");
        shape.classList.add(phase.className);
      }
      countText.textContent = reducedMotion() ? `${phase.label}… 1` : "1";
      if (vibrateInput.checked && navigator.vibrate) navigator.vibrate(phase.key === "inhale" ? 40 : 20);
    };

    pacer.classList.add("is-running");
    start.hidden = true;
    stop.hidden = false;
    enterPhase();
    timer = setInterval(() => {
      second += 1;
      const phase = phases[phaseIndex];
      if (second < pattern[phase.key]) {
        countText.textContent = reducedMotion() ? `${phase.label}… ${second + 1}` : String(second + 1);
        return;
      }
      second = 0;
      phaseIndex += 1;
      if (phaseIndex === phases.length) {
        phaseIndex = 0;
        round += 1;
        if (round > pattern.rounds) {
          end("Well done. Let your breath find its own pace.");
          return;
        }
      }
      enterPhase();
    }, 1000);
  };

  start.addEventListener("click", run);
  stop.addEventListener("click", () => end("Stopped. You can start again any time."));
  return { running: () => timer !== null, stop: () => timer && end("Ready when you are") };
}

function enablePatternChoice(pacer, controls) {
  const choice = document.querySelector(".pattern-choice");
  if (!choice) return;
  const free = choice.querySelector(".free-pattern");
  const inputs = [...free.querySelectorAll("input")];
  const apply = () => {
    const selected = choice.querySelector("input[name=pattern]:checked").value;
    free.hidden = selected !== "free";
    const values =
      selected === "free"
        ? inputs.map((input) => Math.min(20, Math.max(Number(input.min), Math.round(Number(input.value) || 0))))
        : selected.split(",").map(Number);
    [pacer.dataset.inhale, pacer.dataset.holdIn, pacer.dataset.exhale, pacer.dataset.holdOut] = values.map(String);
    const [inhale, holdIn, exhale, holdOut] = values;
    const plain = pacer.querySelector(".pacer-plain");
    plain.textContent =
      `Breathe in for ${inhale}` + (holdIn ? `, hold for ${holdIn}` : "") + `, breathe out for ${exhale}` +
      (holdOut ? `, hold for ${holdOut}` : "") + `. ${pacer.dataset.rounds} times.`;
    controls.stop();
  };
  choice.addEventListener("change", apply);
  apply();
}

export function enableBreathing() {
  document.querySelectorAll(".pacer").forEach((pacer) => {
    const controls = enablePacer(pacer);
    enablePatternChoice(pacer, controls);
  });
}
