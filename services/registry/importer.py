"""Loads the RENEC export (CONOCER's standards list, committees, certification bodies, training centres
and body-to-standard links) into the registry schema.

The folder layout is `conocer_renec_avala` in ../shared/data (see its PROVENANCE.md). Everything runs in
one transaction and every write is an upsert that only touches rows whose values really change, so a
second run over the same files changes nothing and the change_log triggers stay silent.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg

from services.common.db import Database
from services.common.renec.reference import fold
from services.common.renec.standards import (
    STANDARDS_FILE,
    ParsedStandard,
    RenecImportError,
    parse_standards,
    text,
)
from services.registry.structures import Structure, StructureError, import_structure, read_structures

COMMITTEES_FILE = "extracted/committees_complete.json"
BODIES_FILE = "db/certifiers.json"
CENTRES_FILE = "db/centers.json"
RELATIONS_FILE = "db/ec-certifier-relations.json"

SOURCE = "renec"

# CONOCER was created in 1995; earlier `fechaIntegracion` values (the file has 1900-01-01) are
# placeholders for "unknown", not real formation dates.
_EARLIEST_FORMATION = date(1995, 1, 1)

# `tipo` in certifiers.json is mostly a legal form (AC, SC, SA de CV) or "Unknown"; only an explicit
# ECE / OC statement tells the body's kind.
_BODY_KINDS = {
    "ece": "ECE",
    "entidad de certificacion y evaluacion": "ECE",
    "oc": "OC",
    "organismo certificador": "OC",
}


@dataclass
class EntityCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped: int = 0

    def add(self, other: EntityCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.withdrawn += other.withdrawn
        self.skipped += other.skipped


@dataclass
class ImportSummary:
    committees: EntityCounts = field(default_factory=EntityCounts)
    standards: EntityCounts = field(default_factory=EntityCounts)
    certification_bodies: EntityCounts = field(default_factory=EntityCounts)
    accreditations: EntityCounts = field(default_factory=EntityCounts)
    centres: EntityCounts = field(default_factory=EntityCounts)
    centre_standards: EntityCounts = field(default_factory=EntityCounts)
    elements: EntityCounts = field(default_factory=EntityCounts)
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    notes: list[str] = field(default_factory=list)

    def entities(self) -> dict[str, EntityCounts]:
        return {
            "committees": self.committees,
            "standards": self.standards,
            "certification bodies": self.certification_bodies,
            "accreditations": self.accreditations,
            "centres": self.centres,
            "centre standards": self.centre_standards,
            "elements": self.elements,
        }

    @property
    def changed(self) -> int:
        """Rows inserted, updated or withdrawn: 0 means the database already matched the input."""
        return sum(c.inserted + c.updated + c.withdrawn for c in self.entities().values())

    def render(self) -> str:
        columns = ("inserted", "updated", "unchanged", "withdrawn", "skipped")
        width = max(len(name) for name in self.entities())
        lines = [f"{'':<{width}}  " + "  ".join(f"{c:>9}" for c in columns)]
        for name, counts in self.entities().items():
            values = (getattr(counts, c) for c in columns)
            lines.append(f"{name:<{width}}  " + "  ".join(f"{v:>9}" for v in values))
        levels = ", ".join(f"{level}={n}" for level, n in sorted(self.levels.items()))
        lines.append(f"standards by level: {levels}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass(frozen=True)
class _Committee:
    id: str
    conocer_key: str | None
    name: str
    sector_label: str | None
    state: str | None
    formed_on: date | None


def _created_committee_id(name: str) -> str:
    return "renec-" + hashlib.sha1(fold(name).encode()).hexdigest()[:10]


async def _upsert_committees(
    conn: asyncpg.Connection, committees: list[_Committee]
) -> EntityCounts:
    if not committees:
        return EntityCounts()
    records = await conn.fetch(
        """
        INSERT INTO committees AS c (id, conocer_key, name, sector_label, state, formed_on, source)
        SELECT id, conocer_key, name, sector_label, state, formed_on, $7
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[])
             AS t(id, conocer_key, name, sector_label, state, formed_on)
        ON CONFLICT (id) DO UPDATE SET
            conocer_key = EXCLUDED.conocer_key, name = EXCLUDED.name,
            sector_label = EXCLUDED.sector_label, state = EXCLUDED.state,
            formed_on = EXCLUDED.formed_on, source = EXCLUDED.source, updated_at = now()
        WHERE (c.conocer_key, c.name, c.sector_label, c.state, c.formed_on, c.source)
              IS DISTINCT FROM (EXCLUDED.conocer_key, EXCLUDED.name, EXCLUDED.sector_label,
                                EXCLUDED.state, EXCLUDED.formed_on, EXCLUDED.source)
        RETURNING (xmax = 0) AS inserted
        """,
        [c.id for c in committees],
        [c.conocer_key for c in committees],
        [c.name for c in committees],
        [c.sector_label for c in committees],
        [c.state for c in committees],
        [c.formed_on for c in committees],
        SOURCE,
    )
    return _counts(records, len(committees))


def _counts(records: list[asyncpg.Record], total: int) -> EntityCounts:
    """Counts from `RETURNING (xmax = 0) AS inserted`: rows not returned were already up to date."""
    inserted = sum(1 for r in records if r["inserted"])
    updated = len(records) - inserted
    return EntityCounts(inserted=inserted, updated=updated, unchanged=total - len(records))


async def _resolve_committees(
    conn: asyncpg.Connection,
    standards: list[ParsedStandard],
    links: Mapping[str, Iterable[str]],
) -> tuple[dict[str, str | None], list[_Committee]]:
    """Each standard's committee id, plus the committees derived from names no listed committee has.

    RENEC's standards list names the committee only by a free-text `comite`, and committee names are
    not unique (33 names are shared by two committees), so a committee that lists the standard among
    its `estandaresAsociados` is trusted first; a sync without the committees file falls back on the
    link already stored for the standard.
    """
    by_id: dict[str, str] = {}
    by_name: defaultdict[str, list[str]] = defaultdict(list)
    for record in await conn.fetch("SELECT id, name FROM committees"):
        by_id[record["id"]] = fold(record["name"])
        # Committees this importer invented are found again by their derived id, never by name, so
        # a real committee of the same name that appears later wins the name match.
        if record["name"].strip() and not record["id"].startswith("renec-"):
            by_name[fold(record["name"])].append(record["id"])
    stored = {
        r["code"]: r["committee_id"]
        for r in await conn.fetch(
            "SELECT code, committee_id FROM standards WHERE code = ANY($1::text[])",
            [s.code for s in standards],
        )
    }

    resolved: dict[str, str | None] = {}
    created_names: defaultdict[str, set[str]] = defaultdict(set)
    for standard in standards:
        if standard.committee_name is None:
            resolved[standard.code] = None
            continue
        wanted = fold(standard.committee_name)
        committee_id: str | None = None
        for candidates in (links.get(standard.code, ()), [stored.get(standard.code)]):
            matching = sorted(c for c in candidates if c is not None and by_id.get(c) == wanted)
            if matching:
                committee_id = matching[0]
                break
        if committee_id is None and len(by_name.get(wanted, [])) == 1:
            committee_id = by_name[wanted][0]
        if committee_id is None:
            committee_id = _created_committee_id(standard.committee_name)
        if committee_id.startswith("renec-"):
            # Upserted again on every run (normally unchanged), so the summary counts them each time.
            created_names[committee_id].add(standard.committee_name)
        resolved[standard.code] = committee_id

    # min() keeps the stored spelling stable when several spellings fold to the same name.
    created = [
        _Committee(id=cid, conocer_key=None, name=min(names), sector_label=None, state=None,
                   formed_on=None)
        for cid, names in sorted(created_names.items())
    ]
    return resolved, created


async def _supersedes(conn: asyncpg.Connection, standards: list[ParsedStandard]) -> dict[str, str | None]:
    """For version n > 0, the highest lower version of the same base code in the table or the batch."""
    versions: defaultdict[str, dict[int, str]] = defaultdict(dict)
    for record in await conn.fetch(
        "SELECT code, base_code, version FROM standards WHERE base_code = ANY($1::text[])",
        sorted({s.base_code for s in standards if s.version > 0}),
    ):
        versions[record["base_code"]][record["version"]] = record["code"]
    for standard in standards:
        versions[standard.base_code][standard.version] = standard.code
    result: dict[str, str | None] = {}
    for standard in standards:
        lower = [v for v in versions[standard.base_code] if v < standard.version]
        result[standard.code] = versions[standard.base_code][max(lower)] if lower else None
    return result


async def _import_standards(
    conn: asyncpg.Connection,
    rows: list[dict[str, Any]],
    *,
    complete: bool,
    committee_links: Mapping[str, Iterable[str]],
    summary: ImportSummary,
) -> None:
    standards = parse_standards(rows)
    if not standards:
        raise RenecImportError("RENEC standards list is empty, nothing imported")

    committee_of, derived_committees = await _resolve_committees(conn, standards, committee_links)
    derived_counts = await _upsert_committees(conn, derived_committees)
    summary.committees.add(derived_counts)
    supersedes = await _supersedes(conn, standards)

    # Only the columns RENEC knows are written: purposes, dates, translations and
    # equivalent_to_previous from other sources survive. A standard listed again is published again,
    # unless an administrator withdrew it here (withdrawn_locally): a local decision the source never
    # reverses. supersedes keeps an existing value when RENEC gives no lower version to point at.
    kept = await conn.fetch(
        "SELECT code, withdrawn_on FROM standards WHERE withdrawn_locally AND code = ANY($1::text[]) "
        "ORDER BY code",
        [s.code for s in standards],
    )
    records = await conn.fetch(
        """
        INSERT INTO standards AS s (code, base_code, version, title_es, level, sector_code,
                                    sector_title, committee_id, committee_name, supersedes,
                                    status, withdrawn_on, source)
        SELECT code, base_code, version, title_es, level, sector_code, sector_title, committee_id,
               committee_name, supersedes, 'published', NULL, $11
        FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::smallint[],
                    $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             AS t(code, base_code, version, title_es, level, sector_code, sector_title,
                  committee_id, committee_name, supersedes)
        ON CONFLICT (code) DO UPDATE SET
            title_es = EXCLUDED.title_es, level = EXCLUDED.level,
            sector_code = EXCLUDED.sector_code, sector_title = EXCLUDED.sector_title,
            committee_id = EXCLUDED.committee_id, committee_name = EXCLUDED.committee_name,
            supersedes = coalesce(EXCLUDED.supersedes, s.supersedes),
            status = CASE WHEN s.withdrawn_locally THEN s.status ELSE EXCLUDED.status END,
            withdrawn_on = CASE WHEN s.withdrawn_locally THEN s.withdrawn_on ELSE EXCLUDED.withdrawn_on END,
            source = EXCLUDED.source, updated_at = now()
        WHERE (s.title_es, s.level, s.sector_code, s.sector_title, s.committee_id,
               s.committee_name, s.supersedes, s.status, s.withdrawn_on, s.source)
              IS DISTINCT FROM
              (EXCLUDED.title_es, EXCLUDED.level, EXCLUDED.sector_code, EXCLUDED.sector_title,
               EXCLUDED.committee_id, EXCLUDED.committee_name,
               coalesce(EXCLUDED.supersedes, s.supersedes),
               CASE WHEN s.withdrawn_locally THEN s.status ELSE EXCLUDED.status END,
               CASE WHEN s.withdrawn_locally THEN s.withdrawn_on ELSE EXCLUDED.withdrawn_on END,
               EXCLUDED.source)
        RETURNING (xmax = 0) AS inserted
        """,
        [s.code for s in standards],
        [s.base_code for s in standards],
        [s.version for s in standards],
        [s.title for s in standards],
        [s.level for s in standards],
        [s.sector_code for s in standards],
        [s.sector_title for s in standards],
        [committee_of[s.code] for s in standards],
        [s.committee_name for s in standards],
        [supersedes[s.code] for s in standards],
        SOURCE,
    )
    counts = _counts(records, len(standards))
    if kept:
        listed = ", ".join(f"{r['code']} (on {r['withdrawn_on']})" for r in kept[:10])
        summary.notes.append(
            f"left alone: {len(kept)} standards an administrator withdrew stay withdrawn though RENEC "
            f"still lists them: {listed}" + (" ..." if len(kept) > 10 else "")
        )

    if complete:
        # RENEC lists only standards in force: one it no longer lists has been withdrawn. Rows stay
        # (certificates and credit rules point at them); other sources' standards are not RENEC's.
        withdrawn = await conn.fetch(
            """
            UPDATE standards SET status = 'withdrawn', withdrawn_on = current_date, updated_at = now()
            WHERE source = $1 AND status <> 'withdrawn' AND code <> ALL($2::text[])
            RETURNING code
            """,
            SOURCE,
            [s.code for s in standards],
        )
        counts.withdrawn = len(withdrawn)
        if withdrawn:
            shown = ", ".join(sorted(r["code"] for r in withdrawn)[:10])
            summary.notes.append(f"withdrawn (no longer listed by RENEC): {shown}"
                                 + (" ..." if len(withdrawn) > 10 else ""))
    summary.standards.add(counts)
    for standard in standards:
        summary.levels[standard.level] += 1
    if derived_counts.inserted:
        summary.notes.append(
            f"{derived_counts.inserted} committees named by standards but absent from the committee "
            "list were created with ids renec-<hash>"
        )


async def import_standards(
    db: Database,
    rows: list[dict[str, Any]],
    *,
    complete: bool,
    committee_links: Mapping[str, Iterable[str]] | None = None,
) -> ImportSummary:
    """Upserts RENEC API rows (`codigo`, `nivel`, `titulo`, `comite`, `secProductivo`) in one transaction.

    `complete=True` says `rows` is RENEC's whole list, so RENEC standards missing from it are withdrawn.
    `committee_links` maps a standard code to ids of committees that list it (committees_complete.json).
    Raises RenecImportError, writing nothing, if any row is invalid or names an unknown sector.
    """
    summary = ImportSummary()
    async with db.transaction() as conn:
        await _import_standards(
            conn, rows, complete=complete, committee_links=committee_links or {}, summary=summary
        )
    return summary


def _load_json(folder: Path, relative: str, summary: ImportSummary) -> Any | None:
    path = folder / relative
    if not path.is_file():
        summary.notes.append(f"{relative} not found, skipped")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RenecImportError(f"{path} is not valid JSON: {exc}") from exc


def _require_list(data: Any, relative: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise RenecImportError(f"{relative}: expected a JSON list of objects")
    return data


def _formed_on(millis: Any) -> date | None:
    if not isinstance(millis, int | float) or isinstance(millis, bool):
        return None
    day = datetime.fromtimestamp(millis / 1000, tz=UTC).date()
    return day if day >= _EARLIEST_FORMATION else None


def _parse_committees(
    items: list[dict[str, Any]], summary: ImportSummary
) -> tuple[list[_Committee], dict[str, list[str]]]:
    """Committees and code -> committee ids. Reads only allow-listed keys: the CONOCER records also
    carry officers' names, e-mails, phones and addresses, which the registry must never hold."""
    committees: dict[str, _Committee] = {}
    links: defaultdict[str, list[str]] = defaultdict(list)
    placeholders = 0
    for item in items:
        if item.get("id") is None:
            summary.committees.skipped += 1
            continue
        committee_id = str(item["id"]).strip()
        formed_on = _formed_on(item.get("fechaIntegracion"))
        if formed_on is None and item.get("fechaIntegracion") is not None:
            placeholders += 1
        committees[committee_id] = _Committee(
            id=committee_id,
            conocer_key=text(item.get("clave")),
            # Two committees have an empty name in RENEC; they are kept (ids and standards still
            # identify them) and never matched by name.
            name=text(item.get("nombre")) or "",
            sector_label=text(item.get("sectorProductivoStr")),
            state=text(item.get("entidadStr")),
            formed_on=formed_on,
        )
        for associated in item.get("estandaresAsociados") or ():
            code = text(associated.get("codigo")) if isinstance(associated, dict) else None
            if code:
                links[code].append(committee_id)
    if placeholders:
        summary.notes.append(
            f"{placeholders} committee formation dates before {_EARLIEST_FORMATION.year} "
            "(placeholders) stored as unknown"
        )
    return list(committees.values()), dict(links)


