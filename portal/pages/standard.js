// One standard: everything the registry, the credit bank and the crosswalk know of it, with a picture of
// where it leads (SOC, O*NET, CIP, ESCO, EQF).

import { graphql, graphqlWithFallback } from "../api.js";
import { h, formatNumber, fill } from "../dom.js";
import { crosswalkPicture } from "../graph.js";
import { t, pick, language } from "../i18n.js";
import { confidence, errorBox, partialErrors, pending } from "../ui.js";

// The registry's facts come first and draw the page; the credit bank's rules and the crosswalk (the slow
// part, walked on the mapping subgraph) are asked for at the same time and fill their sections as they come.
const standardQuery = (extra) => `query Standard($code: String!) {
  standard(code: $code) {
    code title titleEn purpose purposeEn level status publishedOn reviewOn withdrawnOn version
    certificateValidityYears
    levelDescriptor { description descriptionEn }
    sector { code title titleEn }
    committee { name } committeeName
    supersedes { code } supersededBy { code } equivalentEarlierVersions
    elements { code title titleEn }
    ${extra}
  }
}`;
// `elementsKnown` is newer than some servers: without it, an empty list reads "none on record".
const STANDARD = [standardQuery("elementsKnown"), standardQuery("")];
const CREDITS = `query Credits($code: String!) {
  standard(code: $code) {
    creditEquivalences {
      credits creditLevel illustrative
      institution { name nameEn creditSystem } program { name nameEn }
      exemptedCourses { code title titleEn }
    }
  }
}`;
const CROSSWALK = `query Crosswalk($code: String!) {
  standard(code: $code) {
    code title
    counterparts(schemes: [SOC_2018, ONET_SOC, CIP_2020, ESCO, ISCO_08], first: 15) {
      confidence status method
      item { scheme code label }
      path { scheme code label }
      evidence { matchedLabel matchedTerms dataset score jobZone }
      proposal { id confidence mutual }
    }
    crosswalk(toSchemes: [SOC_2018, ONET_SOC, CIP_2020, ESCO, EQF], first: 20) {
      confidence
      item { scheme code label }
      path { confidence relation from { scheme code label } to { scheme code label } }
    }
  }
}`;

const ACCREDITATION_FIELDS = "body { id name kind state active } validFrom validTo";
const ACCREDITATIONS = [
  `query Bodies($code: String!, $first: Int, $after: String) {
    standard(code: $code) {
      accreditationsConnection(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { ${ACCREDITATION_FIELDS} } }
      }
    }
  }`,
  // Servers without the connection: the whole list, paged here.
  `query Bodies($code: String!) { standard(code: $code) { accreditations { ${ACCREDITATION_FIELDS} } } }`,
];
const BODIES_PAGE = 10;

