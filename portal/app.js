// The reference portal: one page, routes in the URL's hash, every datum from the public GraphQL endpoint.

import { h, fill } from "./dom.js";
import { t, setLanguage, language } from "./i18n.js";
import { describe } from "./ui.js";
import { searchPage } from "./pages/search.js";
import { standardPage } from "./pages/standard.js";
import { taskForcePage } from "./pages/taskforce.js";
import { registrarPage } from "./pages/registrar.js";
import { verifyPage } from "./pages/verify.js";

// What the session remembers between pages: never written to storage, so a key dies with the tab.
const session = { key: "", search: null };

const ROUTES = [
  { path: "search", label: "nav.search", page: searchPage },
  { path: "standard", label: null, page: standardPage },
  { path: "taskforce", label: "nav.taskforce", page: taskForcePage },
  { path: "registrar", label: "nav.registrar", page: registrarPage },
  { path: "verify", label: "nav.verify", page: verifyPage },
];

function current() {
  const [path = "search", ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const route = ROUTES.find((r) => r.path === path) ?? ROUTES[0];
  return { route, args: rest.map(decodeURIComponent) };
}

function chrome(route) {
  document.documentElement.lang = language();
  fill(
    document.getElementById("nav"),
    h(
      "ul",
      {},
      ROUTES.filter((r) => r.label).map((r) =>
        h("li", {}, h("a", { href: `#/${r.path}`, "aria-current": r === route ? "page" : null }, t(r.label))),
      ),
    ),
  );
  document.getElementById("brand").textContent = t("brand");
  document.querySelector(".skip").textContent = t("skip");
  document.getElementById("foot").textContent = t("footer");
  const toggle = document.getElementById("lang");
  const other = language() === "es" ? "en" : "es";
  toggle.textContent = other === "en" ? "English" : "Español";
  toggle.lang = other;
}

let rendering = 0;

async function render({ focus = false } = {}) {
  const { route, args } = current();
  chrome(route);
  const main = document.getElementById("main");
  const ticket = ++rendering;
  fill(main, h("p", { class: "loading", role: "status" }, t("loading")));
  try {
    const view = await route.page({ args, session, navigate, rerender: () => render() });
    if (ticket !== rendering) return; // a newer navigation won
    fill(main, view);
    document.title = `${main.querySelector("h1")?.textContent ?? ""} · ${t("brand")}`;
    if (focus) main.focus();
  } catch (error) {
    if (ticket !== rendering) return;
    fill(main, h("h1", {}, t("error.title")), h("p", { class: "error", role: "alert" }, describe(error)));
  }
}

function navigate(hash) {
  if (location.hash === hash) render({ focus: true });
  else location.hash = hash;
}

document.getElementById("lang").addEventListener("click", () => {
  setLanguage(language() === "es" ? "en" : "es");
  render();
});
window.addEventListener("hashchange", () => render({ focus: true }));
render();
