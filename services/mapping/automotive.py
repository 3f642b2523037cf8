"""`automotiveScope`: the standards the automotive rule (`scope.py`) selects today, each with its reasons."""

from __future__ import annotations

from collections import defaultdict

import strawberry

from services.mapping import model
from services.mapping.counterparts_api import load_proposals
from services.mapping.loaders import Info
from services.mapping.routes import candidate_targets, standards_for
from services.mapping.scope import (
    COMMITTEE_FACT,
    INDUSTRIES,
    OCCUPATION_MIN_CONFIDENCE,
    OCCUPATION_PREFIX,
    ReasonKind,
    automotive_reasons,
)
from services.mapping.types import Standard, current_graph

ScopeReasonKind = strawberry.enum(
    ReasonKind, name="ScopeReasonKind", description="Which part of the rule holds."
)


@strawberry.type(description="One part of the automotive rule that holds for a standard.")
class ScopeReason:
    kind: ScopeReasonKind  # type: ignore[valid-type]
    detail: str = strawberry.field(
        description="What matched: the committee's name, the title's words, the industry or SOC code."
    )


@strawberry.type(description="A standard the automotive rule selects, and why.")
class ScopedStandard:
    code: str
    title: str
    reasons: list[ScopeReason]

    @strawberry.field
    def standard(self) -> Standard:
        return Standard(code=self.code)


async def _industries(info: Info) -> dict[str, list[str]]:
    """Industry codes under the rule's industries that a standard's edges (not rejected) lead to."""
    rows = await info.context.db.fetch(
        """SELECT from_code, to_code FROM edges
           WHERE from_scheme = 'CONOCER_EC' AND to_scheme IN ('SCIAN_2023', 'NAICS_2022', 'NAICS_2017')
             AND status <> 'rejected' AND left(to_code, 4) = ANY($1::text[])""",
        list(INDUSTRIES),
    )
    found: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        found[r["from_code"]].append(r["to_code"])
    return found


async def _occupations(info: Info) -> dict[str, set[str]]:
    """SOC 2018 49-30xx counterparts of every standard, read backwards from those occupations."""
    graph = await current_graph(info)
    socs = [
        r["code"]
        for r in await info.context.db.fetch(
            "SELECT code FROM items WHERE scheme = 'SOC_2018' AND code LIKE $1", OCCUPATION_PREFIX + "%"
        )
    ]
    targets: set[tuple[str, str]] = set()
    for code in socs:
        targets |= candidate_targets(graph, (model.Scheme.SOC_2018.value, code))
    ordered = sorted(targets)
    proposals = await load_proposals(
        info,
        "(to_scheme, to_code) IN (SELECT * FROM unnest($3::text[], $4::text[]))",
        [t[0] for t in ordered],
        [t[1] for t in ordered],
    )
    ranked = await info.context.db.fetch(
        """SELECT DISTINCT from_code FROM edges
           WHERE from_scheme = 'CONOCER_EC' AND to_scheme = 'SOC_2018' AND method = 'text_match'
             AND status <> 'rejected'"""
    )
    directly = {r["from_code"] for r in ranked}
    found: dict[str, set[str]] = defaultdict(set)
    for code in socs:
        for f in standards_for(graph, (model.Scheme.SOC_2018.value, code), proposals, directly):
            if f.confidence >= OCCUPATION_MIN_CONFIDENCE:
                found[f.proposal.standard].add(code)
    return found


async def automotive_scope(info: Info) -> list[ScopedStandard]:
    rows = await info.context.db.fetch(
        """SELECT i.code, i.label_es, f.value AS committee FROM items i
           LEFT JOIN item_facts f ON (f.scheme, f.code, f.name) = (i.scheme, i.code, $1)
           WHERE i.scheme = 'CONOCER_EC' ORDER BY i.code""",
        COMMITTEE_FACT,
    )
    industries = await _industries(info)
    occupations = await _occupations(info)
    selected = []
    for r in rows:
        title = r["label_es"] or ""
        reasons = automotive_reasons(title, r["committee"], industries[r["code"]], occupations[r["code"]])
        if reasons:
            selected.append(
                ScopedStandard(
                    code=r["code"],
                    title=title,
                    reasons=[ScopeReason(kind=reason.kind, detail=reason.detail) for reason in reasons],
                )
            )
    return selected