def _body_kind(tipo: Any) -> str:
    return _BODY_KINDS.get(fold(str(tipo or "")), "unknown")


async def _import_bodies(
    conn: asyncpg.Connection, items: list[dict[str, Any]], summary: ImportSummary
) -> None:
    bodies: dict[str, tuple[str, str, bool]] = {}
    for item in items:
        body_id = text(item.get("id"))
        name = text(item.get("name")) or text(item.get("razonSocial"))
        if not body_id or not name:
            summary.certification_bodies.skipped += 1
            continue
        bodies[body_id] = (name, _body_kind(item.get("tipo")), item.get("activo") is not False)
    if not bodies:
        return
    ids = list(bodies)
    # An 'unknown' kind from RENEC never overwrites a kind another source established.
    records = await conn.fetch(
        """
        INSERT INTO certification_bodies AS b (id, name, kind, active, source)
        SELECT id, name, kind, active, $5
        FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[]) AS t(id, name, kind, active)
        ON CONFLICT (id) DO UPDATE SET
            name = EXCLUDED.name,
            kind = CASE WHEN EXCLUDED.kind = 'unknown' THEN b.kind ELSE EXCLUDED.kind END,
            active = EXCLUDED.active, source = EXCLUDED.source, updated_at = now()
        WHERE (b.name, b.active, b.source) IS DISTINCT FROM
              (EXCLUDED.name, EXCLUDED.active, EXCLUDED.source)
           OR (EXCLUDED.kind <> 'unknown' AND b.kind <> EXCLUDED.kind)
        RETURNING (xmax = 0) AS inserted
        """,
        ids,
        [bodies[i][0] for i in ids],
        [bodies[i][1] for i in ids],
        [bodies[i][2] for i in ids],
        SOURCE,
    )
    summary.certification_bodies.add(_counts(records, len(ids)))


