"""Writes a RENEC export (CONOCER's standards list, committees, certification bodies, training centres and
body-to-standard links, as `renec_folder.py` reads them) into the registry schema.

Everything runs in one transaction and every write is an upsert (`services.common.upsert`) that only
touches rows whose values really change, so a second run over the same files changes nothing and the
change_log triggers stay silent.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from services.common.db import Database
from services.common.renec.reference import fold
from services.common.renec.standards import STANDARDS_FILE, ParsedStandard, RenecImportError, parse_standards
from services.common.upsert import Counts, upsert
from services.registry.renec_folder import Body, Centre, Committee, RenecFolder, read_folder
from services.registry.structures import Structure, import_structure

__all__ = ["STANDARDS_FILE", "ImportSummary", "RenecImportError", "import_renec", "import_standards"]

SOURCE = "renec"


@dataclass
class ImportSummary:
    committees: Counts = field(default_factory=Counts)
    standards: Counts = field(default_factory=Counts)
    certification_bodies: Counts = field(default_factory=Counts)
    accreditations: Counts = field(default_factory=Counts)
    centres: Counts = field(default_factory=Counts)
    centre_standards: Counts = field(default_factory=Counts)
    elements: Counts = field(default_factory=Counts)
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    notes: list[str] = field(default_factory=list)

    def entities(self) -> dict[str, Counts]:
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
        return sum(c.changed for c in self.entities().values())

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


def _created_committee_id(name: str) -> str:
    return "renec-" + hashlib.sha1(fold(name).encode()).hexdigest()[:10]


async def _upsert_committees(conn: asyncpg.Connection, committees: list[Committee]) -> Counts:
    if not committees:
        return Counts()
    return await upsert(
        conn,
        "committees",
        ("id", "conocer_key", "name", "sector_label", "state", "formed_on", "source"),
        [(c.id, c.conocer_key, c.name, c.sector_label, c.state, c.formed_on, SOURCE) for c in committees],
        key=("id",),
        touch="updated_at",
    )


async def _resolve_committees(
    conn: asyncpg.Connection,
    standards: list[ParsedStandard],
    links: Mapping[str, Iterable[str]],
) -> tuple[dict[str, str | None], list[Committee]]:
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
        Committee(id=cid, conocer_key=None, name=min(names), sector_label=None, state=None, formed_on=None)
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


# A standard listed again is published again, unless an administrator withdrew it here
# (withdrawn_locally): a local decision the source never reverses. supersedes keeps an existing value
# when RENEC gives no lower version to point at.
_LOCAL_WITHDRAWAL_STANDS = {
    "supersedes": "coalesce(EXCLUDED.supersedes, t.supersedes)",
    "status": "CASE WHEN t.withdrawn_locally THEN t.status ELSE EXCLUDED.status END",
    "withdrawn_on": "CASE WHEN t.withdrawn_locally THEN t.withdrawn_on ELSE EXCLUDED.withdrawn_on END",
}


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

    kept = await conn.fetch(
        "SELECT code, withdrawn_on FROM standards WHERE withdrawn_locally AND code = ANY($1::text[]) "
        "ORDER BY code",
        [s.code for s in standards],
    )
    # Only the columns RENEC knows are written (base code and version on insert only): purposes,
    # dates, translations and equivalent_to_previous from other sources survive.
    counts = await upsert(
        conn,
        "standards",
        (
            "code", "base_code", "version", "title_es", "level", "sector_code", "sector_title",
            "committee_id", "committee_name", "supersedes", "status", "withdrawn_on", "source",
        ),
        [
            (
                s.code, s.base_code, s.version, s.title, s.level, s.sector_code, s.sector_title,
                committee_of[s.code], s.committee_name, supersedes[s.code], "published", None, SOURCE,
            )
            for s in standards
        ],
        key=("code",),
        keep=("base_code", "version"),
        update=_LOCAL_WITHDRAWAL_STANDS,
        touch="updated_at",
    )
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


async def _import_bodies(conn: asyncpg.Connection, bodies: list[Body], summary: ImportSummary) -> None:
    if not bodies:
        return
    counts = await upsert(
        conn,
        "certification_bodies",
        ("id", "name", "kind", "active", "source"),
        [(b.id, b.name, b.kind, b.active, SOURCE) for b in bodies],
        key=("id",),
        # An 'unknown' kind from RENEC never overwrites a kind another source established.
        update={"kind": "CASE WHEN EXCLUDED.kind = 'unknown' THEN t.kind ELSE EXCLUDED.kind END"},
        touch="updated_at",
    )
    summary.certification_bodies.add(counts)


async def _import_accreditations(
    conn: asyncpg.Connection, relations: list[tuple[str, str]], summary: ImportSummary
) -> None:
    known_codes = {r["code"] for r in await conn.fetch("SELECT code FROM standards")}
    known_bodies = {r["id"] for r in await conn.fetch("SELECT id FROM certification_bodies")}
    pairs = {(body, code) for body, code in relations if code in known_codes and body in known_bodies}
    unknown = sum(1 for body, code in relations if code not in known_codes or body not in known_bodies)
    summary.accreditations.skipped += unknown
    if not pairs:
        return
    ordered = sorted(pairs)
    # RENEC lists current accreditations without dates; an existing open-ended accreditation for
    # the pair (from any source) already says the same thing, so it is left as it is.
    counts = await upsert(
        conn,
        "accreditations",
        ("body_id", "standard_code", "valid_from", "valid_to", "source"),
        [(body, code, None, None, SOURCE) for body, code in ordered],
        key=("body_id", "standard_code"),
        conflict="(body_id, standard_code, coalesce(valid_from, '-infinity'::date))",
        keep=("valid_from", "valid_to", "source"),
    )
    summary.accreditations.add(counts)
    duplicates = len(relations) - unknown - len(ordered)
    if duplicates:
        summary.notes.append(f"{duplicates} duplicate body-standard relations ignored")


async def _import_centres(conn: asyncpg.Connection, centres: list[Centre], summary: ImportSummary) -> None:
    if not centres:
        return
    counts = await upsert(
        conn,
        "centres",
        ("id", "name", "kind", "active", "source"),
        [(c.id, c.name, "training", c.active, SOURCE) for c in centres],
        key=("id",),
    )
    summary.centres.add(counts)

    known_codes = {r["code"] for r in await conn.fetch("SELECT code FROM standards")}
    links: set[tuple[str, str]] = set()
    for centre in centres:
        for code in centre.codes:
            if code in known_codes:
                links.add((centre.id, code))
            else:
                summary.centre_standards.skipped += 1
    if not links:
        return
    pair = ("centre_id", "standard_code")
    counts = await upsert(conn, "centre_standards", pair, sorted(links), key=pair)
    summary.centre_standards.add(counts)


async def import_renec(db: Database, folder: Path) -> ImportSummary:
    """Imports a `conocer_renec_avala` folder: the standards list is required, the committee, body,
    centre and relation files are optional (a missing one is skipped and noted), and every
    `db/*_structure.json` gives one standard's elements and criteria. All or nothing."""
    # Everything is read and shape-checked before the transaction opens, so a bad file costs no
    # database work; the standards themselves are validated as a whole before the first write.
    return await write_folder(db, read_folder(folder))


async def write_folder(db: Database, read: RenecFolder) -> ImportSummary:
    """Writes what `read_folder` read, in one transaction."""
    summary = ImportSummary(notes=list(read.notes))
    summary.committees.skipped += read.committees_read.skipped
    summary.certification_bodies.skipped += read.bodies_read.skipped
    summary.accreditations.skipped += read.relations_read.skipped
    summary.centres.skipped += read.centres_read.skipped
    async with db.transaction() as conn:
        summary.committees.add(await _upsert_committees(conn, read.committees))
        await _import_standards(
            conn, read.standards, complete=True, committee_links=read.committee_links, summary=summary
        )
        if read.bodies_read.present:
            await _import_bodies(conn, read.bodies, summary)
        if read.relations_read.present:
            await _import_accreditations(conn, read.relations, summary)
        if read.centres_read.present:
            await _import_centres(conn, read.centres, summary)
        await _import_structures(conn, read.structures, summary)
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
            Counts(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged)
        )
        if counts.removed:
            summary.notes.append(
                f"{name}: {counts.removed} elements of {structure.standard_code} not in the file removed"
            )
