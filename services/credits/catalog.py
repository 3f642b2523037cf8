"""What institutions publish: themselves, their programmes and their equivalence rules.

Every change goes through here, checked for who may make it and whether it makes sense, so the GraphQL
layer only translates. A registrar acts for one institution (its key's scope); an admin for any. A rule
counts only once a second person approves it: a registrar of the same institution or an admin, never
its proposer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg

from gateway.signing import Caller
from services.common.db import Database
from services.common.errors import BadUserInput, Conflict, Forbidden, NotFound
from services.common.inputs import shown
from services.common.permissions import allows, require_role
from services.credits.conversion import CreditSystem
from services.credits.registry_link import RegistryClient
from services.credits.transcript import Course, Program, Rule

# No degree in any of the supported systems comes near this; more is a typing mistake.
MAX_PROGRAM_CREDITS = Decimal(1000)
CREDIT_LEVELS = ("VOCATIONAL", "LOWER_DIVISION", "UPPER_DIVISION", "GRADUATE")
AWARD_LEVELS = (
    "UPPER_SECONDARY",
    "POST_SECONDARY_CERTIFICATE",
    "SHORT_CYCLE",
    "BACHELOR",
    "MASTER",
    "DOCTORATE",
)
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
BASE_CODE = re.compile(r"^EC\d{4}$")
VERSION = re.compile(r"^(EC\d{4})(\.\d{2})?$")
ISCED_FIELD = re.compile(r"^\d{2,4}$")


def credits_value(value: Any, argument: str, *, allow_zero: bool = False) -> Decimal:
    """A credit amount as given: finite, at most two decimals, positive (or zero when allowed)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise BadUserInput(f"`{argument}` is not a number.", argument=argument) from exc
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BadUserInput(f"`{argument}` must be a number with at most two decimals.", argument=argument)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise BadUserInput(
            f"`{argument}` must be {'zero or more' if allow_zero else 'more than zero'}; got {value}.",
            argument=argument,
        )
    if amount > MAX_PROGRAM_CREDITS:
        raise BadUserInput(
            f"`{argument}` is {value}; no programme in any supported credit system reaches "
            f"{MAX_PROGRAM_CREDITS} credits.",
            argument=argument,
        )
    return amount


def _actor(caller: Caller) -> str:
    """Who proposes, approves or retires a rule, as recorded: the named person who holds the key (one
    person may hold several keys), or the key itself when it names no one."""
    if not caller.subject:
        raise Forbidden("Your key carries no identity; rules need to know who proposed and approved them.")
    return caller.person or caller.subject


def _is_proposer(rule: asyncpg.Record, caller: Caller) -> bool:
    """Whether the caller proposed `rule`: the same person with any of their keys (rules proposed before
    people were recorded name the key)."""
    return rule["proposed_by"] in {caller.person, caller.subject} - {None}


def require_institution_role(caller: Caller, institution_id: str) -> None:
    """Registrars act for their own institution only; admins for any."""
    require_role(caller, "registrar", scope=institution_id)


# --- reading -------------------------------------------------------------------------------------------

INSTITUTION_COLUMNS = "id, name_es, name_en, country, credit_system, website, illustrative"
PROGRAM_COLUMNS = (
    "id, institution_id, name_es, name_en, award_level, isced_field, total_credits, recognition_cap, "
    "residency_credits, max_certificate_age_years, illustrative"
)
RULE_COLUMNS = (
    "id, institution_id, program_id, base_code, versions, credits, credit_level, exempted_courses, "
    "isced_field, valid_from, valid_to, status, evidence, notes, proposed_by, proposed_at, approved_by, "
    "approved_on, retired_by, retired_on, retirement_reason, illustrative"
)


