"""The crosswalk subgraph: items, search, crosswalks, paths and level alignments."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from services.common.errors import BadUserInput, found
from services.common.inputs import int_id
from services.common.pagination import Connection, Page
from services.common.permissions import IsTaskforce
from services.common.schema import SubgraphSchema
from services.mapping import model, rules
from services.mapping.agreements import Decision, Party, Recognition, RecognitionAgreement, recognitions_where
from services.mapping.automotive import ScopedStandard, automotive_scope
from services.mapping.graph import HIERARCHY_DISCOUNT, MAX_HOPS, TIE_BREAK
from services.mapping.loaders import Info, agreements
from services.mapping.review import ProposalFilter, mapping_proposals
from services.mapping.types import (
    CrosswalkResult,
    FrameworkItem,
    ItemRef,
    MappingEdge,
    Relation,
    Scheme,
    Standard,
    _schemes,
    check_walk,
    crosswalk_results,
    current_graph,
    graph_holder,
    require_item,
)

CROSSWALK_DESCRIPTION = (
    "Where an item leads in other schemes, best first. Every endorsed edge in force is walked both ways "
    f"(at most `maxHops`, at most {MAX_HOPS}). A result's confidence is the product of the confidences of "
    f"the edges on its path, times {HIERARCHY_DISCOUNT} for every hop inside a scheme's own hierarchy "
    "(to a parent or a child); for each item the path with the highest confidence wins, and results below "
    "`minConfidence` are left out. Without `toSchemes`, results in any scheme but the item's own. "
    f"{TIE_BREAK}"
)


@strawberry.type
class Query:
    @strawberry.field(description="One item by scheme and code.")
    async def framework_item(self, info: Info, scheme: Scheme, code: str) -> FrameworkItem | None:  # type: ignore[valid-type]
        row = await info.context.loaders.item.load((scheme.value, code.strip()))
        message = f"There is no {scheme.value} item with code {code!r}."
        return FrameworkItem.from_row(found(row, message, argument="code"))

    @strawberry.field(
        description="Items of a scheme in code order; `search` matches code and Spanish and English labels "
        "(accents and case ignored), `parentCode` lists one item's children."
    )
    async def framework_items(
        self,
        info: Info,
        scheme: Scheme,  # type: ignore[valid-type]
        search: str | None = None,
        parent_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FrameworkItem]:
        ctx = info.context
        page = Page.of(first, after, ctx.settings.max_page_size, kinds=(str,))
        if search is not None and len(search) > ctx.settings.max_search_length:
            raise BadUserInput(
                f"The search text has {len(search)} characters; the limit is "
                f"{ctx.settings.max_search_length}.",
                argument="search",
            )
        words = [w for w in (search or "").split() if w]
        conditions = ["scheme = $1"]
        args: list[object] = [scheme.value]
        if parent_code is not None:
            args.append(parent_code.strip())
            conditions.append(f"parent = ${len(args)}")
        for word in words:
            args.append(f"%{word}%")
            conditions.append(f"search LIKE fold(${len(args)})")
        where = " AND ".join(conditions)
        (last,) = page.after_or(None)
        after_last = f"(${len(args) + 1}::text IS NULL OR code > ${len(args) + 1})"
        rows = await ctx.db.fetch(
            f"SELECT * FROM items WHERE {where} AND {after_last} ORDER BY code LIMIT ${len(args) + 2}",
            *args,
            last,
            page.limit,
        )
        return page.connection(
            rows,
            key=lambda r: [r["code"]],
            node=FrameworkItem.from_row,
            count=lambda: ctx.db.fetchval(f"SELECT count(*) FROM items WHERE {where}", *args),
        )

    @strawberry.field(description=CROSSWALK_DESCRIPTION)
    async def crosswalk(
        self,
        info: Info,
        from_: Annotated[ItemRef, strawberry.argument(name="from")],
        to_schemes: list[Scheme] | None = None,  # type: ignore[valid-type]
        max_hops: int = 4,
        min_confidence: float = 0.1,
        first: int = 20,
    ) -> list[CrosswalkResult]:
        row = await require_item(info, from_, "from")
        start = (row["scheme"], row["code"])
        return await crosswalk_results(info, start, _schemes(to_schemes), max_hops, min_confidence, first)

    @strawberry.field(
        description="The most confident path between two items within `maxHops`, or null when none is. "
        f"Its confidence is computed as in `crosswalk`. {TIE_BREAK}"
    )
    async def mapping_path(
        self,
        info: Info,
        from_: Annotated[ItemRef, strawberry.argument(name="from")],
        to: ItemRef,
        max_hops: int = 4,
    ) -> CrosswalkResult | None:
        check_walk(max_hops, 0.0, 1)
        start = await require_item(info, from_, "from")
        goal = await require_item(info, to, "to")
        graph = await current_graph(info)
        reached = graph.path((start["scheme"], start["code"]), (goal["scheme"], goal["code"]), max_hops)
        return CrosswalkResult.of(reached) if reached else None

    @strawberry.field(
        description="A level of a level framework (CONOCER_LEVEL, NVQ, RQF or EQF) and its equivalents in "
        "the others, through published alignments only; e.g. CONOCER level 3 -> NVQ 3 -> RQF 3 -> EQF 4."
    )
    async def level_alignment(self, info: Info, scheme: Scheme, level: str) -> list[CrosswalkResult]:  # type: ignore[valid-type]
        frameworks = model.LEVEL_FRAMEWORKS
        if model.Scheme(scheme.value) not in frameworks:
            raise BadUserInput(
                f"{scheme.value} is not a level framework; use one of "
                + ", ".join(sorted(s.value for s in frameworks))
                + ".",
                argument="scheme",
            )
        row = await require_item(info, ItemRef(scheme=scheme, code=level), "level")
        others = frameworks - {model.Scheme(scheme.value)}
        return await crosswalk_results(
            info, (row["scheme"], row["code"]), others, 4, 0.0, 50, through_levels_only=True
        )

    @strawberry.field(description="Every recognition agreement, newest first.")
    async def recognition_agreements(self, info: Info) -> list[RecognitionAgreement]:
        rows = await info.context.db.fetch(
            "SELECT * FROM recognition_agreements ORDER BY created_at DESC, id"
        )
        return [RecognitionAgreement.from_row(r) for r in rows]

    @strawberry.field
    async def recognition_agreement(self, info: Info, id: strawberry.ID) -> RecognitionAgreement | None:
        row = await info.context.loaders.agreement.load(str(id))
        return RecognitionAgreement.from_row(found(row, f"There is no agreement {id!r}.", argument="id"))

    @strawberry.field(
        description="Where a standard stands in every agreement: its counterparts, each party's decision "
        "and whether the recognition is mutual. `counterpart` narrows it to one counterpart item."
    )
    async def recognition_status(
        self, info: Info, standard_code: str, counterpart: ItemRef | None = None
    ) -> list[Recognition]:
        if counterpart is None:
            return await recognitions_where(info, "r.standard_code = $1", standard_code.strip())
        return await recognitions_where(
            info,
            "r.standard_code = $1 AND r.counterpart_scheme = $2 AND r.counterpart_code = $3",
            standard_code.strip(),
            counterpart.scheme.value,
            counterpart.code.strip(),
        )

    @strawberry.field(
        description="The review queue: proposed mappings (by a person or the text-matching proposer), "
        "most confident first, whatever their status unless `filter.status` says."
    )
    async def mapping_proposals(
        self,
        info: Info,
        filter: ProposalFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MappingEdge]:
        return await mapping_proposals(info, filter, first, after)

    @strawberry.field(
        description="The standards the automotive rule selects, in code order, each with the reasons "
        "that hold: its committee, its title, an edge to an automotive industry (NAICS 3361-3363, 4411, "
        "8111) or a counterpart in SOC 2018 49-30xx. See the rule in services/mapping/scope.py."
    )
    async def automotive_scope(self, info: Info) -> list[ScopedStandard]:
        return await automotive_scope(info)


@strawberry.input
class MappingInput:
    from_: ItemRef = strawberry.field(name="from")
    to: ItemRef
    relation: Relation
    confidence: float = strawberry.field(
        description="0..1: how far `from` corresponds to `to`, above 0 (e.g. the share of such reviewed "
        "mappings found right)."
    )
    source: str = strawberry.field(description="The document, study or review the mapping rests on.")
    note: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@strawberry.enum
class Review(Enum):
    ENDORSE = "endorse"
    REJECT = "reject"


@strawberry.input(description="One decision on a proposed mapping.")
class ReviewDecisionInput:
    id: strawberry.ID = strawberry.field(description="The mapping's id (`MappingEdge.id`).")
    decision: Review
    note: str | None = None


@strawberry.input
class AgreementInput:
    id: strawberry.ID
    title_es: str
    title_en: str | None = None
    scope_standards: list[str] = strawberry.field(description="CONOCER standard codes in scope.")
    counterpart_scheme: Scheme  # type: ignore[valid-type]
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None


@strawberry.input(description="Where a standard falls short of its counterpart, and what makes up for it.")
class GapInput:
    element: str = strawberry.field(description="The standard's element (or the counterpart's duty).")
    gap: str
    measure: str = strawberry.field(description="The compensatory measure: a course, an assessment, ...")


@strawberry.input
class DecisionInput:
    agreement_id: strawberry.ID
    standard_code: str
    counterpart: ItemRef
    party: Party
    decision: Decision
    conditions: str | None = None
    note: str | None = None
    gaps: list[GapInput] | None = strawberry.field(
        default=None, description="Replaces the recognition's gaps; leave out to keep them."
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Propose a mapping between two items (taskforce, admin). It counts in crosswalks once "
        "another person endorses it with `reviewMapping`.",
        permission_classes=[IsTaskforce],
    )
    async def propose_mapping(self, info: Info, input: MappingInput) -> MappingEdge:
        ctx = info.context
        caller = ctx.caller
        edge_id = await rules.propose_mapping(
            ctx.db,
            rules.Proposal(
                input.from_.scheme.value,
                input.from_.code.strip(),
                input.to.scheme.value,
                input.to.code.strip(),
                input.relation.value,
                input.confidence,
                input.source,
                input.note,
                input.valid_from,
                input.valid_to,
            ),
            caller,
        )
        return MappingEdge.from_row(await info.context.loaders.edge.load(edge_id))

    @strawberry.mutation(
        description="Endorse or reject a proposed mapping (taskforce, admin); never one's own proposal.",
        permission_classes=[IsTaskforce],
    )
    async def review_mapping(
        self, info: Info, id: strawberry.ID, decision: Review, note: str | None = None
    ) -> MappingEdge:
        ctx = info.context
        caller = ctx.caller
        edge_id = int_id(id, what="a mapping id")
        await rules.review_mapping(ctx.db, edge_id, decision is Review.ENDORSE, note, caller)
        await graph_holder(info).refresh()  # the reviewer's next crosswalk already sees it
        row = await ctx.db.fetchrow("SELECT * FROM edges WHERE id = $1", edge_id)
        return MappingEdge.from_row(row)

    @strawberry.mutation(
        description="The task force's decisions on many proposals at once, for the party its key acts "
        f"for (MX or US; taskforce, admin): at most {rules.MAX_REVIEWS}, all or none. Each party decides "
        "once per proposal and never on its own proposal; the first endorsement makes the mapping count "
        "in crosswalks, a rejection by either party takes it out, and both parties' endorsements make it "
        "mutual.",
        permission_classes=[IsTaskforce],
    )
    async def review_mappings(self, info: Info, decisions: list[ReviewDecisionInput]) -> list[MappingEdge]:
        ctx = info.context
        caller = ctx.caller
        if len(decisions) > rules.MAX_REVIEWS:  # before parsing ids: the bound comes first
            raise BadUserInput(
                f"{len(decisions)} decisions; at most {rules.MAX_REVIEWS} go in one call.",
                argument="decisions",
            )
        parsed = [
            rules.ReviewInput(
                int_id(d.id, argument="decisions", what="a mapping id"), d.decision is Review.ENDORSE, d.note
            )
            for d in decisions
        ]
        await rules.review_mappings(ctx.db, parsed, caller)
        await graph_holder(info).refresh()  # the reviewers' next counterparts already see it
        rows = await ctx.db.fetch(
            "SELECT * FROM edges WHERE id = ANY($1::bigint[])", [d.edge_id for d in parsed]
        )
        by_id = {r["id"]: r for r in rows}
        return [MappingEdge.from_row(by_id[d.edge_id]) for d in parsed]

    @strawberry.mutation(
        description="Open a recognition agreement between Mexico and the US (taskforce, admin).",
        permission_classes=[IsTaskforce],
    )
    async def create_recognition_agreement(self, info: Info, input: AgreementInput) -> RecognitionAgreement:
        ctx = info.context
        caller = ctx.caller
        await rules.create_agreement(
            ctx.db,
            rules.AgreementInput(
                str(input.id),
                input.title_es,
                input.title_en,
                tuple(input.scope_standards),
                input.counterpart_scheme.value,
                input.valid_from,
                input.valid_to,
                input.note,
            ),
            caller,
        )
        (row,) = await agreements(ctx.db, [str(input.id)])  # as written, not as the request loaded it
        return RecognitionAgreement.from_row(row)

    @strawberry.mutation(
        description="Record one party's decision on recognising a standard as a counterpart "
        "(taskforce acting for that party, admin). Mutual once both endorsed.",
        permission_classes=[IsTaskforce],
    )
    async def record_recognition_decision(self, info: Info, input: DecisionInput) -> Recognition:
        ctx = info.context
        caller = ctx.caller
        counterpart = (input.counterpart.scheme.value, input.counterpart.code.strip())
        await rules.record_decision(
            ctx.db,
            rules.DecisionInput(
                str(input.agreement_id),
                input.standard_code.strip(),
                *counterpart,
                input.party.value,
                input.decision.value,
                input.conditions,
                input.note,
                gaps=None
                if input.gaps is None
                else [{"element": g.element, "gap": g.gap, "measure": g.measure} for g in input.gaps],
            ),
            caller,
        )
        [recognition] = await recognitions_where(
            info,
            "r.agreement_id = $1 AND r.standard_code = $2 AND r.counterpart_scheme = $3 "
            "AND r.counterpart_code = $4",
            str(input.agreement_id),
            input.standard_code.strip(),
            *counterpart,
        )
        return recognition


schema = SubgraphSchema(Query, Mutation, types=[Standard, FrameworkItem, RecognitionAgreement])
