"""Writes the proposer's best candidates as proposal edges, never touching an edge a person decided.

An edge is the proposer's own while its method is `text_match`, `proposed_by` is `PROPOSER`, its status
is `proposed` and nobody reviewed it: only those are updated (score, confidence, evidence) or withdrawn
(deleted, when the candidate is no longer proposed). Any other edge between the same pair stays as it
is, so a re-run never overwrites an endorsement, a rejection or an official edge. A second run over the
same data changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg
import orjson

from services.mapping.counterparts.corpus import load_corpus
from services.mapping.counterparts.proposer import Candidate, Proposer
from services.mapping.model import SCHEMES, Relation, Scheme

PROPOSER = "qf-proposer"
SOURCE = "qf counterpart proposer: text match of the standard's title, crosswalk routes, OEWS and job zones"
# Schemes proposals are written for, and how many per standard in each.
PROPOSAL_SCHEMES: dict[Scheme, int] = {
    Scheme.SOC_2018: 5,
    Scheme.ONET_SOC: 5,
    Scheme.ESCO: 3,
    Scheme.SINCO_2011: 3,
    Scheme.ISCO_08: 3,
    Scheme.CIP_2020: 3,
}


@dataclass
class ProposalSummary:
    standards: int = 0
    with_proposal: int = 0
    inserted: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    seconds_writing: float = 0.0


def proposals(proposer: Proposer, standard_code: str) -> list[Candidate]:
    """The candidates of one standard worth proposing: its best few per scheme (`PROPOSAL_SCHEMES` bounds a
    reviewer's work). No confidence floor: `Standard.counterparts` reads what is stored, and must rank as
    the proposer does whatever the calibration says of the weakest."""
    per_scheme = proposer.rank_per_scheme(standard_code, PROPOSAL_SCHEMES)
    return [c for found in per_scheme.values() for c in found]


async def propose_all(
    conn: asyncpg.Connection, proposer: Proposer | None = None, codes: Iterable[str] | None = None
) -> ProposalSummary:
    """Proposal edges for every standard (or those of `codes`), written in one transaction; the
    proposer's earlier proposals for those standards that it no longer makes are withdrawn. Works on a
    plain connection or a pooled one (evidence travels as text, whatever json codecs the pool set)."""
    started = time.perf_counter()
    if proposer is None:
        proposer = Proposer(await load_corpus(conn))
    chosen = sorted(
        proposer.corpus.standards if codes is None else set(codes) & set(proposer.corpus.standards)
    )
    summary = ProposalSummary(standards=len(chosen))
    records = []
    for code in chosen:
        found = proposals(proposer, code)
        summary.with_proposal += bool(found)
        for c in found:
            records.append(
                (
                    code,
                    c.scheme.value,
                    c.code,
                    c.confidence,
                    orjson.dumps(c.evidence, option=orjson.OPT_SORT_KEYS).decode(),
                    SCHEMES[c.scheme].version,
                )
            )
    writing = time.perf_counter()
    async with conn.transaction():
        await conn.execute(
            """DROP TABLE IF EXISTS pg_temp.incoming_proposals;
               CREATE TEMPORARY TABLE incoming_proposals (
                   from_code text, to_scheme text, to_code text, confidence double precision,
                   evidence text, to_version text
               ) ON COMMIT DROP"""
        )
        await conn.copy_records_to_table("incoming_proposals", records=records)
        await conn.execute("ANALYZE pg_temp.incoming_proposals")
        counts = await conn.fetchrow(
            f"""WITH withdrawn AS (
                   -- EXCEPT rather than NOT EXISTS: the planner cannot estimate the proposer's rows and
                   -- would compare every pair in a nested loop (20 s instead of milliseconds)
                   DELETE FROM edges WHERE id IN (
                       SELECT id FROM edges
                       WHERE from_scheme = 'CONOCER_EC' AND method = 'text_match' AND proposed_by = $1
                         AND status = 'proposed' AND reviewed_by IS NULL AND from_code = ANY($4)
                       EXCEPT
                       SELECT e.id FROM incoming_proposals n JOIN edges e
                         ON (e.from_scheme, e.from_code, e.to_scheme, e.to_code)
                            = ('CONOCER_EC', n.from_code, n.to_scheme, n.to_code))
                   RETURNING 1
               ), written AS (
                   INSERT INTO edges (from_scheme, from_code, to_scheme, to_code, relation, confidence,
                                      method, source, from_version, to_version, status, proposed_by,
                                      evidence)
                   SELECT 'CONOCER_EC', n.from_code, n.to_scheme, n.to_code, '{Relation.RELATED.value}',
                          n.confidence, 'text_match', $2, $3, n.to_version, 'proposed', $1, n.evidence::jsonb
                   FROM incoming_proposals n
                   JOIN items t ON (t.scheme, t.code) = (n.to_scheme, n.to_code)
                   ON CONFLICT (from_scheme, from_code, to_scheme, to_code) DO UPDATE SET
                       confidence = EXCLUDED.confidence, evidence = EXCLUDED.evidence,
                       source = EXCLUDED.source, to_version = EXCLUDED.to_version
                   WHERE edges.method = 'text_match' AND edges.proposed_by = $1
                     AND edges.status = 'proposed' AND edges.reviewed_by IS NULL
                     AND (edges.confidence, edges.evidence, edges.source, edges.to_version)
                         IS DISTINCT FROM (EXCLUDED.confidence, EXCLUDED.evidence, EXCLUDED.source,
                                           EXCLUDED.to_version)
                   RETURNING (xmax = 0) AS inserted
               )
               SELECT (SELECT count(*) FROM withdrawn) AS withdrawn,
                      count(*) FILTER (WHERE inserted) AS inserted,
                      count(*) FILTER (WHERE NOT inserted) AS updated
               FROM written""",
            PROPOSER,
            SOURCE,
            SCHEMES[Scheme.CONOCER_EC].version,
            chosen,
        )
    summary.inserted, summary.updated, summary.withdrawn = (
        counts["inserted"],
        counts["updated"],
        counts["withdrawn"],
    )
    summary.unchanged = len(records) - summary.inserted - summary.updated
    summary.seconds = round(time.perf_counter() - started, 2)
    summary.seconds_writing = round(time.perf_counter() - writing, 2)
    return summary
