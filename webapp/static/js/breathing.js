// The breathing pacer: a shape that grows as you breathe in and shrinks as
// you breathe out. With "reduce motion" on, nothing moves: it counts in words
// instead. Optional gentle vibration at each change, where phones have it.
//
// docs/SAFETY.md: never faster than about 8 breaths a minute. At least 3 s in
// and 4 s out, the out-breath at least as long as the in-breath, holds of at
// most 4 s. The same numbers are in webapp/services/content.py (the content
// schema) and on the breathing page's inputs; a pattern outside them is
// refused with a message beside the field, never quietly changed.

import { t } from "./strings.js";

export const LIMITS = Object.freeze({ minIn: 3, minOut: 4, maxHold: 4, maxPhase: 20 });

// Labels are English keys, shown through t() in the page's language.
const PHASES = [
  { key: "inhale", label: "Breathe in", className: "is-in", hold: false },
  { key: "holdIn", label: "Hold", className: "is-in", hold: true },
  { key: "exhale", label: "Breathe out", className: "is-out", hold: false },
  { key: "holdOut", label: "Hold", className: "is-out", hold: true },
];

const WORDS = { inhale: "in-breath", holdIn: "hold after breathing in", exhale: "out-breath", holdOut: "hold after breathing out" };

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** What is wrong with a pattern, as {key: message}; empty when it is safe to pace. */
export function patternProblems(pattern) {
  const problems = {};
  for (const key of ["inhale", "holdIn", "exhale", "holdOut"]) {
    const value = pattern[key];
    if (!Number.isInteger(value)) problems[key] = t("Type a whole number of seconds for the {what}.", { what: t(WORDS[key]) });
  }
  const { inhale, holdIn, exhale, holdOut } = pattern;
  if (!problems.inhale && inhale < LIMITS.minIn)
    problems.inhale = t("Breathe in for at least {seconds} seconds.", { seconds: LIMITS.minIn });
  else if (!problems.inhale && inhale > LIMITS.maxPhase) problems.inhale = t("Breathe in for at most {seconds} seconds.", { seconds: LIMITS.maxPhase });
  if (!problems.exhale && exhale < LIMITS.minOut)
    problems.exhale = t("Breathe out for at least {seconds} seconds.", { seconds: LIMITS.minOut });
  else if (!problems.exhale && exhale > LIMITS.maxPhase) problems.exhale = t("Breathe out for at most {seconds} seconds.", { seconds: LIMITS.maxPhase });
  else if (!problems.exhale && !problems.inhale && exhale < inhale)
    problems.exhale = t("Breathe out at least as long as in: {seconds} seconds or more.", { seconds: inhale });
  for (const [key, value] of [["holdIn", holdIn], ["holdOut", holdOut]]) {
    if (!problems[key] && (value < 0 || value > LIMITS.maxHold))
      problems[key] = t("Hold for {seconds} seconds or less (0 for no hold).", { seconds: LIMITS.maxHold });
  }
  return problems;
}

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

function describe(pattern, skipHolds) {
  const holdIn = skipHolds ? 0 : pattern.holdIn;
  const holdOut = skipHolds ? 0 : pattern.holdOut;
  return (
    t("Breathe in for {seconds}", { seconds: pattern.inhale }) +
    (holdIn ? t(", hold for {seconds}", { seconds: holdIn }) : "") +
    t(", breathe out for {seconds}", { seconds: pattern.exhale }) +
    (holdOut ? t(", hold for {seconds}", { seconds: holdOut }) : "") +
    ". " + t("{rounds} times.", { rounds: pattern.rounds }) +
    (skipHolds && (pattern.holdIn || pattern.holdOut) ? t(" Holds skipped.") : "")
  );
}

