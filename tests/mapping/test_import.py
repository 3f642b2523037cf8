"""`import_all` over the real files: the counts the issue names, in the database, and a second run that
changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from services.common.db import Database
from services.common.migrations import migrate_service
from services.mapping.importer import import_all, import_dataset
from services.mapping.store import WriteSummary


async def counts(db: Database, sql: str) -> dict:
    return {tuple(r.values())[:-1] if len(r) > 2 else r[0]: r[len(r) - 1] for r in await db.fetch(sql)}


async def test_counts_in_the_database(mapping_db: Database) -> None:
    levels = await counts(
        mapping_db, "SELECT scheme, depth, count(*) FROM items GROUP BY scheme, depth ORDER BY 1, 2"
    )
    assert [levels["SCIAN_2023", d] for d in range(1, 6)] == [20, 94, 305, 610, 1086]
    assert levels["NAICS_2022", 5] == 1012
    assert levels["SOC_2018", 4] == 867
    assert levels["ONET_SOC", 1] == 1016
    assert levels["CIP_2020", 3] == 2143
    assert levels["ESCO", 1] + levels["ESCO", 2] + levels["ESCO", 3] + levels["ESCO", 4] == 2942
    isced = await counts(
        mapping_db, "SELECT kind, count(*) FROM items WHERE scheme = 'ISCED_F_2013' GROUP BY kind"
    )
    assert (isced["broad field"], isced["narrow field"], isced["detailed field"]) == (11, 29, 80)
    assert await mapping_db.fetchval("SELECT count(*) FROM items WHERE scheme = 'CONOCER_EC'") == 1477
    # Every standard has exactly one edge to a SCIAN 2023 sector, and it resolves to a real item.
    linked = await mapping_db.fetch(
        """SELECT e.from_code, count(*) AS n FROM edges e
           JOIN items s ON (s.scheme, s.code) = (e.to_scheme, e.to_code)
           WHERE e.from_scheme = 'CONOCER_EC' AND e.to_scheme = 'SCIAN_2023' AND s.depth = 1
           GROUP BY e.from_code"""
    )
    assert len(linked) == 1477 and {r["n"] for r in linked} == {1}


async def test_edges_by_source_and_no_dangling_or_no_match(mapping_db: Database) -> None:
    pairs = await counts(
        mapping_db,
        "SELECT from_scheme, to_scheme, count(*) FROM edges WHERE method <> 'hierarchy' GROUP BY 1, 2",
    )
    assert pairs["CIP_2020", "SOC_2018"] == 5723  # 6,097 in the file less 374 no-match rows
    assert pairs["NAICS_2017", "NAICS_2022"] == 1150
    assert pairs["SCIAN_2023", "NAICS_2022"] == 795
    assert pairs["SOC_2010", "SOC_2018"] == 900
    assert pairs["ISCO_08", "SOC_2010"] == 1125
    assert pairs["ONET_SOC", "SOC_2018"] == 1016
    assert pairs["ESCO", "ISCO_08"] == 2942
    assert await mapping_db.fetchval("SELECT count(*) FROM edges WHERE to_code = '99-9999'") == 0
    # Every edge's versions are its schemes' versions.
    assert (
        await mapping_db.fetchval(
            """SELECT count(*) FROM edges e
           JOIN schemes f ON f.id = e.from_scheme JOIN schemes t ON t.id = e.to_scheme
           WHERE e.from_version <> f.version OR e.to_version <> t.version"""
        )
        == 0
    )


async def test_a_second_import_changes_nothing(
    mapping_db: Database, shared_data: Path, full_import: tuple[str, list[WriteSummary]]
) -> None:
    first = full_import[1]
    assert sum(s.items[k] for s in first for k in s.items if k.endswith("inserted")) == 18_359
    version = await mapping_db.fetchval("SELECT version FROM graph_version")
    async with mapping_db.pool.acquire() as conn:
        again = await import_all(conn, shared_data)
    changed = [
        (s.dataset, k, s.items[k])
        for s in again
        for k in s.items
        if not k.endswith("unchanged") and s.items[k]
    ] + [
        (s.dataset, name, k, getattr(s, name)[k])
        for s in again
        for name in ("edges", "terms", "facts", "employment")
        for k in ("inserted", "updated", "skipped")
        if getattr(s, name)[k]
    ]
    assert changed == []
    assert sum(s.terms["unchanged"] for s in again) == 42_885 + 86_813 + 880
    # Nothing moved, so running services keep their graph instead of rebuilding it.
    assert await mapping_db.fetchval("SELECT version FROM graph_version") == version


async def test_the_counterpart_evidence_in_the_database(mapping_db: Database) -> None:
    assert await mapping_db.fetchval("SELECT count(*) FROM items WHERE scheme = 'SINCO_2011'") == 686
    terms = await counts(mapping_db, "SELECT scheme, kind, lang, count(*) FROM item_terms GROUP BY 1, 2, 3")
    assert terms["ESCO", "alternative_label", "es"] == 12_937
    assert terms["ESCO", "alternative_label", "en"] == 29_948
    assert terms["ONET_SOC", "alternate_title", "en"] == 60_220
    assert terms["ONET_SOC", "task", "en"] == 18_797
    assert terms["ONET_SOC", "reported_title", "en"] == 7_796
    # INEGI's Spanish names of SOC 2010 occupations (broad titles on each detailed one) and of ISCO-08
    # groups where they differ from ESCO's.
    assert terms["SOC_2010", "alternative_label", "es"] == 870
    assert terms["SOC_2010", "label", "es"] == 4
    assert terms["ISCO_08", "alternative_label", "es"] == 6
    assert await mapping_db.fetchval("SELECT count(*) FROM item_facts WHERE name = 'job_zone'") == 923
    assert await mapping_db.fetchval("SELECT count(*) FROM sector_employment") == 7_935
    pairs = await counts(
        mapping_db, "SELECT from_scheme, to_scheme, method, count(*) FROM edges GROUP BY 1, 2, 3"
    )
    assert pairs["SINCO_2011", "SOC_2010", "official_crosswalk"] == 1781
    assert pairs["SINCO_2011", "ISCO_08", "official_crosswalk"] == 637
    assert pairs["ESCO", "ONET_SOC", "research_crosswalk"] == 1637 + 1228


async def test_evidence_of_items_not_there_is_skipped_and_counted(
    make_database: Any, shared_data: Path
) -> None:
    url = await make_database()
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            (summary,) = await import_dataset(conn, "onet-evidence", shared_data / "onet_db_30_0_text")
            assert summary.terms["skipped"] == 86_813 and summary.terms["inserted"] == 0
            assert summary.facts["skipped"] == 923
            assert any("terms skipped" in note for note in summary.notes)
            (oews,) = await import_dataset(conn, "oews", shared_data / "bls_oews_natsector_2024")
            (again,) = await import_dataset(conn, "oews", shared_data / "bls_oews_natsector_2024")
        assert (oews.employment["inserted"], again.employment["unchanged"]) == (7_935, 7_935)
        assert again.employment["inserted"] + again.employment["updated"] == 0
        assert "employment: 0 inserted, 0 updated, 7,935 unchanged" in again.render()
        assert await db.fetchval("SELECT count(*) FROM item_terms") == 0
    finally:
        await db.close()


async def test_a_wrong_folder_is_refused_plainly(make_database: Any, tmp_path: Path) -> None:
    url = await make_database()
    env = {**os.environ, "QF_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "qf", "import", "naics", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 2
    assert "qf: naics not imported, nothing written: " in done.stderr
    assert "Traceback" not in done.stderr