async def _import_accreditations(
    conn: asyncpg.Connection, items: list[dict[str, Any]], summary: ImportSummary
) -> None:
    known_codes = {r["code"] for r in await conn.fetch("SELECT code FROM standards")}
    known_bodies = {r["id"] for r in await conn.fetch("SELECT id FROM certification_bodies")}
    pairs: set[tuple[str, str]] = set()
    skipped = 0
    for item in items:
        code = text(item.get("ecCode"))
        body_id = text(item.get("certifierId"))
        if code is None or body_id is None or code not in known_codes or body_id not in known_bodies:
            skipped += 1
            continue
        pairs.add((body_id, code))
    summary.accreditations.skipped += skipped
    if not pairs:
        return
    ordered = sorted(pairs)
    # RENEC lists current accreditations without dates; an existing open-ended accreditation for
    # the pair (from any source) already says the same thing, so it is left as it is.
    records = await conn.fetch(
        """
        INSERT INTO accreditations (body_id, standard_code, valid_from, valid_to, source)
        SELECT body_id, standard_code, NULL, NULL, $3
        FROM unnest($1::text[], $2::text[]) AS t(body_id, standard_code)
        ON CONFLICT (body_id, standard_code, coalesce(valid_from, '-infinity'::date)) DO NOTHING
        RETURNING true AS inserted
        """,
        [p[0] for p in ordered],
        [p[1] for p in ordered],
        SOURCE,
    )
    summary.accreditations.add(_counts(records, len(ordered)))
    duplicates = len(items) - skipped - len(ordered)
    if duplicates:
        summary.notes.append(f"{duplicates} duplicate body-standard relations ignored")


