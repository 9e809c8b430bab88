// The words the scripts show, in the page's language. The page names a small
// JSON of translations (<meta name="steady-strings">, served with its content
// hash and kept by the worker for offline use); English needs none. Each
// string's key is its English, so a missing file or entry shows English,
// never a blank. Placeholders are {name}. No i18n framework: t() is all.

let table = {};
let loading = Promise.resolve();

if (typeof document !== "undefined") {
  const meta = document.querySelector('meta[name="steady-strings"]');
  if (meta && meta.content) {
    loading = fetch(meta.content)
      .then((response) => (response.ok ? response.json() : {}))
      .then((loaded) => {
        if (loaded && typeof loaded === "object") table = loaded;
      })
      .catch(() => {});
  }
}

/** Resolves once the page's translations are in (at once for English). */
export function stringsReady() {
  return loading;
}

/** ``text`` in the page's language, with {name} filled from ``values``. */
export function t(text, values = {}) {
  const template = typeof table[text] === "string" ? table[text] : text;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The page's language, as <html lang> says. */
export function pageLanguage() {
  return (typeof document !== "undefined" && document.documentElement.lang) || "en";
}

/** A number as the page's language writes it ("0,5" in Spanish, "0.5" in
 * English), up to four places; anything that is not a number, as given. */
export function number(value) {
  const parsed = typeof value === "string" ? Number(value.replace(",", ".")) : Number(value);
  if (value === null || value === undefined || value === "" || !Number.isFinite(parsed)) return String(value ?? "");
  try {
    return new Intl.NumberFormat(pageLanguage(), { maximumFractionDigits: 4, useGrouping: false }).format(parsed);
  } catch {
    return String(parsed);
  }
}
