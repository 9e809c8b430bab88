// Step-by-step exercises: one step at a time in big text, Back and Next,
// a countdown where a step is timed, and the screen kept awake meanwhile.
// Without JavaScript every step is simply listed.

import { t } from "./strings.js";

function formatSeconds(total) {
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}

class WakeLock {
  constructor() {
    this.sentinel = null;
    this.wanted = false;
    document.addEventListener("visibilitychange", () => {
      if (this.wanted && document.visibilityState === "visible") this.acquire();
    });
  }

  async acquire() {
    this.wanted = true;
    if (!("wakeLock" in navigator) || this.sentinel) return;
    try {
      this.sentinel = await navigator.wakeLock.request("screen");
      this.sentinel.addEventListener("release", () => {
        this.sentinel = null;
      });
    } catch {
      /* not allowed right now (battery saver, hidden tab): the exercise still works */
    }
  }

  release() {
    this.wanted = false;
    if (this.sentinel) this.sentinel.release().catch(() => {});
    this.sentinel = null;
  }
}

function enableTimer(step) {
  const total = Number(step.dataset.timer);
  const display = step.querySelector(".timer-display");
  const button = step.querySelector(".timer-start");
  const done = step.querySelector(".timer-done");
  let remaining = total;
  let interval = null;

  const stop = () => {
    clearInterval(interval);
    interval = null;
  };
  const reset = () => {
    stop();
    remaining = total;
    display.textContent = formatSeconds(remaining);
    button.textContent = t("Start timer");
    done.hidden = true;
  };
  button.hidden = false;
  button.addEventListener("click", () => {
    if (interval) {
      stop();
      button.textContent = t("Carry on");
      return;
    }
    if (remaining === 0) reset();
    button.textContent = t("Pause");
    interval = setInterval(() => {
      remaining -= 1;
      display.textContent = formatSeconds(remaining);
      if (remaining <= 0) {
        stop();
        done.hidden = false;
        button.textContent = t("Start again");
        if (navigator.vibrate) navigator.vibrate(60);
      }
    }, 1000);
  });
  return { stop: reset };
}

export function enableExercisePlayer() {
  const player = document.querySelector(".player");
  if (!player) return;
  const steps = [...player.querySelectorAll(".exercise-step")];
  if (!steps.length) return;
  const progress = player.querySelector(".player-progress");
  const controls = player.querySelector(".player-controls");
  const back = player.querySelector(".player-back");
  const next = player.querySelector(".player-next");
  const finished = player.querySelector(".player-finished");
  const restart = player.querySelector(".player-restart");
  const timers = steps.map((step) => (step.dataset.timer ? enableTimer(step) : null));
  const wakeLock = new WakeLock();
  let current = 0;

  const show = (index, moveFocus) => {
    current = index;
    steps.forEach((step, i) => {
      step.hidden = i !== index;
      if (i !== index && timers[i]) timers[i].stop();
    });
    progress.textContent = t("Step {number} of {total}", { number: index + 1, total: steps.length });
    back.disabled = index === 0;
    next.textContent = index === steps.length - 1 ? t("Finish") : t("Next");
    if (moveFocus) steps[index].focus();
  };

  player.classList.add("is-player");
  steps.forEach((step) => step.setAttribute("tabindex", "-1"));
  progress.hidden = false;
  controls.hidden = false;
  back.addEventListener("click", () => show(Math.max(0, current - 1), true));
  next.addEventListener("click", () => {
    if (current < steps.length - 1) {
      show(current + 1, true);
      return;
    }
    steps.forEach((step) => (step.hidden = true));
    controls.hidden = true;
    progress.hidden = true;
    finished.hidden = false;
    finished.querySelector("p").setAttribute("tabindex", "-1");
    finished.querySelector("p").focus();
    wakeLock.release();
  });
  restart.addEventListener("click", () => {
    finished.hidden = true;
    controls.hidden = false;
    progress.hidden = false;
    wakeLock.acquire();
    show(0, true);
  });
  show(0, false);
  wakeLock.acquire();
}
