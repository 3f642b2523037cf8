"""The crosswalk's GraphQL types: items, edges, ranked crosswalk results, and `Standard`'s new fields.

Items and edges load through the request's DataLoaders (`loaders.py`), so a page of results with their
paths costs one query for the items and one for the edges, however many there are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import asyncpg
import strawberry

from services.common.errors import BadUserInput, found
from services.common.rows import FromRow, Source
from services.mapping import model
from services.mapping.graph import (
    HIERARCHY_DISCOUNT,
    MAX_HOPS,
    TIE_BREAK,
    Arc,
    CrosswalkGraph,
    GraphHolder,
    Reached,
)
from services.mapping.loaders import Info

if TYPE_CHECKING:
    from services.mapping.counterparts_api import Counterpart
    from services.mapping.evidence import PartyReview, ProposalEvidence

EVIDENCE = "services.mapping.evidence"
COUNTERPARTS = "services.mapping.counterparts_api"
COUNTERPART_DEFAULT_SCHEMES = [model.Scheme.SOC_2018, model.Scheme.ONET_SOC]

Scheme = strawberry.enum(model.Scheme, description="A classification scheme or level framework.")


@strawberry.enum(description="How an edge relates its items (SKOS), or `BROADER` inside one scheme.")
class Relation(Enum):
    EXACT_MATCH = "exactMatch"
    CLOSE_MATCH = "closeMatch"
    BROAD_MATCH = "broadMatch"
    NARROW_MATCH = "narrowMatch"
    RELATED_MATCH = "relatedMatch"
    BROADER = "broader"
    NARROWER = "narrower"


Method = strawberry.enum(model.Method, description="Where an edge comes from.")


@strawberry.enum
class EdgeStatus(Enum):
    PROPOSED = "proposed"
    ENDORSED = "endorsed"
    REJECTED = "rejected"


def graph_holder(info: Info) -> GraphHolder:
    return info.context.request.app.state.graph


async def current_graph(info: Info) -> CrosswalkGraph:
    return await graph_holder(info).current()


@strawberry.input(description='An item by scheme and code, e.g. {scheme: CIP_2020, code: "47.0604"}.')
class ItemRef:
    scheme: Scheme  # type: ignore[valid-type]
    code: str


async def require_item(info: Info, ref: ItemRef, argument: str) -> asyncpg.Record:
    row = await info.context.loaders.item.load((ref.scheme.value, ref.code.strip()))
    return found(row, f"There is no {ref.scheme.value} item with code {ref.code!r}.", argument=argument)


# Fields the crosswalk adds to the registry's standard are nullable: when this subgraph cannot answer, the
# gateway nulls only them, and the standard the registry gave still shows.
WHEN_NULL = " Null when the crosswalk could not answer or refused; the response's errors say why."


@strawberry.federation.type(
    keys=["code"], description="A CONOCER competency standard (owned by the registry)."
)
class Standard:
    code: str

    @classmethod
    def resolve_reference(cls, info: Info, code: str) -> Standard:
        return cls(code=code)

    @strawberry.field(
        description="The standard's industry: its SCIAN 2023 sector; null when none is recorded, or when the "
        "crosswalk could not answer (the response's errors then say why)."
    )
    async def industry(self, info: Info) -> FrameworkItem | None:
        graph = await current_graph(info)
        node = (model.Scheme.CONOCER_EC.value, self.code)
        if node not in graph:
            return None
        for neighbour in graph.graph.adj[node]:
            if neighbour[0] == model.Scheme.SCIAN_2023.value:
                row = await info.context.loaders.item.load(neighbour)
                return FrameworkItem.from_row(row) if row else None
        return None

    @strawberry.field(
        description="The standard's level in CONOCER's framework and its equivalents in the NVQ, RQF and "
        "EQF frameworks, each with the path of published alignments and its combined confidence." + WHEN_NULL
    )
    async def level_equivalents(self, info: Info) -> list[CrosswalkResult] | None:
        start = (model.Scheme.CONOCER_EC.value, self.code)
        return await crosswalk_results(
            info, start, set(model.LEVEL_FRAMEWORKS), 4, 0.0, 20, through_levels_only=True
        )

    @strawberry.field(
        description="Where this standard leads in other schemes: see `Query.crosswalk`." + WHEN_NULL
    )
    async def crosswalk(
        self,
        info: Info,
        to_schemes: list[Scheme] | None = None,  # type: ignore[valid-type]
        max_hops: int = 4,
        min_confidence: float = 0.1,
        first: int = 20,
    ) -> list[CrosswalkResult] | None:
        start = (model.Scheme.CONOCER_EC.value, self.code)
        return await crosswalk_results(info, start, _schemes(to_schemes), max_hops, min_confidence, first)

    @strawberry.field(
        description="The occupations and programmes this standard corresponds to, best first (see "
        "`Counterpart`). `includeProposed: false` keeps only edges a reviewer endorsed." + WHEN_NULL
    )
    async def counterparts(
        self,
        info: Info,
        schemes: list[Scheme] = COUNTERPART_DEFAULT_SCHEMES,  # type: ignore[valid-type]
        first: int = 10,
        include_proposed: bool = True,
    ) -> list[Annotated[Counterpart, strawberry.lazy(COUNTERPARTS)]] | None:
        from services.mapping.counterparts_api import (
            Counterpart,
            check_first,
            check_schemes,
            standard_counterparts,
        )

        check_first(first)
        found = await standard_counterparts(info, self.code, check_schemes(schemes), include_proposed)
        return [Counterpart.of(f, f.node) for f in found[:first]]


@strawberry.federation.type(
    keys=["scheme code"],
    description="An item of a classification scheme: a SCIAN industry, a SOC occupation, a CIP programme, "
    "an ISCED-F field, a CONOCER standard, a level of a framework, ...",
)
class FrameworkItem(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {"scheme": lambda row: model.Scheme(row["scheme"])}
    scheme: Scheme  # type: ignore[valid-type]
    code: str
    label_es: str | None = strawberry.field(description="Spanish label, where the scheme has one.")
    label_en: str | None = strawberry.field(description="English label, where the scheme has one.")
    kind: str = strawberry.field(description="The scheme's name for this level, e.g. sector, clase.")
    depth: int = strawberry.field(description="1 at the top of the scheme's hierarchy.")
    description: str | None
    _parent: strawberry.Private[str | None]

    @classmethod
    async def resolve_reference(cls, info: Info, scheme: str, code: str) -> FrameworkItem | None:
        row = await info.context.loaders.item.load((getattr(scheme, "value", scheme), code))
        return cls.from_optional_row(row)

    @strawberry.field(description="The Spanish label, or the English one where there is none.")
    def label(self) -> str:
        return self.label_es or self.label_en or self.code

    @strawberry.field
    async def parent(self, info: Info) -> FrameworkItem | None:
        if self._parent is None:
            return None
        row = await info.context.loaders.item.load((self.scheme.value, self._parent))
        return FrameworkItem.from_optional_row(row)

    @strawberry.field(description="The items one level down, in code order.")
    async def children(self, info: Info) -> list[FrameworkItem]:
        children = await info.context.loaders.children.load((self.scheme.value, self.code))
        return [FrameworkItem.from_row(r) for r in children]

    @strawberry.field(
        description="For an occupation or programme: the standards that correspond to it, best first, "
        "read through the same edges and routes as `Standard.counterparts` (`item` is the standard, "
        "`path` still runs from the standard). Empty for items of other schemes."
    )
    async def counterparts(
        self, info: Info, first: int = 10
    ) -> list[Annotated[Counterpart, strawberry.lazy(COUNTERPARTS)]]:
        from services.mapping.counterparts_api import item_counterparts

        return await item_counterparts(info, (self.scheme.value, self.code), first)

    @strawberry.field(description="For a CONOCER_EC item: the registry's standard.")
    def standard(self) -> Standard | None:
        return Standard(code=self.code) if self.scheme == model.Scheme.CONOCER_EC else None


@strawberry.type(description="A mapping between two items, with its confidence and provenance.")
class MappingEdge(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "id": lambda row: strawberry.ID(str(row["id"])),
        "relation": lambda row: Relation(row["relation"]),
        "method": lambda row: model.Method(row["method"]),
        "status": lambda row: EdgeStatus(row["status"]),
        "_from": lambda row: (row["from_scheme"], row["from_code"]),
        "_to": lambda row: (row["to_scheme"], row["to_code"]),
    }
    id: strawberry.ID
    relation: Relation
    confidence: float = strawberry.field(
        description="0..1: how far the source item corresponds to the target. For a pair of an official "
        "crosswalk table it is (1 + 1/k) / 2, with k the larger of the source's number of targets and the "
        "target's number of sources in the table (a group listed with its own members counts theirs too): "
        "the average of the table's word for the pair (1) and the chance that it is the right one of the k "
        "alternatives the table offers (1/k), since the edge is walked both ways. So 1 only for a one-to-one "
        "pair (the only exactMatch), 0.75 for one of two, never below 0.5. An item's place in another "
        "scheme's group (an ESCO occupation in its ISCO group, an O*NET occupation in its SOC) is 1; other "
        "methods state their own."
    )
    method: Method
    source: str = strawberry.field(description="The document the edge comes from.")
    note: str | None
    from_version: str
    to_version: str
    status: EdgeStatus
    proposed_by: str | None
    reviewed_by: str | None
    valid_from: date | None
    valid_to: date | None
    _from: strawberry.Private[tuple[str, str]]
    _to: strawberry.Private[tuple[str, str]]
    _evidence: strawberry.Private[Any] = None

    @strawberry.field(description="For a proposal found by matching text: what matched, and its route.")
    def evidence(self) -> Annotated[ProposalEvidence, strawberry.lazy(EVIDENCE)] | None:
        from services.mapping.evidence import parse_evidence

        return parse_evidence(self._evidence)

    @strawberry.field(
        description="Each party's review of this proposal (the task force's `reviewMappings`), MX first."
    )
    async def reviews(self, info: Info) -> list[Annotated[PartyReview, strawberry.lazy(EVIDENCE)]]:
        from services.mapping.evidence import PartyReview

        return [PartyReview.from_row(r) for r in await info.context.loaders.reviews.load(int(self.id))]

    @strawberry.field(description="True once both parties, Mexico and the US, endorsed this mapping.")
    async def mutual(self, info: Info) -> bool:
        reviews = await info.context.loaders.reviews.load(int(self.id))
        return {r["party"] for r in reviews if r["decision"] == "endorsed"} == {"MX", "US"}

    @strawberry.field(name="from")
    async def from_item(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._from))

    @strawberry.field(name="to")
    async def to_item(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._to))


@strawberry.type(description="One hop of a path: an edge as walked, forwards or backwards.")
class PathStep:
    relation: Relation = strawberry.field(description="As walked: broadMatch walked back is narrowMatch.")
    confidence: float
    walked_forward: bool = strawberry.field(description="Whether the hop follows the edge's direction.")
    _arc: strawberry.Private[Arc]

    @strawberry.field(name="from")
    async def from_item(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._arc.source))

    @strawberry.field(name="to")
    async def to_item(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._arc.target))

    @strawberry.field
    async def edge(self, info: Info) -> MappingEdge:
        return MappingEdge.from_row(await info.context.loaders.edge.load(self._arc.edge_id))


@strawberry.type(description="An item reached from another, with the path that reaches it.")
class CrosswalkResult:
    confidence: float = strawberry.field(
        description=f"The product of the path's edge confidences, times {HIERARCHY_DISCOUNT} for every hop "
        f"inside a scheme's hierarchy. {TIE_BREAK}"
    )
    hops: int
    path: list[PathStep]
    _node: strawberry.Private[tuple[str, str]]

    @classmethod
    def of(cls, reached: Reached) -> CrosswalkResult:
        steps = [
            PathStep(relation=Relation(a.relation), confidence=a.confidence, walked_forward=a.forward, _arc=a)
            for a in reached.path
        ]
        return cls(
            confidence=round(reached.confidence, 6), hops=len(reached.path), path=steps, _node=reached.node
        )

    @strawberry.field
    async def item(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._node))


def _schemes(schemes: list[Any] | None) -> set[model.Scheme] | None:
    return {model.Scheme(s.value if hasattr(s, "value") else s) for s in schemes} if schemes else None


def check_walk(max_hops: int, min_confidence: float, first: int) -> None:
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadUserInput(
            f"maxHops must be between 1 and {MAX_HOPS}; it was {max_hops}.", argument="maxHops"
        )
    if not 0 <= min_confidence <= 1:
        raise BadUserInput(
            f"minConfidence must be between 0 and 1; it was {min_confidence}.", argument="minConfidence"
        )
    if not 1 <= first <= 200:
        raise BadUserInput(f"first must be between 1 and 200; it was {first}.", argument="first")


async def crosswalk_results(
    info: Info,
    start: tuple[str, str],
    to_schemes: set[model.Scheme] | None,
    max_hops: int,
    min_confidence: float,
    first: int,
    *,
    through_levels_only: bool = False,
) -> list[CrosswalkResult]:
    check_walk(max_hops, min_confidence, first)
    graph = await current_graph(info)
    if start not in graph:
        return []
    reached = graph.reach(start, max_hops, min_confidence)
    wanted = {s.value for s in to_schemes} if to_schemes else None
    results = [
        r
        for node, r in reached.items()
        if (node[0] in wanted if wanted else node[0] != start[0])
        and (not through_levels_only or all(a.target[0] in model.LEVEL_FRAMEWORKS for a in r.path))
    ]
    # Equal confidences (as shown, to 6 places) are ranked by title score, then by fewer hops.
    results.sort(key=lambda r: (-round(r.confidence, 6), -r.title_score, len(r.path), r.node))
    return [CrosswalkResult.of(r) for r in results[:first]]
