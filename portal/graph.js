// The crosswalk as a picture, drawn as SVG by hand: a standard's paths form a small layered graph (a
// column per hop), which a few lines lay out; a graph library (cytoscape is 441 KB minified) would cost
// more script than the whole portal's budget.
//
// Two sources are drawn: `crosswalk` (official and endorsed edges, each hop with its confidence) and
// `counterparts` (the proposals, dashed until endorsed, labelled with the proposal's confidence on the
// first hop and the combined confidence on the counterpart).

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { confidence } from "./ui.js";

const COLUMN = 226;
const ROW = 62;
const BOX = { width: 172, height: 46 };
const MARGIN = 16;
const MAX_NODES = 40;

const id = (item) => `${item.scheme}:${item.code}`;

/** Nodes and edges of the standard's paths; each edge keeps the best confidence it was drawn with. */
export function crosswalkGraph(standard) {
  const root = { scheme: "CONOCER_EC", code: standard.code, label: standard.title };
  const nodes = new Map([[id(root), { item: root, column: 0, total: null }]]);
  const edges = new Map();
  const addNode = (item, column) => {
    const found = nodes.get(id(item));
    if (found) found.column = Math.min(found.column, column);
    else if (nodes.size < MAX_NODES) nodes.set(id(item), { item, column, total: null });
    return nodes.get(id(item));
  };
  const addEdge = (from, to, label, proposed) => {
    if (!nodes.has(id(from)) || !nodes.has(id(to))) return;
    const key = `${id(from)}>${id(to)}`;
    const old = edges.get(key);
    // An endorsed drawing of the same hop wins over a proposed one.
    if (!old || (old.proposed && !proposed)) edges.set(key, { from: id(from), to: id(to), label, proposed });
  };
  for (const result of standard.crosswalk ?? []) {
    result.path.forEach((step, i) => {
      addNode(step.from, i);
      addNode(step.to, i + 1);
      addEdge(step.from, step.to, confidence(step.confidence), false);
    });
    const end = nodes.get(id(result.item));
    if (end) end.total = Math.max(end.total ?? 0, result.confidence);
  }
  for (const c of standard.counterparts ?? []) {
    const proposed = c.status !== "ENDORSED";
    c.path.forEach((item, i) => addNode(item, i));
    c.path.slice(1).forEach((item, i) => {
      addEdge(c.path[i], item, i === 0 ? confidence(c.proposal.confidence) : "", proposed);
    });
    const end = nodes.get(id(c.item));
    if (end) end.total = Math.max(end.total ?? 0, c.confidence);
  }
  return { root: id(root), nodes, edges: [...edges.values()] };
}

export function crosswalkPicture(standard, lang) {
  const graph = crosswalkGraph(standard);
  if (graph.nodes.size === 1) return h("p", {}, t("graph.empty"));
  const columns = [];
  for (const [key, node] of graph.nodes) (columns[node.column] ??= []).push(key);
  const place = new Map();
  columns.forEach((keys, c) =>
    keys.forEach((key, r) => place.set(key, { x: MARGIN + c * COLUMN, y: MARGIN + r * ROW })),
  );
  const width = MARGIN * 2 + (columns.length - 1) * COLUMN + BOX.width;
  const height = MARGIN * 2 + (Math.max(...columns.map((k) => k?.length ?? 0)) - 1) * ROW + BOX.height;
  const summary = t("graph.summary", { nodes: graph.nodes.size - 1, edges: graph.edges.length });

  const lines = graph.edges.map((edge) => {
    const a = place.get(edge.from);
    const b = place.get(edge.to);
    const [x1, y1] = [a.x + BOX.width, a.y + BOX.height / 2];
    const [x2, y2] = [b.x, b.y + BOX.height / 2];
    // Same column (a hop inside a hierarchy, or back): a loop to the right instead of a line through boxes.
    const bend = x2 > x1 ? (x2 - x1) / 2 : 40;
    const d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    return h(
      "g",
      { class: edge.proposed ? "edge proposed" : "edge" },
      h("path", { d, "marker-end": "url(#arrow)" }),
      edge.label
        ? [
            h("rect", { x: mx - 17, y: my - 9, width: 34, height: 16, rx: 3, class: "edge-label" }),
            h("text", { x: mx, y: my + 3, "text-anchor": "middle" }, edge.label),
          ]
        : null,
    );
  });
  const boxes = [...graph.nodes].map(([key, node]) => {
    const { x, y } = place.get(key);
    const label = node.item.label ?? "";
    return h(
      "g",
      { class: key === graph.root ? "node root" : "node", "data-node": key },
      h("title", {}, `${node.item.scheme} ${node.item.code}: ${label}`),
      h("rect", { x, y, width: BOX.width, height: BOX.height, rx: 6 }),
      h(
        "text",
        { x: x + 8, y: y + 16, class: "scheme" },
        `${node.item.scheme} ${node.item.code}`,
        node.total !== null ? ` · ${confidence(node.total)}` : "",
      ),
      h("text", { x: x + 8, y: y + 34 }, label.length > 25 ? `${label.slice(0, 24)}…` : label),
    );
  });
  return h(
    "figure",
    { class: "crosswalk" },
    h(
      "div",
      // Focusable, so a keyboard can scroll a picture wider than the page.
      {
        class: "scroll",
        tabindex: 0,
        role: "group",
        "aria-label": t("graph.title", { code: standard.code }),
      },
      h(
        "svg",
        {
          viewBox: `0 0 ${width} ${height}`,
          width,
          height,
          role: "img",
          "aria-labelledby": "cw-title cw-desc",
          lang,
        },
        h("title", { id: "cw-title" }, t("graph.title", { code: standard.code })),
        h("desc", { id: "cw-desc" }, summary),
        h(
          "defs",
          {},
          h(
            "marker",
            {
              id: "arrow",
              viewBox: "0 0 10 10",
              refX: 9,
              refY: 5,
              markerWidth: 7,
              markerHeight: 7,
              orient: "auto",
            },
            h("path", { d: "M0,0 L10,5 L0,10 z" }),
          ),
        ),
        lines,
        boxes,
      ),
    ),
    h("figcaption", {}, summary, " ", t("graph.legend")),
  );
}
