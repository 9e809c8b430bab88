// Runs in <head>, before the page is drawn (a classic script, not a module),
// on pages that may show someone's data (the server leaves it out of pages that
// stay open while Steady is locked, and marks those data-lock-page="open":
// webapp/security.py, OPEN_ON_DEVICE). With the app lock on, it keeps the page
// covered until app-lock.js has checked for the key: so a locked phone never
// flashes a name, a plan or a check-in before the lock screen.
(function () {
  var on = false;
  try {
    on = window.localStorage.getItem("steady.app-lock") === "on";
  } catch (error) {
    on = false;
  }
  if (on) document.documentElement.classList.add("app-lock-pending");
})();
