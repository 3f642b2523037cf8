"""Reading a RENEC export folder (`conocer_renec_avala` in ../shared/data, see its PROVENANCE.md) into
values, before anything is written: the standards list (required, validated as a whole), committees and
the standards each lists, certification bodies, body-standard relations, training centres, and the
element structures. `importer.py` writes what this returns.

Only allow-listed keys are read: the CONOCER records also carry officers' names, e-mails, phones and
addresses, which the registry must never hold.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from services.common.renec.reference import fold
from services.common.renec.standards import STANDARDS_FILE, RenecImportError, text
from services.registry.structures import Structure, StructureError, read_structures

COMMITTEES_FILE = "extracted/committees_complete.json"
BODIES_FILE = "db/certifiers.json"
CENTRES_FILE = "db/centers.json"
RELATIONS_FILE = "db/ec-certifier-relations.json"

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


@dataclass(frozen=True)
class Committee:
    id: str
    conocer_key: str | None
    name: str
    sector_label: str | None
    state: str | None
    formed_on: date | None


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    kind: str
    active: bool


@dataclass(frozen=True)
class Centre:
    id: str
    name: str
    active: bool
    codes: tuple[str, ...]


@dataclass
class Part:
    """One optional file's records, and how many of its entries could not be read as one."""

    present: bool = False
    skipped: int = 0


@dataclass
class RenecFolder:
    standards: list[dict[str, Any]]
    committees: list[Committee] = field(default_factory=list)
    committee_links: dict[str, list[str]] = field(default_factory=dict)  # standard code -> committee ids
    committees_read: Part = field(default_factory=Part)
    bodies: list[Body] = field(default_factory=list)
    bodies_read: Part = field(default_factory=Part)
    relations: list[tuple[str, str]] = field(default_factory=list)  # (body id, standard code), as listed
    relations_read: Part = field(default_factory=Part)
    centres: list[Centre] = field(default_factory=list)
    centres_read: Part = field(default_factory=Part)
    structures: list[tuple[str, Structure]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_folder(folder: Path) -> RenecFolder:
    """Everything in `folder`, shape-checked; a missing optional file is noted, a broken one refused."""
    folder = Path(folder)
    if not (folder / STANDARDS_FILE).is_file():
        raise RenecImportError(f"{folder / STANDARDS_FILE} not found: the standards list is required")
    notes: list[str] = []
    read = RenecFolder(standards=_require_list(_load_json(folder, STANDARDS_FILE, notes), STANDARDS_FILE))
    optional = {}
    for relative in (COMMITTEES_FILE, BODIES_FILE, CENTRES_FILE, RELATIONS_FILE):
        data = _load_json(folder, relative, notes)
        optional[relative] = None if data is None else _require_list(data, relative)
    try:
        read.structures = read_structures(folder)
    except StructureError as exc:
        raise RenecImportError(f"{exc}; nothing imported") from exc
    if (items := optional[COMMITTEES_FILE]) is not None:
        _read_committees(items, read)
    if (items := optional[BODIES_FILE]) is not None:
        _read_bodies(items, read)
    if (items := optional[RELATIONS_FILE]) is not None:
        _read_relations(items, read)
    if (items := optional[CENTRES_FILE]) is not None:
        _read_centres(items, read)
    read.notes = notes + read.notes
    return read


def _load_json(folder: Path, relative: str, notes: list[str]) -> Any | None:
    path = folder / relative
    if not path.is_file():
        notes.append(f"{relative} not found, skipped")
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


def _read_committees(items: list[dict[str, Any]], read: RenecFolder) -> None:
    committees: dict[str, Committee] = {}
    links: defaultdict[str, list[str]] = defaultdict(list)
    placeholders = 0
    read.committees_read.present = True
    for item in items:
        if item.get("id") is None:
            read.committees_read.skipped += 1
            continue
        committee_id = str(item["id"]).strip()
        formed_on = _formed_on(item.get("fechaIntegracion"))
        if formed_on is None and item.get("fechaIntegracion") is not None:
            placeholders += 1
        committees[committee_id] = Committee(
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
        read.notes.append(
            f"{placeholders} committee formation dates before {_EARLIEST_FORMATION.year} "
            "(placeholders) stored as unknown"
        )
    read.committees, read.committee_links = list(committees.values()), dict(links)


def _read_bodies(items: list[dict[str, Any]], read: RenecFolder) -> None:
    bodies: dict[str, Body] = {}
    read.bodies_read.present = True
    for item in items:
        body_id = text(item.get("id"))
        name = text(item.get("name")) or text(item.get("razonSocial"))
        if not body_id or not name:
            read.bodies_read.skipped += 1
            continue
        kind = _BODY_KINDS.get(fold(str(item.get("tipo") or "")), "unknown")
        bodies[body_id] = Body(body_id, name, kind, item.get("activo") is not False)
    read.bodies = list(bodies.values())


def _read_relations(items: list[dict[str, Any]], read: RenecFolder) -> None:
    read.relations_read.present = True
    for item in items:
        code, body_id = text(item.get("ecCode")), text(item.get("certifierId"))
        if code is None or body_id is None:
            read.relations_read.skipped += 1
            continue
        read.relations.append((body_id, code))


def _read_centres(items: list[dict[str, Any]], read: RenecFolder) -> None:
    centres: dict[str, Centre] = {}
    read.centres_read.present = True
    for item in items:
        centre_id = text(item.get("id"))
        name = text(item.get("name")) or text(item.get("nombre"))
        if not centre_id or not name:
            read.centres_read.skipped += 1
            continue
        codes = tuple(c for c in (text(code) for code in item.get("ec_codes") or ()) if c)
        centres[centre_id] = Centre(centre_id, name, item.get("activo") is not False, codes)
    read.centres = list(centres.values())
