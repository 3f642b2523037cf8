"""Writing datasets: items, edges and the evidence about items (terms, facts, sector employment) upserted
in one transaction, idempotently, with a summary.

Rows go through COPY into temporary tables and one `INSERT ... ON CONFLICT` each, so the full data
(tens of thousands of rows) loads in seconds; rows that did not change are not rewritten, so a second
import of the same files changes nothing. Edges whose ends are not (yet) items are skipped and counted:
importing the CIP-SOC crosswalk before SOC itself leaves those edges for `qf import all` to bring in.
Terms and facts of an item that is not there are skipped and counted the same way. Like edges, nothing
is deleted: a term that leaves a file stays until removed by hand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import asyncpg

from services.common.upsert import Counts, upsert
from services.mapping.model import (
    SCHEMES,
    Dataset,
    Edge,
    Employment,
    Fact,
    Method,
    ParallelLabel,
    Relation,
    Term,
)

HIERARCHY_SOURCE = "the scheme's own hierarchy ({scheme} {version})"


@dataclass
class WriteSummary:
    dataset: str
    items: Counter[str] = field(default_factory=Counter)  # "<scheme> inserted|updated|unchanged"
    edges: Counter[str] = field(default_factory=Counter)  # inserted|updated|unchanged|skipped
    notes: list[str] = field(default_factory=list)
    terms: Counter[str] = field(default_factory=Counter)  # inserted|updated|unchanged|skipped
    facts: Counter[str] = field(default_factory=Counter)  # inserted|updated|unchanged|skipped
    employment: Counter[str] = field(default_factory=Counter)  # inserted|updated|unchanged
    parallel: Counter[str] = field(default_factory=Counter)  # inserted|updated|unchanged

    def render(self) -> str:
        lines = [f"{self.dataset}:"]
        schemes = sorted({key.split()[0] for key in self.items})
        for scheme in schemes:
            counts = ", ".join(
                f"{self.items[f'{scheme} {what}']:,} {what}" for what in ("inserted", "updated", "unchanged")
            )
            lines.append(f"  {scheme} items: {counts}")
        if self.edges:
            counts = ", ".join(
                f"{self.edges[what]:,} {what}" for what in ("inserted", "updated", "unchanged", "skipped")
            )
            lines.append(f"  edges: {counts}")
        for name in ("terms", "facts", "employment", "parallel"):
            counter: Counter[str] = getattr(self, name)
            if counter:
                whats = ("inserted", "updated", "unchanged", "skipped")
                counts = ", ".join(f"{counter[what]:,} {what}" for what in whats if what in counter)
                lines.append(f"  {name}: {counts}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


async def ensure_schemes(conn: asyncpg.Connection) -> None:
    await conn.executemany(
        """INSERT INTO schemes (id, title_es, title_en, version, publisher) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET title_es = EXCLUDED.title_es, title_en = EXCLUDED.title_en,
               version = EXCLUDED.version, publisher = EXCLUDED.publisher""",
        [(s.value, i.title_es, i.title_en, i.version, i.publisher) for s, i in SCHEMES.items()],
    )


async def write_dataset(conn: asyncpg.Connection, dataset: Dataset) -> WriteSummary:
    """Upserts the dataset's items, the hierarchy edges their parents give, and its other edges."""
    summary = WriteSummary(dataset.name, notes=list(dataset.notes))
    async with conn.transaction():
        await ensure_schemes(conn)
        await _write_items(conn, dataset, summary)
        hierarchy = [
            Edge(
                item.scheme,
                item.code,
                item.scheme,
                item.parent,
                Relation.BROADER,
                1.0,
                Method.HIERARCHY,
                HIERARCHY_SOURCE.format(scheme=item.scheme.value, version=SCHEMES[item.scheme].version),
            )
            for item in dataset.items
            if item.parent is not None
        ]
        await _write_edges(conn, [*hierarchy, *dataset.edges], summary)
        await _write_terms(conn, dataset.terms, summary)
        await _write_facts(conn, dataset.facts, summary)
        await _write_employment(conn, dataset.employment, summary)
        await _write_parallel(conn, dataset.parallel, summary)
    return summary


