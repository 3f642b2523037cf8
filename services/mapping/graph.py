"""The crosswalk graph in memory: endorsed edges in force, walked both ways, ranked by confidence.

PostgreSQL holds the truth; this is a networkx `DiGraph` built from it, with every stored edge as two
arcs (the stored direction and its inverse: broadMatch walks back as narrowMatch, broader as narrower).
A `GraphHolder` builds a new graph off to the side and swaps it in whole, so a request never sees a
half-built graph; it rebuilds when the `graph_version` counter that the edge and item triggers bump
has moved.

Combined confidence (also in the GraphQL description of `crosswalk`): the product of the confidences of
the edges on the path, times HIERARCHY_DISCOUNT for every hop along a scheme's own hierarchy (from an
item to its parent or child), since each such hop trades precision for reach. The best path to each
item is the one with the highest combined confidence within the hop limit.

Ties (official tables often give an item several counterparts of one confidence, e.g. SOC 49-3023 comes
from eight CIP programmes, each one of eight) go to the path whose least similar step is the most similar:
each hop's title similarity (`services.mapping.titles`) between the items it joins, and a path's title
score the lowest of them. Results of equal confidence are ranked by that score, then by fewer hops.

A path never goes up and then back down to a sibling: after a step to something broader (a parent, a
sector, a level) it takes no step down its hierarchy nor back down a membership edge (a broadMatch walked
against its direction), since that would lead from a standard to every other standard of its sector, or
from an occupation to its siblings. A published split walked forwards (ISCO group -> the SOC occupations
it divides into) still may follow.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import asyncpg
import networkx as nx

from services.mapping.model import Relation
from services.mapping.titles import Tokens, title_similarity, title_tokens

HIERARCHY_DISCOUNT = 0.8
MAX_HOPS = 6
TIE_BREAK = (
    "Equal confidences go to the path whose least similar hop has the most similar titles (the Jaccard "
    "overlap of the two items' title words, English when both have one, else Spanish, lower case, accents "
    "and function words dropped, plurals folded), then to fewer hops."
)

INVERSE = {
    Relation.EXACT.value: Relation.EXACT.value,
    Relation.CLOSE.value: Relation.CLOSE.value,
    Relation.RELATED.value: Relation.RELATED.value,
    Relation.BROAD.value: Relation.NARROW.value,
    Relation.NARROW.value: Relation.BROAD.value,
    Relation.BROADER.value: "narrower",
}

Node = tuple[str, str]  # (scheme, code)


@dataclass(frozen=True, slots=True)
class Arc:
    """One stored edge as walked in one direction."""

    edge_id: int
    source: Node
    target: Node
    relation: str  # as walked: the inverse relation when walked against the stored direction
    confidence: float
    forward: bool  # walked in the stored direction
    title_similarity: float = 0.0  # of the two items' titles: the tie-breaker between equal confidences

    @property
    def hierarchy(self) -> bool:
        return self.relation in ("broader", "narrower")

    @property
    def broadening(self) -> bool:
        return self.relation in ("broader", "broadMatch")

    @property
    def to_sibling(self) -> bool:
        """Down a hierarchy or back down a membership: after going up, this reaches siblings."""
        return self.relation == "narrower" or (self.relation == "narrowMatch" and not self.forward)

    @property
    def weight(self) -> float:
        return self.confidence * (HIERARCHY_DISCOUNT if self.hierarchy else 1.0)


@dataclass(frozen=True, slots=True)
class Reached:
    node: Node
    confidence: float
    path: tuple[Arc, ...]
    title_score: float = 1.0  # the lowest title similarity of the path's hops (1 for no hop)


# One arc as `reach` walks it, its properties worked out once: (neighbour, arc, weight, to_sibling,
# broadening, title_similarity). The walk visits thousands of arcs per request; networkx's adjacency views
# and the properties' calls cost more than the walk itself.
Step = tuple[Node, Arc, float, bool, bool, float]


class CrosswalkGraph:
    def __init__(self, graph: nx.DiGraph, version: int, built_in: float) -> None:
        self.graph = graph
        self.version = version
        self.built_in = built_in
        self.steps: dict[Node, tuple[Step, ...]] = {
            node: tuple(_step(neighbour, data["arc"]) for neighbour, data in targets.items())
            for node, targets in graph.adj.items()
        }

    @classmethod
    def from_rows(
        cls,
        items: Iterable[Node],
        edges: Iterable[asyncpg.Record | dict],
        version: int = 0,
        titles: Mapping[Node, tuple[str | None, str | None]] | None = None,
    ) -> CrosswalkGraph:
        """The graph of `items` and `edges`; `titles` gives items' (English, Spanish) titles, whose
        similarity breaks ties between equal confidences."""
        started = time.perf_counter()
        graph = nx.DiGraph()
        graph.add_nodes_from(items)
        no_title: tuple[Tokens, Tokens] = (frozenset(), frozenset())
        tokens = {node: (title_tokens(en), title_tokens(es)) for node, (en, es) in (titles or {}).items()}
        for e in edges:
            a, b = (e["from_scheme"], e["from_code"]), (e["to_scheme"], e["to_code"])
            confidence = float(e["confidence"])
            similarity = title_similarity(tokens.get(a, no_title), tokens.get(b, no_title))
            graph.add_edge(a, b, arc=Arc(e["id"], a, b, e["relation"], confidence, True, similarity))
            # A stored edge in the other direction between the same items wins over this one's inverse.
            if not graph.has_edge(b, a) or not graph[b][a]["arc"].forward:
                inverse = Arc(e["id"], b, a, INVERSE[e["relation"]], confidence, False, similarity)
                graph.add_edge(b, a, arc=inverse)
        return cls(graph, version, time.perf_counter() - started)

    def __contains__(self, node: Node) -> bool:
        return node in self.graph

    def reach(
        self, start: Node, max_hops: int, min_confidence: float, goal: Node | None = None
    ) -> dict[Node, Reached]:
        """The best path to every item within `max_hops` whose combined confidence is at least
        `min_confidence`.

        Best-first over (item, hops, whether the path went up), ordered by confidence and then by title
        score: both only shrink along a path, so the first time an item comes off the heap is its best
        path. It may come off again later with fewer hops, or without having gone up, to reach further,
        but its result stays.
        """
        best: dict[Node, Reached] = {}
        fewest_hops: dict[tuple[Node, bool], int] = {}
        counter = 0  # remaining ties broken by insertion order, so results never depend on comparing arcs
        heap: list[tuple[float, float, int, Node, int, bool, tuple[Arc, ...]]] = [
            (-1.0, -1.0, 0, start, 0, False, ())
        ]
        steps = self.steps
        while heap:
            negative, negative_score, _, node, hops, went_up, path = heapq.heappop(heap)
            if fewest_hops.get((node, went_up), MAX_HOPS + 1) <= hops:
                continue
            fewest_hops[(node, went_up)] = hops
            confidence, score = -negative, -negative_score
            if node not in best:
                best[node] = Reached(node, confidence, path, score)
                if node == goal:
                    break  # its best path is settled; nothing further is needed
            if hops == max_hops:
                continue
            for neighbour, arc, weight, to_sibling, broadening, similarity in steps[node]:
                combined = confidence * weight
                if combined < min_confidence or neighbour == start or (went_up and to_sibling):
                    continue
                counter += 1
                heapq.heappush(
                    heap,
                    (
                        -combined,
                        -min(score, similarity),
                        counter,
                        neighbour,
                        hops + 1,
                        went_up or broadening,
                        (*path, arc),
                    ),
                )
        best.pop(start, None)
        return best

    def path(self, start: Node, goal: Node, max_hops: int) -> Reached | None:
        """The most confident path from `start` to `goal` within `max_hops`, if any."""
        return self.reach(start, max_hops, 0.0, goal).get(goal)


def _step(neighbour: Node, arc: Arc) -> Step:
    return (neighbour, arc, arc.weight, arc.to_sibling, arc.broadening, arc.title_similarity)


async def load_graph(conn: asyncpg.Connection, today: date | None = None) -> CrosswalkGraph:
    """Endorsed edges in force today, between every item, in one consistent snapshot."""
    today = today or date.today()
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        version = await conn.fetchval("SELECT version FROM graph_version")
        items = await conn.fetch("SELECT scheme, code, label_en, label_es FROM items")
        edges = await conn.fetch(
            """SELECT id, from_scheme, from_code, to_scheme, to_code, relation, confidence FROM edges
               WHERE status = 'endorsed'
                 AND (valid_from IS NULL OR valid_from <= $1) AND (valid_to IS NULL OR valid_to >= $1)
               ORDER BY id""",
            today,
        )
    titles = {(r["scheme"], r["code"]): (r["label_en"], r["label_es"]) for r in items}
    return CrosswalkGraph.from_rows(titles.keys(), edges, version, titles)


class GraphHolder:
    """The graph a service answers from.

    At most every `check_every` seconds a request looks at `graph_version`; when it moved, a new graph is
    built in the background while requests go on with the old one, and swapped in whole when done. Only
    the very first request waits for a build. After a change made in this process, `refresh()` rebuilds
    before the mutation answers, so its caller reads its own write.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        check_every: float = 1.0,
        on_new_graph: Callable[[CrosswalkGraph], Awaitable[None]] | None = None,
    ) -> None:
        self.pool = pool
        self.check_every = check_every
        self.graph: CrosswalkGraph | None = None
        self.checked_at = 0.0
        self.lock = asyncio.Lock()
        self.building: asyncio.Task[None] | None = None
        # Work a new graph is worth once built (warming its caches), started when it is swapped in and
        # never awaited by a request: a mutation's refresh does not wait for it.
        self.on_new_graph = on_new_graph
        self.warming: asyncio.Future[None] | None = None

    async def current(self) -> CrosswalkGraph:
        if self.graph is None:
            await self.refresh()
        elif time.monotonic() - self.checked_at >= self.check_every and self.building is None:
            self.checked_at = time.monotonic()
            self.building = asyncio.ensure_future(self._refresh_in_background())
        assert self.graph is not None
        return self.graph

    async def refresh(self) -> None:
        async with self.lock:
            async with self.pool.acquire() as conn:
                version = await conn.fetchval("SELECT version FROM graph_version")
                if self.graph is None or version != self.graph.version:
                    self.graph = await load_graph(conn)
                    if self.on_new_graph is not None:
                        self.warming = asyncio.ensure_future(self.on_new_graph(self.graph))
            self.checked_at = time.monotonic()

    async def _refresh_in_background(self) -> None:
        try:
            await self.refresh()
        finally:
            self.building = None
