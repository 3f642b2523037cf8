"""Recognition agreements and recognitions as GraphQL types.

A recognition pairs a Mexican standard with a counterpart item (a SOC or O*NET occupation, say) inside
an agreement; each party's latest decision is kept, and `mutual` holds only when both endorsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry.scalars import JSON

from services.common.rows import FromRow, Source
from services.mapping.loaders import Info
from services.mapping.types import FrameworkItem, Scheme, Standard


@strawberry.enum
class Party(Enum):
    MX = "MX"
    US = "US"


@strawberry.enum
class Decision(Enum):
    ENDORSED = "endorsed"
    REJECTED = "rejected"
    PENDING = "pending"


@strawberry.type(description="How much of an agreement's scope has been worked through.")
class Coverage:
    in_scope: int = strawberry.field(description="Standards in the agreement's scope.")
    with_counterpart: int = strawberry.field(description="Of those, standards with a recognition recorded.")
    with_proposed_counterpart: int = strawberry.field(
        description="Of those in scope, standards with a counterpart in the agreement's scheme "
        "(`Standard.counterparts`, proposed or endorsed)."
    )
    with_endorsed_counterpart: int = strawberry.field(
        description="Of those, standards with a counterpart through an edge a party endorsed, or a "
        "recognition a party endorsed."
    )
    mutual: int = strawberry.field(
        description="Standards with a counterpart through an edge both parties endorsed "
        "(`reviewMappings`), or with a recognition both parties endorsed."
    )


@strawberry.enum(description="A table's format: CSV (a header row, comma-separated) or JSON.")
class ExportFormat(Enum):
    CSV = "csv"
    JSON = "json"


@strawberry.type(description="One party's decision on a recognition.")
class PartyDecision:
    party: Party
    decision: Decision
    decided_by: str
    decided_on: date
    note: str | None


@strawberry.type(description="A Mexican standard recognised as corresponding to a counterpart item.")
class Recognition:
    agreement_id: strawberry.ID
    conditions: str | None
    gaps: JSON = strawberry.field(description="Per-element gaps and the compensatory measures for each.")
    decisions: list[PartyDecision]
    _standard: strawberry.Private[str]
    _counterpart: strawberry.Private[tuple[str, str]]

    @strawberry.field
    def standard(self) -> Standard:
        return Standard(code=self._standard)

    @strawberry.field
    async def counterpart(self, info: Info) -> FrameworkItem:
        return FrameworkItem.from_row(await info.context.loaders.item.load(self._counterpart))

    @strawberry.field(description="True only when both Mexico and the US endorsed this recognition.")
    def mutual(self) -> bool:
        endorsed = {d.party for d in self.decisions if d.decision == Decision.ENDORSED}
        return endorsed == {Party.MX, Party.US}

    @strawberry.field
    def mx(self) -> Decision:
        return self._decision(Party.MX)

    @strawberry.field
    def us(self) -> Decision:
        return self._decision(Party.US)

    def _decision(self, party: Party) -> Decision:
        return next((d.decision for d in self.decisions if d.party == party), Decision.PENDING)


async def recognitions_where(info: Info, where: str, *args: Any) -> list[Recognition]:
    rows = await info.context.db.fetch(
        f"""SELECT r.*, coalesce(json_agg(json_build_object(
                    'party', d.party, 'decision', d.decision, 'decided_by', d.decided_by,
                    'decided_on', d.decided_on, 'note', d.note) ORDER BY d.party)
                FILTER (WHERE d.party IS NOT NULL), '[]') AS decisions
            FROM recognitions r LEFT JOIN recognition_decisions d USING
                (agreement_id, standard_code, counterpart_scheme, counterpart_code)
            WHERE {where}
            GROUP BY r.agreement_id, r.standard_code, r.counterpart_scheme, r.counterpart_code
            ORDER BY r.standard_code, r.counterpart_code""",
        *args,
    )
    return [
        Recognition(
            agreement_id=strawberry.ID(r["agreement_id"]),
            conditions=r["conditions"],
            gaps=r["gaps"],
            decisions=[
                PartyDecision(
                    party=Party(d["party"]),
                    decision=Decision(d["decision"]),
                    decided_by=d["decided_by"],
                    decided_on=date.fromisoformat(d["decided_on"]),
                    note=d["note"],
                )
                for d in r["decisions"]
            ],
            _standard=r["standard_code"],
            _counterpart=(r["counterpart_scheme"], r["counterpart_code"]),
        )
        for r in rows
    ]


@strawberry.federation.type(keys=["id"], description="A recognition agreement between Mexico and the US.")
class RecognitionAgreement(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "id": lambda row: strawberry.ID(row["id"]),
        "parties": lambda row: [Party(p) for p in row["parties"]],
        "counterpart_scheme": lambda row: Scheme(row["counterpart_scheme"]),
        "scope_committees": lambda row: list(row["scope_committees"]),
        "_scope": lambda row: list(row["scope_standards"]),
    }
    id: strawberry.ID
    title_es: str
    title_en: str | None
    parties: list[Party]
    counterpart_scheme: Scheme  # type: ignore[valid-type]
    status: str = strawberry.field(description="draft, in_force or expired.")
    valid_from: date | None
    valid_to: date | None
    illustrative: bool = strawberry.field(description="True for sample data that no government signed.")
    note: str | None
    scope_committees: list[str] = strawberry.field(description="How the scope was drawn, where it was.")
    _scope: strawberry.Private[list[str]]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> RecognitionAgreement | None:
        return cls.from_optional_row(await info.context.loaders.agreement.load(str(id)))

    @strawberry.field(description="The standards in scope.")
    def scope(self) -> list[Standard]:
        return [Standard(code=code) for code in self._scope]

    @strawberry.field
    async def coverage(self, info: Info) -> Coverage:
        from services.mapping.agreement_table import coverage

        counts = await coverage(info, str(self.id), self._scope, self.counterpart_scheme.value)
        return Coverage(
            in_scope=counts.in_scope,
            with_counterpart=counts.with_counterpart,
            with_proposed_counterpart=counts.with_proposed_counterpart,
            with_endorsed_counterpart=counts.with_endorsed_counterpart,
            mutual=counts.mutual,
        )

    @strawberry.field(
        description="The agreement's table as text, to save as a file: for each standard in scope its best "
        "counterparts in the agreement's scheme (at most 5) with confidence, status, each party's review "
        "and whether it is mutual, the recognition's decisions and gaps (element: gap -> measure), and "
        "the route; a standard with no counterpart gets one row saying so. JSON adds the coverage."
    )
    async def export(self, info: Info, format: ExportFormat = ExportFormat.CSV) -> str:
        from services.mapping import agreement_table as t

        scheme = self.counterpart_scheme.value
        rows = await t.table(info, str(self.id), self._scope, scheme)
        if format is ExportFormat.CSV:
            return t.as_csv(rows)
        counts = await t.coverage(info, str(self.id), self._scope, scheme)
        return t.as_json(str(self.id), scheme, counts, rows)

    @strawberry.field
    async def recognitions(self, info: Info) -> list[Recognition]:
        return await recognitions_where(info, "r.agreement_id = $1", str(self.id))
