// ESLint for Steady's browser code: the pages' modules (webapp/static/js)
// and the service worker (service_worker/). Run it with bin/lint-js.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "build/", "dist/"] },
  js.configs.recommended,
  {
    files: ["webapp/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.browser },
    },
  },
  {
    // The worker: one module made of these files, after the build record the
    // server puts first (STEADY_BUILD).
    files: ["service_worker/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.serviceworker, STEADY_BUILD: "readonly" },
    },
  },
  {
    files: ["**/*.js"],
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "max-lines": ["error", { max: 300, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node } },
  },
  {
    // lock-gate.js is a classic script (it runs before the page is drawn).
    files: ["webapp/static/js/lock-gate.js"],
    languageOptions: { sourceType: "script" },
    rules: { "no-var": "off" }, // a classic script, kept as written
  },
];