async def _import_centres(
    conn: asyncpg.Connection, items: list[dict[str, Any]], summary: ImportSummary
) -> None:
    centres: dict[str, tuple[str, bool, list[str]]] = {}
    for item in items:
        centre_id = text(item.get("id"))
        name = text(item.get("name")) or text(item.get("nombre"))
        if not centre_id or not name:
            summary.centres.skipped += 1
            continue
        codes = [c for c in (text(code) for code in item.get("ec_codes") or ()) if c]
        centres[centre_id] = (name, item.get("activo") is not False, codes)
    if not centres:
        return
    ids = list(centres)
    records = await conn.fetch(
        """
        INSERT INTO centres AS c (id, name, kind, active, source)
        SELECT id, name, 'training', active, $4
        FROM unnest($1::text[], $2::text[], $3::bool[]) AS t(id, name, active)
        ON CONFLICT (id) DO UPDATE SET
            name = EXCLUDED.name, kind = EXCLUDED.kind, active = EXCLUDED.active,
            source = EXCLUDED.source
        WHERE (c.name, c.kind, c.active, c.source) IS DISTINCT FROM
              (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.active, EXCLUDED.source)
        RETURNING (xmax = 0) AS inserted
        """,
        ids,
        [centres[i][0] for i in ids],
        [centres[i][1] for i in ids],
        SOURCE,
    )
    summary.centres.add(_counts(records, len(ids)))

    known_codes = {r["code"] for r in await conn.fetch("SELECT code FROM standards")}
    links: set[tuple[str, str]] = set()
    for centre_id, (_, _, codes) in centres.items():
        for code in codes:
            if code in known_codes:
                links.add((centre_id, code))
            else:
                summary.centre_standards.skipped += 1
    if not links:
        return
    ordered = sorted(links)
    records = await conn.fetch(
        """
        INSERT INTO centre_standards (centre_id, standard_code)
        SELECT * FROM unnest($1::text[], $2::text[])
        ON CONFLICT DO NOTHING
        RETURNING true AS inserted
        """,
        [link[0] for link in ordered],
        [link[1] for link in ordered],
    )
    summary.centre_standards.add(_counts(records, len(ordered)))


