"""Counterparts: where a standard's proposals lead along the crosswalk's routes, and back.

A counterpart of a standard is an occupation or programme reached by
(a) an edge from the standard to an occupation that a person or the proposer put forward, proposed or
    endorsed (a rejected edge never counts), and
(b) the crosswalk's endorsed routes onward from that occupation (ESCO -> ISCO-08 -> SOC 2010 -> SOC 2018
    -> CIP), walked by `CrosswalkGraph.reach`, and from a SOC 2018 occupation down to its O*NET-SOC
    detail occupations (the walk does not go down a hierarchy after going up, since that reaches
    siblings; an O*NET occupation is its SOC occupation in more detail, not a sibling).
Its confidence is the edge's times the route's combined confidence; a counterpart reached through
several proposals keeps the best. The proposer (`services.mapping.counterparts`) already follows every
route from its text matches and writes its own calibrated proposals in the schemes it ranks (SOC 2018,
O*NET, ...): in a scheme where a standard has such a direct proposal, the proposer's matches are not
walked again (that would re-rank its calibrated judgement by a raw product), while the edges a person
proposed or endorsed still lead onward into it. A group reached by climbing a hierarchy (a SOC broad
occupation above the one reached) is a step on a route, never a counterpart itself. Routes never pass
through another standard, so one standard's proposals do not leak into another's counterparts.

The reverse (the standards an occupation or programme corresponds to) reads the same routes: candidate
proposal targets are the items a walk from it reaches and their neighbours; each candidate is confirmed
and scored by its forward route, so both directions give the same confidence.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from services.common.rows import FromRow, Source
from services.mapping.graph import Arc, CrosswalkGraph, Node, Reached
from services.mapping.model import COUNTERPART_SCHEMES, Scheme

ONWARD_HOPS = 4  # ESCO -> ISCO-08 -> SOC 2010 -> SOC 2018 -> CIP
ONWARD_MIN_CONFIDENCE = 0.05
_CACHE_LIMIT = 20_000  # routes kept per graph; a new graph starts afresh

_onward_cache: weakref.WeakKeyDictionary[CrosswalkGraph, dict[Node, dict[Node, Reached]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class Proposal(FromRow):
    """An edge from a standard to an occupation or programme, proposed or endorsed."""

    edge_id: int
    standard: str
    target: Node
    confidence: float
    status: str
    method: str
    evidence: dict[str, Any] | None

    columns: ClassVar[Mapping[str, Source]] = {
        "edge_id": "id",
        "standard": "from_code",
        "target": lambda row: (row["to_scheme"], row["to_code"]),
        "confidence": lambda row: float(row["confidence"]),
        "evidence": lambda row: row["evidence"] if isinstance(row["evidence"], dict) else None,
    }


@dataclass(frozen=True, slots=True)
class Found:
    """A counterpart: the item, the proposal it rests on and the route onward from the proposal's target."""

    node: Node
    confidence: float
    proposal: Proposal
    route: tuple[Arc, ...]

    def sort_key(self) -> tuple[float, float, int, Node, str]:
        # Calibrated confidences come in bins, so many are equal: the proposer's raw score orders them.
        evidence = self.proposal.evidence or {}
        score = evidence.get("score")
        raw = float(score) if isinstance(score, int | float) else 0.0
        return (-self.confidence, -raw, len(self.route), self.node, self.proposal.standard)


def onward(graph: CrosswalkGraph, target: Node) -> dict[Node, Reached]:
    """Every item a proposal's target leads to (itself included, at confidence 1), with its best route."""
    cache = _onward_cache.setdefault(graph, {})
    if target in cache:
        return cache[target]
    reached: dict[Node, Reached] = {target: Reached(target, 1.0, ())}
    if target in graph:
        for node, r in graph.reach(target, ONWARD_HOPS, ONWARD_MIN_CONFIDENCE).items():
            if not any(arc.target[0] == Scheme.CONOCER_EC for arc in r.path):
                reached[node] = r
        # A group reached by climbing a hierarchy (SOC 49-3020 above 49-3023) is a step on the way, not a
        # counterpart: a reviewer judges the occupation itself. Items reached beyond it keep their routes.
        generalised = {node for node, r in reached.items() if r.path and r.path[-1].relation == "broader"}
        adjacency = graph.graph.adj
        for node, r in list(reached.items()):
            if node[0] != Scheme.SOC_2018:
                continue
            for detail, data in adjacency[node].items():
                arc: Arc = data["arc"]
                confidence = r.confidence * arc.weight
                if detail[0] == Scheme.ONET_SOC and (
                    detail not in reached or reached[detail].confidence < confidence
                ):
                    reached[detail] = Reached(detail, confidence, (*r.path, arc))
        for node in generalised:
            del reached[node]
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[target] = reached
    return reached


