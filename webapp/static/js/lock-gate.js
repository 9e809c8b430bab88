// Runs in <head>, before the page is drawn (a classic script, not a module).
// Marks whether this page stays open while Steady is locked (the home screen,
// the toolkit and its exercises, Help now, signing in), and — with the app
// lock on — keeps a page that may show someone's data covered until
// app-lock.js has checked for the key: so a locked phone never flashes a
// name, a plan or a check-in before the lock screen.
(function () {
  var OPEN = [
    /^\/$/,
    /^\/help$/,
    /^\/toolkit$/,
    /^\/toolkit\/(feel|breathe|exercise)(\/[^/]*)?$/,
    /^\/offline$/,
    /^\/install$/,
    /^\/login$/,
    /^\/register$/,
    /^\/shared\/plan\/[^/]+$/,
  ];
  var path = window.location.pathname;
  var open = OPEN.some(function (pattern) {
    return pattern.test(path);
  });
  var root = document.documentElement;
  root.setAttribute("data-lock-page", open ? "open" : "closed");
  var on = false;
  try {
    on = window.localStorage.getItem("steady.app-lock") === "on";
  } catch (error) {
    on = false;
  }
  if (on && !open) root.classList.add("app-lock-pending");
})();
