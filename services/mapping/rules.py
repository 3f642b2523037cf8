"""What people change in the crosswalk, and the rules that guard it.

- A mapping is proposed by the task force (or an admin) and counts in crosswalks only once another
  person endorses it: the proposer never reviews their own proposal.
- The task force reviews proposals in bulk (`review_mappings`), each key acting for one party (MX or
  US): each party decides once per proposal; the first endorsement makes the edge count in crosswalks,
  a rejection by either party takes it out, and a proposal both parties endorsed is mutual.
- A recognition of a Mexican standard with a counterpart lives in an agreement between Mexico and the
  US. Each party records its own decision; a recognition is mutual only when both endorsed.

Each change runs in one transaction and checks everything before it writes, so a refusal leaves
nothing behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import asyncpg

from gateway.signing import Caller
from services.common.db import Database
from services.common.errors import BadUserInput, Conflict, Forbidden, NotFound
from services.common.inputs import shown
from services.common.permissions import allows
from services.mapping.model import Relation

PROPOSABLE = frozenset(r.value for r in Relation if r is not Relation.BROADER)
PARTIES = ("MX", "US")
MAX_REVIEWS = 200  # decisions in one reviewMappings call: a page of the review queue, with room
AGREEMENT_ID = re.compile(r"[A-Za-z0-9._-]{3,64}")  # as recognition_agreements.id's CHECK


def identity(caller: Caller) -> str:
    return caller.subject or f"{caller.role}:{caller.scope or '-'}"


@dataclass(frozen=True)
class Proposal:
    from_scheme: str
    from_code: str
    to_scheme: str
    to_code: str
    relation: str
    confidence: float
    source: str
    note: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


async def _require_item(conn: asyncpg.Connection, scheme: str, code: str, argument: str) -> None:
    if not await conn.fetchval("SELECT true FROM items WHERE scheme = $1 AND code = $2", scheme, code):
        raise NotFound(f"There is no {scheme} item with code {code!r}.", argument=argument)


async def propose_mapping(db: Database, proposal: Proposal, caller: Caller) -> int:
    p = proposal
    if p.relation not in PROPOSABLE:
        raise BadUserInput(
            "A proposed mapping relates two items with a SKOS match (exact, close, broad, narrow or "
            "related); a scheme's own hierarchy is not proposed.",
            argument="relation",
        )
    if not 0 < p.confidence <= 1:
        raise BadUserInput(
            f"confidence must be above 0 and at most 1; it was {p.confidence}.", argument="confidence"
        )
    if (p.from_scheme, p.from_code) == (p.to_scheme, p.to_code):
        raise BadUserInput("A mapping cannot lead from an item to itself.", argument="to")
    if not p.source.strip():
        raise BadUserInput(
            "Say where the mapping comes from: a document, a study, a review.", argument="source"
        )
    if p.valid_from and p.valid_to and p.valid_from > p.valid_to:
        raise BadUserInput("validFrom is after validTo.", argument="validTo")
    async with db.transaction() as conn:
        await _require_item(conn, p.from_scheme, p.from_code, "from")
        await _require_item(conn, p.to_scheme, p.to_code, "to")
        existing = await conn.fetchrow(
            """SELECT id, status FROM edges
               WHERE (from_scheme, from_code, to_scheme, to_code) IN (($1, $2, $3, $4), ($3, $4, $1, $2))""",
            p.from_scheme,
            p.from_code,
            p.to_scheme,
            p.to_code,
        )
        if existing is not None:
            raise Conflict(
                f"These items are already mapped (edge {existing['id']}, {existing['status']}); "
                "review that edge instead.",
                edgeId=str(existing["id"]),
            )
        schemes = {
            r["id"]: r["version"]
            for r in await conn.fetch(
                "SELECT id, version FROM schemes WHERE id = ANY($1::text[])", [p.from_scheme, p.to_scheme]
            )
        }
        return await conn.fetchval(
            """INSERT INTO edges (from_scheme, from_code, to_scheme, to_code, relation, confidence, method,
                                  source, note, from_version, to_version, status, proposed_by,
                                  valid_from, valid_to)
               VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, $8, $9, $10, 'proposed', $11, $12, $13)
               RETURNING id""",
            p.from_scheme,
            p.from_code,
            p.to_scheme,
            p.to_code,
            p.relation,
            p.confidence,
            p.source.strip(),
            p.note,
            schemes[p.from_scheme],
            schemes[p.to_scheme],
            identity(caller),
            p.valid_from,
            p.valid_to,
        )


async def review_mapping(db: Database, edge_id: int, endorse: bool, note: str | None, caller: Caller) -> None:
    reviewer = identity(caller)
    async with db.transaction() as conn:
        edge = await conn.fetchrow("SELECT status, proposed_by FROM edges WHERE id = $1 FOR UPDATE", edge_id)
        if edge is None:
            raise NotFound(f"There is no mapping {edge_id}.", argument="id")
        if edge["status"] != "proposed":
            raise Conflict(f"Mapping {edge_id} was already reviewed: it is {edge['status']}.")
        if edge["proposed_by"] == reviewer:
            raise Forbidden("You proposed this mapping; another person must review it.")
        await conn.execute(
            """UPDATE edges SET status = $2,
                   method = CASE WHEN $2 = 'endorsed' THEN 'expert_review' ELSE method END,
                   reviewed_by = $3, reviewed_at = now(), review_note = $4
               WHERE id = $1""",
            edge_id,
            "endorsed" if endorse else "rejected",
            reviewer,
            note,
        )


@dataclass(frozen=True)
class ReviewInput:
    edge_id: int
    endorse: bool
    note: str | None = None


def _listed(ids: list[int]) -> str:
    shown_ids = ", ".join(str(i) for i in ids[:10])
    return shown_ids + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


async def review_mappings(db: Database, decisions: list[ReviewInput], caller: Caller) -> None:
    """One party's decisions on many proposals, all or nothing: every id is checked before any is written."""
    party = caller.scope
    if party not in PARTIES:
        raise Forbidden(
            f"A review is recorded for a party; your key acts for {party or 'no party'!r}. "
            "Use a task force key for MX or for US."
        )
    if not decisions:
        raise BadUserInput("Give at least one decision.", argument="decisions")
    if len(decisions) > MAX_REVIEWS:
        raise BadUserInput(
            f"{len(decisions)} decisions; at most {MAX_REVIEWS} go in one call.", argument="decisions"
        )
    ids = [d.edge_id for d in decisions]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise BadUserInput(f"Mappings decided twice in one call: {_listed(repeated)}.", argument="decisions")
    reviewer = identity(caller)
    async with db.transaction() as conn:
        rows = await conn.fetch(
            "SELECT id, status, proposed_by FROM edges WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
            ids,
        )
        found = {r["id"]: r for r in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound(f"There are no mappings {_listed(missing)}.", argument="decisions")
        official = [i for i in ids if found[i]["proposed_by"] is None]
        if official:
            raise BadUserInput(
                f"Mappings {_listed(official)} come from published crosswalks, not proposals; "
                "there is nothing to review.",
                argument="decisions",
            )
        own = [i for i in ids if found[i]["proposed_by"] == reviewer]
        if own:
            raise Forbidden(f"You proposed mappings {_listed(own)}; another person must review them.")
        decided = [
            r["edge_id"]
            for r in await conn.fetch(
                "SELECT edge_id FROM edge_reviews WHERE edge_id = ANY($1::bigint[]) AND party = $2 "
                "ORDER BY edge_id",
                ids,
                party,
            )
        ]
        if decided:
            raise Conflict(f"{party} already reviewed mappings {_listed(decided)}.", edgeIds=decided)
        rejected = sorted(
            d.edge_id for d in decisions if d.endorse and found[d.edge_id]["status"] == "rejected"
        )
        if rejected:
            raise Conflict(f"Mappings {_listed(rejected)} were rejected; they cannot be endorsed.")
        columns = (ids, [d.endorse for d in decisions], [d.note for d in decisions])
        await conn.execute(
            """INSERT INTO edge_reviews (edge_id, party, decision, reviewed_by, note)
               SELECT d.id, $4, CASE WHEN d.endorse THEN 'endorsed' ELSE 'rejected' END, $5, d.note
               FROM unnest($1::bigint[], $2::boolean[], $3::text[]) AS d (id, endorse, note)""",
            *columns,
            party,
            reviewer,
        )
        # The edge keeps the first reviewer; the table above keeps every party's word.
        await conn.execute(
            """UPDATE edges SET
                   status = CASE WHEN NOT d.endorse THEN 'rejected'
                                 WHEN edges.status = 'proposed' THEN 'endorsed' ELSE edges.status END,
                   method = CASE WHEN d.endorse AND edges.method = 'proposed' THEN 'expert_review'
                                 ELSE edges.method END,
                   reviewed_by = coalesce(edges.reviewed_by, $4),
                   reviewed_at = coalesce(edges.reviewed_at, now()),
                   review_note = coalesce(edges.review_note, d.note)
               FROM unnest($1::bigint[], $2::boolean[], $3::text[]) AS d (id, endorse, note)
               WHERE edges.id = d.id""",
            *columns,
            reviewer,
        )


@dataclass(frozen=True)
class AgreementInput:
    id: str
    title_es: str
    title_en: str | None
    scope_standards: tuple[str, ...]
    counterpart_scheme: str
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None
    illustrative: bool = False
    scope_committees: tuple[str, ...] = ()


async def create_agreement(db: Database, agreement: AgreementInput, caller: Caller | None) -> None:
    a = agreement
    if not AGREEMENT_ID.fullmatch(a.id):  # the table's CHECK, said as a person can act on it
        raise BadUserInput(
            f"Agreement id {shown(a.id)} must be 3-64 letters, digits, '.', '_' or '-'.", argument="id"
        )
    if not a.title_es.strip():
        raise BadUserInput("An agreement needs a Spanish title.", argument="titleEs")
    if a.valid_from and a.valid_to and a.valid_from > a.valid_to:
        raise BadUserInput("validFrom is after validTo.", argument="validTo")
    codes = sorted({c.strip() for c in a.scope_standards})
    async with db.transaction() as conn:
        missing = await conn.fetch(
            """SELECT c FROM unnest($1::text[]) AS c
               WHERE NOT EXISTS (SELECT 1 FROM items WHERE scheme = 'CONOCER_EC' AND code = c)""",
            codes,
        )
        if missing:
            listed = ", ".join(r["c"] for r in missing[:10])
            raise NotFound(f"Not CONOCER standards: {listed}.", argument="scopeStandards")
        inserted = await conn.fetchval(
            """INSERT INTO recognition_agreements (id, title_es, title_en, parties, scope_committees,
                   scope_standards, counterpart_scheme, valid_from, valid_to, illustrative, note, created_by)
               VALUES ($1, $2, $3, ARRAY['MX', 'US'], $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (id) DO NOTHING RETURNING true""",
            a.id,
            a.title_es.strip(),
            a.title_en,
            list(a.scope_committees),
            codes,
            a.counterpart_scheme,
            a.valid_from,
            a.valid_to,
            a.illustrative,
            a.note,
            identity(caller) if caller else None,
        )
        if not inserted:
            raise Conflict(f"An agreement {a.id!r} exists already.", argument="id")


@dataclass(frozen=True)
class DecisionInput:
    agreement_id: str
    standard_code: str
    counterpart_scheme: str
    counterpart_code: str
    party: str
    decision: str  # endorsed | rejected | pending
    conditions: str | None = None
    note: str | None = None
    decided_on: date | None = None
    # Per-element gaps, each {"element", "gap", "measure"}: None keeps those recorded, [] clears them.
    gaps: list[dict[str, str]] | None = None


async def record_decision(db: Database, d: DecisionInput, caller: Caller) -> None:
    if d.party not in PARTIES:
        raise BadUserInput(f"party is MX or US, not {d.party!r}.", argument="party")
    if not allows(caller, "taskforce", scope=d.party):
        raise Forbidden(
            f"Your key acts for {caller.scope or 'no party'!r}; "
            f"a decision for {d.party} is {d.party}'s to record."
        )
    async with db.transaction() as conn:
        agreement = await conn.fetchrow(
            "SELECT scope_standards, counterpart_scheme FROM recognition_agreements WHERE id = $1 FOR UPDATE",
            d.agreement_id,
        )
        if agreement is None:
            raise NotFound(f"There is no agreement {d.agreement_id!r}.", argument="agreementId")
        if d.standard_code not in agreement["scope_standards"]:
            raise BadUserInput(
                f"{d.standard_code} is not in the scope of agreement {d.agreement_id}.",
                argument="standardCode",
            )
        if d.counterpart_scheme != agreement["counterpart_scheme"]:
            raise BadUserInput(
                f"Counterparts in agreement {d.agreement_id} are {agreement['counterpart_scheme']} items.",
                argument="counterpart",
            )
        await _require_item(conn, d.counterpart_scheme, d.counterpart_code, "counterpart")
        for gap in d.gaps or ():
            if not all((gap.get(k) or "").strip() for k in ("element", "gap", "measure")):
                raise BadUserInput(
                    "Each gap names the element, what is missing and the compensatory measure.",
                    argument="gaps",
                )
        key = (d.agreement_id, d.standard_code, d.counterpart_scheme, d.counterpart_code)
        await conn.execute(
            """INSERT INTO recognitions
                   (agreement_id, standard_code, counterpart_scheme, counterpart_code, conditions, gaps)
               VALUES ($1, $2, $3, $4, $5, coalesce($6::jsonb, '[]'))
               ON CONFLICT (agreement_id, standard_code, counterpart_scheme, counterpart_code)
               DO UPDATE SET conditions = coalesce(EXCLUDED.conditions, recognitions.conditions),
                   gaps = CASE WHEN $6::jsonb IS NULL THEN recognitions.gaps ELSE EXCLUDED.gaps END""",
            *key,
            d.conditions,
            d.gaps,
        )
        await conn.execute(
            """INSERT INTO recognition_decisions (agreement_id, standard_code, counterpart_scheme,
                   counterpart_code, party, decision, decided_by, decided_on, note)
               VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, current_date), $9)
               ON CONFLICT (agreement_id, standard_code, counterpart_scheme, counterpart_code, party)
               DO UPDATE SET decision = EXCLUDED.decision, decided_by = EXCLUDED.decided_by,
                   decided_on = EXCLUDED.decided_on, note = EXCLUDED.note""",
            *key,
            d.party,
            d.decision,
            identity(caller),
            d.decided_on,
            d.note,
        )
