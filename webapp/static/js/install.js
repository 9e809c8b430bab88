// "Add to home screen": uses the browser's install prompt where there is one
// (Chrome, Edge, Android); elsewhere the install page explains the steps.
export function offerInstall() {
  const button = document.getElementById("install-button");
  if (!button) return;
  if (window.matchMedia("(display-mode: standalone)").matches || navigator.standalone) {
    const done = document.getElementById("install-done");
    if (done) done.hidden = false;
    return;
  }
  let deferred = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!deferred) return;
    deferred.prompt();
    await deferred.userChoice;
    deferred = null;
    button.hidden = true;
  });
}
