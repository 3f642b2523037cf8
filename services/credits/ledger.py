"""Learners' credit accounts: an append-only ledger that never loses or doubles a posting.

Three postings, each one transaction:

- a deposit banks a certificate at an institution, with the facts the registry gave for it;
- an application turns banked certificates into credit toward a programme, through the same transcript
  computation as `creditTranscript`, starting from what earlier applications counted;
- a reversal cancels an entry (a deposit's reversal cancels its applications too).

What keeps them safe under concurrency: a posting claims its idempotency key first, inside its transaction,
so a concurrent repeat waits and then reads the first answer (and a failed posting leaves no claim);
postings to one learner's account at one institution lock that account's row, so an application sees
every earlier one and the programme's cap holds; a unique index allows one deposit per certificate and
institution; and a per-certificate advisory lock orders deposits against the change-feed follower that
reverses deposits of revoked certificates.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from gateway.signing import Caller
from services.common.curp import normalise_curp
from services.common.db import Database
from services.common.errors import BadUserInput, Conflict, NotFound
from services.credits import catalog
from services.credits.registry_link import RegistryClient, certificate_from_graphql
from services.credits.transcript import ZERO, Line, base_code, compute

log = logging.getLogger(__name__)

ENTRY_COLUMNS = (
    "id, holder_ref, institution_id, kind, folio, standard_code, program_id, rule_id, credits, "
    "exempted_courses, reverses, reason, certificate, posted_by, request_id, posted_at"
)
FEED_POSTER = "service:credits (registry change feed)"


async def entries_by_id(db: Database, ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch(f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE id = ANY($1::bigint[])", ids)


def _request_hash(operation: str, **arguments: Any) -> str:
    canonical = json.dumps({"operation": operation, **arguments}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= 200:
        raise BadUserInput("An idempotency key is 1 to 200 characters.", argument="idempotencyKey")
    return key


def _poster(caller: Caller) -> str:
    return caller.subject or f"{caller.role}:{caller.scope or '-'}"


async def _stored(
    conn: asyncpg.Connection | Database, institution_id: str, key: str, request_hash: str
) -> dict[str, Any] | None:
    """The first answer given for this key, or None; CONFLICT if the key came with other arguments."""
    row = await conn.fetchrow(
        "SELECT request_hash, result FROM idempotency_keys WHERE institution_id = $1 AND key = $2",
        institution_id,
        key,
    )
    if row is None:
        return None
    if row["request_hash"] != request_hash:
        raise Conflict(
            f"The idempotency key {key!r} was already used at {institution_id} with other arguments; "
            "use a new key for a new request.",
            argument="idempotencyKey",
        )
    return {**row["result"], "replayed": True}


async def _claim(
    conn: asyncpg.Connection, institution_id: str, key: str, operation: str, request_hash: str
) -> dict[str, Any] | None:
    """Claims the key for this transaction; if another request holds it, waits and returns its answer."""
    claimed = await conn.fetchval(
        "INSERT INTO idempotency_keys (institution_id, key, operation, request_hash) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT DO NOTHING RETURNING true",
        institution_id,
        key,
        operation,
        request_hash,
    )
    if claimed:
        return None
    stored = await _stored(conn, institution_id, key, request_hash)
    assert stored is not None  # the conflicting claim has committed, or ours would have gone in
    return stored


async def _answer(
    conn: asyncpg.Connection, institution_id: str, key: str, result: dict[str, Any]
) -> dict[str, Any]:
    await conn.execute(
        "UPDATE idempotency_keys SET result = $3 WHERE institution_id = $1 AND key = $2",
        institution_id,
        key,
        result,
    )
    return {**result, "replayed": False}


async def _lock_folio(conn: asyncpg.Connection, folio: str) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('credits.folio:' || $1))", folio)


# --- deposits ------------------------------------------------------------------------------------------


async def deposit_certificate(
    db: Database,
    registry: RegistryClient,
    caller: Caller,
    folio: str,
    institution_id: str,
    key: str,
    holder_curp: str | None = None,
) -> dict[str, Any]:
    """Banks a certificate at an institution: `{"entries": [id], "replayed": bool}`.

    A registrar gives the CURP the learner handed over with the folio, the proof that the learner came to
    the institution: the registry banks nothing and discloses nothing unless it is the holder's, and
    answers alike for a folio that does not exist, so a guessed folio tells nobody who holds it. An admin
    may leave it out.
    """
    catalog.require_institution_role(caller, institution_id)
    await catalog.require_institution(db, institution_id)
    key = _check_key(key)
    folio = folio.strip()
    if holder_curp is not None:
        holder_curp = normalise_curp(holder_curp, argument="holderCurp")
    elif caller.role != "admin":
        raise BadUserInput(
            "Give the holder's CURP (holderCurp) with the folio: the learner hands both over, and the "
            "registry banks a certificate only for its holder.",
            argument="holderCurp",
        )
    # The CURP is not part of the request's fingerprint, which is stored: a hash of a CURP is as good as
    # the CURP to anyone who tries them all. A replay answers only what this institution was answered.
    request_hash = _request_hash("deposit", folio=folio)
    if (stored := await _stored(db, institution_id, key, request_hash)) is not None:
        return stored
    # Verified for this institution (an admin's caller has none of its own): the registry records that the
    # learner presented the certificate here, which lets the institution's registrars see it.
    here = dataclasses.replace(caller, scope=institution_id)
    verified = await registry.certificate(folio, here, holder_curp)
    if verified is None:
        held = " held by the person with that CURP" if holder_curp is not None else ""
        raise NotFound(f"The registry has no certificate with folio {folio!r}{held}.", argument="folio")
    certificate = verified.certificate
    if certificate.revoked:
        raise Conflict(
            f"Certificate {folio} is revoked in the registry; it cannot be deposited.", reason="REVOKED"
        )
    async with db.transaction() as conn:
        if (stored := await _claim(conn, institution_id, key, "deposit", request_hash)) is not None:
            return stored
        await _lock_folio(conn, folio)
        if await conn.fetchval("SELECT true FROM revoked_certificates WHERE folio = $1", folio):
            raise Conflict(f"Certificate {folio} has been revoked; it cannot be deposited.", reason="REVOKED")
        existing = await conn.fetchval(
            "SELECT id FROM ledger_entries WHERE institution_id = $1 AND folio = $2 AND kind = 'deposit'",
            institution_id,
            folio,
        )
        if existing is not None:
            raise Conflict(
                f"Certificate {folio} is already deposited at {institution_id} (ledger entry {existing}); "
                "a certificate is deposited once per institution.",
                existingEntryId=str(existing),
            )
        await conn.execute(
            "INSERT INTO accounts (holder_ref, institution_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            verified.holder_ref,
            institution_id,
        )
        entry = await conn.fetchval(
            """INSERT INTO ledger_entries (holder_ref, institution_id, kind, folio, standard_code, credits,
                   certificate, posted_by, request_id)
               VALUES ($1, $2, 'deposit', $3, $4, 0, $5, $6, $7) RETURNING id""",
            verified.holder_ref,
            institution_id,
            folio,
            certificate.standard_code,
            verified.facts,
            _poster(caller),
            caller.request_id,
        )
        return await _answer(conn, institution_id, key, {"entries": [entry]})


# --- applications --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountState:
    """An account's entries, and which of them still stand."""

    entries: list[asyncpg.Record]

    @property
    def reversed_ids(self) -> set[int]:
        return {e["reverses"] for e in self.entries if e["kind"] == "reversal"}

    def standing(self, kind: str, program_id: str | None = None) -> list[asyncpg.Record]:
        gone = self.reversed_ids
        return [
            e
            for e in self.entries
            if e["kind"] == kind
            and e["id"] not in gone
            and (program_id is None or e["program_id"] == program_id)
        ]