export async function standardPage({ args }) {
  const code = args[0] ?? "";
  const credits = graphql(CREDITS, { code });
  const crosswalk = graphql(CROSSWALK, { code });
  // A page that fails outright (an unknown code) must not leave these two unhandled.
  credits.catch(() => {});
  crosswalk.catch(() => {});
  const { data, errors } = await graphqlWithFallback("standard", STANDARD, { code });
  const s = data.standard;
  const lang = language();
  return [
    h("p", { class: "crumbs" }, h("a", { href: "#/search" }, t("standard.back"))),
    h("h1", {}, h("span", { class: "code" }, s.code), " ", pick(s.title, s.titleEn)),
    partialErrors(errors),
    s.purpose ? h("p", { class: "lead" }, pick(s.purpose, s.purposeEn)) : null,
    h(
      "dl",
      { class: "facts" },
      fact(
        t("standard.level"),
        `${s.level}: ${pick(s.levelDescriptor.description, s.levelDescriptor.descriptionEn)}`,
      ),
      fact(t("standard.sector"), `${s.sector.code} ${pick(s.sector.title, s.sector.titleEn)}`),
      fact(t("standard.committee"), s.committee?.name ?? s.committeeName ?? "—"),
      fact(t("standard.status"), t(`status.${s.status}`, {}, s.status)),
      fact(t("standard.published"), s.publishedOn ?? "—"),
      s.certificateValidityYears
        ? fact(t("standard.validity"), t("years", { n: s.certificateValidityYears }))
        : null,
      fact(t("standard.versions"), versions(s)),
    ),
    section("elements", t("standard.elements"), elements(s)),
    section("bodies", t("standard.bodies"), bodies(s.code)),
    section(
      "credits",
      t("standard.credits"),
      pending(credits, ({ data: c, errors: e }) => [
        partialErrors(e),
        creditTable(c.standard.creditEquivalences, lang),
      ]),
    ),
    section(
      "counterparts",
      t("standard.counterparts"),
      pending(crosswalk, ({ data: c, errors: e }) => [
        partialErrors(e),
        counterpartTable(c.standard.counterparts),
      ]),
    ),
    section("crosswalk", t("standard.crosswalk"), [
      h("p", { class: "hint" }, t("standard.crosswalkHint")),
      pending(crosswalk, ({ data: c }) => crosswalkPicture(c.standard, lang)),
    ]),
  ];
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function section(id, title, content) {
  return h("section", { "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), content);
}

function link(code) {
  return h("a", { href: `#/standard/${encodeURIComponent(code)}` }, code);
}

function versions(s) {
  const parts = [];
  if (s.supersedes) parts.push(t("standard.supersedes"), " ", link(s.supersedes.code));
  if (s.supersededBy)
    parts.push(parts.length ? " · " : "", t("standard.supersededBy"), " ", link(s.supersededBy.code));
  if (s.equivalentEarlierVersions.length)
    parts.push(" · ", t("standard.equivalent", { codes: s.equivalentEarlierVersions.join(", ") }));
  return parts.length ? parts : t("standard.firstVersion", { n: s.version });
}

function elements(s) {
  if (!s.elements.length)
    return h("p", {}, s.elementsKnown === false ? t("standard.elementsUnknown") : t("standard.elementsNone"));
  return h(
    "ol",
    { class: "elements" },
    s.elements.map((e) => h("li", {}, h("span", { class: "code" }, e.code), " ", pick(e.title, e.titleEn))),
  );
}

/** Certification bodies, a page at a time: the connection where the server has it, else the list. */
function bodies(code) {
  const holder = h(
    "div",
    { class: "bodies", "aria-busy": "true" },
    h("p", { class: "loading" }, t("loading")),
  );
  const cursors = [null];
  let whole = null;
  const show = async () => {
    const page = cursors.length;
    let rows;
    let total;
    let more;
    try {
      if (whole === null) {
        const { data, variant } = await graphqlWithFallback("bodies", ACCREDITATIONS, {
          code,
          first: BODIES_PAGE,
          after: cursors[page - 1],
        });
        if (variant === 0) {
          const c = data.standard.accreditationsConnection;
          rows = c.edges.map((e) => e.node);
          total = c.totalCount;
          more = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
        } else {
          whole = data.standard.accreditations;
        }
      }
      if (whole !== null) {
        rows = whole.slice((page - 1) * BODIES_PAGE, page * BODIES_PAGE);
        total = whole.length;
        more = page * BODIES_PAGE < total ? String(page * BODIES_PAGE) : null;
      }
    } catch (error) {
      fill(holder, errorBox(error));
      return;
    }
    fill(
      holder,
      h("p", { class: "count" }, t("standard.bodiesCount", { count: formatNumber(total, language()) })),
      rows.length
        ? h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                [t("body.name"), t("body.kind"), t("body.state"), t("body.valid")].map((c) =>
                  h("th", { scope: "col" }, c),
                ),
              ),
            ),
            h(
              "tbody",
              {},
              rows.map((a) =>
                h(
                  "tr",
                  {},
                  h("td", {}, a.body.name),
                  h("td", {}, a.body.kind),
                  h("td", {}, a.body.state ?? "—"),
                  h("td", {}, `${a.validFrom ?? "…"} – ${a.validTo ?? "…"}`),
                ),
              ),
            ),
          )
        : null,
      total > BODIES_PAGE
        ? h(
            "nav",
            { class: "pager", "aria-label": t("standard.bodiesPager") },
            h(
              "button",
              { type: "button", disabled: page === 1, onclick: () => (cursors.pop(), show()) },
              t("pager.previous"),
            ),
            h("span", {}, t("pager.page", { page })),
            h(
              "button",
              { type: "button", disabled: !more, onclick: () => (cursors.push(more), show()) },
              t("pager.next"),
            ),
          )
        : null,
    );
  };
  show().finally(() => holder.removeAttribute("aria-busy"));
  return holder;
}

function creditTable(rules, lang) {
  if (!rules.length) return h("p", {}, t("standard.noCredits"));
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("credit.institution"), t("credit.program"), t("credit.credits"), t("credit.courses")].map((c) =>
          h("th", { scope: "col" }, c),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      rules.map((r) =>
        h(
          "tr",
          {},
          h(
            "td",
            {},
            pick(r.institution.name, r.institution.nameEn),
            r.illustrative ? h("span", { class: "tag" }, t("illustrative")) : null,
          ),
          h("td", {}, r.program ? pick(r.program.name, r.program.nameEn) : t("credit.anyProgram")),
          h("td", {}, `${formatNumber(r.credits, lang, 1)} ${r.institution.creditSystem}`),
          h(
            "td",
            {},
            r.exemptedCourses.map((c) => `${c.code} ${pick(c.title, c.titleEn)}`).join("; ") || "—",
          ),
        ),
      ),
    ),
  );
}

function counterpartTable(list) {
  if (!list.length) return h("p", {}, t("standard.noCounterparts"));
  return h(
    "table",
    { class: "counterparts" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("cp.item"), t("cp.confidence"), t("cp.status"), t("cp.evidence"), t("cp.route")].map((c) =>
          h("th", { scope: "col" }, c),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      list.map((c) =>
        h(
          "tr",
          {},
          h(
            "td",
            {},
            h("span", { class: "scheme" }, c.item.scheme),
            " ",
            h("span", { class: "code" }, c.item.code),
            " ",
            c.item.label,
          ),
          h(
            "td",
            {},
            h("meter", { min: 0, max: 1, value: c.confidence, "aria-label": t("cp.confidence") }),
            " ",
            confidence(c.confidence),
          ),
          h(
            "td",
            {},
            t(`edge.${c.status}`, {}, c.status),
            c.proposal.mutual ? h("span", { class: "tag" }, t("cp.mutual")) : null,
          ),
          h("td", {}, evidence(c)),
          h(
            "td",
            {},
            c.path
              .slice(1)
              .map((p) => `${p.scheme} ${p.code}`)
              .join(" → "),
          ),
        ),
      ),
    ),
  );
}

function evidence(c) {
  const e = c.evidence;
  const method = t(`method.${c.method}`, {}, c.method);
  if (!e) return method;
  const parts = [method];
  if (e.matchedLabel) parts.push(t("cp.matched", { label: e.matchedLabel }));
  if (e.matchedTerms.length) parts.push(t("cp.terms", { terms: e.matchedTerms.join(", ") }));
  if (e.jobZone) parts.push(t("cp.jobZone", { zone: e.jobZone }));
  return parts.join(" · ");
}
