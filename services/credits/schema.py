"""The credit bank subgraph: institutions, programmes, equivalence rules, conversions and the ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from services.common.errors import BadUserInput, NotFound, found
from services.common.inputs import int_id
from services.common.pagination import Connection, Page
from services.common.permissions import allows
from services.common.schema import SubgraphSchema
from services.credits import catalog, conversion, ledger, transcript
from services.credits.loaders import Info
from services.credits.registry_link import RegistryClient
from services.credits.types.catalog import EquivalenceRule, Institution, Program
from services.credits.types.conversion import CreditConversion
from services.credits.types.enums import Activity, AwardLevel, CreditLevel, CreditSystem, RuleStatus
from services.credits.types.ledger import (
    CreditAccount,
    CreditApplication,
    Deposit,
    LedgerEntry,
    ProgramBalance,
    entries,
)
from services.credits.types.registry import Certificate, Learner, Standard
from services.credits.types.transcript import CreditLine


@strawberry.input
class InstitutionInput:
    id: strawberry.ID
    name: str
    country: str = strawberry.field(description="ISO 3166 alpha-2, e.g. MX, US, GB.")
    credit_system: CreditSystem  # type: ignore[valid-type]
    name_en: str | None = None
    website: str | None = None


@strawberry.input
class ProgramInput:
    id: strawberry.ID
    institution_id: strawberry.ID
    name: str
    award_level: AwardLevel
    total_credits: float
    recognition_cap: float = strawberry.field(description="The most credit recognised competence may earn.")
    residency_credits: float = 0
    max_certificate_age_years: int | None = None
    name_en: str | None = None
    isced_field: str | None = None


@strawberry.input
class ExemptedCourseInput:
    code: str
    title: str
    credits: float
    title_en: str | None = None


@strawberry.input
class EquivalenceRuleInput:
    institution_id: strawberry.ID
    versions: list[str] = strawberry.field(description='Versions of one standard, e.g. ["EC0217.01"].')
    credits: float
    credit_level: CreditLevel
    valid_from: date
    evidence: str = strawberry.field(
        description="What the rule rests on: a curriculum comparison, minutes, ..."
    )
    program_id: strawberry.ID | None = strawberry.field(default=None, description="Null: every programme.")
    valid_to: date | None = None
    exempted_courses: list[ExemptedCourseInput] = strawberry.field(default_factory=list)
    isced_field: str | None = None
    notes: str | None = None


@strawberry.input
class EquivalenceRuleFilter:
    institution_id: strawberry.ID | None = None
    program_id: strawberry.ID | None = None
    standard_code: str | None = strawberry.field(
        default=None, description="A version (EC0217.01) or a base code."
    )
    status: RuleStatus | None = None
    in_force_on: date | None = None


RULE_ID = "an equivalence rule id"


def _registry(info: Info) -> RegistryClient:
    return info.context.request.app.state.registry


@strawberry.type
class Query:
    @strawberry.field
    async def institution(self, info: Info, id: strawberry.ID) -> Institution | None:
        row = await info.context.loaders.institution.load(str(id))
        return Institution.from_row(found(row, f"No institution has the id {id!r}.", argument="id"))

    @strawberry.field(description="Institutions by id, optionally of one country or credit system.")
    async def institutions(
        self,
        info: Info,
        country: str | None = None,
        credit_system: CreditSystem | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Institution]:
        db = info.context.db
        page = Page.of(first, after, info.context.settings.max_page_size, kinds=(str,))
        (since,) = page.after_or("")
        system = credit_system.value if credit_system else None
        rows = await catalog.institutions_page(db, country, system, since, page.limit)
        return page.connection(
            rows,
            key=lambda r: [r["id"]],
            node=Institution.from_row,
            count=lambda: catalog.count_institutions(db, country, system),
        )

    @strawberry.field
    async def program(self, info: Info, id: strawberry.ID) -> Program | None:
        row = await info.context.loaders.program.load(str(id))
        return Program.from_row(found(row, f"No programme has the id {id!r}.", argument="id"))

    @strawberry.field(
        description="Equivalence rules, newest first. Anyone sees approved rules; proposed and retired ones "
        "are shown to their institution's registrars and to admins."
    )
    async def equivalence_rules(
        self,
        info: Info,
        filter: EquivalenceRuleFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[EquivalenceRule]:
        ctx = info.context
        page = Page.of(first, after, ctx.settings.max_page_size, kinds=(int,))
        given = filter or EquivalenceRuleFilter()
        caller = ctx.caller
        conditions: list[str] = []
        args: list[object] = []

        def where(sql: str, value: object) -> None:
            args.append(value)
            conditions.append(sql.replace("?", f"${len(args)}"))

        if given.institution_id is not None:
            where("institution_id = ?", str(given.institution_id))
        if given.program_id is not None:
            program = await ctx.loaders.program.load(str(given.program_id))
            if program is None:
                raise NotFound(f"No programme has the id {given.program_id!r}.", argument="programId")
            where("institution_id = ?", program["institution_id"])
            where("(program_id IS NULL OR program_id = ?)", program["id"])
        if given.standard_code is not None:
            code = given.standard_code.strip()
            where("base_code = ?", transcript.base_code(code))
            if code != transcript.base_code(code):  # a version: rules that name it
                where("? = ANY(versions)", code)
        if given.status is not None:
            where("status = ?", given.status.value)
        if given.in_force_on is not None:  # transcript.Rule.in_force, as SQL so that pages stay full
            day = given.in_force_on
            where("approved_on <= ?", day)
            where("(retired_on IS NULL OR retired_on > ?)", day)
            where("valid_from <= ?", day)
            where("(valid_to IS NULL OR valid_to >= ?)", day)
        # What the caller may see: approved rules, plus every rule of its own institution.
        if not allows(caller):
            own = caller.scope if caller.role == "registrar" else None
            where("(status = 'approved' OR institution_id = ?)", own)
        (before,) = page.after_or(None)
        filters = " AND ".join(conditions) or "true"
        rows = await ctx.db.fetch(
            f"SELECT {catalog.RULE_COLUMNS} FROM equivalence_rules WHERE {filters} "
            f"AND (${len(args) + 1}::bigint IS NULL OR id < ${len(args) + 1}) "
            f"ORDER BY id DESC LIMIT ${len(args) + 2}",
            *args,
            before,
            page.limit,
        )
        return page.connection(
            rows,
            key=lambda r: [r["id"]],
            node=EquivalenceRule.from_row,
            count=lambda: ctx.db.fetchval(f"SELECT count(*) FROM equivalence_rules WHERE {filters}", *args),
        )

    @strawberry.field(
        description="Credits converted between systems through notional learning hours for one kind of "
        "activity, or through a published equivalence where both systems publish one (UK credit and ECTS). "
        "The answer gives the range the sources allow, its central value, and every figure's source."
    )
    def convert_credits(
        self,
        value: float,
        from_: Annotated[CreditSystem, strawberry.argument(name="from")],  # type: ignore[valid-type]
        to: CreditSystem,  # type: ignore[valid-type]
        activity: Activity = conversion.Activity.INSTRUCTION,  # type: ignore[valid-type, assignment]
        out_of_class_hours_per_contact_hour: Annotated[
            float,
            strawberry.argument(
                description="Hours of own work per hour of instruction, used only between a system that "
                "counts instruction hours and one that counts all hours (2 in the US federal credit-hour "
                "definition)."
            ),
        ] = 2.0,
    ) -> CreditConversion:
        try:
            result = conversion.convert(
                Decimal(str(value)),
                from_,
                to,
                activity,
                out_of_class_hours_per_contact_hour=Decimal(str(out_of_class_hours_per_contact_hour)),
            )
        except conversion.ConversionError as exc:
            raise BadUserInput(str(exc)) from exc
        return CreditConversion.of(result)

    @strawberry.field(description="A learner's account at an institution (its registrars and admins).")
    async def credit_account(
        self, info: Info, holder_ref: str, institution_id: strawberry.ID
    ) -> CreditAccount:
        ctx = info.context
        catalog.require_institution_role(ctx.caller, str(institution_id))
        rows = await ctx.db.fetch(
            f"SELECT {ledger.ENTRY_COLUMNS} FROM ledger_entries "
            "WHERE holder_ref = $1 AND institution_id = $2 ORDER BY id",
            holder_ref.strip(),
            str(institution_id),
        )
        state = ledger.AccountState(rows)
        balances: dict[str, Decimal] = {}
        for row in rows:
            if row["program_id"] is not None:
                balances[row["program_id"]] = balances.get(row["program_id"], Decimal(0)) + row["credits"]
        return CreditAccount(
            holder_ref=holder_ref.strip(),
            entries=[LedgerEntry.from_row(r) for r in rows],
            banked=[LedgerEntry.from_row(r) for r in state.standing("deposit")],
            balances=[ProgramBalance(credits=float(v), _program_id=k) for k, v in sorted(balances.items())],
            _institution_id=str(institution_id),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Adds an institution (admin) or updates one (its registrar, admin).")
    async def upsert_institution(self, info: Info, input: InstitutionInput) -> Institution:
        ctx = info.context
        row = await catalog.upsert_institution(
            ctx.db,
            ctx.caller,
            catalog.InstitutionInput(
                id=str(input.id),
                name=input.name,
                country=input.country,
                credit_system=input.credit_system,
                name_en=input.name_en,
                website=input.website,
            ),
        )
        return Institution.from_row(row)

    @strawberry.mutation(description="Adds or updates a programme (the institution's registrar, admin).")
    async def upsert_program(self, info: Info, input: ProgramInput) -> Program:
        ctx = info.context
        row = await catalog.upsert_program(
            ctx.db,
            ctx.caller,
            catalog.ProgramInput(
                id=str(input.id),
                institution_id=str(input.institution_id),
                name=input.name,
                award_level=input.award_level.value,
                total_credits=input.total_credits,
                recognition_cap=input.recognition_cap,
                residency_credits=input.residency_credits,
                max_certificate_age_years=input.max_certificate_age_years,
                name_en=input.name_en,
                isced_field=input.isced_field,
            ),
        )
        return Program.from_row(row)

    @strawberry.mutation(
        description="Proposes a rule (the institution's registrar, admin); it counts once approved."
    )
    async def propose_equivalence_rule(self, info: Info, input: EquivalenceRuleInput) -> EquivalenceRule:
        ctx = info.context
        row = await catalog.propose_rule(
            ctx.db,
            _registry(info),
            ctx.caller,
            catalog.RuleInput(
                institution_id=str(input.institution_id),
                program_id=str(input.program_id) if input.program_id is not None else None,
                versions=input.versions,
                credits=input.credits,
                credit_level=input.credit_level.value,
                valid_from=input.valid_from,
                valid_to=input.valid_to,
                evidence=input.evidence,
                exempted_courses=[
                    {"code": c.code, "title": c.title, "titleEn": c.title_en, "credits": c.credits}
                    for c in input.exempted_courses
                ],
                isced_field=input.isced_field,
                notes=input.notes,
            ),
        )
        return EquivalenceRule.from_row(row)

    @strawberry.mutation(
        description="Approves a proposed rule: a registrar of the same institution other than its proposer, "
        "or an admin."
    )
    async def approve_equivalence_rule(self, info: Info, id: strawberry.ID) -> EquivalenceRule:
        ctx = info.context
        return EquivalenceRule.from_row(
            await catalog.approve_rule(ctx.db, ctx.caller, int_id(id, what=RULE_ID))
        )

    @strawberry.mutation(description="Retires a rule from today; transcripts dated earlier still apply it.")
    async def retire_equivalence_rule(self, info: Info, id: strawberry.ID, reason: str) -> EquivalenceRule:
        ctx = info.context
        return EquivalenceRule.from_row(
            await catalog.retire_rule(ctx.db, ctx.caller, int_id(id, what=RULE_ID), reason)
        )

    @strawberry.mutation(
        description="Banks a certificate in its holder's account at an institution, with the facts the "
        "registry confirms (never the client's). Once per certificate and institution; revoked certificates "
        "are refused. The same idempotency key returns the first answer. A registrar gives the holder's "
        "CURP with the folio (the learner hands both over): the deposit proves the learner came to the "
        "institution, and from then on its registrars see the learner's certificates (see Learner). A folio "
        "that does not exist and a CURP that is not its holder's are refused alike (NOT_FOUND)."
    )
    async def deposit_certificate(
        self,
        info: Info,
        folio: str,
        institution_id: strawberry.ID,
        idempotency_key: str,
        holder_curp: Annotated[
            str | None,
            strawberry.argument(
                description="The holder's CURP, as the learner gives it; required of registrars, optional "
                "for admins. Checked by the registry, never stored."
            ),
        ] = None,
    ) -> Deposit:
        ctx = info.context
        result = await ledger.deposit_certificate(
            ctx.db, _registry(info), ctx.caller, folio, str(institution_id), idempotency_key, holder_curp
        )
        (entry,) = await entries(info, result["entries"])
        return Deposit(entry=entry, replayed=result["replayed"])

    @strawberry.mutation(
        description="Turns the learner's banked certificates not yet counted in a programme into credit, "
        "up to its cap. The same idempotency key returns the first answer."
    )
    async def apply_credits(
        self, info: Info, holder_ref: str, program_id: strawberry.ID, idempotency_key: str
    ) -> CreditApplication:
        ctx = info.context
        result = await ledger.apply_credits(ctx.db, ctx.caller, holder_ref, str(program_id), idempotency_key)
        return CreditApplication(
            holder_ref=result["holderRef"],
            entries=await entries(info, result["entries"]),
            lines=[CreditLine.from_json(line) for line in result["lines"]],
            applied_credits=float(result["appliedNow"]),
            total_applied=float(result["appliedTotal"]),
            cap_applied=float(result["cap"]),
            cap_basis=transcript.CapBasis(result["capBasis"]),
            replayed=result["replayed"],
            _program_id=result["programId"],
        )

    @strawberry.mutation(
        description="Reverses an entry with a reason; a deposit's reversal reverses its applications too. "
        "Reversing an entry again returns the reversals already posted."
    )
    async def reverse_ledger_entry(self, info: Info, id: strawberry.ID, reason: str) -> list[LedgerEntry]:
        ctx = info.context
        return await entries(
            info, await ledger.reverse_entry(ctx.db, ctx.caller, int_id(id, what="a ledger entry id"), reason)
        )


schema = SubgraphSchema(Query, Mutation, types=[Standard, Certificate, Learner])