function enablePacer(pacer) {
  const shape = pacer.querySelector(".pacer-shape");
  const phaseText = pacer.querySelector(".pacer-phase");
  const countText = pacer.querySelector(".pacer-count");
  const roundText = pacer.querySelector(".pacer-round");
  const plain = pacer.querySelector(".pacer-plain");
  const start = pacer.querySelector(".pacer-start");
  const stop = pacer.querySelector(".pacer-stop");
  const vibrateLabel = pacer.querySelector(".pacer-vibrate");
  const vibrateInput = pacer.querySelector(".pacer-vibrate-input");
  const skipLabel = pacer.querySelector(".pacer-skip");
  const skipInput = pacer.querySelector(".pacer-skip-input");
  let timer = null;
  let skipCurrentHold = null;

  const end = (message) => {
    clearInterval(timer);
    timer = null;
    skipCurrentHold = null;
    shape.classList.remove("is-in", "is-out");
    shape.style.transitionDuration = "";
    phaseText.textContent = message;
    countText.textContent = "";
    start.hidden = false;
    stop.hidden = true;
    start.textContent = t("Start again");
    pacer.classList.remove("is-running");
  };

  const refresh = () => {
    const pattern = readPattern(pacer);
    skipLabel.hidden = !(pattern.holdIn || pattern.holdOut);
    plain.textContent = describe(pattern, skipInput.checked);
  };

  const run = () => {
    const pattern = readPattern(pacer);
    if (Object.keys(patternProblems(pattern)).length) {
      // Never pace a pattern faster than docs/SAFETY.md allows, whatever the page says.
      phaseText.textContent = t("This pattern is too fast to pace safely, so it will not run.");
      return;
    }
    // The vibration choice appears with the first Start (where phones have it): shown as the
    // page's script started, it pushed down everything below the pacer (a layout shift).
    if ("vibrate" in navigator) vibrateLabel.hidden = false;
    const active = (phase) => pattern[phase.key] > 0 && !(phase.hold && skipInput.checked);
    let round = 1;
    let phaseIndex = 0;
    let second = 0;

    const enterPhase = () => {
      const phase = PHASES[phaseIndex];
      const seconds = pattern[phase.key];
      phaseText.textContent = t(phase.label);
      roundText.textContent = t("Round {round} of {rounds}", { round, rounds: pattern.rounds });
      if (!reducedMotion()) {
        shape.style.transitionDuration = `${seconds}s`;
        shape.classList.remove("is-in", "is-out");
        shape.classList.add(phase.className);
      }
      countText.textContent = reducedMotion() ? `${t(phase.label)}… 1` : "1";
      if (vibrateInput.checked && navigator.vibrate) navigator.vibrate(phase.key === "inhale" ? 40 : 20);
    };

    // Moves to the next phase that is on; false once the last round is over.
    const advance = () => {
      second = 0;
      do {
        phaseIndex += 1;
        if (phaseIndex === PHASES.length) {
          phaseIndex = 0;
          round += 1;
          if (round > pattern.rounds) {
            end(t("Well done. Let your breath find its own pace."));
            return false;
          }
        }
      } while (!active(PHASES[phaseIndex]));
      enterPhase();
      return true;
    };

    // Ticking "Skip the holds" during a hold ends that hold at once.
    skipCurrentHold = () => {
      if (PHASES[phaseIndex].hold) advance();
    };

    pacer.classList.add("is-running");
    start.hidden = true;
    stop.hidden = false;
    enterPhase();
    timer = setInterval(() => {
      second += 1;
      const phase = PHASES[phaseIndex];
      if (second < pattern[phase.key]) {
        countText.textContent = reducedMotion() ? `${t(phase.label)}… ${second + 1}` : String(second + 1);
        return;
      }
      advance();
    }, 1000);
  };

  skipInput.addEventListener("change", () => {
    refresh();
    if (timer && skipInput.checked && skipCurrentHold) skipCurrentHold();
  });
  start.addEventListener("click", run);
  stop.addEventListener("click", () => end(t("Stopped. You can start again any time.")));
  refresh();
  return {
    running: () => timer !== null,
    stop: () => timer && end(t("Ready when you are")),
    refresh,
    allowStart: (allowed) => {
      start.disabled = !allowed;
    },
  };
}

function enablePatternChoice(pacer, controls) {
  const choice = document.querySelector(".pattern-choice");
  if (!choice) return;
  const free = choice.querySelector(".free-pattern");
  const inputs = {
    inhale: free.querySelector("input[name=inhale]"),
    holdIn: free.querySelector("input[name=hold_in]"),
    exhale: free.querySelector("input[name=exhale]"),
    holdOut: free.querySelector("input[name=hold_out]"),
  };
  const blocked = free.querySelector(".free-pattern-blocked");

  // What was typed, as numbers; "" and "2.5" stay visibly wrong, never rounded.
  const typed = () => {
    const values = {};
    for (const [key, input] of Object.entries(inputs)) {
      const text = input.value.trim();
      values[key] = /^-?\d+$/.test(text) ? Number(text) : NaN;
    }
    return values;
  };

  const show = (problems) => {
    for (const [key, input] of Object.entries(inputs)) {
      const message = free.querySelector(`#${input.id}-error`);
      const problem = problems[key];
      message.hidden = !problem;
      message.querySelector(".error-text").textContent = problem || "";
      input.closest(".field").classList.toggle("field-error", Boolean(problem));
      if (problem) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    blocked.hidden = !Object.keys(problems).length;
  };

  const apply = () => {
    const selected = choice.querySelector("input[name=pattern]:checked").value;
    free.hidden = selected !== "free";
    let values;
    if (selected === "free") {
      const pattern = typed();
      const problems = patternProblems(pattern);
      show(problems);
      controls.stop();
      if (Object.keys(problems).length) {
        // Keep what was typed and the pacer's last safe pattern; say why Start waits.
        controls.allowStart(false);
        return;
      }
      values = [pattern.inhale, pattern.holdIn, pattern.exhale, pattern.holdOut];
    } else {
      show({});
      values = selected.split(",").map(Number);
    }
    controls.allowStart(true);
    [pacer.dataset.inhale, pacer.dataset.holdIn, pacer.dataset.exhale, pacer.dataset.holdOut] = values.map(String);
    controls.refresh();
    controls.stop();
  };
  choice.addEventListener("change", apply);
  choice.addEventListener("input", apply);
  apply();
}

export function enableBreathing() {
  document.querySelectorAll(".pacer").forEach((pacer) => {
    const controls = enablePacer(pacer);
    enablePatternChoice(pacer, controls);
  });
}
