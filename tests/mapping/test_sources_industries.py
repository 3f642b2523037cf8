"""The SCIAN 2023 and NAICS importers against the real files in ../shared/data."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from services.mapping.model import Dataset, Edge, Item, Method, Relation, Scheme
from services.mapping.sources.industries import (
    NAICS_CONCORDANCE_SOURCE,
    TRILATERAL_SOURCE,
    read_naics,
    read_scian,
    scian_naics_matches,
    scian_trilateral_codes,
)


@cache
def scian(data: Path) -> Dataset:
    return read_scian(data / "scian_2023_mx")


@cache
def naics(data: Path) -> Dataset:
    return read_naics(data / "naics")


@cache
def trilateral(data: Path) -> frozenset[str]:
    return frozenset(scian_trilateral_codes(data / "scian_2023_mx"))


@cache
def matches(data: Path) -> list[Edge]:
    return scian_naics_matches(scian(data), naics(data), set(trilateral(data)))


def by_code(dataset: Dataset, scheme: Scheme) -> dict[str, Item]:
    return {item.code: item for item in dataset.items if item.scheme is scheme}


def test_scian_levels_and_hierarchy(shared_data: Path) -> None:
    items = scian(shared_data).items
    assert {item.scheme for item in items} == {Scheme.SCIAN_2023}
    assert Counter(item.kind for item in items) == {
        "sector": 20,
        "subsector": 94,
        "rama": 305,
        "subrama": 610,
        "clase": 1086,
    }
    codes = by_code(scian(shared_data), Scheme.SCIAN_2023)
    assert len(codes) == len(items)
    for item in items:
        assert item.label_es and item.label_es == item.label_es.strip() and item.label_en is None
        assert not item.label_es.endswith("T"), item
        if item.kind == "sector":
            assert item.parent is None and item.depth == 1
        else:
            assert item.parent in codes, item
            assert codes[item.parent].depth == item.depth - 1


def test_scian_ranged_sectors_and_titles(shared_data: Path) -> None:
    codes = by_code(scian(shared_data), Scheme.SCIAN_2023)
    assert {"31-33", "48-49", "43", "46", "93"} <= codes.keys()
    assert not {"31", "32", "33", "48", "49"} & codes.keys()
    assert codes["31-33"].label_es == "Industrias manufactureras"
    assert codes["311"].parent == "31-33"
    assert codes["336110"].parent == "33611"
    assert codes["493"].parent == "48-49"
    assert codes["336110"].label_es == "Fabricación de automóviles y camionetas"
    assert codes["811111"].label_es == "Reparación mecánica en general de automóviles y camiones"
    assert (codes["811111"].kind, codes["811111"].depth) == ("clase", 5)
    # the fixture kept this T mark glued to the title; the label drops it
    assert codes["5132"].label_es == "Edición de software"


def test_scian_trilateral_marks(shared_data: Path) -> None:
    marked = trilateral(shared_data)
    kinds = {code: item.kind for code, item in by_code(scian(shared_data), Scheme.SCIAN_2023).items()}
    assert marked <= kinds.keys()
    assert Counter(kinds[code] for code in marked) == {
        "sector": 20,
        "subsector": 75,
        "rama": 238,
        "subrama": 465,
    }
    assert {"31-33", "11", "5132", "11111", "3361"} <= marked
    assert not {"5221", "336110", "811111"} & marked


def test_naics_levels_and_hierarchy(shared_data: Path) -> None:
    dataset = naics(shared_data)
    for scheme, expected in [
        (Scheme.NAICS_2017, [20, 99, 311, 709, 1057]),
        (Scheme.NAICS_2022, [20, 96, 308, 689, 1012]),
    ]:
        codes = by_code(dataset, scheme)
        assert [sum(item.depth == depth for item in codes.values()) for depth in range(1, 6)] == expected
        assert sum(len(code) == 6 for code in codes) == expected[-1]
        assert not [code for code in codes if code.startswith("99")]
        assert {"31-33", "44-45", "48-49"} <= codes.keys()
        for item in codes.values():
            assert item.label_en and item.label_es is None
            if item.depth == 1:
                assert item.parent is None and item.kind == "sector"
            else:
                assert item.parent in codes, item
                assert codes[item.parent].depth == item.depth - 1
        assert codes["311"].parent == "31-33" and codes["441"].parent == "44-45"
        assert (codes["311111"].kind, codes["311111"].depth) == ("national industry", 5)
    assert by_code(dataset, Scheme.NAICS_2022)["513210"].label_en == "Software Publishers"


def test_naics_concordance(shared_data: Path) -> None:
    dataset = naics(shared_data)
    edges = dataset.edges
    assert len(edges) == 1150
    assert Counter(edge.relation for edge in edges) == {
        Relation.EXACT: 928,
        Relation.BROAD: 120,
        Relation.CLOSE: 97,
        Relation.NARROW: 5,
    }
    assert all(
        (e.from_scheme, e.to_scheme, e.method, e.source)
        == (Scheme.NAICS_2017, Scheme.NAICS_2022, Method.OFFICIAL_CROSSWALK, NAICS_CONCORDANCE_SOURCE)
        for e in edges
    )
    old, new = by_code(dataset, Scheme.NAICS_2017), by_code(dataset, Scheme.NAICS_2022)
    assert all(e.from_code in old and e.to_code in new for e in edges)
    pairs = {(e.from_code, e.to_code): e for e in edges}
    # Software Publishers moved from 511210 to 513210 unchanged
    assert (pairs["511210", "513210"].relation, pairs["511210", "513210"].confidence) == (Relation.EXACT, 1.0)
    assert pairs["454110", "455110"].relation is Relation.CLOSE
    assert any("1150 edges" in note for note in dataset.notes)


def test_scian_naics_trilateral_matches(shared_data: Path) -> None:
    edges = matches(shared_data)
    assert len(edges) == 795
    scian_codes = by_code(scian(shared_data), Scheme.SCIAN_2023)
    naics_codes = by_code(naics(shared_data), Scheme.NAICS_2022)
    for e in edges:
        assert (e.from_scheme, e.to_scheme, e.relation, e.confidence, e.method, e.source) == (
            Scheme.SCIAN_2023,
            Scheme.NAICS_2022,
            Relation.EXACT,
            1.0,
            Method.IDENTICAL_CODE,
            TRILATERAL_SOURCE,
        )
        assert e.from_code == e.to_code and e.from_code in scian_codes and e.to_code in naics_codes
    matched = {e.from_code for e in edges}
    assert {"31-33", "48-49", "81", "5132", "33611"} <= matched
    # not T-marked though NAICS 2022 has the same code: Mexican banking, and every 6-digit clase
    assert "5221" in naics_codes and "5221" not in matched
    assert "336110" in naics_codes and "336110" not in matched
    # T-marked, but Mexico numbers these sectors its own way (NAICS 42, 44-45, 92)
    assert trilateral(shared_data) - matched == {"43", "46", "93"}
