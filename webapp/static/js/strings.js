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

/** The digits webapp/i18n.py's number() starts from, as plain text ("1.25",
 * "10", "-0.5"), or null for what is not a number. Text (an amount from the
 * server or a form: "2.50", or "2,50" as a copy kept before amounts were sent
 * as machine text) keeps its digits exactly; a JSON number is taken to six
 * significant digits, as the server does a float (format(value, ".6g")), and
 * a whole one exactly. Trailing zeros go: "2.50" → "2.5". */
export function plainNumber(value) {
  let sign, whole, fraction;
  if (typeof value === "string") {
    const match = /^(-?)(\d+)(?:[.,](\d+))?$/.exec(value.trim());
    if (!match) return null;
    [, sign, whole, fraction = ""] = match;
  } else if (typeof value === "number" && Number.isFinite(value)) {
    if (Number.isInteger(value)) return BigInt(value).toString();
    // "1.23457e-7": six significant digits, then written out in full.
    const [, minus, first, rest, exponent] = /^(-?)(\d)\.(\d+)e([+-]\d+)$/.exec(value.toExponential(5));
    const digits = first + rest;
    const point = Number(exponent) + 1; // digits before the decimal point
    sign = minus;
    whole = point > 0 ? digits.slice(0, point).padEnd(point, "0") : "0";
    fraction = point > 0 ? digits.slice(point) : "0".repeat(-point) + digits;
  } else {
    return null;
  }
  whole = whole.replace(/^0+(?=\d)/, "");
  fraction = fraction.replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : whole;
  return sign && /[1-9]/.test(text) ? `-${text}` : text;
}

const formats = new Map();

function formatWith(places) {
  const key = `${pageLanguage()} ${places}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(pageLanguage(), { minimumFractionDigits: places, maximumFractionDigits: places, useGrouping: false }));
  }
  return formats.get(key);
}

/** A number as the page's language writes it, exactly as the server writes
 * the same number on its pages (webapp/i18n.py number()): "0,25" in Spanish,
 * "0.25" in English, "10" in both; never grouped, never rounded to fewer
 * places than it has. Anything that is not a number, as given. */
export function number(value) {
  const plain = plainNumber(value);
  if (plain === null) return String(value ?? "");
  const places = plain.includes(".") ? plain.length - plain.indexOf(".") - 1 : 0;
  if (places > 20) return plain; // further than any language's format reaches
  try {
    // Formatted from its text, so no binary rounding creeps in; with exactly
    // its own places, nothing is rounded at all.
    return formatWith(places).format(plain);
  } catch {
    return plain;
  }
}

/** The mark before the decimals in the page's language ("." in English, ","
 * in Spanish), as webapp/numbers.py decimal_mark() says it. */
export function decimalMark() {
  try {
    const part = new Intl.NumberFormat(pageLanguage()).formatToParts(1.5).find((item) => item.type === "decimal");
    return part ? part.value : ".";
  } catch {
    return ".";
  }
}

/** An amount as typed, read as the server reads a form's (amount_from in
 * webapp/taper/checks.py): { text: "1.125" } as a machine writes it; { either:
 * ["1125", "1,125"] } when the other mark stands before exactly three digits
 * ("1,000" on an English page could be a thousands separator: refused, never
 * guessed); null when it is not a number (a plus, exponents, "1_000"). A
 * minus is read, to be refused as below 0. */
export function typedAmount(typed) {
  const match = /^(-?)([0-9]*)(?:([.,])([0-9]*))?$/.exec(String(typed).trim());
  if (!match || !(match[2] || match[4])) return null;
  const [, minus, whole, mark, places = ""] = match;
  const leading = whole.replace(/^0+/, "");
  if (!minus && mark && mark !== decimalMark() && places.length === 3 && leading.length >= 1 && leading.length <= 3) {
    return { either: [(whole + places).replace(/^0+/, ""), number(`${whole}.${places}`)] };
  }
  return { text: minus + (places ? `${whole || "0"}.${places}` : whole || "0") };
}
