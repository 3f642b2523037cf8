// Pieces every page uses: error messages, the API-key field, a pager, a labelled field.

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";

/** An error as a person reads it: our sentence for its code when we have one, the server's otherwise. */
export function describe(error) {
  if (!error?.code) return String(error?.message ?? error);
  const ours = t(`code.${error.code}`, {}, "");
  return `${ours ? `${ours}: ` : ""}${error.message} (${error.code})`;
}

export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, describe(error));
}

/** Errors that came with data (a subgraph that failed): the page shows what it has and says what is missing. */
export function partialErrors(errors) {
  if (!errors?.length) return null;
  return h(
    "div",
    { class: "warning", role: "status" },
    h("p", {}, t("partial")),
    h(
      "ul",
      {},
      errors.map((e) => h("li", {}, `${e.message} (${e.extensions?.code ?? "?"})`)),
    ),
  );
}

let fieldIds = 0;

/** A labelled input; returns [wrapper, input]. */
export function field(label, attrs = {}, hint = null) {
  const id = attrs.id ?? `f${++fieldIds}`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { ...attrs, id, "aria-describedby": hintId });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
  return [wrapper, input];
}

/** A labelled select of [value, text] options; returns [wrapper, select]. */
export function select(label, options, value, attrs = {}) {
  const id = attrs.id ?? `f${++fieldIds}`;
  const el = h(
    "select",
    { ...attrs, id },
    options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, text)),
  );
  return [h("div", { class: "field" }, h("label", { for: id }, label), el), el];
}

/** The API key, kept in the session object only (never in storage or the URL). */
export function keyField(session, hint) {
  const [wrapper, input] = field(
    t("key.label"),
    { type: "password", autocomplete: "off", spellcheck: "false", value: session.key, name: "api-key" },
    hint,
  );
  input.addEventListener("input", () => {
    session.key = input.value.trim();
  });
  return wrapper;
}

export function confidence(value) {
  return value.toFixed(2);
}

/** A place on the page that fills itself when `promise` ({data, errors}) settles: `render(result)` or the error. */
export function pending(promise, render) {
  const holder = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, t("loading")));
  promise
    .then((result) => {
      try {
        fill(holder, render(result));
      } catch (error) {
        // The part this place shows is missing (a subgraph failed): say which, not how the drawing broke.
        fill(holder, partialErrors(result.errors) ?? errorBox(error));
      }
    })
    .catch((error) => fill(holder, errorBox(error)))
    .finally(() => holder.removeAttribute("aria-busy"));
  return holder;
}
