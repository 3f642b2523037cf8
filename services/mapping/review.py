"""The task force's review queue: proposed mappings, filtered and ranked, a page at a time.

A proposal is any edge someone put forward (`proposed_by` set: a person with `proposeMapping`, or the
text-matching proposer), whatever its status now; official crosswalk edges are not proposals.
"""

from __future__ import annotations

import math

import strawberry

from services.common.errors import BadUserInput, NotFound
from services.common.pagination import Connection, Page
from services.mapping.loaders import Info
from services.mapping.types import EdgeStatus, MappingEdge, Scheme


@strawberry.input(description="Which proposals to list; every field narrows the list further.")
class ProposalFilter:
    agreement_id: strawberry.ID | None = strawberry.field(
        default=None, description="Proposals from the standards in this agreement's scope."
    )
    scheme: Scheme | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The scheme of the proposed counterpart, e.g. ESCO or SOC_2018."
    )
    standard_code: str | None = None
    status: EdgeStatus | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None


def _confidence(value: float | None, argument: str) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= 1):
        raise BadUserInput(f"{argument} must be between 0 and 1; it was {value}.", argument=argument)
    return value


async def mapping_proposals(
    info: Info, filter: ProposalFilter | None, first: int | None, after: str | None
) -> Connection[MappingEdge]:
    ctx = info.context
    page = Page.of(first, after, ctx.settings.max_page_size, kinds=(float, int))
    f = filter or ProposalFilter()
    conditions = ["proposed_by IS NOT NULL"]
    args: list[object] = []

    def where(condition: str, value: object) -> None:
        args.append(value)
        conditions.append(condition.format(f"${len(args)}"))

    if f.agreement_id is not None:
        scope = await ctx.db.fetchval(
            "SELECT scope_standards FROM recognition_agreements WHERE id = $1", str(f.agreement_id)
        )
        if scope is None:
            raise NotFound(f"There is no agreement {str(f.agreement_id)!r}.", argument="agreementId")
        where("from_scheme = 'CONOCER_EC' AND from_code = ANY({}::text[])", list(scope))
    if f.scheme is not None:
        where("to_scheme = {}", f.scheme.value)
    if f.standard_code is not None:
        where("from_scheme = 'CONOCER_EC' AND from_code = {}", f.standard_code.strip())
    if f.status is not None:
        where("status = {}", f.status.value)
    low = _confidence(f.min_confidence, "minConfidence")
    high = _confidence(f.max_confidence, "maxConfidence")
    if low is not None:
        where("confidence >= {}", low)
    if high is not None:
        where("confidence <= {}", high)
    filtered = " AND ".join(conditions)
    # Ranked by confidence down, then id up: the next page is lower, or as high with a later id.
    c, i = f"${len(args) + 1}::double precision", f"${len(args) + 2}::bigint"
    after_last = f"({c} IS NULL OR confidence < {c} OR (confidence = {c} AND id > {i}))"
    rows = await ctx.db.fetch(
        f"SELECT * FROM edges WHERE {filtered} AND {after_last} "
        f"ORDER BY confidence DESC, id LIMIT ${len(args) + 3}",
        *args,
        *page.after_or(None, None),
        page.limit,
    )
    return page.connection(
        rows,
        key=lambda r: [float(r["confidence"]), r["id"]],
        node=MappingEdge.from_row,
        count=lambda: ctx.db.fetchval(f"SELECT count(*) FROM edges WHERE {filtered}", *args),
    )
