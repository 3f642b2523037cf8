"""`qf import DATASET PATH` for the crosswalk: which readers a dataset runs, and `all` in a safe order.

Each dataset's folder is laid out like ../shared/data. A dataset whose edges reach into another
(NAICS's SCIAN matches, ESCO's Spanish labels) looks for that one's folder beside its own.
`import_all` reads everything first and writes every item before any edge, and every edge before the
evidence about items (terms, facts, employment), so nothing is skipped for want of an item that a later
dataset brings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import asyncpg

from services.mapping.datasets import FOLDERS
from services.mapping.model import Dataset, Scheme
from services.mapping.sources.conocer import (
    AUTOMOTIVE_AGREEMENT,
    automotive_scope,
    level_frameworks,
    read_rows,
    read_standards,
    standards_dataset,
)
from services.mapping.sources.education import read_cip, read_isced
from services.mapping.sources.esco_onet import onet_taxonomy, read_esco_onet
from services.mapping.sources.esco_skills import read_esco_skills
from services.mapping.sources.industries import (
    read_naics,
    read_scian,
    scian_naics_matches,
    scian_trilateral_codes,
)
from services.mapping.sources.occupations import esco_broader, read_esco, read_isco, read_onet, read_soc
from services.mapping.sources.oews import read_oews
from services.mapping.sources.onet_evidence import read_onet_evidence
from services.mapping.sources.sinco import read_sinco
from services.mapping.store import WriteSummary, write_dataset, write_illustrative_agreement

ESCO_SPANISH = "esco_v1_es"
ONET_29_3 = "onet_db_29_3_excel"


def _naics(folder: Path) -> list[Dataset]:
    naics = read_naics(folder)
    scian_folder = folder.parent / FOLDERS["scian"]
    if not scian_folder.is_dir():
        naics.notes.append(f"no {scian_folder}: SCIAN-NAICS matches not written")
        return [naics]
    matches = Dataset("scian-naics")
    matches.edges = scian_naics_matches(read_scian(scian_folder), naics, scian_trilateral_codes(scian_folder))
    matches.notes.append(
        f"{len(matches.edges):,} SCIAN 2023 = NAICS 2022 matches (trilateral 'T' categories)"
    )
    return [naics, matches]


def _esco(folder: Path) -> list[Dataset]:
    spanish = folder.parent / ESCO_SPANISH
    if not spanish.is_dir():
        raise FileNotFoundError(f"the Spanish ESCO files are expected in {spanish}")
    return [read_isco(folder, spanish), read_esco(folder, spanish)]


def _beside(folder: Path, name: str) -> Path:
    """A dataset's folder next to `folder`, which this dataset needs."""
    other = folder.parent / name
    if not other.is_dir():
        raise FileNotFoundError(f"{folder.name} needs {other}")
    return other


def _sinco(folder: Path) -> list[Dataset]:
    soc = read_soc(_beside(folder, FOLDERS["soc"]))
    isco = read_isco(_beside(folder, FOLDERS["esco"]), _beside(folder, ESCO_SPANISH))
    detailed = {item.code for item in soc.items if item.scheme is Scheme.SOC_2010}
    return [read_sinco(folder, detailed, {item.code: item.label_es for item in isco.items})]


def _esco_onet(folder: Path) -> list[Dataset]:
    taxonomy = onet_taxonomy(_beside(folder, FOLDERS["onet"]), _beside(folder, FOLDERS["soc"]))
    return [read_esco_onet(folder, taxonomy, esco_broader(_beside(folder, ESCO_SPANISH)))]


READERS: dict[str, Callable[[Path], list[Dataset]]] = {
    "renec": lambda folder: [level_frameworks(), read_standards(folder)],
    "scian": lambda folder: [read_scian(folder)],
    "naics": _naics,
    "soc": lambda folder: [read_soc(folder)],
    "onet": lambda folder: [read_onet(folder)],
    "cip": lambda folder: [read_cip(folder)],
    "isced": lambda folder: [read_isced(folder)],
    "esco": _esco,
    "sinco": _sinco,
    "onet-evidence": lambda folder: [read_onet_evidence(folder, _beside(folder, ONET_29_3))],
    "esco-onet": _esco_onet,
    "oews": lambda folder: [read_oews(folder)],
    "esco-skills": lambda folder: [read_esco_skills(folder, _beside(folder, ESCO_SPANISH))],
}


async def import_dataset(conn: asyncpg.Connection, name: str, folder: Path) -> list[WriteSummary]:
    if name == "renec":
        return await import_renec_rows(conn, read_rows(folder))
    return [await write_dataset(conn, dataset) for dataset in READERS[name](folder)]


async def import_renec_rows(conn: asyncpg.Connection, rows: list[dict]) -> list[WriteSummary]:
    """RENEC's standards list, from the export or CONOCER's live endpoint (`qf sync renec`): each
    standard with its sector and level links, the level frameworks, the automotive agreement's scope."""
    datasets = (level_frameworks(), standards_dataset(rows))
    summaries = [await write_dataset(conn, dataset) for dataset in datasets]
    await _automotive_agreement(conn, rows, summaries[-1])
    return summaries


async def _automotive_agreement(conn: asyncpg.Connection, rows: list[dict], summary: WriteSummary) -> None:
    scope, committees = automotive_scope(rows)
    await write_illustrative_agreement(conn, AUTOMOTIVE_AGREEMENT, scope, committees)
    summary.notes.append(
        f"illustrative automotive agreement {AUTOMOTIVE_AGREEMENT['id']}: {len(scope)} standards of "
        f"{len(committees)} automotive committees, by committee and title, in scope"
    )


async def import_all(conn: asyncpg.Connection, root: Path) -> list[WriteSummary]:
    """Every dataset under `root` (laid out like ../shared/data), items first, then edges."""
    datasets = [dataset for name, folder in FOLDERS.items() for dataset in READERS[name](root / folder)]
    summaries = []
    async with conn.transaction():
        for dataset in datasets:
            summaries.append(await write_dataset(conn, Dataset(dataset.name, items=dataset.items)))
        for dataset, summary in zip(datasets, summaries, strict=True):
            edges = await write_dataset(conn, Dataset(dataset.name, edges=dataset.edges, notes=dataset.notes))
            summary.edges.update(edges.edges)  # hierarchy edges came with the items
            summary.notes = edges.notes
        for dataset, summary in zip(datasets, summaries, strict=True):
            about = Dataset(
                dataset.name,
                terms=dataset.terms,
                facts=dataset.facts,
                employment=dataset.employment,
                parallel=dataset.parallel,
            )
            evidence = await write_dataset(conn, about)
            summary.terms.update(evidence.terms)
            summary.facts.update(evidence.facts)
            summary.employment.update(evidence.employment)
            summary.parallel.update(evidence.parallel)
            summary.notes.extend(evidence.notes)
        renec = next(s for s in summaries if s.dataset == "renec")
        await _automotive_agreement(conn, read_rows(root / FOLDERS["renec"]), renec)
    return summaries
