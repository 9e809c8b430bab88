// The lock screen: what a locked page shows instead of the person's data
// (the PIN form, "Forgot your PIN?", how many changes wait to sync), the
// banner on pages that stay open while locked, and the page shown once
// Steady's copy has been removed from this phone. Built with textContent
// only; every word through t(), in the page's language. What happens on a PIN is the lock's (app-lock.js): it hands its
// actions in as `lock` ({ tryPin, afterUnlock, showSignedOut, maxFailures }).
import { element } from "./dom.js";
import { t } from "./strings.js";
import { deviceLock, outboxStore } from "./device-store.js";
import { currentUser } from "./account-sync.js";
import { removeCopyAndSignOut } from "./lock-server.js";

let covered = null; // the page's own content while the lock screen shows

/** "5 minutes", for the idle time (60 is "1 hour"). */
export function minutesLabel(minutes) {
  if (minutes === 60) return t("1 hour");
  return t(minutes === 1 ? "{count} minute" : "{count} minutes", { count: minutes });
}

/** "30 seconds", "5 minutes": what is left of a wait, rounded up. */
export function waitLabel(ms) {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return t(seconds === 1 ? "{count} second" : "{count} seconds", { count: seconds });
  const minutes = Math.ceil(seconds / 60);
  return t(minutes === 1 ? "{count} minute" : "{count} minutes", { count: minutes });
}

/** "2 changes will sync when you unlock." */
function willSync(count) {
  return t(count === 1 ? "{count} change will sync when you unlock." : "{count} changes will sync when you unlock.", { count });
}

/** What a wrong PIN says: the wait (if any), and how many tries are left. */
export function wrongPinMessage(left, wait) {
  const sentences = [t("That PIN is not right.")];
  if (wait) sentences.push(t("You can try again in {time}.", { time: waitLabel(wait) }));
  sentences.push(
    t(
      left === 1
        ? "After {count} more wrong PIN, Steady removes its copy from this phone and you sign in again."
        : "After {count} more wrong PINs, Steady removes its copy from this phone and you sign in again.",
      { count: left }
    )
  );
  return sentences.join(" ");
}

/** What a PIN tried during the wait says. */
export function waitMessage(wait) {
  return t("Too many wrong PINs. You can try again in {time}.", { time: waitLabel(wait) });
}

async function waitingCount() {
  const userId = await currentUser();
  return userId ? outboxStore.waiting(userId) : 0;
}

function pinField(id, label, hint) {
  const hintId = hint ? `${id}-hint` : null;
  return element(
    "div",
    { class: "field" },
    element("label", { for: id, text: label }),
    hint ? element("p", { class: "hint", id: hintId, text: hint }) : null,
    element("input", {
      id,
      type: "password",
      inputmode: "numeric",
      autocomplete: "off",
      "aria-describedby": hintId,
      "data-pin": true,
    })
  );
}