async def _lock_account(
    conn: asyncpg.Connection, holder_ref: str, institution_id: str
) -> AccountState | None:
    locked = await conn.fetchval(
        "SELECT true FROM accounts WHERE holder_ref = $1 AND institution_id = $2 FOR UPDATE",
        holder_ref,
        institution_id,
    )
    if not locked:
        return None
    rows = await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE holder_ref = $1 AND institution_id = $2 "
        "ORDER BY id",
        holder_ref,
        institution_id,
    )
    return AccountState(rows)


def line_json(line: Line) -> dict[str, Any]:
    return {
        "folio": line.certificate.folio,
        "standardCode": line.certificate.standard_code,
        "status": line.status.value,
        "credits": str(line.credits),
        "ruleId": line.rule.id if line.rule else None,
        "courses": [
            {"code": c.code, "title": c.title, "titleEn": c.title_en, "credits": str(c.credits)}
            for c in line.courses
        ],
        "reasonEs": line.reason_es,
        "reasonEn": line.reason_en,
    }


async def apply_credits(
    db: Database, caller: Caller, holder_ref: str, program_id: str, key: str, *, today: date | None = None
) -> dict[str, Any]:
    """Applies the account's banked certificates not yet counted in the programme, up to its cap."""
    program_row = await catalog.require_program(db, program_id)
    institution_id = program_row["institution_id"]
    catalog.require_institution_role(caller, institution_id)
    key = _check_key(key)
    holder_ref = holder_ref.strip()
    request_hash = _request_hash("apply", holderRef=holder_ref, programId=program_id)
    if (stored := await _stored(db, institution_id, key, request_hash)) is not None:
        return stored
    program = catalog.program_of(program_row)
    cap, basis = program.cap
    async with db.transaction() as conn:
        if (stored := await _claim(conn, institution_id, key, "apply", request_hash)) is not None:
            return stored
        account = await _lock_account(conn, holder_ref, institution_id)
        entries: list[int] = []
        lines: list[dict[str, Any]] = []
        applied_before = ZERO
        if account is not None:
            applied = account.standing("application", program_id)
            applied_before = sum((e["credits"] for e in applied), ZERO)
            counted = {e["folio"] for e in applied}
            waiting = [
                certificate_from_graphql(e["certificate"])
                for e in account.standing("deposit")
                if e["folio"] not in counted
            ]
            rules = await catalog.rules_at(
                conn, [(institution_id, base) for base in {base_code(c.standard_code) for c in waiting}]
            )
            transcript = compute(
                program,
                [catalog.rule_of(r) for r in rules],
                waiting,
                today or date.today(),
                already_counted=applied_before,
                already_exempted=[c["code"] for e in applied for c in e["exempted_courses"]],
                already_credited=[e["standard_code"] for e in applied],
            )
            postings = [line for line in transcript.lines if line.credits > 0]
            if postings:
                entries = [
                    r["id"]
                    for r in await conn.fetch(
                        """INSERT INTO ledger_entries (holder_ref, institution_id, kind, folio, standard_code,
                               program_id, rule_id, credits, exempted_courses, posted_by, request_id)
                           SELECT $1, $2, 'application', folio, standard_code, $3, rule_id, credits,
                                  courses::jsonb, $4, $5
                             FROM unnest($6::text[], $7::text[], $8::bigint[], $9::numeric[], $10::text[])
                                  AS t(folio, standard_code, rule_id, credits, courses)
                           RETURNING id""",
                        holder_ref,
                        institution_id,
                        program_id,
                        _poster(caller),
                        caller.request_id,
                        [line.certificate.folio for line in postings],
                        [line.certificate.standard_code for line in postings],
                        [line.rule.id if line.rule else None for line in postings],
                        [line.credits for line in postings],
                        [json.dumps(line_json(line)["courses"]) for line in postings],
                    )
                ]
            lines = [line_json(line) for line in transcript.lines]
        applied_now = sum((Decimal(line["credits"]) for line in lines), ZERO)
        return await _answer(
            conn,
            institution_id,
            key,
            {
                "holderRef": holder_ref,
                "programId": program_id,
                "entries": entries,
                "lines": lines,
                "appliedNow": str(applied_now),
                "appliedTotal": str(applied_before + applied_now),
                "cap": str(cap),
                "capBasis": basis.value,
            },
        )


