// A taper step's dose times, one row at a time: the rows already filled in
// (or the first) show, and "Add another time" brings the next. Without
// JavaScript every row shows and works; rows are only hidden, never removed,
// so nothing typed is lost.

function filled(row) {
  return [...row.querySelectorAll("input")].some((input) => input.value.trim() !== "");
}

export function enableDoseTimes() {
  document.querySelectorAll("[data-dose-times]").forEach((fieldset) => {
    const rows = [...fieldset.querySelectorAll(".dose-time-row")];
    const add = fieldset.querySelector('[data-action="add-dose-time"]');
    if (!rows.length || !add) return;
    const lastFilled = rows.reduce((last, row, index) => (filled(row) ? index : last), -1);
    const shown = Math.max(lastFilled + 1, 1);
    rows.forEach((row, index) => { row.hidden = index >= shown; });
    const update = () => { add.hidden = rows.every((row) => !row.hidden); };
    add.addEventListener("click", () => {
      const next = rows.find((row) => row.hidden);
      if (!next) return;
      next.hidden = false;
      next.querySelector("input").focus();
      update();
    });
    update();
  });
}
