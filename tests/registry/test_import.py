"""The RENEC importer against the real export in ../shared/data/conocer_renec_avala."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from services.common.db import Database
from services.common.renec.reference import fold
from services.common.renec.standards import STANDARDS_FILE, RenecImportError
from services.registry.importer import import_renec, import_standards
from services.registry.renec_folder import BODIES_FILE, CENTRES_FILE, COMMITTEES_FILE, RELATIONS_FILE

RENEC = "conocer_renec_avala"


@pytest.fixture
def db(empty_registry_db: Database) -> Database:
    return empty_registry_db


@pytest.fixture
def renec(shared_data: Path) -> Path:
    return shared_data / RENEC


def read(folder: Path, relative: str) -> Any:
    return json.loads((folder / relative).read_text(encoding="utf-8"))


def write(folder: Path, relative: str, data: Any) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


async def test_real_folder_loads_everything(db: Database, renec: Path) -> None:
    summary = await import_renec(db, renec)

    assert summary.standards.inserted == 1477
    assert summary.levels == {1: 33, 2: 626, 3: 506, 4: 261, 5: 51}
    levels = {r["level"]: r["n"] for r in await db.fetch(
        "SELECT level, count(*) AS n FROM standards GROUP BY level")}
    assert levels == {1: 33, 2: 626, 3: 506, 4: 261, 5: 51}
    assert await db.fetchval(
        "SELECT count(*) FROM standards WHERE sector_code IS NULL OR sector_code = ''") == 0
    assert await db.fetchval(
        "SELECT count(*) FROM standards WHERE status <> 'published' OR source <> 'renec'") == 0

    # Two RENEC codes carry a trailing space / NBSP.
    assert await db.fetchval(
        "SELECT count(*) FROM standards WHERE code IN ('EC1571', 'EC1681')") == 2
    assert await db.fetchval("SELECT count(*) FROM standards WHERE code !~ '^EC[0-9.]+$'") == 0

    corporate = [r["codigo"].strip() for r in read(renec, STANDARDS_FILE)
                 if r["secProductivo"] == "CORPORATIVOS"]
    assert corporate
    rows = await db.fetch("SELECT sector_code FROM standards WHERE code = ANY($1)", corporate)
    assert {r["sector_code"] for r in rows} == {"55"}

    # The one base code RENEC lists in two versions.
    assert await db.fetchval("SELECT supersedes FROM standards WHERE code = 'EC0593.01'") == "EC0593"
    assert await db.fetchval(
        "SELECT count(*) FROM standards WHERE equivalent_to_previous IS NOT NULL") == 0

    # Committee 1 lists EC0089 and carries the name the standard gives.
    row = await db.fetchrow(
        "SELECT committee_id, committee_name FROM standards WHERE code = 'EC0089'")
    assert row["committee_id"] == "1"
    committee = await db.fetchrow("SELECT * FROM committees WHERE id = '1'")
    assert committee["conocer_key"] == "1.5.1"
    assert committee["state"] == "CIUDAD DE MÉXICO"
    assert str(committee["formed_on"]) == "2010-03-04"

    from_file = await db.fetchval("SELECT count(*) FROM committees WHERE id ~ '^[0-9]+$'")
    derived = await db.fetchval("SELECT count(*) FROM committees WHERE id LIKE 'renec-%'")
    assert from_file == 581
    assert summary.committees.inserted == 581 + derived
    assert await db.fetchval(
        "SELECT count(*) FROM standards WHERE committee_id IS NULL") == 0

    assert await db.fetchval("SELECT count(*) FROM certification_bodies") == 482
    assert summary.accreditations.inserted == 7573
    assert await db.fetchval(
        "SELECT count(*) FROM accreditations WHERE valid_from IS NULL AND valid_to IS NULL "
        "AND source = 'renec'") == 7573
    assert await db.fetchval("SELECT count(*) FROM centres WHERE kind = 'training'") == 340
    assert await db.fetchval("SELECT count(*) FROM centre_standards") == 350

    rendered = summary.render()
    assert "standards" in rendered and "1477" in rendered and "1=33" in rendered


async def test_committee_columns_hold_no_contact_data(db: Database, renec: Path) -> None:
    await import_renec(db, renec)
    columns = {r["column_name"] for r in await db.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'registry' AND table_name = 'committees'")}
    assert columns == {"id", "conocer_key", "name", "sector_label", "state", "formed_on",
                       "source", "updated_at"}
    # colonia / codigoPostal are still in the sanitised file; they must not leak into any column.
    assert await db.fetchval(
        "SELECT count(*) FROM committees c WHERE row_to_json(c)::text LIKE '%Condesa%'") == 0


async def test_personal_data_is_never_stored(db: Database, renec: Path, tmp_path: Path) -> None:
    standards = [r for r in read(renec, STANDARDS_FILE) if r["codigo"] in ("EC0089", "EC0198")]
    committee = next(c for c in read(renec, COMMITTEES_FILE) if c["id"] == 1)
    secrets = {
        "presidente": "Juana Pérez Secretísima",
        "vicepresidente": "Pedro Gómez Confidencial",
        "puestoPresidente": "Directora General Oculta",
        "correo": "juana.privada@example.org",
        "telefonos": "55 5555 0101",
        "contacto": "Contacto Reservado",
        "fax": "55 5555 0199",
        "calleNumero": "Calle Escondida 42",
        "colonia": "Colonia Privadísima",
        "codigoPostal": 99999,
    }
    write(tmp_path, STANDARDS_FILE, standards)
    write(tmp_path, COMMITTEES_FILE, [{**committee, **secrets}])

    await import_renec(db, tmp_path)

    dumped = " ".join(r[0] for r in await db.fetch(
        "SELECT row_to_json(c)::text FROM committees c"))
    dumped += " ".join(r[0] for r in await db.fetch("SELECT row_to_json(s)::text FROM standards s"))
    dumped += " ".join(r[0] for r in await db.fetch("SELECT data::text FROM change_log"))
    assert "para la Logística" in dumped  # the committee itself is there
    for value in secrets.values():
        assert str(value) not in dumped


async def test_second_run_changes_nothing(db: Database, renec: Path) -> None:
    await import_renec(db, renec)
    logged = await db.fetchval("SELECT count(*) FROM change_log")
    assert logged == 1477 + 7573  # one 'created' per standard and accreditation
    stamps = await db.fetchval("SELECT max(updated_at) FROM standards")

    again = await import_renec(db, renec)

    assert again.changed == 0
    for name, counts in again.entities().items():
        assert (counts.inserted, counts.updated, counts.withdrawn) == (0, 0, 0), name
    assert again.standards.unchanged == 1477
    assert again.accreditations.unchanged == 7573
    assert await db.fetchval("SELECT count(*) FROM change_log") == logged
    assert await db.fetchval("SELECT max(updated_at) FROM standards") == stamps


async def test_unmapped_sector_title_rejects_everything(
    db: Database, renec: Path, tmp_path: Path
) -> None:
    for relative in (COMMITTEES_FILE, BODIES_FILE, CENTRES_FILE, RELATIONS_FILE):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(renec / relative, tmp_path / relative)
    rows = read(renec, STANDARDS_FILE)
    rows[3]["secProductivo"] = "SECTOR QUE NO EXISTE"
    rows[700]["secProductivo"] = "OTRO SECTOR INVENTADO"
    write(tmp_path, STANDARDS_FILE, rows)

    with pytest.raises(RenecImportError) as failure:
        await import_renec(db, tmp_path)

    message = str(failure.value)
    assert "SECTOR QUE NO EXISTE" in message and "OTRO SECTOR INVENTADO" in message
    assert "nothing imported" in message
    for table in ("standards", "committees", "certification_bodies", "accreditations",
                  "centres", "change_log"):
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0, table


async def test_invalid_rows_are_reported_together(db: Database) -> None:
    rows = [
        {"codigo": "EC12", "nivel": "2", "titulo": "x", "comite": "c",
         "secProductivo": "MINERÍA"},
        {"codigo": "EC0001", "nivel": "7", "titulo": "x", "comite": "c",
         "secProductivo": "MINERÍA"},
        {"codigo": "EC0002", "nivel": "2", "titulo": "x"},
    ]
    with pytest.raises(RenecImportError) as failure:
        await import_standards(db, rows, complete=False)
    message = str(failure.value)
    assert "'EC12'" in message and "level '7'" in message and "missing comite" in message
    assert await db.fetchval("SELECT count(*) FROM standards") == 0


async def test_standard_missing_from_complete_list_is_withdrawn(db: Database, renec: Path) -> None:
    rows = read(renec, STANDARDS_FILE)
    await import_renec(db, renec)
    await db.execute(
        "INSERT INTO standards (code, base_code, version, title_es, level, sector_code, "
        "sector_title, status, source) VALUES ('EC9999', 'EC9999', 0, 'Ejemplo', 2, '61', "
        "'Servicios educativos', 'published', 'sample')")
    logged = await db.fetchval("SELECT count(*) FROM change_log")

    # A partial list (complete=False) withdraws nothing.
    partial = await import_standards(db, rows[:10], complete=False)
    assert partial.standards.withdrawn == 0 and partial.standards.unchanged == 10

    later = [r for r in rows if r["codigo"] != "EC0001"]
    summary = await import_standards(db, later, complete=True)

    assert summary.standards.withdrawn == 1
    assert summary.standards.unchanged == 1476
    row = await db.fetchrow(
        "SELECT status, withdrawn_on, withdrawn_on = current_date AS today FROM standards "
        "WHERE code = 'EC0001'")
    assert row["status"] == "withdrawn" and row["today"]
    assert await db.fetchval("SELECT status FROM standards WHERE code = 'EC9999'") == "published"
    assert await db.fetchval("SELECT count(*) FROM standards") == 1478  # never deleted
    log = await db.fetch("SELECT key, op FROM change_log WHERE seq > $1", logged)
    assert [(r["key"], r["op"]) for r in log] == [("EC0001", "updated")]

    # Withdrawing again is not a change; listing it again publishes it again.
    assert (await import_standards(db, later, complete=True)).standards.withdrawn == 0
    back = await import_standards(db, rows, complete=True)
    assert back.standards.updated == 1
    row = await db.fetchrow("SELECT status, withdrawn_on FROM standards WHERE code = 'EC0001'")
    assert row["status"] == "published" and row["withdrawn_on"] is None


async def test_optional_files_may_be_missing(db: Database, renec: Path, tmp_path: Path) -> None:
    shutil.copytree(renec / "extracted", tmp_path / "extracted",
                    ignore=shutil.ignore_patterns("committees_complete.json"))

    summary = await import_renec(db, tmp_path)

    assert summary.standards.inserted == 1477
    skipped = [n for n in summary.notes if "not found" in n]
    assert len(skipped) == 4 and any(COMMITTEES_FILE in n for n in skipped)
    # Without the committee list, each distinct committee name becomes one derived committee.
    names = {fold(r["comite"]) for r in read(renec, STANDARDS_FILE)}
    assert await db.fetchval("SELECT count(*) FROM committees WHERE id LIKE 'renec-%'") == len(names)
    assert await db.fetchval("SELECT count(*) FROM certification_bodies") == 0


async def test_standards_file_is_required(db: Database, tmp_path: Path) -> None:
    with pytest.raises(RenecImportError, match="standards list is required"):
        await import_renec(db, tmp_path)


async def test_an_administrators_withdrawal_survives_every_import(db: Database, renec: Path) -> None:
    """Issue 13: re-running the import re-published EC0630, which an administrator had withdrawn."""
    from datetime import date

    from services.registry import rules

    await import_renec(db, renec)
    await rules.withdraw(db, "EC0630", date(2026, 1, 15))
    logged = await db.fetchval("SELECT count(*) FROM change_log")

    again = await import_renec(db, renec)
    synced = await import_standards(db, read(renec, STANDARDS_FILE), complete=True)

    row = await db.fetchrow("SELECT status, withdrawn_on FROM standards WHERE code = 'EC0630'")
    assert (row["status"], row["withdrawn_on"]) == ("withdrawn", date(2026, 1, 15))
    assert again.changed == 0 and synced.changed == 0
    assert await db.fetchval("SELECT count(*) FROM change_log") == logged
    for summary in (again, synced):
        note = next(n for n in summary.notes if n.startswith("left alone"))
        assert "EC0630 (on 2026-01-15)" in note and "administrator withdrew" in note, note
        assert "left alone" in summary.render()
    # The source's own fields still follow the source: a new title arrives, the withdrawal stays.
    rows = read(renec, STANDARDS_FILE)
    for r in rows:
        if r["codigo"].strip() == "EC0630":
            r["titulo"] = r["titulo"] + " (revisado)"
    retitled = await import_standards(db, rows, complete=True)
    assert retitled.standards.updated == 1
    row = await db.fetchrow("SELECT status, title_es FROM standards WHERE code = 'EC0630'")
    assert row["status"] == "withdrawn" and row["title_es"].endswith("(revisado)")