# --- reversals -----------------------------------------------------------------------------------------


async def _reverse_in(
    conn: asyncpg.Connection,
    account: AccountState,
    entry: asyncpg.Record,
    reason: str,
    poster: str,
    request_id: str | None,
) -> list[int]:
    """Reversal entries for `entry` and, for a deposit, for the applications of its certificate."""
    targets = [entry] if entry["id"] not in account.reversed_ids else []
    if entry["kind"] == "deposit":
        targets += [e for e in account.standing("application") if e["folio"] == entry["folio"]]
    if not targets:
        return []
    rows = await conn.fetch(
        """INSERT INTO ledger_entries (holder_ref, institution_id, kind, folio, standard_code, program_id,
               rule_id, credits, exempted_courses, reverses, reason, posted_by, request_id)
           SELECT e.holder_ref, e.institution_id, 'reversal', e.folio, e.standard_code, e.program_id,
                  e.rule_id, -e.credits, e.exempted_courses, e.id, $2, $3, $4
             FROM ledger_entries e WHERE e.id = ANY($1::bigint[]) ORDER BY e.id
           RETURNING id""",
        [t["id"] for t in targets],
        reason,
        poster,
        request_id,
    )
    return [r["id"] for r in rows]


async def reverse_entry(db: Database, caller: Caller, entry_id: int, reason: str) -> list[int]:
    """The reversal entries posted; reversing again returns the reversals posted before."""
    entry = await db.fetchrow(f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE id = $1", entry_id)
    if entry is None:
        raise NotFound(f"No ledger entry has the id {entry_id}.", argument="id")
    catalog.require_institution_role(caller, entry["institution_id"])
    if entry["kind"] == "reversal":
        raise BadUserInput(
            f"Entry {entry_id} is itself a reversal; post the original again instead.", argument="id"
        )
    if not reason.strip():
        raise BadUserInput("Say why the entry is reversed.", argument="reason")
    async with db.transaction() as conn:
        account = await _lock_account(conn, entry["holder_ref"], entry["institution_id"])
        assert account is not None  # an entry exists, so its account does
        posted = await _reverse_in(conn, account, entry, reason.strip(), _poster(caller), caller.request_id)
        if posted:
            return posted
        # Reversed before: the reversals of the entry and, for a deposit, of its certificate's applications.
        covered = {entry["id"]} | {
            e["id"] for e in account.entries if e["kind"] == "application" and e["folio"] == entry["folio"]
        }
        return [e["id"] for e in account.entries if e["reverses"] in covered]


# --- the registry's change feed ------------------------------------------------------------------------


async def follow_registry(db: Database, registry: RegistryClient, *, page: int = 500) -> int:
    """Reads the registry's change feed from where it stopped; reverses deposits of revoked certificates.

    Returns the number of reversal entries posted. Safe to run from several processes: the feed position
    is locked while a batch is handled.
    """
    posted = 0
    more = True
    while more:
        async with db.transaction() as conn:
            cursor = await conn.fetchval("SELECT cursor FROM registry_feed FOR UPDATE")
            changes, after, more = await registry.changes(cursor, page)
            for change in changes:
                data = change["data"]
                if change["entity"] == "certificate" and data.get("status") == "revoked":
                    posted += await _revoked(conn, change["key"], data.get("revoked_on"), change["seq"])
            await conn.execute("UPDATE registry_feed SET cursor = $1", after)
        if not changes:
            break
    return posted


async def _revoked(conn: asyncpg.Connection, folio: str, revoked_on: str | None, seq: str) -> int:
    await _lock_folio(conn, folio)
    await conn.execute(
        "INSERT INTO revoked_certificates (folio, revoked_on) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        folio,
        date.fromisoformat(revoked_on) if revoked_on else None,
    )
    deposits = await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE folio = $1 AND kind = 'deposit' ORDER BY id", folio
    )
    posted = 0
    for deposit in deposits:
        account = await _lock_account(conn, deposit["holder_ref"], deposit["institution_id"])
        assert account is not None
        reason = (
            f"Certificate revoked in the registry{' on ' + revoked_on if revoked_on else ''} (change {seq})."
        )
        posted += len(await _reverse_in(conn, account, deposit, reason, FEED_POSTER, None))
    return posted
