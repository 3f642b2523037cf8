"""What matching needs, read once from the mapping schema into memory.

The corpus holds plain data only (no index): the standards with their sector and level, the Spanish and
English texts of occupations, the crosswalk links between occupation schemes, O*NET job zones and
sector employment. `Proposer` builds its indexes from it. Proposals themselves (edges from a standard)
are never read back as evidence: the proposer must not feed on its own output.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import asyncpg

from services.mapping.model import COUNTERPART_SCHEMES, Scheme

# SCIAN 2023 sectors whose NAICS (and OEWS) sector code differs: wholesale, retail, government.
SCIAN_TO_NAICS_SECTOR = {"43": "42", "46": "44-45", "93": "99"}


@dataclass(frozen=True, slots=True)
class Standard:
    code: str
    title: str
    sector: str | None  # SCIAN 2023 sector as RENEC gives it: "81", "31-33", ...
    level: int | None  # CONOCER level 1-5


@dataclass(frozen=True, slots=True)
class Link:
    """A crosswalk edge between two occupation items, as stored (from -> to)."""

    from_scheme: Scheme
    from_code: str
    to_scheme: Scheme
    to_code: str
    relation: str
    confidence: float
    method: str
    source: str


@dataclass
class Corpus:
    standards: dict[str, Standard] = field(default_factory=dict)
    # (scheme, code) -> (label_es, label_en, depth)
    items: dict[tuple[Scheme, str], tuple[str | None, str | None, int]] = field(default_factory=dict)
    # (scheme, code) -> [(lang, kind, term)]: alternative labels, alternate and reported titles
    terms: dict[tuple[Scheme, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    # O*NET-SOC code -> its task statements and description (English): what the work is, in its words
    tasks: dict[str, list[str]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    # (scheme, code) -> parent code, inside one scheme
    parents: dict[tuple[Scheme, str], str] = field(default_factory=dict)
    job_zones: dict[str, int] = field(default_factory=dict)  # O*NET-SOC code -> 1..5
    # NAICS sector as OEWS publishes it -> SOC 2018 code -> employment
    employment: dict[str, dict[str, int]] = field(default_factory=dict)
    # (Spanish, English) titles of the same concept: SCIAN 2023 = NAICS 2022 industries, ESCO occupations,
    # ISCO groups and ESCO skills in both languages; a word lexicon is learnt from them (`translation.py`)
    parallel: list[tuple[str, str]] = field(default_factory=list)

    def naics_sector(self, scian_sector: str | None) -> str | None:
        """The OEWS sector of a SCIAN sector, as the employment table spells it ("31-33" or "31")."""
        if scian_sector is None:
            return None
        naics = SCIAN_TO_NAICS_SECTOR.get(scian_sector, scian_sector)
        for spelling in (naics, naics.split("-")[0]):
            if spelling in self.employment:
                return spelling
        return naics


async def load_corpus(conn: asyncpg.Connection) -> Corpus:
    """Everything the proposer reads, in a handful of queries (about a second on the full data)."""
    corpus = Corpus()
    schemes = sorted(s.value for s in COUNTERPART_SCHEMES)
    rows = await conn.fetch(
        """SELECT s.code, s.label_es,
                  (SELECT e.to_code FROM edges e WHERE (e.from_scheme, e.from_code) = ('CONOCER_EC', s.code)
                      AND e.to_scheme = 'SCIAN_2023' ORDER BY e.to_code LIMIT 1) AS sector,
                  (SELECT e.to_code FROM edges e WHERE (e.from_scheme, e.from_code) = ('CONOCER_EC', s.code)
                      AND e.to_scheme = 'CONOCER_LEVEL' ORDER BY e.to_code LIMIT 1) AS level
           FROM items s WHERE s.scheme = 'CONOCER_EC' AND s.label_es IS NOT NULL"""
    )
    for r in rows:
        level = int(r["level"]) if r["level"] and r["level"].isdigit() else None
        corpus.standards[r["code"]] = Standard(r["code"], r["label_es"], r["sector"], level)

    for r in await conn.fetch(
        "SELECT scheme, code, label_es, label_en, depth, parent FROM items WHERE scheme = ANY($1)", schemes
    ):
        key = (Scheme(r["scheme"]), r["code"])
        corpus.items[key] = (r["label_es"], r["label_en"], r["depth"])
        if r["parent"] is not None:
            corpus.parents[key] = r["parent"]

    terms: defaultdict[tuple[Scheme, str], list[tuple[str, str, str]]] = defaultdict(list)
    for r in await conn.fetch(
        """SELECT scheme, code, lang, kind, term FROM item_terms
           WHERE scheme = ANY($1) AND kind <> 'task' ORDER BY scheme, code, lang, kind, term""",
        schemes,
    ):
        terms[(Scheme(r["scheme"]), r["code"])].append((r["lang"], r["kind"], r["term"]))
    corpus.terms = dict(terms)
    tasks: defaultdict[str, list[str]] = defaultdict(list)
    for r in await conn.fetch(
        "SELECT code, term FROM item_terms WHERE scheme = 'ONET_SOC' AND kind = 'task' ORDER BY code, term"
    ):
        tasks[r["code"]].append(r["term"])
    # The occupation's description says the same in one sentence ("Mix and serve drinks to patrons").
    for r in await conn.fetch(
        """SELECT code, description FROM items
           WHERE scheme = 'ONET_SOC' AND description IS NOT NULL ORDER BY code"""
    ):
        tasks[r["code"]].append(r["description"])
    corpus.tasks = dict(tasks)

    # Cross-scheme links between occupation items; a rejected edge is no route.
    for r in await conn.fetch(
        """SELECT from_scheme, from_code, to_scheme, to_code, relation, confidence, method, source
           FROM edges
           WHERE from_scheme = ANY($1) AND to_scheme = ANY($1) AND from_scheme <> to_scheme
             AND status <> 'rejected'
           ORDER BY from_scheme, from_code, to_scheme, to_code""",
        schemes,
    ):
        corpus.links.append(
            Link(
                Scheme(r["from_scheme"]),
                r["from_code"],
                Scheme(r["to_scheme"]),
                r["to_code"],
                r["relation"],
                r["confidence"],
                r["method"],
                r["source"],
            )
        )

    for r in await conn.fetch(
        "SELECT code, value FROM item_facts WHERE scheme = 'ONET_SOC' AND name = 'job_zone'"
    ):
        if r["value"].strip().isdigit():
            corpus.job_zones[r["code"]] = int(r["value"])

    for r in await conn.fetch(
        """SELECT s.label_es, n.label_en FROM edges e
           JOIN items s ON (s.scheme, s.code) = (e.from_scheme, e.from_code)
           JOIN items n ON (n.scheme, n.code) = (e.to_scheme, e.to_code)
           WHERE e.from_scheme = 'SCIAN_2023' AND e.to_scheme = 'NAICS_2022' AND e.relation = 'exactMatch'
             AND s.label_es IS NOT NULL AND n.label_en IS NOT NULL
           ORDER BY e.from_code, e.to_code"""
    ):
        corpus.parallel.append((r["label_es"], r["label_en"]))
    for (scheme, _code), (label_es, label_en, _depth) in sorted(corpus.items.items()):
        if scheme in (Scheme.ESCO, Scheme.ISCO_08) and label_es and label_en:
            corpus.parallel.append((label_es.split("/")[0], label_en))

    for r in await conn.fetch("SELECT label_es, label_en FROM parallel_labels ORDER BY dataset, key"):
        corpus.parallel.append((r["label_es"], r["label_en"]))

    employment: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for r in await conn.fetch("SELECT naics_sector, soc_code, employment FROM sector_employment"):
        employment[r["naics_sector"]][r["soc_code"]] = r["employment"]
    corpus.employment = dict(employment)
    return corpus
