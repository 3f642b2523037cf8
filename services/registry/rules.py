"""The registry's writes, each enforcing the rules of the source documents.

- A standard is published only after at least three certification bodies were nominated for it
  (Kuris 2014, the three safeguards).
- A certificate needs a published, non-withdrawn standard, a body accredited for it on the issue
  date, and an evaluator who is not the certifying person.
- Issuing takes an idempotency key: the same key with the same request returns the first
  certificate; with a different request it is a CONFLICT. Revocation keeps the record and its history.

Each write runs in one transaction and locks what it checks, so concurrent requests cannot slip
between a check and the write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from gateway.signing import Caller
from services.common.curp import holder_ref
from services.common.db import Database
from services.common.errors import BadUserInput, Conflict, NotFound
from services.common.renec.reference import SECTORS_BY_CODE
from services.registry.store import normalise_code

MIN_NOMINATIONS = 3
# The registry's day is Mexico City's: a certificate issued late in the evening there is not dated
# "tomorrow" because UTC has already turned. PostgreSQL's own time zone data answers, so the check
# does not depend on the host's.
REGISTRY_TIME_ZONE = "America/Mexico_City"
# The earliest issue date when a standard's publication date is unknown (RENEC lists none): CONOCER was
# created by the decree of 2 August 1995, and no certificate of the national system predates it.
EARLIEST_ISSUE_DATE = date(1995, 8, 2)


def mask_name(name: str) -> str:
    """'María López García' -> 'M*** L*** G***': enough to match a person, not to identify one."""
    words = [w for w in name.split() if w]
    if not words:
        raise BadUserInput("The holder's name is empty.")
    return " ".join(f"{w[0].upper()}***" for w in words)


@dataclass(frozen=True)
class ElementInput:
    code: str
    title: str
    title_en: str | None = None
    criteria: tuple[tuple[str, str], ...] = ()  # (kind, Spanish text)


@dataclass(frozen=True)
class StandardSubmission:
    code: str
    title: str
    level: int
    sector_code: str
    committee_id: str
    title_en: str | None = None
    purpose: str | None = None
    purpose_en: str | None = None
    certificate_validity_years: int | None = None
    equivalent_to_previous: bool | None = None
    elements: tuple[ElementInput, ...] = ()


async def submit_standard(db: Database, s: StandardSubmission) -> str:
    code = normalise_code(s.code)
    base, _, suffix = code.partition(".")
    version = int(suffix) if suffix else 0
    if not 1 <= s.level <= 5:
        raise BadUserInput(f"level is {s.level}; CONOCER levels run from 1 to 5.", argument="level")
    if s.sector_code not in SECTORS_BY_CODE:
        raise BadUserInput(
            f"{s.sector_code!r} is not a SCIAN 2023 sector code (e.g. 54, 31-33).",
            argument="sectorCode",
        )
    if not s.title.strip():
        raise BadUserInput("The title is empty.", argument="title")
    if s.certificate_validity_years is not None and not 1 <= s.certificate_validity_years <= 20:
        raise BadUserInput("certificateValidityYears must be between 1 and 20.")
    async with db.transaction() as conn:
        committee = await conn.fetchrow("SELECT name FROM committees WHERE id = $1", s.committee_id)
        if committee is None:
            raise NotFound(f"There is no committee {s.committee_id!r}.", argument="committeeId")
        previous = await conn.fetchval(
            "SELECT code FROM standards WHERE base_code = $1 AND version < $2 ORDER BY version DESC LIMIT 1",
            base,
            version,
        )
        try:
            await conn.execute(
                """INSERT INTO standards (code, base_code, version, title_es, title_en, purpose_es,
                       purpose_en, level, sector_code, sector_title, committee_id, committee_name,
                       status, certificate_validity_years, supersedes, equivalent_to_previous)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'submitted', $13, $14, $15)""",
                code,
                base,
                version,
                s.title.strip(),
                s.title_en,
                s.purpose,
                s.purpose_en,
                s.level,
                s.sector_code,
                SECTORS_BY_CODE[s.sector_code].title_es,
                s.committee_id,
                committee["name"],
                s.certificate_validity_years,
                previous,
                s.equivalent_to_previous if previous else None,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"{code} already exists; submit a new version instead.") from exc
        for position, element in enumerate(s.elements, start=1):
            await conn.execute(
                "INSERT INTO elements (standard_code, position, code, title_es, title_en) "
                "VALUES ($1, $2, $3, $4, $5)",
                code,
                position,
                element.code,
                element.title,
                element.title_en,
            )
            for index, (kind, text) in enumerate(element.criteria, start=1):
                await conn.execute(
                    "INSERT INTO criteria (standard_code, element_code, kind, position, text_es) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    code,
                    element.code,
                    kind,
                    index,
                    text,
                )
    return code


async def _standard_for_update(conn: asyncpg.Connection, code: str) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM standards WHERE code = $1 FOR UPDATE", code)
    if row is None:
        raise NotFound(f"There is no standard {code}.", argument="code")
    return row


async def nominate(db: Database, code: str, body_id: str, caller: Caller) -> None:
    code = normalise_code(code)
    async with db.transaction() as conn:
        standard = await _standard_for_update(conn, code)
        if standard["status"] == "withdrawn":
            raise Conflict(f"{code} is withdrawn; nominations are closed.")
        if not await conn.fetchval("SELECT true FROM certification_bodies WHERE id = $1", body_id):
            raise NotFound(f"There is no certification body {body_id!r}.", argument="bodyId")
        await conn.execute(
            "INSERT INTO nominations (standard_code, body_id, nominated_by) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            code,
            body_id,
            caller.subject,
        )


async def publish(db: Database, code: str, published_on: date, review_on: date | None) -> None:
    code = normalise_code(code)
    async with db.transaction() as conn:
        standard = await _standard_for_update(conn, code)
        if standard["status"] != "submitted":
            raise Conflict(f"{code} is {standard['status']}; only submitted standards can be published.")
        nominated = await conn.fetchval("SELECT count(*) FROM nominations WHERE standard_code = $1", code)
        if nominated < MIN_NOMINATIONS:
            raise Conflict(
                f"{code} has {nominated} nominated certification bodies; publishing needs at least "
                f"{MIN_NOMINATIONS}.",
                nominations=nominated,
                required=MIN_NOMINATIONS,
            )
        if review_on is not None and review_on <= published_on:
            raise BadUserInput("reviewOn must come after publishedOn.", argument="reviewOn")
        await conn.execute(
            "UPDATE standards SET status = 'published', published_on = $2, review_on = $3, "
            "updated_at = now() WHERE code = $1",
            code,
            published_on,
            review_on,
        )


async def withdraw(db: Database, code: str, withdrawn_on: date) -> None:
    code = normalise_code(code)
    async with db.transaction() as conn:
        standard = await _standard_for_update(conn, code)
        if standard["status"] == "withdrawn":
            # Withdrawn by the source already: the administrator's word still makes it a local decision.
            await conn.execute("UPDATE standards SET withdrawn_locally = true WHERE code = $1", code)
            return
        await conn.execute(
            # Marked as a local decision, so that no later import publishes it again.
            "UPDATE standards SET status = 'withdrawn', withdrawn_on = $2, withdrawn_locally = true, "
            "updated_at = now() WHERE code = $1",
            code,
            withdrawn_on,
        )


async def accredit(
    db: Database, body_id: str, code: str, valid_from: date | None, valid_to: date | None
) -> None:
    code = normalise_code(code)
    if valid_from and valid_to and valid_to < valid_from:
        raise BadUserInput("validTo comes before validFrom.", argument="validTo")
    async with db.transaction() as conn:
        await _standard_for_update(conn, code)
        if not await conn.fetchval("SELECT true FROM certification_bodies WHERE id = $1", body_id):
            raise NotFound(f"There is no certification body {body_id!r}.", argument="bodyId")
        await conn.execute(
            """INSERT INTO accreditations (body_id, standard_code, valid_from, valid_to, source)
               VALUES ($1, $2, $3, $4, 'api')
               ON CONFLICT (body_id, standard_code, coalesce(valid_from, '-infinity'::date))
               DO UPDATE SET valid_to = EXCLUDED.valid_to""",
            body_id,
            code,
            valid_from,
            valid_to,
        )


async def register_evaluator(
    db: Database, evaluator_id: str, body_id: str, person_ref: str, display_name: str
) -> None:
    async with db.transaction() as conn:
        if not await conn.fetchval("SELECT true FROM certification_bodies WHERE id = $1", body_id):
            raise NotFound(f"There is no certification body {body_id!r}.", argument="bodyId")
        try:
            await conn.execute(
                "INSERT INTO evaluators (id, body_id, person_ref, display_name) VALUES ($1, $2, $3, $4)",
                evaluator_id,
                body_id,
                person_ref,
                display_name,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("That evaluator id or person is already registered.") from exc


@dataclass(frozen=True)
class Issue:
    standard_code: str
    body_id: str
    evaluator_id: str
    holder_curp: str
    holder_name: str
    issued_on: date
    idempotency_key: str
    element_codes: tuple[str, ...] = ()

    def fingerprint(self, holder: str) -> str:
        """What makes two requests with one idempotency key the same request."""
        facts: dict[str, Any] = {
            "standard": self.standard_code,
            "body": self.body_id,
            "evaluator": self.evaluator_id,
            "holder": holder,
            "name": mask_name(self.holder_name),
            "issued_on": self.issued_on.isoformat(),
            "elements": sorted(self.element_codes),
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


async def issue_certificate(db: Database, issue: Issue, caller: Caller, salt: bytes) -> str:
    """The folio of the certificate this request created, or created before with the same key."""
    code = normalise_code(issue.standard_code)
    key = issue.idempotency_key.strip()
    if not 8 <= len(key) <= 200:
        raise BadUserInput("idempotencyKey must be 8 to 200 characters.", argument="idempotencyKey")
    holder = holder_ref(salt, issue.holder_curp)
    fingerprint = Issue(**{**issue.__dict__, "standard_code": code}).fingerprint(holder)
    # The key is who the gateway vouches for (evaluators are registered by it); the person it belongs
    # to is who certified, as people read it. Keys made before people were named stand for both.
    certifier = caller.subject or caller.role
    certifying_person = caller.person or certifier

    async with db.transaction() as conn:
        # Serialise requests sharing a key, so the second waits and then finds the first.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{issue.body_id}:{key}")
        existing = await conn.fetchrow(
            "SELECT folio, request_hash FROM certificates WHERE body_id = $1 AND idempotency_key = $2",
            issue.body_id,
            key,
        )
        if existing is not None:
            if existing["request_hash"] != fingerprint:
                raise Conflict(
                    "This idempotency key was already used for a different certificate request.",
                    folio=existing["folio"],
                )
            return existing["folio"]

        standard = await conn.fetchrow(
            "SELECT status, certificate_validity_years, published_on FROM standards "
            "WHERE code = $1 FOR SHARE",
            code,
        )
        if standard is None:
            raise NotFound(f"There is no standard {code}.", argument="standardCode")
        await _check_issue_date(conn, code, issue.issued_on, standard["published_on"])
        if standard["status"] != "published":
            raise Conflict(
                f"{code} is {standard['status']}; certificates are issued only for published, "
                "non-withdrawn standards."
            )
        accredited = await conn.fetchval(
            """SELECT true FROM accreditations
               WHERE body_id = $1 AND standard_code = $2
                 AND coalesce(valid_from, '-infinity') <= $3 AND coalesce(valid_to, 'infinity') >= $3
               LIMIT 1""",
            issue.body_id,
            code,
            issue.issued_on,
        )
        if not accredited:
            raise Conflict(f"{issue.body_id} is not accredited for {code} on {issue.issued_on.isoformat()}.")
        evaluator = await conn.fetchrow(
            "SELECT body_id, person_ref, active FROM evaluators WHERE id = $1", issue.evaluator_id
        )
        if evaluator is None or not evaluator["active"]:
            raise NotFound(f"There is no active evaluator {issue.evaluator_id!r}.", argument="evaluatorId")
        if evaluator["body_id"] != issue.body_id:
            raise Conflict(f"Evaluator {issue.evaluator_id} does not work for {issue.body_id}.")
        if _same_person(evaluator["person_ref"], certifier, caller.person):
            raise Conflict("The evaluator and the certifying person must be different people.")
        elements = sorted(set(issue.element_codes))
        if elements:
            known = {
                r["code"]
                for r in await conn.fetch("SELECT code FROM elements WHERE standard_code = $1", code)
            }
            unknown = [e for e in elements if e not in known]
            if unknown:
                raise BadUserInput(f"{code} has no element(s) {', '.join(unknown)}.", argument="elementCodes")
        number = await conn.fetchval("SELECT nextval('certificate_folio')")
        folio = f"{code}-{issue.issued_on.year}-{number:07d}"
        await conn.execute(
            """INSERT INTO certificates (folio, standard_code, scope, element_codes, holder_ref,
                   holder_name_masked, evaluator_id, certifying_person, body_id, issued_on,
                   expires_on, idempotency_key, request_hash, certifying_key)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                       ($10::date + make_interval(years => $11::int))::date, $12, $13, $14)""",
            folio,
            code,
            "elements" if elements else "whole",
            elements,
            holder,
            mask_name(issue.holder_name),
            issue.evaluator_id,
            certifying_person,
            issue.body_id,
            issue.issued_on,
            standard["certificate_validity_years"],
            key,
            fingerprint,
            certifier,
        )
    return folio


def _same_person(evaluator: str, key: str, person: str | None) -> bool:
    """Whether the evaluator is the one certifying: the key itself, or the person who holds it, whose
    name is compared as people write it (case, accents as typed, spacing aside)."""

    def name(text: str) -> str:
        return " ".join(text.split()).casefold()

    return evaluator == key or (person is not None and name(evaluator) == name(person))


async def _check_issue_date(
    conn: asyncpg.Connection, code: str, issued_on: date, published_on: date | None
) -> None:
    """An issue date is a day that has happened, on or after the standard could first be certified."""
    today = await conn.fetchval("SELECT (now() AT TIME ZONE $1)::date", REGISTRY_TIME_ZONE)
    if issued_on > today:
        raise BadUserInput(
            f"issuedOn {issued_on.isoformat()} is in the future; today is {today.isoformat()} "
            f"in the registry's time zone ({REGISTRY_TIME_ZONE}).",
            argument="issuedOn",
        )
    floor, why = (
        (published_on, f"{code} was published on {published_on.isoformat()}")
        if published_on is not None
        else (EARLIEST_ISSUE_DATE, f"no certificate predates CONOCER ({EARLIEST_ISSUE_DATE.isoformat()})")
    )
    if issued_on < floor:
        raise BadUserInput(f"issuedOn {issued_on.isoformat()} is too early: {why}.", argument="issuedOn")


async def revoke_certificate(db: Database, folio: str, reason: str, revoked_on: date, caller: Caller) -> None:
    if not reason.strip():
        raise BadUserInput("Say why the certificate is revoked.", argument="reason")
    async with db.transaction() as conn:
        row = await conn.fetchrow(
            "SELECT body_id, status FROM certificates WHERE folio = $1 FOR UPDATE", folio
        )
        if row is None:
            raise NotFound(f"There is no certificate {folio!r}.", argument="folio")
        if caller.role == "certifier" and caller.scope != row["body_id"]:
            raise NotFound(f"There is no certificate {folio!r} issued by your body.", argument="folio")
        if row["status"] == "revoked":
            raise Conflict(f"{folio} is already revoked.")
        await conn.execute(
            "UPDATE certificates SET status = 'revoked', revoked_on = $2, revocation_reason = $3 "
            "WHERE folio = $1",
            folio,
            revoked_on,
            reason.strip(),
        )
