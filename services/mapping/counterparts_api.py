"""`Standard.counterparts` and `FrameworkItem.counterparts`: the routes of `routes.py` as GraphQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry

from services.common.errors import BadUserInput
from services.mapping import model
from services.mapping.evidence import ProposalEvidence, parse_evidence
from services.mapping.graph import Node
from services.mapping.loaders import Info
from services.mapping.model import COUNTERPART_SCHEMES
from services.mapping.routes import Found, Proposal, counterparts, standards_for
from services.mapping.routes import candidate_targets as _candidates
from services.mapping.types import (
    EdgeStatus,
    FrameworkItem,
    MappingEdge,
    Method,
    Standard,
    current_graph,
)

MAX_COUNTERPARTS = 200

COUNTERPART_DESCRIPTION = (
    "An occupation or programme a standard corresponds to. It rests on an edge from the standard to an "
    "occupation (proposed by the task force or the text-matching proposer, or endorsed; never a rejected "
    "one) and the crosswalk's endorsed routes onward from it (ESCO -> ISCO-08 -> SOC 2010 -> SOC 2018 -> "
    "CIP, and a SOC 2018 occupation's O*NET-SOC detail occupations). `confidence` is the edge's "
    "calibrated confidence times the route's combined confidence (see `Query.crosswalk`); an item reached "
    "through several edges keeps the best. `status`, `method` and `evidence` are the edge's."
)

# Edges that put a standard forward as corresponding to an occupation or programme, in force today.
_PROPOSALS = """SELECT id, from_code, to_scheme, to_code, confidence, status, method, evidence FROM edges
    WHERE from_scheme = 'CONOCER_EC' AND to_scheme = ANY($1::text[])
      AND status = ANY($2::text[])
      AND (valid_from IS NULL OR valid_from <= current_date)
      AND (valid_to IS NULL OR valid_to >= current_date)
      AND {where}
    ORDER BY id"""


def statuses(include_proposed: bool) -> list[str]:
    return ["proposed", "endorsed"] if include_proposed else ["endorsed"]


async def load_proposals(info: Info, where: str, *args: Any, include_proposed: bool = True) -> list[Proposal]:
    rows = await info.context.db.fetch(
        _PROPOSALS.format(where=where),
        sorted(s.value for s in COUNTERPART_SCHEMES),
        statuses(include_proposed),
        *args,
    )
    return [Proposal.from_row(r) for r in rows]


@strawberry.type(description=COUNTERPART_DESCRIPTION)
class Counterpart:
    confidence: float
    status: EdgeStatus = strawberry.field(description="The status of the edge from the standard.")
    method: Method = strawberry.field(description="How the edge from the standard was found.")  # type: ignore[valid-type]
    evidence: ProposalEvidence | None
    _node: strawberry.Private[Node]
    _found: strawberry.Private[Found]

    @classmethod
    def of(cls, found: Found, node: Node) -> Counterpart:
        p = found.proposal
        return cls(
            confidence=round(found.confidence, 6),
            status=EdgeStatus(p.status),
            method=model.Method(p.method),
            evidence=parse_evidence(p.evidence),
            _node=node,
            _found=found,
        )

    @strawberry.field(
        description="The counterpart: an occupation or programme, or, read from one, the standard."
    )
    async def item(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._node))

    @strawberry.field(description="The standard.")
    def standard(self) -> Standard:
        return Standard(code=self._found.proposal.standard)

    @strawberry.field(
        description="The items from the standard to the occupation or programme: the standard, the "
        "edge's occupation, then each step of the route."
    )
    async def path(self, info: Info) -> list[FrameworkItem]:
        found = self._found
        nodes = [
            (model.Scheme.CONOCER_EC.value, found.proposal.standard),
            found.proposal.target,
            *(arc.target for arc in found.route),
        ]
        rows = [await info.context.loaders.item.load(node) for node in nodes]
        return [FrameworkItem.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="The edge from the standard: its id for `reviewMappings`, its reviews.")
    async def proposal(self, info: Info) -> MappingEdge:
        return MappingEdge.from_row(await info.context.loaders.edge.load(self._found.proposal.edge_id))


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_COUNTERPARTS:
        raise BadUserInput(
            f"first must be between 1 and {MAX_COUNTERPARTS}; it was {first}.", argument="first"
        )


def check_schemes(schemes: Iterable[Any]) -> set[str]:
    wanted = {getattr(s, "value", s) for s in schemes}
    outside = sorted(wanted - {s.value for s in COUNTERPART_SCHEMES})
    if outside or not wanted:
        raise BadUserInput(
            "Counterparts are occupations and programmes: schemes are among "
            + ", ".join(sorted(s.value for s in COUNTERPART_SCHEMES))
            + (f"; not {', '.join(outside)}." if outside else "."),
            argument="schemes",
        )
    return wanted


async def standard_counterparts(
    info: Info, code: str, schemes: set[str], include_proposed: bool = True
) -> list[Found]:
    proposals = await load_proposals(info, "from_code = $3", code, include_proposed=include_proposed)
    if not proposals:
        return []
    return counterparts(await current_graph(info), proposals, schemes)


async def item_counterparts(info: Info, node: Node, first: int) -> list[Counterpart]:
    check_first(first)
    if node[0] not in {s.value for s in COUNTERPART_SCHEMES}:
        return []
    graph = await current_graph(info)
    targets = sorted(_candidates(graph, node))
    proposals = await load_proposals(
        info,
        "(to_scheme, to_code) IN (SELECT * FROM unnest($3::text[], $4::text[]))",
        [t[0] for t in targets],
        [t[1] for t in targets],
    )
    ranked = await info.context.db.fetch(
        """SELECT DISTINCT from_code FROM edges
           WHERE from_scheme = 'CONOCER_EC' AND to_scheme = $1 AND method = 'text_match'
             AND status <> 'rejected'""",
        node[0],
    )
    found = standards_for(graph, node, proposals, {r["from_code"] for r in ranked})
    return [Counterpart.of(f, (model.Scheme.CONOCER_EC.value, f.proposal.standard)) for f in found[:first]]
