// Search: a text box, facets (level, sector, committee) counted over every match, cursor paging, and
// the spellings that would match when nothing does.

import { graphqlWithFallback } from "../api.js";
import { h, formatNumber } from "../dom.js";
import { t, pick, language } from "../i18n.js";
import { errorBox, field, partialErrors, select } from "../ui.js";

const PAGE = 10;
const FIELDS = `
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code title titleEn level sector { code title titleEn } committeeName } }
    facets {
      levels { level count }
      sectors { sector { code title titleEn } count }
      committees { committeeId committeeName count }
    }`;
const query = (extra) => `query Search($filter: StandardFilter, $first: Int, $after: String) {
  standards(filter: $filter, first: $first, after: $after) { ${FIELDS} ${extra} }
}`;
// `didYouMean` is newer than some servers: without it the page still searches.
const VARIANTS = [query("didYouMean"), query("")];

function freshState() {
  return { text: "", level: "", sector: "", committee: "", cursors: [null] };
}

export async function searchPage({ session, rerender }) {
  const state = (session.search ??= freshState());
  const filter = {
    search: state.text || null,
    level: state.level ? Number(state.level) : null,
    sectorCode: state.sector || null,
    committeeId: state.committee || null,
  };
  const after = state.cursors[state.cursors.length - 1];
  let result = null;
  let failure = null;
  try {
    result = await graphqlWithFallback("search", VARIANTS, { filter, first: PAGE, after });
  } catch (error) {
    failure = error;
  }

  const [textField, textInput] = field(t("search.label"), {
    type: "search",
    name: "q",
    value: state.text,
    maxlength: 200,
    placeholder: t("search.placeholder"),
  });
  const run = (changes) => {
    Object.assign(state, changes, { cursors: [null] });
    rerender();
  };
  const form = h(
    "form",
    {
      role: "search",
      class: "search",
      onsubmit: (event) => {
        event.preventDefault();
        run({ text: textInput.value.trim() });
      },
    },
    textField,
    h("button", { type: "submit" }, t("search.submit")),
  );

  const children = [h("h1", {}, t("search.title")), h("p", { class: "lead" }, t("search.lead")), form];
  if (failure) return [...children, errorBox(failure)];
  const found = result.data.standards;
  children.push(partialErrors(result.errors));
  children.push(facets(found.facets, state, run));
  const page = state.cursors.length;
  children.push(
    h(
      "p",
      { class: "count", role: "status", id: "result-count" },
      t("search.count", { count: formatNumber(found.totalCount, language()), page }),
    ),
  );
  if (found.totalCount === 0) {
    const suggestions = found.didYouMean ?? [];
    if (suggestions.length) {
      children.push(
        h(
          "p",
          { class: "didyoumean" },
          t("search.didYouMean"),
          " ",
          suggestions.map((s) =>
            h("button", { type: "button", class: "link", onclick: () => run({ text: s }) }, s),
          ),
        ),
      );
    } else {
      children.push(h("p", {}, t("search.none")));
    }
  }
  children.push(
    h(
      "ol",
      { class: "results", "aria-labelledby": "result-count" },
      found.edges.map(({ node }) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/standard/${encodeURIComponent(node.code)}` },
            h("span", { class: "code" }, node.code),
            " ",
            pick(node.title, node.titleEn),
          ),
          h(
            "p",
            { class: "meta" },
            `${t("level")} ${node.level} · ${pick(node.sector.title, node.sector.titleEn)}`,
            node.committeeName ? ` · ${node.committeeName}` : "",
          ),
        ),
      ),
    ),
  );
  const pager = h(
    "nav",
    { class: "pager", "aria-label": t("pager.label") },
    h(
      "button",
      {
        type: "button",
        disabled: page === 1,
        onclick: () => {
          state.cursors.pop();
          rerender();
        },
      },
      t("pager.previous"),
    ),
    h("span", {}, t("pager.page", { page })),
    h(
      "button",
      {
        type: "button",
        disabled: !found.pageInfo.hasNextPage,
        onclick: () => {
          state.cursors.push(found.pageInfo.endCursor);
          rerender();
        },
      },
      t("pager.next"),
    ),
  );
  children.push(pager);
  return children;
}

function facets(counts, state, run) {
  const all = t("facet.all");
  const [level] = select(
    t("facet.level"),
    [["", all], ...counts.levels.map((l) => [l.level, `${l.level} (${l.count})`])],
    state.level,
    { name: "level", onchange: (e) => run({ level: e.target.value }) },
  );
  const [sector] = select(
    t("facet.sector"),
    [
      ["", all],
      ...counts.sectors.map((s) => [
        s.sector.code,
        `${s.sector.code} ${pick(s.sector.title, s.sector.titleEn)} (${s.count})`,
      ]),
    ],
    state.sector,
    { name: "sector", onchange: (e) => run({ sector: e.target.value }) },
  );
  const committees = counts.committees.filter((c) => c.committeeId).slice(0, 100);
  const [committee] = select(
    t("facet.committee"),
    [["", all], ...committees.map((c) => [c.committeeId, `${c.committeeName} (${c.count})`])],
    state.committee,
    { name: "committee", onchange: (e) => run({ committee: e.target.value }) },
  );
  return h("fieldset", { class: "facets" }, h("legend", {}, t("facet.legend")), level, sector, committee);
}