/** The form that asks for the PIN: on the lock screen and on /lock. */
function unlockForm(lock, onUnlocked) {
  const message = element("p", { class: "error-message", role: "alert", "data-lock-message": true });
  const field = pinField("lock-pin", t("PIN"));
  const button = element("button", { type: "submit", class: "button", text: t("Unlock") });
  const form = element("form", { class: "lock-form", novalidate: true, "data-lock-form": "unlock" }, field, message, button);
  const input = field.querySelector("input");
  let reenable = null;
  // The wait itself is kept with the lock (tryPin refuses any PIN until it is
  // over, after a reload too); this only says when it is over.
  const holdOff = (ms) => {
    clearTimeout(reenable);
    reenable = setTimeout(() => {
      message.textContent = t("You can try your PIN again.");
    }, ms);
  };
  deviceLock.record().then((record) => {
    if (record?.waitUntil && record.waitUntil > Date.now()) {
      message.textContent = waitMessage(record.waitUntil - Date.now());
      holdOff(record.waitUntil - Date.now());
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return; // a PIN is being checked
    const pin = input.value;
    if (!pin) {
      message.textContent = t("Enter your PIN.");
      input.focus();
      return;
    }
    button.disabled = true;
    message.textContent = t("Checking…");
    let result;
    try {
      result = await lock.tryPin(pin);
    } catch (error) {
      result = { error: true };
    }
    input.value = "";
    button.disabled = false;
    if (result.ok) {
      message.textContent = "";
      await onUnlocked(result.record);
      return;
    }
    if (result.wiped) {
      lock.showSignedOut();
      return;
    }
    if (result.error) {
      message.textContent = t("Steady could not check the PIN on this phone. Try again.");
    } else if (result.wrong) {
      message.textContent = wrongPinMessage(lock.maxFailures - result.failures, result.wait);
      if (result.wait) holdOff(result.wait);
    } else if (result.wait) {
      message.textContent = waitMessage(result.wait);
      holdOff(result.wait);
    }
    input.focus();
  });
  return form;
}

function forgotSection(lock) {
  const explain = element("p", {
    text: t("Sign in again with your email and password. Steady first removes its copy from this phone; everything saved in your account stays."),
  });
  const lost = element("p", { class: "error-message", hidden: true });
  waitingCount().then((count) => {
    if (count) {
      lost.textContent = t(
        count === 1
          ? "{count} change made on this phone has not synced yet and will be lost."
          : "{count} changes made on this phone have not synced yet and will be lost.",
        { count }
      );
      lost.hidden = false;
    }
  });
  const button = element("button", { type: "button", class: "button button-secondary", text: t("Remove Steady's copy and sign in again") });
  button.addEventListener("click", async () => {
    button.disabled = true;
    await removeCopyAndSignOut();
    lock.showSignedOut();
  });
  return element("details", { class: "lock-forgot" }, element("summary", { text: t("Forgot your PIN?") }), explain, lost, button);
}

async function lockScreen(lock) {
  const count = await waitingCount();
  const title = element("h1", { id: "lock-title", tabindex: "-1", text: t("Steady is locked") });
  const screen = element(
    "section",
    { class: "lock-screen", "aria-labelledby": "lock-title", "data-lock-screen": true },
    title,
    element("p", { class: "lead", text: t("Enter your PIN to open your people, your plan and your check-ins on this phone.") }),
    count ? element("p", { class: "notice", "data-lock-waiting": true, text: willSync(count) }) : null,
    unlockForm(lock, async (record) => lock.afterUnlock(record)),
    element(
      "p",
      {},
      `${t("The toolkit and Help now stay open without your PIN:")} `,
      element("a", { href: "/toolkit", text: t("Toolkit") }),
      " · ",
      element("a", { href: "/help", text: t("Help now") })
    ),
    forgotSection(lock)
  );
  return screen;
}

export async function cover(lock) {
  const main = document.getElementById("main");
  if (!main) return;
  if (!covered) {
    covered = document.createDocumentFragment();
    covered.append(...main.childNodes);
  } else {
    main.replaceChildren();
  }
  main.append(await lockScreen(lock));
  if (document.activeElement === document.body || !document.activeElement) main.querySelector("#lock-title").focus();
}

export function uncover() {
  const main = document.getElementById("main");
  if (!main || !covered) return;
  main.replaceChildren(covered);
  covered = null;
}

/** "Steady is locked on this phone" on a page open to anyone, with the other
 * notes about the app (it comes once the device's lock is read, after the
 * first frame: above the page it pushed Help now's call button down). */
export async function showLockedBanner() {
  const dock = document.querySelector(".status-dock");
  if (!dock) return;
  const count = await waitingCount();
  const banner = element(
    "p",
    { class: "banner lock-banner", "data-lock-banner": true },
    `${t("Steady is locked on this phone.")} `,
    count ? element("span", { "data-lock-waiting": true, text: `${willSync(count)} ` }) : null,
    element("a", { href: "/lock", text: t("Unlock") })
  );
  const shown = dock.querySelector("[data-lock-banner]");
  if (shown) shown.replaceWith(banner);
  else dock.prepend(banner);
}

export function showSignedOutScreen() {
  const main = document.getElementById("main");
  if (!main) return;
  covered = null;
  const title = element("h1", { id: "signed-out-title", tabindex: "-1", text: t("Please sign in again") });
  main.replaceChildren(
    element(
      "section",
      { class: "lock-screen", "aria-labelledby": "signed-out-title", "data-lock-wiped": true },
      title,
      element("p", {
        class: "lead",
        text: t("For your safety, Steady removed its copy from this phone and signed you out here. Everything saved in your account is still there."),
      }),
      element("p", {}, element("a", { class: "button", href: "/login", text: t("Sign in") }))
    )
  );
  document.documentElement.classList.remove("app-lock-pending");
  title.focus();
}