async def _write_items(conn: asyncpg.Connection, dataset: Dataset, summary: WriteSummary) -> None:
    if not dataset.items:
        return
    # Dropped first: inside an outer transaction (`import_all`) the previous dataset's is still there.
    await conn.execute(
        """DROP TABLE IF EXISTS pg_temp.incoming_items;
           CREATE TEMPORARY TABLE incoming_items (LIKE items INCLUDING DEFAULTS) ON COMMIT DROP"""
    )
    columns = ("scheme", "code", "label_es", "label_en", "parent", "depth", "kind", "description")
    await conn.copy_records_to_table(
        "incoming_items",
        records=[
            (i.scheme.value, i.code, i.label_es, i.label_en, i.parent, i.depth, i.kind, i.description)
            for i in dataset.items
        ],
        columns=columns,
    )
    rows = await conn.fetch(
        """INSERT INTO items (scheme, code, label_es, label_en, parent, depth, kind, description)
           SELECT scheme, code, label_es, label_en, parent, depth, kind, description FROM incoming_items
           ON CONFLICT (scheme, code) DO UPDATE SET
               label_es = EXCLUDED.label_es, label_en = EXCLUDED.label_en, parent = EXCLUDED.parent,
               depth = EXCLUDED.depth, kind = EXCLUDED.kind, description = EXCLUDED.description,
               updated_at = now()
           WHERE (items.label_es, items.label_en, items.parent, items.depth, items.kind, items.description)
                 IS DISTINCT FROM (EXCLUDED.label_es, EXCLUDED.label_en, EXCLUDED.parent, EXCLUDED.depth,
                                   EXCLUDED.kind, EXCLUDED.description)
           RETURNING scheme, (xmax = 0) AS inserted"""
    )
    per_scheme = Counter(i.scheme.value for i in dataset.items)
    changed: Counter[str] = Counter()
    for row in rows:
        summary.items[f"{row['scheme']} {'inserted' if row['inserted'] else 'updated'}"] += 1
        changed[row["scheme"]] += 1
    for scheme, total in per_scheme.items():
        summary.items[f"{scheme} unchanged"] += total - changed[scheme]


async def _write_edges(conn: asyncpg.Connection, edges: list[Edge], summary: WriteSummary) -> None:
    if not edges:
        return
    unique = {(e.from_scheme, e.from_code, e.to_scheme, e.to_code): e for e in edges}
    counts = await upsert(
        conn,
        "edges",
        (
            "from_scheme",
            "from_code",
            "to_scheme",
            "to_code",
            "relation",
            "confidence",
            "method",
            "source",
            "note",
            "from_version",
            "to_version",
        ),
        [
            (
                e.from_scheme.value,
                e.from_code,
                e.to_scheme.value,
                e.to_code,
                e.relation.value,
                e.confidence,
                e.method.value,
                e.source,
                e.note,
                SCHEMES[e.from_scheme].version,
                SCHEMES[e.to_scheme].version,
            )
            for e in unique.values()
        ],
        key=("from_scheme", "from_code", "to_scheme", "to_code"),
        # Both ends must be items; edges a person proposed or reviewed are theirs: an import never
        # overwrites them.
        placed="EXISTS (SELECT 1 FROM items f WHERE (f.scheme, f.code) = (n.from_scheme, n.from_code)) "
        "AND EXISTS (SELECT 1 FROM items t WHERE (t.scheme, t.code) = (n.to_scheme, n.to_code))",
        update_when="t.method NOT IN ('proposed', 'expert_review')",
    )
    _count(summary.edges, counts)
    placed = len(unique) - counts.skipped
    if len(unique) > placed:
        summary.notes.append(
            f"{len(unique) - placed:,} edges skipped: an end is not an item yet; import the other "
            "dataset and then this one again, or everything at once with `qf import all`"
        )


