// The task force: an agreement's coverage as a chart, its review queue (endorse or reject, with the key of
// the party one acts for), and the agreement's table as a CSV file.

import { graphql } from "../api.js";
import { h, formatNumber, fill } from "../dom.js";
import { t, pick, language } from "../i18n.js";
import { confidence, errorBox, keyField, partialErrors, select } from "../ui.js";

const AGREEMENTS = `{ recognitionAgreements { id titleEs titleEn illustrative parties counterpartScheme } }`;
const COVERAGE = `query Coverage($id: ID!) {
  recognitionAgreement(id: $id) { coverage { inScope withProposedCounterpart withEndorsedCounterpart mutual } }
}`;
const QUEUE = `query Queue($filter: ProposalFilter, $first: Int, $after: String) {
  mappingProposals(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node {
      id confidence status mutual
      from { code label } to { scheme code label }
      reviews { party decision }
    } }
  }
}`;
const REVIEW = `mutation Review($decisions: [ReviewDecisionInput!]!) {
  reviewMappings(decisions: $decisions) { id status mutual reviews { party decision } }
}`;
const EXPORT = `query Export($id: ID!) { recognitionAgreement(id: $id) { export(format: CSV) } }`;
const PAGE = 10;

export async function taskForcePage({ session, rerender }) {
  const { data } = await graphql(AGREEMENTS);
  const agreements = data.recognitionAgreements;
  if (!agreements.length) return [h("h1", {}, t("tf.title")), h("p", {}, t("tf.none"))];
  const state = (session.taskforce ??= { agreement: agreements[0].id, status: "PROPOSED", cursors: [null] });
  const agreement = agreements.find((a) => a.id === state.agreement) ?? agreements[0];

  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const chart = h("div", { class: "coverage" });
  const queue = h("div", { class: "queue" });

  const refreshCoverage = async () => {
    try {
      const { data: c } = await graphql(COVERAGE, { id: agreement.id });
      fill(chart, coverageChart(c.recognitionAgreement.coverage));
    } catch (error) {
      fill(chart, errorBox(error));
    }
  };
  const refreshQueue = async () => {
    const filter = { agreementId: agreement.id, status: state.status || null };
    try {
      const result = await graphql(QUEUE, { filter, first: PAGE, after: state.cursors.at(-1) }, session.key);
      fill(queue, partialErrors(result.errors), queueTable(result.data.mappingProposals));
    } catch (error) {
      fill(queue, errorBox(error));
    }
  };
  const decide = async (id, decision) => {
    status.textContent = t("tf.sending");
    try {
      await graphql(REVIEW, { decisions: [{ id, decision }] }, session.key);
      status.textContent = t(decision === "ENDORSE" ? "tf.endorsed" : "tf.rejected", { id });
    } catch (error) {
      fill(status, errorBox(error));
      return;
    }
    await Promise.all([refreshCoverage(), refreshQueue()]);
  };

  const queueTable = (page) => {
    const rows = page.edges.map(({ node: p }) => {
      const reviewed = Object.fromEntries(p.reviews.map((r) => [r.party, r.decision]));
      return h(
        "tr",
        { "data-proposal": p.id },
        h(
          "td",
          {},
          h("a", { href: `#/standard/${encodeURIComponent(p.from.code)}` }, p.from.code),
          " ",
          p.from.label,
        ),
        h("td", {}, h("span", { class: "scheme" }, p.to.scheme), " ", `${p.to.code} ${p.to.label}`),
        h("td", {}, confidence(p.confidence)),
        h(
          "td",
          {},
          t(`edge.${p.status}`, {}, p.status),
          p.mutual ? h("span", { class: "tag" }, t("cp.mutual")) : null,
        ),
        h(
          "td",
          {},
          ["MX", "US"]
            .map(
              (party) =>
                `${party}: ${reviewed[party] ? t(`review.${reviewed[party]}`, {}, reviewed[party]) : "—"}`,
            )
            .join(" · "),
        ),
        h(
          "td",
          { class: "actions" },
          h(
            "button",
            {
              type: "button",
              onclick: () => decide(p.id, "ENDORSE"),
              "aria-label": t("tf.endorseOne", { code: p.from.code, to: p.to.code }),
            },
            t("tf.endorse"),
          ),
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => decide(p.id, "REJECT"),
              "aria-label": t("tf.rejectOne", { code: p.from.code, to: p.to.code }),
            },
            t("tf.reject"),
          ),
        ),
      );
    });
    const n = state.cursors.length;
    return [
      h("p", { class: "count" }, t("tf.queueCount", { count: formatNumber(page.totalCount, language()) })),
      rows.length
        ? h(
            "table",
            { class: "queue-table" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                [
                  t("tf.standard"),
                  t("tf.counterpart"),
                  t("cp.confidence"),
                  t("cp.status"),
                  t("tf.reviews"),
                  t("tf.decide"),
                ].map((c) => h("th", { scope: "col" }, c)),
              ),
            ),
            h("tbody", {}, rows),
          )
        : h("p", {}, t("tf.empty")),
      h(
        "nav",
        { class: "pager", "aria-label": t("tf.queuePager") },
        h(
          "button",
          { type: "button", disabled: n === 1, onclick: () => (state.cursors.pop(), refreshQueue()) },
          t("pager.previous"),
        ),
        h("span", {}, t("pager.page", { page: n })),
        h(
          "button",
          {
            type: "button",
            disabled: !page.pageInfo.hasNextPage,
            onclick: () => (state.cursors.push(page.pageInfo.endCursor), refreshQueue()),
          },
          t("pager.next"),
        ),
      ),
    ];
  };

  const download = async () => {
    status.textContent = t("tf.preparing");
    try {
      const { data: e } = await graphql(EXPORT, { id: agreement.id });
      const blob = new Blob([e.recognitionAgreement.export], { type: "text/csv;charset=utf-8" });
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `${agreement.id}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = t("tf.downloaded", { file: `${agreement.id}.csv` });
    } catch (error) {
      fill(status, errorBox(error));
    }
  };

  const [agreementField] = select(
    t("tf.agreement"),
    agreements.map((a) => [
      a.id,
      `${pick(a.titleEs, a.titleEn)}${a.illustrative ? ` (${t("illustrative")})` : ""}`,
    ]),
    agreement.id,
    {
      name: "agreement",
      onchange: (e) => {
        state.agreement = e.target.value;
        state.cursors = [null];
        rerender();
      },
    },
  );
  const [statusField] = select(
    t("tf.statusFilter"),
    [
      ["PROPOSED", t("edge.PROPOSED")],
      ["ENDORSED", t("edge.ENDORSED")],
      ["REJECTED", t("edge.REJECTED")],
      ["", t("facet.all")],
    ],
    state.status,
    {
      name: "status",
      onchange: (e) => {
        state.status = e.target.value;
        state.cursors = [null];
        refreshQueue();
      },
    },
  );

  // The page draws at once; the chart and the queue fill in as their answers come.
  fill(chart, h("p", { class: "loading" }, t("loading")));
  fill(queue, h("p", { class: "loading" }, t("loading")));
  refreshCoverage();
  refreshQueue();
  return [
    h("h1", {}, t("tf.title")),
    h("p", { class: "lead" }, t("tf.lead")),
    agreementField,
    agreement.illustrative ? h("p", { class: "warning" }, t("tf.illustrative")) : null,
    h(
      "section",
      { "aria-labelledby": "coverage-title" },
      h("h2", { id: "coverage-title" }, t("tf.coverage")),
      chart,
    ),
    h(
      "section",
      { "aria-labelledby": "queue-title" },
      h("h2", { id: "queue-title" }, t("tf.queue")),
      keyField(session, t("tf.keyHint")),
      h(
        "div",
        { class: "row" },
        statusField,
        h("button", { type: "button", class: "secondary", onclick: refreshQueue }, t("tf.reload")),
      ),
      status,
      queue,
    ),
    h(
      "section",
      { "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, t("tf.export")),
      h("p", {}, t("tf.exportHint")),
      h("button", { type: "button", onclick: download }, t("tf.download")),
    ),
  ];
}

/** Horizontal bars: in scope, with a proposed counterpart, with an endorsed one, mutual. */
function coverageChart(coverage) {
  const bars = [
    ["inScope", coverage.inScope],
    ["withProposedCounterpart", coverage.withProposedCounterpart],
    ["withEndorsedCounterpart", coverage.withEndorsedCounterpart],
    ["mutual", coverage.mutual],
  ];
  const max = Math.max(1, coverage.inScope);
  const width = 520;
  const labelWidth = 230;
  const barHeight = 26;
  const summary = bars.map(([k, v]) => `${t(`cov.${k}`)}: ${v}`).join("; ");
  return h(
    "figure",
    {},
    h(
      "svg",
      {
        viewBox: `0 0 ${width} ${bars.length * (barHeight + 10)}`,
        width,
        height: bars.length * (barHeight + 10),
        role: "img",
        "aria-label": summary,
      },
      bars.map(([k, v], i) => {
        const y = i * (barHeight + 10);
        const w = Math.round(((width - labelWidth - 50) * v) / max);
        return h(
          "g",
          { class: `bar ${k}`, "data-bar": k, "data-value": v },
          h("text", { x: 0, y: y + 18 }, t(`cov.${k}`)),
          h("rect", { x: labelWidth, y, width: Math.max(w, 1), height: barHeight, rx: 3 }),
          h("text", { x: labelWidth + w + 6, y: y + 18, class: "value" }, String(v)),
        );
      }),
    ),
    h("figcaption", { class: "sr-only" }, summary),
  );
}
