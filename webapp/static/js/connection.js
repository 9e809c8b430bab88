// Shows a calm note while the device is offline.
export function watchConnection() {
  const banner = document.getElementById("offline-banner");
  if (!banner) return;
  const update = () => {
    banner.hidden = navigator.onLine;
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}
