"""The credit bank's GraphQL types, and the registry entities it extends.

`Standard`, `Certificate` and `Learner` belong to the registry. The credit bank adds fields to them and
declares, with `@requires`, which registry facts those fields need: the gateway fetches the facts from the
registry and hands them over in the entity representation, so the credit bank never reads the registry's
tables and never trusts a client for them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from datetime import date, datetime
from typing import Any

import asyncpg
import strawberry
from strawberry.types import Info

from services.common.context import Context, by_key
from services.common.errors import Forbidden, NotFound
from services.common.permissions import allows
from services.credits import catalog, conversion, transcript
from services.credits.ledger import ENTRY_COLUMNS
from services.credits.registry_link import certificate_from_graphql

CreditSystem = strawberry.enum(conversion.CreditSystem, description="A system of academic credit.")
Activity = strawberry.enum(conversion.Activity, description="What the learner's hours were spent on.")
ConversionBasis = strawberry.enum(
    conversion.Basis, name="ConversionBasis", description="How a conversion was made."
)
LineStatus = strawberry.enum(
    transcript.LineStatus, description="Why a certificate did or did not earn credit."
)
CapBasis = strawberry.enum(transcript.CapBasis, description="Which requirement sets a programme's cap.")


@strawberry.enum(description="The level at which a rule grants credit.")
class CreditLevel(enum.Enum):
    VOCATIONAL = "VOCATIONAL"
    LOWER_DIVISION = "LOWER_DIVISION"
    UPPER_DIVISION = "UPPER_DIVISION"
    GRADUATE = "GRADUATE"


@strawberry.enum(description="The award a programme leads to.")
class AwardLevel(enum.Enum):
    UPPER_SECONDARY = "UPPER_SECONDARY"
    POST_SECONDARY_CERTIFICATE = "POST_SECONDARY_CERTIFICATE"
    SHORT_CYCLE = "SHORT_CYCLE"
    BACHELOR = "BACHELOR"
    MASTER = "MASTER"
    DOCTORATE = "DOCTORATE"


@strawberry.enum
class RuleStatus(enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    RETIRED = "retired"


@strawberry.enum(description="A ledger entry's kind.")
class EntryKind(enum.Enum):
    DEPOSIT = "deposit"
    APPLICATION = "application"
    REVERSAL = "reversal"


# The registry's enums, repeated because the fields the credit bank requires use them.
@strawberry.enum
class CertificateScope(enum.Enum):
    WHOLE = "whole"
    ELEMENTS = "elements"


@strawberry.enum
class CertificateStatus(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"


def _ctx(info: Info) -> Context:
    return info.context


def load_institution(info: Info, institution_id: str) -> Any:
    async def batch(ids: list[str]) -> list[Any]:
        return by_key(await catalog.institutions_by_id(_ctx(info).db, ids), ids, "id")

    return _ctx(info).loader("institution", batch).load(institution_id)


def load_program(info: Info, program_id: str) -> Any:
    async def batch(ids: list[str]) -> list[Any]:
        return by_key(await catalog.programs_by_id(_ctx(info).db, ids), ids, "id")

    return _ctx(info).loader("program", batch).load(program_id)


def load_programs_of(info: Info, institution_id: str) -> Any:
    async def batch(ids: list[str]) -> list[Any]:
        grouped: dict[str, list[asyncpg.Record]] = {i: [] for i in ids}
        for row in await catalog.programs_of(_ctx(info).db, ids):
            grouped[row["institution_id"]].append(row)
        return [grouped[i] for i in ids]

    return _ctx(info).loader("programs_of", batch).load(institution_id)


def load_rule(info: Info, rule_id: int) -> Any:
    async def batch(ids: list[int]) -> list[Any]:
        return by_key(await catalog.rules_by_id(_ctx(info).db, ids), ids, "id")

    return _ctx(info).loader("rule", batch).load(rule_id)


def load_rules_for_base(info: Info, base: str) -> Any:
    """Every rule for a base code, at any institution (filtered by the caller's view afterwards)."""

    async def batch(bases: list[str]) -> list[Any]:
        rows = await catalog.rules_for_bases(_ctx(info).db, bases)
        grouped: dict[str, list[asyncpg.Record]] = {b: [] for b in bases}
        for row in rows:
            grouped[row["base_code"]].append(row)
        return [grouped[b] for b in bases]

    return _ctx(info).loader("rules_for_base", batch).load(base)


def load_rules_at(info: Info, institution_id: str, base: str) -> Any:
    """Every rule of one institution for a base code: a page of transcripts loads them in one query."""

    async def batch(pairs: list[tuple[str, str]]) -> list[Any]:
        grouped: dict[tuple[str, str], list[asyncpg.Record]] = {pair: [] for pair in pairs}
        for row in await catalog.rules_at(_ctx(info).db, pairs):
            grouped[(row["institution_id"], row["base_code"])].append(row)
        return [grouped[pair] for pair in pairs]

    return _ctx(info).loader("rules_at", batch).load((institution_id, base))


@strawberry.federation.type(keys=["id"], description="A university or college that grants credit.")
class Institution:
    id: strawberry.ID
    name: str = strawberry.field(description="Spanish, or the institution's own language.")
    name_en: str | None
    country: str = strawberry.field(description="ISO 3166 alpha-2.")
    credit_system: CreditSystem  # type: ignore[valid-type]
    website: str | None
    illustrative: bool = strawberry.field(description="True for the invented sample institutions.")

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Institution:
        return cls(
            id=strawberry.ID(row["id"]),
            name=row["name_es"],
            name_en=row["name_en"],
            country=row["country"],
            credit_system=conversion.CreditSystem(row["credit_system"]),
            website=row["website"],
            illustrative=row["illustrative"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Institution | None:
        row = await load_institution(info, str(id))
        return cls.from_row(row) if row else None

    @strawberry.field
    async def programs(self, info: Info) -> list[Program]:
        return [Program.from_row(r) for r in await load_programs_of(info, str(self.id))]


@strawberry.federation.type(
    keys=["id"], description="A programme of study and its rules for recognised competence."
)
class Program:
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
    def from_row(cls, row: asyncpg.Record) -> Program:
        return cls(
            id=strawberry.ID(row["id"]),
            name=row["name_es"],
            name_en=row["name_en"],
            award_level=AwardLevel(row["award_level"]),
            isced_field=row["isced_field"],
            total_credits=float(row["total_credits"]),
            recognition_cap=float(row["recognition_cap"]),
            residency_credits=float(row["residency_credits"]),
            max_certificate_age_years=row["max_certificate_age_years"],
            illustrative=row["illustrative"],
            _row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Program | None:
        row = await load_program(info, str(id))
        return cls.from_row(row) if row else None

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
        return Institution.from_row(await load_institution(info, self._row["institution_id"]))


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
class EquivalenceRule:
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

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> EquivalenceRule:
        return cls(
            id=strawberry.ID(str(row["id"])),
            base_code=row["base_code"],
            versions=list(row["versions"]),
            credits=float(row["credits"]),
            credit_level=CreditLevel(row["credit_level"]),
            exempted_courses=[ExemptedCourse.of(c) for c in catalog.courses_of(row["exempted_courses"])],
            isced_field=row["isced_field"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            status=RuleStatus(row["status"]),
            evidence=row["evidence"],
            notes=row["notes"],
            proposed_at=row["proposed_at"],
            approved_on=row["approved_on"],
            retired_on=row["retired_on"],
            retirement_reason=row["retirement_reason"],
            illustrative=row["illustrative"],
            _row=row,
        )

    @strawberry.field(
        description="Who proposed and approved it (the institution's registrars and admins only)."
    )
    def proposed_by(self, info: Info) -> str | None:
        return self._row["proposed_by"] if _is_insider(info, self._row["institution_id"]) else None

    @strawberry.field
    def approved_by(self, info: Info) -> str | None:
        return self._row["approved_by"] if _is_insider(info, self._row["institution_id"]) else None

    @strawberry.field(description="The first version the rule names.")
    def standard(self) -> Standard:
        return Standard(code=self.versions[0])

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        return Institution.from_row(await load_institution(info, self._row["institution_id"]))

    @strawberry.field(description="Null when the rule applies to every programme of the institution.")
    async def program(self, info: Info) -> Program | None:
        if self._row["program_id"] is None:
            return None
        return Program.from_row(await load_program(info, self._row["program_id"]))

    @strawberry.field(description="Whether the rule is in force on a date (today by default).")
    def in_force(self, on: date | None = None) -> bool:
        return catalog.rule_of(self._row).in_force(on or date.today())


def _is_insider(info: Info, institution_id: str) -> bool:
    caller = _ctx(info).caller
    return allows(caller, "registrar", scope=institution_id)


# --- the registry's entities ---------------------------------------------------------------------------


def _external(**kwargs: Any) -> Any:
    """A registry field this subgraph requires but never resolves: the gateway fetches it from the registry.

    The declared type matches the registry's exactly (composition checks it); the Python default only
    satisfies the dataclass.
    """
    return strawberry.federation.field(external=True, default=None, **kwargs)


# Fields the credit bank adds to the registry's entities are nullable: when the credit bank cannot answer
# (or refuses), the gateway nulls only them, and the standard or learner the registry gave still shows.
WHEN_NULL = " Null when the credit bank could not answer or refused; the response's errors say why."


@strawberry.federation.type(
    keys=["code"], description="A CONOCER competency standard (owned by the registry)."
)
class Standard:
    code: str
    equivalent_earlier_versions: list[str] = _external()

    @classmethod
    def resolve_reference(cls, info: Info, code: str, **required: Any) -> Standard:
        return cls(code=code, equivalent_earlier_versions=required.get("equivalentEarlierVersions"))

    @strawberry.federation.field(
        requires=["equivalentEarlierVersions"],
        description="Approved rules in force on `asOf` (today by default) that give this version credit, "
        "at one institution or programme or at all of them." + WHEN_NULL,
    )
    async def credit_equivalences(
        self,
        info: Info,
        institution_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
        as_of: date | None = None,
    ) -> list[EquivalenceRule] | None:
        day = as_of or date.today()
        program = None
        if program_id is not None:
            program = await load_program(info, str(program_id))
            if program is None:
                raise NotFound(f"No programme has the id {program_id!r}.", argument="programId")
        certificate = transcript.Certificate(
            folio="",
            standard_code=self.code,
            issued_on=day,
            equivalent_earlier=tuple(self.equivalent_earlier_versions or ()),
        )
        rows = await load_rules_for_base(info, transcript.base_code(self.code))
        chosen = []
        for row in rows:
            rule = catalog.rule_of(row)
            if institution_id is not None and rule.institution_id != str(institution_id):
                continue
            if program is not None and (
                rule.institution_id != program["institution_id"]
                or rule.program_id not in (None, program["id"])
            ):
                continue
            if rule.covers(certificate) and rule.in_force(day):
                chosen.append(EquivalenceRule.from_row(row))
        return chosen


CERTIFICATE_FACTS = (
    "folio standardCode scope issuedOn expiresOn status revokedOn standard { equivalentEarlierVersions }"
)


@strawberry.federation.type(keys=["folio"], description="A competence certificate (owned by the registry).")
class Certificate:
    folio: str
    standard_code: str = _external()
    scope: CertificateScope = _external()
    issued_on: date = _external()
    expires_on: date | None = _external()
    status: CertificateStatus = _external()
    revoked_on: date | None = _external()
    standard: Standard = _external()
    _facts: strawberry.Private[dict[str, Any] | None] = None

    @classmethod
    def resolve_reference(cls, info: Info, folio: str, **required: Any) -> Certificate:
        return cls(folio=folio, _facts={"folio": folio, **required} if required else None)

    @strawberry.federation.field(
        requires=[CERTIFICATE_FACTS.removeprefix("folio ")],
        description="What this certificate alone earns in a programme on `asOf` (today by default), and why; "
        "null when it had not been issued by then.",
    )
    async def credit_value(
        self, info: Info, program_id: strawberry.ID, as_of: date | None = None
    ) -> CreditLine | None:
        result = await _transcript(info, program_id, [self._facts or {}], as_of)
        return CreditLine.of(result.lines[0]) if result.lines else None


@strawberry.federation.type(keys=["holderRef"], description="A certificate holder (owned by the registry).")
class Learner:
    holder_ref: str
    certificates: list[Certificate] = _external()
    _certificates: strawberry.Private[list[dict[str, Any]]] = dataclasses.field(default_factory=list)

    @classmethod
    def resolve_reference(cls, info: Info, holderRef: str, **required: Any) -> Learner:
        return cls(holder_ref=holderRef, _certificates=list(required.get("certificates") or []))

    @strawberry.federation.field(
        requires=[f"certificates {{ {CERTIFICATE_FACTS} }}"],
        description="The learner's certificates judged by a programme's rules on `asOf` (today by default): "
        "a line per certificate with its status, credits and reasons in Spanish and English; totals; the "
        "cap applied; and the credits still needed for the award." + WHEN_NULL,
    )
    async def credit_transcript(
        self, info: Info, program_id: strawberry.ID, as_of: date | None = None
    ) -> CreditTranscript | None:
        return CreditTranscript.of(await _transcript(info, program_id, self._certificates, as_of))


async def _transcript(
    info: Info, program_id: strawberry.ID, facts: list[dict[str, Any]], as_of: date | None
) -> transcript.Transcript:
    row = await load_program(info, str(program_id))
    if row is None:
        raise NotFound(f"No programme has the id {program_id!r}.", argument="programId")
    caller = _ctx(info).caller
    if not _is_insider(info, row["institution_id"]):
        raise Forbidden(
            f"Credit for a learner in {row['id']} is for registrars of {row['institution_id']} and admins; "
            f"you are {caller.role!r}" + (f" of {caller.scope!r}." if caller.scope else "."),
        )
    certificates = [certificate_from_graphql(f) for f in facts if f.get("issuedOn")]
    bases = sorted({transcript.base_code(c.standard_code) for c in certificates})
    found = await asyncio.gather(*(load_rules_at(info, row["institution_id"], base) for base in bases))
    rules = [catalog.rule_of(r) for rows in found for r in rows]
    return transcript.compute(catalog.program_of(row), rules, certificates, as_of or date.today())


# --- transcripts ---------------------------------------------------------------------------------------


@strawberry.type(description="One certificate on a transcript or in a credit application.")
class CreditLine:
    folio: str
    standard_code: str
    status: LineStatus  # type: ignore[valid-type]
    credits: float = strawberry.field(description="What counts toward the programme.")
    exempted_courses: list[ExemptedCourse]
    reason: str = strawberry.field(description="Why, in Spanish.")
    reason_en: str = strawberry.field(description="Why, in English.")
    _rule_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, line: transcript.Line) -> CreditLine:
        return cls(
            folio=line.certificate.folio,
            standard_code=line.certificate.standard_code,
            status=line.status,
            credits=float(line.credits),
            exempted_courses=[ExemptedCourse.of(c) for c in line.courses],
            reason=line.reason_es,
            reason_en=line.reason_en,
            _rule_id=line.rule.id if line.rule else None,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CreditLine:
        return cls(
            folio=data["folio"],
            standard_code=data["standardCode"],
            status=transcript.LineStatus(data["status"]),
            credits=float(data["credits"]),
            exempted_courses=[ExemptedCourse.of(c) for c in catalog.courses_of(data["courses"])],
            reason=data["reasonEs"],
            reason_en=data["reasonEn"],
            _rule_id=data["ruleId"],
        )

    @strawberry.field
    def certificate(self) -> Certificate:
        return Certificate(folio=self.folio)

    @strawberry.field(description="The rule that decided the line, if one did.")
    async def rule(self, info: Info) -> EquivalenceRule | None:
        if self._rule_id is None:
            return None
        row = await load_rule(info, self._rule_id)
        return EquivalenceRule.from_row(row) if row else None


@strawberry.type(description="A learner's certificates judged by one programme's rules on one date.")
class CreditTranscript:
    as_of: date
    lines: list[CreditLine]
    eligible_credits: float = strawberry.field(description="What the lines would earn without the cap.")
    recognized_credits: float = strawberry.field(description="What counts, after duplicates and the cap.")
    cap_applied: float = strawberry.field(description="The programme's effective cap on recognised credit.")
    cap_basis: CapBasis  # type: ignore[valid-type]
    total_credits: float
    residency_credits: float
    credits_still_needed: float = strawberry.field(
        description="The award's total less the recognised credits."
    )
    exempted_courses: list[ExemptedCourse]
    _program_id: strawberry.Private[str]

    @classmethod
    def of(cls, result: transcript.Transcript) -> CreditTranscript:
        return cls(
            as_of=result.as_of,
            lines=[CreditLine.of(line) for line in result.lines],
            eligible_credits=float(result.eligible_credits),
            recognized_credits=float(result.recognized_credits),
            cap_applied=float(result.cap),
            cap_basis=result.cap_basis,
            total_credits=float(result.program.total_credits),
            residency_credits=float(result.program.residency_credits),
            credits_still_needed=float(result.credits_still_needed),
            exempted_courses=[ExemptedCourse.of(c) for c in result.exempted],
            _program_id=result.program.id,
        )

    @strawberry.field
    async def program(self, info: Info) -> Program:
        return Program.from_row(await load_program(info, self._program_id))


# --- conversions ---------------------------------------------------------------------------------------


@strawberry.type(description="A published source for a figure.")
class Source:
    title: str
    publisher: str
    year: int
    url: str | None
    rule: str = strawberry.field(description="What the source says, in a sentence.")

    @classmethod
    def of(cls, source: conversion.Source) -> Source:
        return cls(
            title=source.title, publisher=source.publisher, year=source.year, url=source.url, rule=source.rule
        )


@strawberry.type(description="One step of a conversion, or an assumption it made.")
class ConversionStep:
    text: str = strawberry.field(description="Spanish.")
    text_en: str
    source: Source | None

    @classmethod
    def of(cls, step: conversion.Step) -> ConversionStep:
        return cls(
            text=step.text_es, text_en=step.text_en, source=Source.of(step.source) if step.source else None
        )


@strawberry.type(description="Credits converted between systems, with the basis and every figure's source.")
class CreditConversion:
    value: float = strawberry.field(description="The central estimate, to two decimals.")
    low: float
    high: float
    notional_hours_low: float | None
    notional_hours_high: float | None
    basis: ConversionBasis  # type: ignore[valid-type]
    steps: list[ConversionStep]
    assumptions: list[ConversionStep]
    explanation: str = strawberry.field(description="Spanish.")
    explanation_en: str

    @classmethod
    def of(cls, result: conversion.Conversion) -> CreditConversion:
        return cls(
            value=float(result.value),
            low=float(result.low),
            high=float(result.high),
            notional_hours_low=None if result.hours_low is None else float(result.hours_low),
            notional_hours_high=None if result.hours_high is None else float(result.hours_high),
            basis=result.basis,
            steps=[ConversionStep.of(s) for s in result.steps],
            assumptions=[ConversionStep.of(s) for s in result.assumptions],
            explanation=result.explanation_es,
            explanation_en=result.explanation_en,
        )


# --- the ledger ----------------------------------------------------------------------------------------


def load_entry(info: Info, entry_id: int) -> Any:
    async def batch(ids: list[int]) -> list[Any]:
        rows = await _ctx(info).db.fetch(
            f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE id = ANY($1::bigint[])", ids
        )
        return by_key(rows, ids, "id")

    return _ctx(info).loader("entry", batch).load(entry_id)


@strawberry.type(
    description="A posting in a learner's credit account; entries are never edited, only reversed."
)
class LedgerEntry:
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

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> LedgerEntry:
        return cls(
            id=strawberry.ID(str(row["id"])),
            kind=EntryKind(row["kind"]),
            holder_ref=row["holder_ref"],
            folio=row["folio"],
            standard_code=row["standard_code"],
            credits=float(row["credits"]),
            exempted_courses=[ExemptedCourse.of(c) for c in catalog.courses_of(row["exempted_courses"])],
            reverses=strawberry.ID(str(row["reverses"])) if row["reverses"] is not None else None,
            reason=row["reason"],
            posted_at=row["posted_at"],
            _row=row,
        )

    @strawberry.field
    def certificate(self) -> Certificate:
        return Certificate(folio=self.folio)

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        return Institution.from_row(await load_institution(info, self._row["institution_id"]))

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        if self._row["program_id"] is None:
            return None
        return Program.from_row(await load_program(info, self._row["program_id"]))

    @strawberry.field
    async def rule(self, info: Info) -> EquivalenceRule | None:
        if self._row["rule_id"] is None:
            return None
        return EquivalenceRule.from_row(await load_rule(info, self._row["rule_id"]))


async def entries(info: Info, ids: list[int]) -> list[LedgerEntry]:
    """The entries, in one query: loads awaited together share one batch."""
    rows = await asyncio.gather(*(load_entry(info, i) for i in ids))
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
        return Program.from_row(await load_program(info, self._program_id))

    @strawberry.field
    def remaining_cap(self) -> float:
        return max(0.0, self.cap_applied - self.total_applied)


@strawberry.type(description="A programme's balance in a credit account.")
class ProgramBalance:
    credits: float
    _program_id: strawberry.Private[str]

    @strawberry.field
    async def program(self, info: Info) -> Program:
        return Program.from_row(await load_program(info, self._program_id))


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
        return Institution.from_row(await load_institution(info, self._institution_id))