ITEM_EXISTS = "EXISTS (SELECT 1 FROM items i WHERE (i.scheme, i.code) = (n.scheme, n.code))"


def _count(counter: Counter[str], counts: Counts, with_skipped: bool = True) -> None:
    for what in ("inserted", "updated", "unchanged", "skipped"):
        if what != "skipped" or with_skipped:
            counter[what] += getattr(counts, what)


async def _write_terms(conn: asyncpg.Connection, terms: list[Term], summary: WriteSummary) -> None:
    if not terms:
        return
    # The key is (scheme, code, lang, kind, term): a name given twice (two O*NET sources) is one term.
    unique = {(t.scheme.value, t.code, t.lang, t.kind.value, t.term): t.source for t in terms}
    counts = await upsert(
        conn,
        "item_terms",
        ("scheme", "code", "lang", "kind", "term", "source"),
        [(*key, source) for key, source in unique.items()],
        key=("scheme", "code", "lang", "kind", "term"),
        placed=ITEM_EXISTS,
    )
    _count(summary.terms, counts)
    if counts.skipped:
        summary.notes.append(f"{counts.skipped:,} terms skipped: their item is not there")


async def _write_facts(conn: asyncpg.Connection, facts: list[Fact], summary: WriteSummary) -> None:
    if not facts:
        return
    unique = {(f.scheme.value, f.code, f.name): (f.value, f.source) for f in facts}
    counts = await upsert(
        conn,
        "item_facts",
        ("scheme", "code", "name", "value", "source"),
        [(*key, *value) for key, value in unique.items()],
        key=("scheme", "code", "name"),
        placed=ITEM_EXISTS,
    )
    _count(summary.facts, counts)
    if counts.skipped:
        summary.notes.append(f"{counts.skipped:,} facts skipped: their item is not there")


async def _write_employment(conn: asyncpg.Connection, rows: list[Employment], summary: WriteSummary) -> None:
    if not rows:
        return
    unique = {(e.naics_sector, e.soc_code): (e.employment, e.year, e.source) for e in rows}
    counts = await upsert(
        conn,
        "sector_employment",
        ("naics_sector", "soc_code", "employment", "year", "source"),
        [(*key, *value) for key, value in unique.items()],
        key=("naics_sector", "soc_code"),
    )
    _count(summary.employment, counts, with_skipped=False)


async def _write_parallel(conn: asyncpg.Connection, rows: list[ParallelLabel], summary: WriteSummary) -> None:
    if not rows:
        return
    unique = {(p.dataset, p.key): (p.label_es, p.label_en, p.source) for p in rows}
    counts = await upsert(
        conn,
        "parallel_labels",
        ("dataset", "key", "label_es", "label_en", "source"),
        [(*key, *value) for key, value in unique.items()],
        key=("dataset", "key"),
    )
    _count(summary.parallel, counts, with_skipped=False)


async def write_illustrative_agreement(
    conn: asyncpg.Connection, fields: dict[str, str], scope: list[str], committees: list[str]
) -> None:
    """The sample agreement, its scope redrawn on every import; a real agreement is never touched."""
    await conn.execute(
        """INSERT INTO recognition_agreements (id, title_es, title_en, parties, scope_committees,
               scope_standards, counterpart_scheme, illustrative, note)
           VALUES ($1, $2, $3, ARRAY['MX', 'US'], $4, $5, $6, true, $7)
           ON CONFLICT (id) DO UPDATE SET scope_standards = EXCLUDED.scope_standards,
               scope_committees = EXCLUDED.scope_committees
           WHERE recognition_agreements.illustrative""",
        fields["id"],
        fields["title_es"],
        fields["title_en"],
        committees,
        scope,
        fields["counterpart_scheme"],
        fields["note"],
    )