async def institutions_by_id(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(f"SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = ANY($1::text[])", ids)


_INSTITUTIONS_MATCHING = (
    "($1::text IS NULL OR country = upper($1)) AND ($2::text IS NULL OR credit_system = $2)"
)


async def institutions_page(
    db: Database, country: str | None, credit_system: str | None, after: str, limit: int
) -> list[asyncpg.Record]:
    """Institutions of `country` and `credit_system` (None: any) by id, after the id `after`."""
    return await db.fetch(
        f"SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE {_INSTITUTIONS_MATCHING} AND id > $3 "
        "ORDER BY id LIMIT $4",
        country,
        credit_system,
        after,
        limit,
    )


async def count_institutions(db: Database, country: str | None, credit_system: str | None) -> int:
    return await db.fetchval(
        f"SELECT count(*) FROM institutions WHERE {_INSTITUTIONS_MATCHING}", country, credit_system
    )


async def programs_by_id(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(f"SELECT {PROGRAM_COLUMNS} FROM programs WHERE id = ANY($1::text[])", ids)


async def programs_of(db: Database, institution_ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {PROGRAM_COLUMNS} FROM programs WHERE institution_id = ANY($1::text[]) ORDER BY id",
        institution_ids,
    )


async def rules_by_id(db: Database, ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch(f"SELECT {RULE_COLUMNS} FROM equivalence_rules WHERE id = ANY($1::bigint[])", ids)


async def rules_for_bases(db: Database, bases: Sequence[str]) -> list[asyncpg.Record]:
    """Every rule, of any status and at any institution, for these base codes."""
    return await db.fetch(
        f"SELECT {RULE_COLUMNS} FROM equivalence_rules WHERE base_code = ANY($1::text[]) ORDER BY id", bases
    )


async def rules_at(
    db: Database | asyncpg.Connection, pairs: Sequence[tuple[str, str]]
) -> list[asyncpg.Record]:
    """Every rule, of any status, for each (institution, base code) pair."""
    return await db.fetch(
        f"SELECT {RULE_COLUMNS} FROM equivalence_rules "
        "WHERE (institution_id, base_code) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY id",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )


def program_of(row: asyncpg.Record) -> Program:
    return Program(
        id=row["id"],
        institution_id=row["institution_id"],
        total_credits=row["total_credits"],
        recognition_cap=row["recognition_cap"],
        residency_credits=row["residency_credits"],
        max_certificate_age_years=row["max_certificate_age_years"],
    )


def courses_of(data: list[dict[str, Any]]) -> tuple[Course, ...]:
    return tuple(
        Course(
            code=c["code"], title=c["title"], title_en=c.get("titleEn"), credits=Decimal(str(c["credits"]))
        )
        for c in data
    )


def rule_of(row: asyncpg.Record) -> Rule:
    return Rule(
        id=row["id"],
        institution_id=row["institution_id"],
        program_id=row["program_id"],
        base_code=row["base_code"],
        versions=tuple(row["versions"]),
        credits=row["credits"],
        credit_level=row["credit_level"],
        courses=courses_of(row["exempted_courses"]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        status=row["status"],
        approved_on=row["approved_on"],
        retired_on=row["retired_on"],
    )


# --- institutions and programmes -----------------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionInput:
    id: str
    name: str
    country: str
    credit_system: CreditSystem
    name_en: str | None = None
    website: str | None = None


async def upsert_institution(db: Database, caller: Caller, given: InstitutionInput) -> asyncpg.Record:
    """Admins add institutions; a registrar may update its own."""
    if not ID.fullmatch(given.id):  # fullmatch: `$` alone would let a trailing newline through
        raise BadUserInput(
            f"Institution id {shown(given.id)} must be 1-64 letters, digits, '.', '_' or '-'.", argument="id"
        )
    if not given.name.strip():
        raise BadUserInput("An institution needs a name.", argument="name")
    country = given.country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise BadUserInput(
            f"Country {given.country!r} is not an ISO 3166 two-letter code (MX, US, GB, ...).",
            argument="country",
        )
    exists = await db.fetchval("SELECT true FROM institutions WHERE id = $1", given.id)
    if exists:
        require_institution_role(caller, given.id)
    elif not allows(caller):
        raise Forbidden("Only an admin adds an institution; a registrar then maintains its own.")
    return await db.fetchrow(
        f"""INSERT INTO institutions (id, name_es, name_en, country, credit_system, website)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO UPDATE SET name_es = EXCLUDED.name_es, name_en = EXCLUDED.name_en,
                country = EXCLUDED.country, credit_system = EXCLUDED.credit_system,
                website = EXCLUDED.website, updated_at = now()
            RETURNING {INSTITUTION_COLUMNS}""",
        given.id,
        given.name.strip(),
        given.name_en,
        country,
        given.credit_system.value,
        given.website,
    )


@dataclass(frozen=True)
class ProgramInput:
    id: str
    institution_id: str
    name: str
    award_level: str
    total_credits: Any
    recognition_cap: Any
    residency_credits: Any = 0
    max_certificate_age_years: int | None = None
    name_en: str | None = None
    isced_field: str | None = None


async def require_institution(db: Database, institution_id: str) -> asyncpg.Record:
    rows = await institutions_by_id(db, [institution_id])
    if not rows:
        raise NotFound(f"No institution has the id {institution_id!r}.", argument="institutionId")
    return rows[0]


async def require_program(db: Database, program_id: str) -> asyncpg.Record:
    rows = await programs_by_id(db, [program_id])
    if not rows:
        raise NotFound(f"No programme has the id {program_id!r}.", argument="programId")
    return rows[0]


async def upsert_program(db: Database, caller: Caller, given: ProgramInput) -> asyncpg.Record:
    require_institution_role(caller, given.institution_id)
    await require_institution(db, given.institution_id)
    if not ID.fullmatch(given.id):
        raise BadUserInput(
            f"Programme id {shown(given.id)} must be 1-64 letters, digits, '.', '_' or '-'.", argument="id"
        )
    if not given.name.strip():
        raise BadUserInput("A programme needs a name.", argument="name")
    if given.award_level not in AWARD_LEVELS:
        raise BadUserInput(f"Unknown award level {given.award_level!r}.", argument="awardLevel")
    total = credits_value(given.total_credits, "totalCredits")
    cap = credits_value(given.recognition_cap, "recognitionCap", allow_zero=True)
    residency = credits_value(given.residency_credits, "residencyCredits", allow_zero=True)
    if cap > total:
        raise BadUserInput(
            f"The cap on recognised credit ({cap}) exceeds the programme's total ({total}).",
            argument="recognitionCap",
        )
    if residency > total:
        raise BadUserInput(
            f"Residency credits ({residency}) exceed the programme's total ({total}).",
            argument="residencyCredits",
        )
    age = given.max_certificate_age_years
    if age is not None and not 1 <= age <= 100:
        raise BadUserInput("A maximum certificate age is 1 to 100 years.", argument="maxCertificateAgeYears")
    if given.isced_field is not None and not ISCED_FIELD.match(given.isced_field):
        raise BadUserInput(
            f"{given.isced_field!r} is not an ISCED-F 2013 field code (2 to 4 digits).", argument="iscedField"
        )
    owner = await db.fetchval("SELECT institution_id FROM programs WHERE id = $1", given.id)
    if owner is not None and owner != given.institution_id:
        raise Conflict(
            f"Programme {given.id!r} belongs to {owner!r}; programmes do not move between institutions."
        )
    return await db.fetchrow(
        f"""INSERT INTO programs (id, institution_id, name_es, name_en, award_level, isced_field,
                   total_credits,
                   recognition_cap, residency_credits, max_certificate_age_years)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (id) DO UPDATE SET name_es = EXCLUDED.name_es, name_en = EXCLUDED.name_en,
                award_level = EXCLUDED.award_level, isced_field = EXCLUDED.isced_field,
                total_credits = EXCLUDED.total_credits, recognition_cap = EXCLUDED.recognition_cap,
                residency_credits = EXCLUDED.residency_credits,
                max_certificate_age_years = EXCLUDED.max_certificate_age_years, updated_at = now()
            RETURNING {PROGRAM_COLUMNS}""",
        given.id,
        given.institution_id,
        given.name.strip(),
        given.name_en,
        given.award_level,
        given.isced_field,
        total,
        cap,
        residency,
        age,
    )


# --- equivalence rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    institution_id: str
    versions: Sequence[str]
    credits: Any
    credit_level: str
    valid_from: date
    evidence: str
    program_id: str | None = None
    valid_to: date | None = None
    exempted_courses: Sequence[dict[str, Any]] = ()
    isced_field: str | None = None
    notes: str | None = None


def _versions(given: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    versions = tuple(dict.fromkeys(v.strip() for v in given))
    if not versions:
        raise BadUserInput("Name at least one version of the standard, e.g. EC0217.01.", argument="versions")
    bases = set()
    for version in versions:
        match = VERSION.match(version)
        if not match:
            raise BadUserInput(
                f"{version!r} is not a standard code like EC0217 or EC0217.01.", argument="versions"
            )
        bases.add(match.group(1))
    if len(bases) > 1:
        raise BadUserInput(
            f"A rule covers versions of one standard; got {', '.join(sorted(bases))}.", argument="versions"
        )
    return bases.pop(), versions


def _courses(given: Sequence[dict[str, Any]], rule_credits: Decimal) -> list[dict[str, Any]]:
    courses: list[dict[str, Any]] = []
    seen: set[str] = set()
    for course in given:
        code = str(course.get("code", "")).strip()
        title = str(course.get("title", "")).strip()
        if not code or not title:
            raise BadUserInput("Each exempted course needs a code and a title.", argument="exemptedCourses")
        if code in seen:
            raise BadUserInput(f"Course {code} is listed twice.", argument="exemptedCourses")
        seen.add(code)
        amount = credits_value(course.get("credits"), "exemptedCourses.credits")
        courses.append(
            {"code": code, "title": title, "titleEn": course.get("titleEn"), "credits": str(amount)}
        )
    total = sum((Decimal(c["credits"]) for c in courses), Decimal(0))
    if total > rule_credits:
        raise BadUserInput(
            f"The exempted courses add up to {total} credits, more than the rule's {rule_credits}.",
            argument="exemptedCourses",
        )
    return courses


async def _require_known_standards(registry: RegistryClient, caller: Caller, versions: Sequence[str]) -> None:
    """Every version a rule names is a standard the registry has: a rule for a code it does not know
    could never match a certificate, yet would show as an approved equivalence."""
    known = await registry.known_standards(list(versions), caller)
    unknown = [v for v in versions if v not in known]
    if unknown:
        raise BadUserInput(
            f"The registry has no standard {', '.join(unknown)}; a rule names versions the registry "
            "holds, e.g. EC0217.01.",
            argument="versions",
            unknownStandards=unknown,
        )


async def propose_rule(
    db: Database, registry: RegistryClient, caller: Caller, given: RuleInput
) -> asyncpg.Record:
    """Stores a proposed rule once every check passed, the registry's last: nothing is stored when the
    registry does not know a version or cannot be asked."""
    require_institution_role(caller, given.institution_id)
    actor = _actor(caller)
    await require_institution(db, given.institution_id)
    base, versions = _versions(given.versions)
    amount = credits_value(given.credits, "credits")
    if given.program_id is not None:
        program = await require_program(db, given.program_id)
        if program["institution_id"] != given.institution_id:
            raise BadUserInput(
                f"Programme {given.program_id!r} belongs to {program['institution_id']!r}, not to "
                f"{given.institution_id!r}.",
                argument="programId",
            )
        ceiling = program["total_credits"]
        where = f"programme {given.program_id}"
    else:
        ceiling = await db.fetchval(
            "SELECT max(total_credits) FROM programs WHERE institution_id = $1", given.institution_id
        )
        where = f"any programme of {given.institution_id}"
    if ceiling is not None and amount > ceiling:
        raise BadUserInput(
            f"{amount} credits for one certificate is more than {where} requires in all ({ceiling}).",
            argument="credits",
        )
    if given.credit_level not in CREDIT_LEVELS:
        raise BadUserInput(f"Unknown credit level {given.credit_level!r}.", argument="creditLevel")
    if given.valid_to is not None and given.valid_to < given.valid_from:
        raise BadUserInput(
            f"The validity window ends ({given.valid_to}) before it starts ({given.valid_from}).",
            argument="validTo",
        )
    if not given.evidence.strip():
        raise BadUserInput(
            "Say what the rule rests on (a curriculum comparison, a committee's minutes...).",
            argument="evidence",
        )
    if given.isced_field is not None and not ISCED_FIELD.match(given.isced_field):
        raise BadUserInput(f"{given.isced_field!r} is not an ISCED-F 2013 field code.", argument="iscedField")
    courses = _courses(given.exempted_courses, amount)
    await _require_known_standards(registry, caller, versions)
    return await db.fetchrow(
        f"""INSERT INTO equivalence_rules (institution_id, program_id, base_code, versions, credits,
                   credit_level,
                   exempted_courses, isced_field, valid_from, valid_to, evidence, notes, proposed_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            RETURNING {RULE_COLUMNS}""",
        given.institution_id,
        given.program_id,
        base,
        list(versions),
        amount,
        given.credit_level,
        courses,
        given.isced_field,
        given.valid_from,
        given.valid_to,
        given.evidence.strip(),
        given.notes,
        actor,
    )


async def _rule_for_change(db: Database, caller: Caller, rule_id: int) -> asyncpg.Record:
    rows = await rules_by_id(db, [rule_id])
    if not rows:
        raise NotFound(f"No equivalence rule has the id {rule_id}.", argument="id")
    require_institution_role(caller, rows[0]["institution_id"])
    return rows[0]


async def approve_rule(db: Database, caller: Caller, rule_id: int) -> asyncpg.Record:
    rule = await _rule_for_change(db, caller, rule_id)
    actor = _actor(caller)
    if _is_proposer(rule, caller):
        raise Forbidden(
            "You proposed this rule (whatever key you use); another person, a registrar of the institution "
            "or an admin, approves it."
        )
    row = await db.fetchrow(
        f"""UPDATE equivalence_rules SET status = 'approved', approved_by = $2, approved_on = current_date
            WHERE id = $1 AND status = 'proposed' RETURNING {RULE_COLUMNS}""",
        rule_id,
        actor,
    )
    if row is None:
        raise Conflict(
            f"Rule {rule_id} is {rule['status']}; only a proposed rule can be approved.",
            status=rule["status"],
        )
    return row


async def retire_rule(db: Database, caller: Caller, rule_id: int, reason: str) -> asyncpg.Record:
    """A retired rule stays on file; transcripts dated before its retirement still use it."""
    await _rule_for_change(db, caller, rule_id)
    actor = _actor(caller)
    if not reason.strip():
        raise BadUserInput("Say why the rule is retired.", argument="reason")
    row = await db.fetchrow(
        f"""UPDATE equivalence_rules SET status = 'retired', retired_by = $2, retired_on = current_date,
                   retirement_reason = $3
            WHERE id = $1 AND status <> 'retired' RETURNING {RULE_COLUMNS}""",
        rule_id,
        actor,
        reason.strip(),
    )
    if row is None:
        raise Conflict(f"Rule {rule_id} is already retired.", status="retired")
    return row