async def import_renec(db: Database, folder: Path) -> ImportSummary:
    """Imports a `conocer_renec_avala` folder: the standards list is required, the committee, body,
    centre and relation files are optional (a missing one is skipped and noted), and every
    `db/*_structure.json` gives one standard's elements and criteria. All or nothing."""
    folder = Path(folder)
    summary = ImportSummary()
    if not (folder / STANDARDS_FILE).is_file():
        raise RenecImportError(f"{folder / STANDARDS_FILE} not found: the standards list is required")
    # Everything is read and shape-checked before the transaction opens, so a bad file costs no
    # database work; the standards themselves are validated as a whole before the first write.
    standards = _require_list(_load_json(folder, STANDARDS_FILE, summary), STANDARDS_FILE)
    optional: dict[str, list[dict[str, Any]] | None] = {}
    for relative in (COMMITTEES_FILE, BODIES_FILE, CENTRES_FILE, RELATIONS_FILE):
        data = _load_json(folder, relative, summary)
        optional[relative] = None if data is None else _require_list(data, relative)
    try:
        structures = read_structures(folder)
    except StructureError as exc:
        raise RenecImportError(f"{exc}; nothing imported") from exc
    committees: list[_Committee] = []
    links: dict[str, list[str]] = {}
    if (committee_items := optional[COMMITTEES_FILE]) is not None:
        committees, links = _parse_committees(committee_items, summary)

    async with db.transaction() as conn:
        summary.committees.add(await _upsert_committees(conn, committees))
        await _import_standards(
            conn, standards, complete=True, committee_links=links, summary=summary
        )
        if (bodies := optional[BODIES_FILE]) is not None:
            await _import_bodies(conn, bodies, summary)
        if (relations := optional[RELATIONS_FILE]) is not None:
            await _import_accreditations(conn, relations, summary)
        if (centres := optional[CENTRES_FILE]) is not None:
            await _import_centres(conn, centres, summary)
        await _import_structures(conn, structures, summary)
    return summary


async def _import_structures(
    conn: asyncpg.Connection, structures: list[tuple[str, Structure]], summary: ImportSummary
) -> None:
    """Elements and criteria of the standards that have a structure file (see structures.py)."""
    known = {
        r["code"]
        for r in await conn.fetch(
            "SELECT code FROM standards WHERE code = ANY($1::text[])",
            [structure.standard_code for _, structure in structures],
        )
    }
    for name, structure in structures:
        if structure.standard_code not in known:
            summary.elements.skipped += len(structure.elements)
            summary.notes.append(f"{name}: {structure.standard_code} is not in the registry, skipped")
            continue
        counts = await import_structure(conn, structure)
        summary.elements.add(
            EntityCounts(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged)
        )
        if counts.removed:
            summary.notes.append(
                f"{name}: {counts.removed} elements of {structure.standard_code} not in the file removed"
            )
