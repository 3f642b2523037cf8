"""EC0217.01's elements and criteria from the RENEC folder's structure file, and elementsKnown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from services.common.db import Database
from services.registry.importer import STANDARDS_FILE, RenecImportError, import_renec
from services.registry.sample import load_sample
from tests.conftest import GraphQLClient

STRUCTURE = "db/ec0217_structure.json"

STANDARD = """query($code: String!) {
  standard(code: $code) { code elementsKnown elements { code position title criteria { kind text } } }
}"""

COMPARE = """query($codes: [String!]!) {
  compareStandards(codes: $codes) { elementsKnown standardsWithoutElements }
}"""


@pytest.fixture
def renec(shared_data: Path) -> Path:
    return shared_data / "conocer_renec_avala"


def small_folder(renec: Path, target: Path, structure: Any | None = None) -> Path:
    """The standards list and a structure file (the real one unless `structure` is given)."""
    for relative in (STANDARDS_FILE, STRUCTURE):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(renec / relative, target / relative)
    if structure is not None:
        (target / STRUCTURE).write_text(json.dumps(structure), encoding="utf-8")
    return target


async def stored(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetch(
        "SELECT e.code, e.position, e.title_es, c.kind, c.position AS cp, c.text_es FROM elements e "
        "JOIN criteria c ON (c.standard_code, c.element_code) = (e.standard_code, e.code) "
        "WHERE e.standard_code = 'EC0217.01' ORDER BY 1, 4, 5"
    )
    return [tuple(r) for r in rows]


async def test_the_full_import_gives_ec0217_01_its_elements(full_registry: GraphQLClient) -> None:
    standard = (await full_registry.data(STANDARD, {"code": "EC0217.01"}))["standard"]
    assert standard["elementsKnown"] is True
    elements = standard["elements"]
    assert [e["code"] for e in elements] == ["E01", "E02", "E03"]
    assert [e["position"] for e in elements] == [1, 2, 3]
    assert elements[0]["title"] == "Preparar la sesión mediante la planeación de la capacitación"
    assert [len(e["criteria"]) for e in elements] == [12, 14, 9]
    kinds = {(e["code"], c["kind"]) for e in elements for c in e["criteria"]}
    # evidenceType: PRODUCT, DESEMPEÑO (a performance) and KNOWLEDGE, as the file gives them.
    assert {("E01", "PRODUCT"), ("E02", "PERFORMANCE"), ("E03", "KNOWLEDGE")} <= kinds
    assert ("E01", "PERFORMANCE") not in kinds
    assert any(c["text"].startswith("La lista de verificación") for c in elements[0]["criteria"])


async def test_elements_known_says_which_standards_have_them(full_registry: GraphQLClient) -> None:
    other = (await full_registry.data(STANDARD, {"code": "EC0301"}))["standard"]
    assert other == {"code": "EC0301", "elementsKnown": False, "elements": []}
    listed = await full_registry.data(
        "{ standards(first: 100, filter: {search: \"EC021\"}) { nodes { code elementsKnown } } }"
    )
    known = {n["code"] for n in listed["standards"]["nodes"] if n["elementsKnown"]}
    assert known == {"EC0217.01"}


async def test_compare_standards_names_the_side_without_elements(full_registry: GraphQLClient) -> None:
    comparison = (await full_registry.data(COMPARE, {"codes": ["EC0217.01", "EC0301"]}))["compareStandards"]
    assert comparison["elementsKnown"] is False
    assert comparison["standardsWithoutElements"] == ["EC0301"]


async def test_import_is_idempotent(empty_registry_db: Database, renec: Path, tmp_path: Path) -> None:
    folder = small_folder(renec, tmp_path)
    first = await import_renec(empty_registry_db, folder)
    assert (first.elements.inserted, first.elements.updated) == (3, 0)
    assert await empty_registry_db.fetchval("SELECT count(*) FROM criteria") == 35
    before = await stored(empty_registry_db)

    again = await import_renec(empty_registry_db, folder)

    assert again.changed == 0
    assert (again.elements.inserted, again.elements.updated, again.elements.unchanged) == (0, 0, 3)
    assert await stored(empty_registry_db) == before
    assert "elements" in again.render()


async def test_import_over_the_sample_adds_the_criteria(
    empty_registry_db: Database, renec: Path, tmp_path: Path, settings: Any
) -> None:
    await load_sample(empty_registry_db, settings.require_curp_salt())  # E01-E03, titles only
    summary = await import_renec(empty_registry_db, small_folder(renec, tmp_path))
    assert (summary.elements.inserted, summary.elements.updated) == (0, 3)
    assert await empty_registry_db.fetchval(
        "SELECT count(*) FROM criteria WHERE standard_code = 'EC0217.01'"
    ) == 35


async def test_a_changed_file_replaces_the_structure(
    empty_registry_db: Database, renec: Path, tmp_path: Path
) -> None:
    await import_renec(empty_registry_db, small_folder(renec, tmp_path))
    structure = json.loads((renec / STRUCTURE).read_text(encoding="utf-8"))
    structure["elements"] = structure["elements"][1:]  # E01 dropped
    for position, element in enumerate(structure["elements"], start=1):
        element["order"] = position  # E02 and E03 move up
    structure["elements"][0]["criteria"] = structure["elements"][0]["criteria"][:2]

    summary = await import_renec(empty_registry_db, small_folder(renec, tmp_path / "2", structure))

    assert (summary.elements.updated, summary.elements.unchanged) == (2, 0)
    assert any("1 elements of EC0217.01 not in the file removed" in n for n in summary.notes)
    rows = await empty_registry_db.fetch(
        "SELECT code, position FROM elements WHERE standard_code = 'EC0217.01' ORDER BY position"
    )
    assert [(r["code"], r["position"]) for r in rows] == [("E02", 1), ("E03", 2)]
    assert await empty_registry_db.fetchval(
        "SELECT count(*) FROM criteria WHERE element_code = 'E02'"
    ) == 2


@pytest.mark.parametrize(
    ("structure", "expected"),
    [
        ([], "expected one standard as a JSON object"),
        ({"code": "EC0217.01", "elements": []}, "no elements"),
        ({"code": "EC0217.01", "elements": [{"code": "E01", "title": "x"}]}, "positive order"),
        (
            {"code": "EC0217.01", "elements": [{"code": "E01", "title": "x", "order": 1, "criteria": [
                {"description": "y", "evidenceType": "OPINION", "order": 1}]}]},
            "known evidenceType",
        ),
        (
            {"code": "EC0217.01", "elements": [
                {"code": "E01", "title": "x", "order": 1}, {"code": "E01", "title": "y", "order": 2}]},
            "repeated element codes",
        ),
    ],
)
async def test_a_bad_structure_file_rejects_the_import(
    empty_registry_db: Database, renec: Path, tmp_path: Path, structure: Any, expected: str
) -> None:
    with pytest.raises(RenecImportError) as failure:
        await import_renec(empty_registry_db, small_folder(renec, tmp_path, structure))
    assert expected in str(failure.value) and STRUCTURE in str(failure.value)
    assert await empty_registry_db.fetchval("SELECT count(*) FROM standards") == 0


async def test_a_structure_for_an_unknown_standard_is_skipped(
    empty_registry_db: Database, renec: Path, tmp_path: Path
) -> None:
    structure = json.loads((renec / STRUCTURE).read_text(encoding="utf-8")) | {"code": "EC9999.01"}
    summary = await import_renec(empty_registry_db, small_folder(renec, tmp_path, structure))
    assert summary.elements.skipped == 3
    assert any("EC9999.01 is not in the registry" in n for n in summary.notes)
    assert await empty_registry_db.fetchval("SELECT count(*) FROM elements") == 0
