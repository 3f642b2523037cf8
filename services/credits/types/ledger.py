"""The ledger: a learner's entries at an institution, deposits, applications and balances."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

import asyncpg
import strawberry

from services.common.rows import FromRow, Source
from services.credits import catalog
from services.credits.loaders import Info
from services.credits.types.catalog import EquivalenceRule, ExemptedCourse, Institution, Program
from services.credits.types.enums import CapBasis, EntryKind
from services.credits.types.registry import Certificate
from services.credits.types.transcript import CreditLine


@strawberry.type(
    description="A posting in a learner's credit account; entries are never edited, only reversed."
)
class LedgerEntry(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "id": lambda row: strawberry.ID(str(row["id"])),
        "kind": lambda row: EntryKind(row["kind"]),
        "credits": lambda row: float(row["credits"]),
        "exempted_courses": lambda row: [
            ExemptedCourse.of(c) for c in catalog.courses_of(row["exempted_courses"])
        ],
        "reverses": lambda row: None if row["reverses"] is None else strawberry.ID(str(row["reverses"])),
        "_row": lambda row: row,
    }
    id: strawberry.ID
    kind: EntryKind
    holder_ref: str
    folio: str
    standard_code: str
    credits: float = strawberry.field(description="Zero for a deposit; negative for a reversal.")
    exempted_courses: list[ExemptedCourse]
    reverses: strawberry.ID | None
    reason: str | None
    posted_at: datetime
    _row: strawberry.Private[asyncpg.Record]

    @strawberry.field
    def certificate(self) -> Certificate:
        return Certificate(folio=self.folio)

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        return Institution.from_row(await info.context.loaders.institution.load(self._row["institution_id"]))

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        if self._row["program_id"] is None:
            return None
        return Program.from_row(await info.context.loaders.program.load(self._row["program_id"]))

    @strawberry.field
    async def rule(self, info: Info) -> EquivalenceRule | None:
        if self._row["rule_id"] is None:
            return None
        return EquivalenceRule.from_row(await info.context.loaders.rule.load(self._row["rule_id"]))


async def entries(info: Info, ids: list[int]) -> list[LedgerEntry]:
    """The entries, in one query: loads awaited together share one batch."""
    rows = await asyncio.gather(*(info.context.loaders.entry.load(i) for i in ids))
    return [LedgerEntry.from_row(row) for row in rows]


@strawberry.type(description="A deposit: the certificate banked at the institution.")
class Deposit:
    entry: LedgerEntry
    replayed: bool = strawberry.field(
        description="True when the idempotency key had been used: the first answer."
    )


@strawberry.type(description="Banked certificates turned into credit toward a programme.")
class CreditApplication:
    holder_ref: str
    entries: list[LedgerEntry] = strawberry.field(description="The application entries posted.")
    lines: list[CreditLine] = strawberry.field(
        description="Every banked certificate not counted before, judged."
    )
    applied_credits: float = strawberry.field(description="Credits this application added.")
    total_applied: float = strawberry.field(description="All credits now applied to the programme.")
    cap_applied: float
    cap_basis: CapBasis  # type: ignore[valid-type]
    replayed: bool
    _program_id: strawberry.Private[str]

    @strawberry.field
    async def program(self, info: Info) -> Program:
        return Program.from_row(await info.context.loaders.program.load(self._program_id))

    @strawberry.field
    def remaining_cap(self) -> float:
        return max(0.0, self.cap_applied - self.total_applied)


@strawberry.type(description="A programme's balance in a credit account.")
class ProgramBalance:
    credits: float
    _program_id: strawberry.Private[str]

    @strawberry.field
    async def program(self, info: Info) -> Program:
        return Program.from_row(await info.context.loaders.program.load(self._program_id))


@strawberry.type(description="A learner's account at one institution, derived from its ledger entries.")
class CreditAccount:
    holder_ref: str
    entries: list[LedgerEntry] = strawberry.field(description="Every entry, oldest first.")
    banked: list[LedgerEntry] = strawberry.field(description="Deposits that stand (not reversed).")
    balances: list[ProgramBalance] = strawberry.field(
        description="Credits applied per programme, net of reversals."
    )
    _institution_id: strawberry.Private[str]

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        return Institution.from_row(await info.context.loaders.institution.load(self._institution_id))
