// Loaded deferred (it never holds the first paint) on pages that may show
// someone's data; the server leaves it out of pages that stay open while
// Steady is locked and marks those data-lock-page="open" (webapp/security.py,
// OPEN_ON_DEVICE). Until it has run, app.css keeps such a page's content
// hidden: the header is drawn at once, the content only once this says so.
// With the app lock on, the content stays covered until app-lock.js has
// checked for the key: both classes change in one task, so a locked phone
// never draws a name, a plan or a check-in, not even for a frame. Without
// JavaScript nothing is hidden: the server's lock (a 423) governs then.
(function () {
  var root = document.documentElement;
  var on = false;
  try {
    on = window.localStorage.getItem("steady.app-lock") === "on";
  } catch (error) {
    on = false;
  }
  // A page kept for everyone (drawn for no one: an offline copy) on a device
  // that is someone's shows its signed-in part from its first frame, not the
  // "Sign in" part its module would swap out just after (account-sync.js).
  var owned = false;
  try {
    owned = window.localStorage.getItem("steady.device-owned") === "1";
  } catch (error) {
    owned = false;
  }
  if (owned && !document.querySelector('meta[name="steady-user"]')) {
    var parts = document.querySelectorAll('[data-page] [data-when="signed-in"], [data-page] [data-when="signed-out"]');
    for (var i = 0; i < parts.length; i += 1) parts[i].hidden = parts[i].getAttribute("data-when") !== "signed-in";
  }
  if (on) root.classList.add("app-lock-pending");
  root.classList.add("lock-checked");
})();
