"""From a matched occupation to every item it reaches through the crosswalks, with the best route.

Routes follow the occupation schemes downstream only (ESCO -> ISCO-08 -> SOC 2010 -> SOC 2018 ->
O*NET-SOC and CIP; ESCO -> O*NET-SOC through the research crosswalk; SINCO -> SOC 2010 / ISCO-08), so no
route turns back. A step's weight falls gently with the fan-out of the table at that item (one ISCO group
reaching eight SOC codes says less about each one); which of those targets fits is for the English titles
to say (`Proposer`), not for the table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from services.mapping.counterparts.corpus import Corpus
from services.mapping.model import Scheme

S = Scheme
# (from, to) scheme steps a route may take, in either stored direction of the edge.
STEPS: frozenset[tuple[Scheme, Scheme]] = frozenset(
    {
        (S.ESCO, S.ISCO_08),
        (S.ESCO, S.ONET_SOC),
        (S.ESCO, S.SOC_2018),
        (S.SINCO_2011, S.SOC_2010),
        (S.SINCO_2011, S.SOC_2018),
        (S.SINCO_2011, S.ISCO_08),
        (S.ISCO_08, S.SOC_2010),
        (S.SOC_2010, S.SOC_2018),
        (S.ONET_SOC, S.SOC_2018),
        (S.SOC_2018, S.ONET_SOC),
        (S.SOC_2018, S.CIP_2020),
    }
)
FAN_OUT_EXPONENT = 0.3
RESEARCH_BASE = 0.8  # a research table's pair, before its own confidence
MAX_STEPS = 5

Node = tuple[Scheme, str]


@dataclass(frozen=True, slots=True)
class Route:
    weight: float
    path: tuple[Node, ...]  # from the matched occupation to the target, both included
    routes: int  # how many distinct routes reach the target


class Router:
    def __init__(self, corpus: Corpus) -> None:
        out: defaultdict[Node, dict[Node, float]] = defaultdict(dict)
        for link in corpus.links:
            a, b = (link.from_scheme, link.from_code), (link.to_scheme, link.to_code)
            base = 1.0
            if link.method == "research_crosswalk":
                base = RESEARCH_BASE * (0.5 + 0.5 * link.confidence)
            if (a[0], b[0]) in STEPS:
                out[a][b] = max(out[a].get(b, 0.0), base)
            if (b[0], a[0]) in STEPS:
                out[b][a] = max(out[b].get(a, 0.0), base)
        # Fan-out per (item, target scheme): the penalty of a step is shared by its siblings.
        self._next: dict[Node, list[tuple[Node, float]]] = {}
        for node, targets in out.items():
            per_scheme: defaultdict[Scheme, int] = defaultdict(int)
            for t in targets:
                per_scheme[t[0]] += 1
            self._next[node] = sorted(
                ((t, w / per_scheme[t[0]] ** FAN_OUT_EXPONENT) for t, w in targets.items()),
                key=lambda tw: tw[0],
            )
        self._cache: dict[Node, dict[Node, Route]] = {}

    def reach(self, start: Node) -> dict[Node, Route]:
        """Every item reachable from `start` (itself included, weight 1), with its best route."""
        cached = self._cache.get(start)
        if cached is not None:
            return cached
        best: dict[Node, tuple[float, tuple[Node, ...]]] = {start: (1.0, (start,))}
        counts: defaultdict[Node, int] = defaultdict(int)
        counts[start] = 1
        stack: list[tuple[Node, float, tuple[Node, ...]]] = [(start, 1.0, (start,))]
        while stack:
            node, weight, path = stack.pop()
            if len(path) > MAX_STEPS:
                continue
            seen_schemes = {n[0] for n in path}
            for nxt, w in self._next.get(node, ()):
                if nxt[0] in seen_schemes:
                    continue
                total = weight * w
                new_path = (*path, nxt)
                counts[nxt] += 1
                known = best.get(nxt)
                if known is None or total > known[0] or (total == known[0] and new_path < known[1]):
                    best[nxt] = (total, new_path)
                stack.append((nxt, total, new_path))
        result = {node: Route(w, path, counts[node]) for node, (w, path) in best.items()}
        self._cache[start] = result
        return result