def warm(graph: CrosswalkGraph, targets: Iterable[Node]) -> None:
    """Works out the routes onward from `targets` into the graph's cache, so that the first request to
    need them (an agreement's coverage reads every proposal in scope) does not pay for them all."""
    for target in targets:
        onward(graph, target)


TEXT_MATCH = "text_match"


def _ranked_directly(proposals: list[Proposal]) -> dict[str, set[str]]:
    """Per standard, the schemes in which the proposer wrote it a proposal of its own."""
    found: dict[str, set[str]] = {}
    for proposal in proposals:
        if proposal.method == TEXT_MATCH:
            found.setdefault(proposal.standard, set()).add(proposal.target[0])
    return found


def _walked(proposal: Proposal, node: Node, direct: dict[str, set[str]]) -> bool:
    """Whether `node`, reached from `proposal`, counts: see the module docstring."""
    return (
        node == proposal.target
        or proposal.method != TEXT_MATCH
        or node[0] not in direct.get(proposal.standard, ())
    )


def counterparts(graph: CrosswalkGraph, proposals: Iterable[Proposal], schemes: set[str]) -> list[Found]:
    """A standard's counterparts in `schemes`, best first, each reached through its best proposal."""
    proposals = list(proposals)
    direct = _ranked_directly(proposals)
    best: dict[Node, Found] = {}
    for proposal in proposals:
        if proposal.method == TEXT_MATCH and schemes <= direct.get(proposal.standard, set()):
            reached = {proposal.target: Reached(proposal.target, 1.0, ())}  # no walk can add anything
        else:
            reached = onward(graph, proposal.target)
        for node, r in reached.items():
            if node[0] not in schemes or not _walked(proposal, node, direct):
                continue
            confidence = proposal.confidence * r.confidence
            if node not in best or confidence > best[node].confidence:
                best[node] = Found(node, confidence, proposal, r.path)
    return sorted(best.values(), key=Found.sort_key)


def candidate_targets(graph: CrosswalkGraph, item: Node) -> set[Node]:
    """Items that may lead to `item`: those a walk from it reaches, and their neighbours (the walk from
    an occupation climbs to its ISCO group but does not come back down to that group's ESCO
    occupations, which lead up to it)."""
    near = {item}
    if item in graph:
        near.update(graph.reach(item, ONWARD_HOPS, ONWARD_MIN_CONFIDENCE))
    adjacency = graph.graph.adj
    around = set(near)
    for node in near:
        if node in graph:
            around.update(adjacency[node])
    return {n for n in around if n[0] in COUNTERPART_SCHEMES}


def standards_for(
    graph: CrosswalkGraph, item: Node, proposals: Iterable[Proposal], ranked_directly: set[str]
) -> list[Found]:
    """The standards whose proposals lead to `item`, best first, one result per standard.

    `ranked_directly`: the standards the proposer wrote a proposal of its own in `item`'s scheme (the
    proposals at hand may not include it when it names another item)."""
    direct = {standard: {item[0]} for standard in ranked_directly}
    best: dict[str, Found] = {}
    for proposal in proposals:
        r = onward(graph, proposal.target).get(item)
        if r is None or not _walked(proposal, item, direct):
            continue
        confidence = proposal.confidence * r.confidence
        if proposal.standard not in best or confidence > best[proposal.standard].confidence:
            best[proposal.standard] = Found(item, confidence, proposal, r.path)
    return sorted(best.values(), key=Found.sort_key)
