// Spanish first, English on request. The choice is kept in localStorage (it is not a secret).

import { STRINGS } from "./strings.js";

let current = readChoice();

function readChoice() {
  try {
    return localStorage.getItem("qf-portal-lang") === "en" ? "en" : "es";
  } catch {
    return "es";
  }
}

export function language() {
  return current;
}

export function setLanguage(lang) {
  current = lang === "en" ? "en" : "es";
  try {
    localStorage.setItem("qf-portal-lang", current);
  } catch {
    // Storage refused (private mode): the choice lasts this page only.
  }
}

/** The string for `key` in the current language, `{name}` filled from `params`; `fallback` when unknown. */
export function t(key, params = {}, fallback = null) {
  const entry = STRINGS[key];
  const text = entry ? (entry[current] ?? entry.es) : (fallback ?? key);
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** The value in the reader's language: the English one when asked for and present, else the Spanish. */
export function pick(es, en) {
  return current === "en" && en ? en : es;
}
