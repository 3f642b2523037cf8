"""A proposal's evidence and its reviews, as GraphQL types.

The proposer stores evidence as JSON on the edge (`edges.evidence`); it is read here into typed fields,
defensively: a missing or malformed value is left out (null or empty), never an error, since the JSON
was written by a program that may grow new keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry

from services.common.rows import FromRow, Source
from services.mapping import model
from services.mapping.agreements import Party
from services.mapping.loaders import Info
from services.mapping.types import FrameworkItem, Scheme

SCHEME_NAMES = frozenset(s.value for s in model.Scheme)


@strawberry.type(description="One stop of a proposal's route, e.g. ESCO 'pintor de vehículos'.")
class RouteStop:
    scheme: Scheme  # type: ignore[valid-type]
    code: str

    @strawberry.field(description="The item, or null where it is not (or no longer) in the crosswalk.")
    async def item(self, info: Info) -> FrameworkItem | None:
        row = await info.context.loaders.item.load((self.scheme.value, self.code))
        return FrameworkItem.from_row(row) if row else None


@strawberry.type(description="How many people the counterpart occupation employs in the standard's sector.")
class SectorEvidence:
    naics_sector: str = strawberry.field(description="The OEWS sector as published, e.g. '31-33'.")
    employment: int | None
    share: float | None = strawberry.field(
        description="The occupation's share of its employment that is in this sector."
    )


@strawberry.type(description="Why a proposal was made: what matched, where, along which route.")
class ProposalEvidence:
    matched_label: str | None = strawberry.field(description="The label of the occupation that matched.")
    matched_terms: list[str] = strawberry.field(description="The words the standard and the label share.")
    dataset: str | None = strawberry.field(description="Where the label comes from, e.g. 'ESCO v1.0 (es)'.")
    score: float | None = strawberry.field(description="The raw text-match score (not a confidence).")
    route: list[RouteStop] = strawberry.field(
        description="From the standard to the US occupation: the standard, the matched item, the crosswalk "
        "steps."
    )
    sector: SectorEvidence | None
    job_zone: int | None = strawberry.field(description="The O*NET job zone (1-5) of the US occupation.")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_evidence(raw: Any) -> ProposalEvidence | None:
    if not isinstance(raw, dict):
        return None
    terms = raw.get("matchedTerms")
    route = raw.get("route")
    sector = raw.get("sector")
    return ProposalEvidence(
        matched_label=_text(raw.get("matchedLabel")),
        matched_terms=[t for t in terms if isinstance(t, str)] if isinstance(terms, list) else [],
        dataset=_text(raw.get("dataset")),
        score=_number(raw.get("score")),
        route=[
            RouteStop(scheme=model.Scheme(stop["scheme"]), code=stop["code"])
            for stop in (route if isinstance(route, list) else [])
            if isinstance(stop, dict) and stop.get("scheme") in SCHEME_NAMES and _text(stop.get("code"))
        ],
        sector=SectorEvidence(
            naics_sector=sector["naicsSector"],
            employment=_whole(sector.get("employment")),
            share=_number(sector.get("share")),
        )
        if isinstance(sector, dict) and _text(sector.get("naicsSector"))
        else None,
        job_zone=_whole(raw.get("jobZone")),
    )


@strawberry.enum
class ReviewDecision(Enum):
    ENDORSED = "endorsed"
    REJECTED = "rejected"


@strawberry.type(description="One party's review of a proposed mapping.")
class PartyReview(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "party": lambda row: Party(row["party"]),
        "decision": lambda row: ReviewDecision(row["decision"]),
    }
    party: Party
    decision: ReviewDecision
    reviewed_by: str
    reviewed_at: datetime
    note: str | None


