"""Institutions, their programmes and their equivalence rules, as GraphQL types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, ClassVar

import asyncpg
import strawberry

from services.common.permissions import allows
from services.common.rows import FromRow, Source
from services.credits import catalog, conversion, transcript
from services.credits.loaders import Info
from services.credits.types.enums import AwardLevel, CapBasis, CreditLevel, CreditSystem, RuleStatus

if TYPE_CHECKING:
    from services.credits.types.registry import Standard

REGISTRY = "services.credits.types.registry"  # its Standard lists rules; a rule names its Standard


@strawberry.federation.type(keys=["id"], description="A university or college that grants credit.")
class Institution(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "name": "name_es",
        "credit_system": lambda row: conversion.CreditSystem(row["credit_system"]),
    }
    id: strawberry.ID
    name: str = strawberry.field(description="Spanish, or the institution's own language.")
    name_en: str | None
    country: str = strawberry.field(description="ISO 3166 alpha-2.")
    credit_system: CreditSystem  # type: ignore[valid-type]
    website: str | None
    illustrative: bool = strawberry.field(description="True for the invented sample institutions.")

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Institution | None:
        return cls.from_optional_row(await info.context.loaders.institution.load(str(id)))

    @strawberry.field
    async def programs(self, info: Info) -> list[Program]:
        return [Program.from_row(r) for r in await info.context.loaders.programs_of.load(str(self.id))]


@strawberry.federation.type(
    keys=["id"], description="A programme of study and its rules for recognised competence."
)
class Program(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "name": "name_es",
        "award_level": lambda row: AwardLevel(row["award_level"]),
        "total_credits": lambda row: float(row["total_credits"]),
        "recognition_cap": lambda row: float(row["recognition_cap"]),
        "residency_credits": lambda row: float(row["residency_credits"]),
        "_row": lambda row: row,
    }
    id: strawberry.ID
    name: str
    name_en: str | None
    award_level: AwardLevel
    isced_field: str | None = strawberry.field(description="ISCED-F 2013 field code.")
    total_credits: float = strawberry.field(
        description="Credits the award requires, in the institution's system."
    )
    recognition_cap: float = strawberry.field(description="The most credit recognised competence may earn.")
    residency_credits: float = strawberry.field(description="Credits that must be earned at the institution.")
    max_certificate_age_years: int | None = strawberry.field(
        description="Certificates older than this on the transcript's date earn nothing (null: no limit)."
    )
    illustrative: bool
    _row: strawberry.Private[asyncpg.Record]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Program | None:
        return cls.from_optional_row(await info.context.loaders.program.load(str(id)))

    @strawberry.field(
        description="What recognised competence can earn here: the cap, or the total less residency if lower."
    )
    def effective_cap(self) -> float:
        return float(catalog.program_of(self._row).cap[0])

    @strawberry.field
    def cap_basis(self) -> CapBasis:  # type: ignore[valid-type]
        return catalog.program_of(self._row).cap[1]

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        return Institution.from_row(await info.context.loaders.institution.load(self._row["institution_id"]))


@strawberry.type(description="A course a rule exempts the learner from.")
class ExemptedCourse:
    code: str
    title: str
    title_en: str | None
    credits: float

    @classmethod
    def of(cls, course: transcript.Course) -> ExemptedCourse:
        return cls(
            code=course.code, title=course.title, title_en=course.title_en, credits=float(course.credits)
        )


@strawberry.type(
    description="An institution's rule: a certificate of one of these standard versions earns these credits."
)
class EquivalenceRule(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "id": lambda row: strawberry.ID(str(row["id"])),
        "versions": lambda row: list(row["versions"]),
        "credits": lambda row: float(row["credits"]),
        "credit_level": lambda row: CreditLevel(row["credit_level"]),
        "exempted_courses": lambda row: [
            ExemptedCourse.of(c) for c in catalog.courses_of(row["exempted_courses"])
        ],
        "status": lambda row: RuleStatus(row["status"]),
        "_row": lambda row: row,
    }
    id: strawberry.ID
    base_code: str = strawberry.field(description="The standard without version, e.g. EC0217.")
    versions: list[str] = strawberry.field(
        description="Versions the rule names. A later version is covered too when the registry marks it "
        "equivalent to a named one (Standard.equivalentEarlierVersions)."
    )
    credits: float = strawberry.field(description="In the institution's credit system.")
    credit_level: CreditLevel
    exempted_courses: list[ExemptedCourse]
    isced_field: str | None
    valid_from: date
    valid_to: date | None
    status: RuleStatus
    evidence: str
    notes: str | None
    proposed_at: datetime
    approved_on: date | None
    retired_on: date | None
    retirement_reason: str | None
    illustrative: bool
    _row: strawberry.Private[asyncpg.Record]

    @strawberry.field(
        description="Who proposed and approved it (the institution's registrars and admins only)."
    )
    def proposed_by(self, info: Info) -> str | None:
        return self._row["proposed_by"] if is_insider(info, self._row["institution_id"]) else None

    @strawberry.field
    def approved_by(self, info: Info) -> str | None:
        return self._row["approved_by"] if is_insider(info, self._row["institution_id"]) else None

    @strawberry.field(description="The first version the rule names.")
    def standard(self) -> Annotated[Standard, strawberry.lazy(REGISTRY)]:
        from services.credits.types.registry import Standard  # imports this module: a cycle at load time

        return Standard(code=self.versions[0])

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        return Institution.from_row(await info.context.loaders.institution.load(self._row["institution_id"]))

    @strawberry.field(description="Null when the rule applies to every programme of the institution.")
    async def program(self, info: Info) -> Program | None:
        if self._row["program_id"] is None:
            return None
        return Program.from_row(await info.context.loaders.program.load(self._row["program_id"]))

    @strawberry.field(description="Whether the rule is in force on a date (today by default).")
    def in_force(self, on: date | None = None) -> bool:
        return catalog.rule_of(self._row).in_force(on or date.today())


def is_insider(info: Info, institution_id: str) -> bool:
    """Whether the caller is a registrar of `institution_id`, or an admin."""
    return allows(info.context.caller, "registrar", scope=institution_id)
