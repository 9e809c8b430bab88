// Print buttons (the wave plan, "How to help me", the summary): shown once
// there is a script to make them work (their room is kept till then, app.css),
// and printing when tapped.
export function enablePrint(root = document) {
  root.querySelectorAll('button[data-action="print"]').forEach((button) => {
    if (button.dataset.printReady) return;
    button.dataset.printReady = "1";
    button.addEventListener("click", () => window.print());
  });
}
