// "Add to home screen": uses the browser's install prompt where there is one
// (Chrome, Edge, Android); elsewhere the install page explains the steps.
// The button keeps its place while it waits (app.css: there but not seen, not
// focusable, not read out, until it is .ready), so nothing below it moves when the
// browser's offer arrives and it is shown.
export function offerInstall() {
  const button = document.getElementById("install-button");
  if (!button) return;
  if (window.matchMedia("(display-mode: standalone)").matches || navigator.standalone) {
    const done = document.getElementById("install-done");
    button.hidden = true;
    if (done) done.hidden = false;
    return;
  }
  let deferred = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    button.classList.add("ready");
  });
  button.addEventListener("click", async () => {
    if (!deferred) return;
    deferred.prompt();
    await deferred.userChoice;
    deferred = null;
    // The offer is used up and the button goes. It had the focus (it was just
    // pressed): let go of it now, not whenever the browser next redraws.
    button.blur();
    button.classList.remove("ready");
  });
}
