"""The occupation importers against the real files in ../shared/data (counts checked by hand)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.mapping.model import Dataset, Edge, Item, Method, Relation, Scheme
from services.mapping.sources.occupations import read_esco, read_isco, read_onet, read_soc


@pytest.fixture
def soc(shared_data: Path) -> Dataset:
    return read_soc(shared_data / "soc_2018")


@pytest.fixture
def isco(shared_data: Path) -> Dataset:
    return read_isco(shared_data / "esco_v1_en", shared_data / "esco_v1_es")


@pytest.fixture
def esco(shared_data: Path) -> Dataset:
    return read_esco(shared_data / "esco_v1_en", shared_data / "esco_v1_es")


def items(dataset: Dataset, scheme: Scheme) -> dict[str, Item]:
    return {item.code: item for item in dataset.items if item.scheme == scheme}


def edges(dataset: Dataset, from_scheme: Scheme, to_scheme: Scheme) -> list[Edge]:
    return [e for e in dataset.edges if e.from_scheme == from_scheme and e.to_scheme == to_scheme]


def test_soc_2018_hierarchy(soc: Dataset) -> None:
    soc_2018 = items(soc, Scheme.SOC_2018)
    assert Counter((i.depth, i.kind) for i in soc_2018.values()) == {
        (1, "major group"): 23,
        (2, "minor group"): 98,
        (3, "broad occupation"): 459,
        (4, "detailed occupation"): 867,
    }
    for item in soc_2018.values():
        if item.depth == 1:
            assert item.parent is None
        else:
            assert item.parent in soc_2018
            assert soc_2018[item.parent].depth == item.depth - 1
        assert item.label_en and item.label_es is None
    mechanics = soc_2018["49-3023"]
    assert mechanics.label_en == "Automotive Service Technicians and Mechanics"
    assert mechanics.parent == "49-3020"
    assert soc_2018["49-3020"].parent == "49-3000"
    assert soc_2018["49-3000"].parent == "49-0000"


def test_soc_2010_items_and_crosswalk(soc: Dataset) -> None:
    soc_2010 = items(soc, Scheme.SOC_2010)
    assert len(soc_2010) == 840
    assert all(
        i.depth == 4 and i.parent is None and i.kind == "detailed occupation" for i in soc_2010.values()
    )
    # titles from the 2010 -> 2018 file, not the ISCO file's typos
    assert soc_2010["19-2043"].label_en == "Hydrologists"
    assert soc_2010["19-2011"].label_en == "Astronomers"

    crosswalk = edges(soc, Scheme.SOC_2010, Scheme.SOC_2018)
    assert len(crosswalk) == 900
    assert Counter(e.relation for e in crosswalk) == {
        Relation.EXACT: 766,
        Relation.NARROW: 70,
        Relation.BROAD: 32,
        Relation.CLOSE: 32,
    }
    assert {e.source for e in crosswalk} == {"BLS, 2010 SOC to 2018 SOC crosswalk"}
    assert {e.method for e in crosswalk} == {Method.OFFICIAL_CROSSWALK}
    soc_2018 = items(soc, Scheme.SOC_2018)
    assert {e.from_code for e in crosswalk} == set(soc_2010)
    assert {e.to_code for e in crosswalk} == {c for c, i in soc_2018.items() if i.depth == 4}
    # 15-1132 and 15-1133 (applications and systems software developers) each go to 15-1252 and 15-1253;
    # 15-1253 also takes 15-1199: many-to-many, closeMatch of confidence (1 + 1/k) / 2, k the larger of
    # the source's targets and the target's sources
    software = {(e.from_code, e.to_code): e for e in crosswalk if e.to_code in ("15-1252", "15-1253")}
    assert {(a, b): (e.relation, e.confidence) for (a, b), e in software.items()} == {
        ("15-1132", "15-1252"): (Relation.CLOSE, 0.75),  # 2 targets, 2 sources
        ("15-1133", "15-1252"): (Relation.CLOSE, 0.75),
        ("15-1132", "15-1253"): (Relation.CLOSE, 0.6667),  # 2 targets, 3 sources
        ("15-1133", "15-1253"): (Relation.CLOSE, 0.6667),
        ("15-1199", "15-1253"): (Relation.CLOSE, 0.6),  # 5 targets
    }
    mechanics = [e for e in crosswalk if e.to_code == "49-3023"]
    assert [(e.from_code, e.relation, e.confidence) for e in mechanics] == [("49-3023", Relation.EXACT, 1.0)]


def test_isco_levels_and_spanish_labels(isco: Dataset) -> None:
    groups = items(isco, Scheme.ISCO_08)
    assert Counter(i.kind for i in groups.values()) == {
        "major group": 10,
        "sub-major group": 43,
        "minor group": 130,
        "unit group": 436,
    }
    for code, item in groups.items():
        assert item.depth == len(code)
        assert item.parent == (code[:-1] or None)
        assert item.parent is None or item.parent in groups
        assert item.label_en and item.label_es
        assert item.description
    assert groups["0110"].parent == "011"
    assert groups["7231"].label_en == "Motor vehicle mechanics and repairers"
    assert groups["2"].label_es == "Profesionales científicos e intelectuales"


def test_isco_to_soc_2010(soc: Dataset, isco: Dataset) -> None:
    crosswalk = edges(soc, Scheme.ISCO_08, Scheme.SOC_2010)
    assert len(crosswalk) == 1125
    # 211 and 315 are minor groups whose unit groups map elsewhere too: no longer exact (see below)
    assert Counter(e.relation for e in crosswalk) == {
        Relation.NARROW: 593,
        Relation.CLOSE: 379,
        Relation.EXACT: 93,
        Relation.BROAD: 60,
    }
    assert {e.source for e in crosswalk} == {"BLS, ISCO-08 to 2010 SOC crosswalk"}
    isco_codes = {e.from_code for e in crosswalk}
    assert len(isco_codes) == 438
    # every 4-digit unit group, plus two minor groups as BLS published them
    groups = items(isco, Scheme.ISCO_08)
    assert isco_codes == {c for c in groups if len(c) == 4} | {"211", "315"}
    assert {e.to_code for e in crosswalk} == set(items(soc, Scheme.SOC_2010))

    # One row, 315 -> 53-2022, and nothing else from 315 or into 53-2022; but 315's unit groups 3151-3155
    # map to seven other occupations, so at the table's level of detail 315 maps to eight: 53-2022 is one
    # narrower part of it, not an exact match.
    pairs = {(e.from_code, e.to_code): e for e in crosswalk}
    controllers = pairs["315", "53-2022"]
    assert (controllers.relation, controllers.confidence) == (Relation.NARROW, 0.5625)
    assert len({b for a, b in pairs if a.startswith("315")}) == 8
    assert pairs["211", "19-2099"].relation is Relation.NARROW
    assert all(e.relation is not Relation.EXACT for e in crosswalk if len(e.from_code) < 4)


def test_onet(shared_data: Path, soc: Dataset) -> None:
    soc_2018 = set(items(soc, Scheme.SOC_2018))
    onet = read_onet(shared_data / "onet_soc_2019", soc_2018)
    occupations = items(onet, Scheme.ONET_SOC)
    assert len(occupations) == 1016
    assert sum(code.endswith(".00") for code in occupations) == 867
    assert all(i.label_en and i.description for i in occupations.values())

    links = {e.from_code: e for e in edges(onet, Scheme.ONET_SOC, Scheme.SOC_2018)}
    assert len(links) == 1016
    assert all(e.to_code in soc_2018 for e in links.values())
    assert Counter(e.relation for e in links.values()) == {Relation.EXACT: 867, Relation.BROAD: 149}
    mechanics = [code for code in occupations if code.startswith("49-3023")]
    assert mechanics == ["49-3023.00"]  # the 2019 taxonomy has no .01/.02 specialties here
    assert links["49-3023.00"].to_code == "49-3023"
    assert links["49-3023.00"].relation == Relation.EXACT
    assert links["49-3023.00"].method == Method.IDENTICAL_CODE
    sustainability = links["11-1011.03"]
    assert (sustainability.to_code, sustainability.relation, sustainability.confidence) == (
        "11-1011",
        Relation.BROAD,
        1.0,
    )


def test_onet_drops_edges_to_unknown_soc(shared_data: Path) -> None:
    onet = read_onet(shared_data / "onet_soc_2019", {"49-3023"})
    assert len(onet.items) == 1016
    assert [e.from_code for e in onet.edges] == ["49-3023.00"]
    assert any("does not exist" in note for note in onet.notes)
    assert len(read_onet(shared_data / "onet_soc_2019").edges) == 1016


def test_esco(esco: Dataset, isco: Dataset) -> None:
    occupations = items(esco, Scheme.ESCO)
    assert len(occupations) == 2942
    assert all(len(code) == 36 and code.count("-") == 4 for code in occupations)
    assert all(i.kind == "occupation" and i.label_en and i.description for i in occupations.values())
    assert sum(1 for i in occupations.values() if i.label_es) == 2942

    director = occupations["00030d09-2b3a-4efd-87cc-c4ea39d27c34"]
    assert director.label_en == "technical director"
    assert director.label_es == "director técnico/directora técnica"

    links = edges(esco, Scheme.ESCO, Scheme.ISCO_08)
    assert len(links) == 2942
    assert {e.from_code for e in links} == set(occupations)
    assert {(e.relation, e.confidence, e.method) for e in links} == {
        (Relation.BROAD, 1.0, Method.OFFICIAL_CROSSWALK)
    }
    unit_groups = {c for c, i in items(isco, Scheme.ISCO_08).items() if i.kind == "unit group"}
    assert {e.to_code for e in links} <= unit_groups
    to_isco = {e.from_code: e.to_code for e in links}
    assert to_isco["00030d09-2b3a-4efd-87cc-c4ea39d27c34"] == "2166"
    # the Spanish snapshot's group where the two releases differ
    assert to_isco["7639a601-6db0-41ed-9fb0-813d9b8beb05"] == "3211"  # radiographer
    assert to_isco["4a3f40a8-0587-494c-b8d3-7098b8c5992f"] == "0310"  # army corporal


def test_esco_hierarchy(esco: Dataset) -> None:
    occupations = items(esco, Scheme.ESCO)
    children = [i for i in occupations.values() if i.parent is not None]
    assert len(children) == 1240
    assert Counter(i.depth for i in occupations.values()) == {1: 1702, 2: 1070, 3: 129, 4: 41}
    to_isco = {e.from_code: e.to_code for e in esco.edges}
    for child in children:
        parent = occupations[child.parent]
        assert parent.depth == child.depth - 1
        assert to_isco[child.code] == to_isco[parent.code]
    assert (
        occupations["00030d09-2b3a-4efd-87cc-c4ea39d27c34"].parent == "cb93fd23-1f51-4495-867a-936c1967066b"
    )
