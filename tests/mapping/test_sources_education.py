"""The CIP 2020 (with CIP-SOC) and ISCED-F 2013 importers against the real files in ../shared/data."""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

from services.mapping.model import Dataset, Item, Method, Relation, Scheme
from services.mapping.sources.education import CIP_SOC_SOURCE, read_cip, read_isced


@cache
def cip(data: Path) -> Dataset:
    return read_cip(data / "cip_2020")


@cache
def isced(data: Path) -> Dataset:
    return read_isced(data / "isced_f_2013")


def by_code(dataset: Dataset) -> dict[str, Item]:
    return {item.code: item for item in dataset.items}


def raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_cip_levels(shared_data: Path) -> None:
    items = cip(shared_data).items
    assert {item.scheme for item in items} == {Scheme.CIP_2020}
    assert Counter(item.kind for item in items) == {"series": 48, "group": 457, "program": 2143}
    assert Counter((item.kind, item.depth) for item in items) == {
        ("series", 1): 48,
        ("group", 2): 457,
        ("program", 3): 2143,
    }
    codes = by_code(cip(shared_data))
    assert len(codes) == len(items)
    shapes = {"series": r"\d{2}", "group": r"\d{2}\.\d{2}", "program": r"\d{2}\.\d{4}"}
    assert all(re.fullmatch(shapes[item.kind], item.code) for item in items)
    for item in items:
        assert (item.parent is None) == (item.kind == "series")
        assert item.parent is None or codes[item.parent].depth == item.depth - 1
        assert item.label_en and not item.label_en.endswith(".") and "  " not in item.label_en
        assert item.label_es is None


def test_cip_file_holds_retired_and_reserved_codes(shared_data: Path) -> None:
    """The file's 2,325 six-digit rows (INDEX.md) include codes that are not live CIP 2020 codes."""
    rows = raw_rows(shared_data / "cip_2020" / "CIPCode2020.csv")
    assert len(rows) == 2848
    assert rows[0]["CIPCode"] == '="01"'  # the Excel text wrapper the reader strips
    assert sum(len(row["CIPCode"]) == len('="01.0000"') for row in rows) == 2325
    codes = by_code(cip(shared_data))
    assert "01.0309" not in codes  # "Moved from 01.0309 to 01.1004"
    assert codes["01.1004"].label_en == "Viticulture and Enology"
    assert "45.14" not in codes  # "Deleted, Report under 45.1103"
    assert not {"21", "55", "55.01", "01.0480"} & codes.keys()  # "Reserved."
    assert cip(shared_data).notes[0] == (
        "CIP 2020: 48 series, 457 groups, 2143 programs; "
        "skipped 161 retired rows (moved from / deleted) and 39 reserved placeholders"
    )


def test_cip_automotive_mechanics_and_leading_zeros(shared_data: Path) -> None:
    codes = by_code(cip(shared_data))
    program = codes["47.0604"]
    assert program.label_en == "Automobile/Automotive Mechanics Technology/Technician"
    assert (program.parent, program.depth, program.kind) == ("47.06", 3, "program")
    assert program.description and program.description.startswith("A program that prepares individuals")
    group = codes["47.06"]
    assert group.label_en == "Vehicle Maintenance and Repair Technologies/Technicians"
    assert (group.parent, group.depth, group.kind) == ("47", 2, "group")
    assert codes["47"].label_en == "MECHANIC AND REPAIR TECHNOLOGIES/TECHNICIANS"
    assert codes["01.0000"].label_en == "Agriculture, General"
    assert codes["01.0000"].parent == "01.00"
    assert codes["01.00"].parent == "01"
    assert codes["09.0100"].parent == "09.01"
    assert not any(item.code[0] in '="' or item.code.startswith("1.") for item in codes.values())


def test_cip_soc_pairs(shared_data: Path) -> None:
    rows = raw_rows(shared_data / "cip_2020" / "CIP2020_SOC2018_Crosswalk.csv")
    assert len(rows) == 6097
    assert sum(row["SOC2018Code"] == "99-9999" for row in rows) == 194
    assert sum(row["CIP2020Code"] == "99.9999" for row in rows) == 180
    real = {
        (row["CIP2020Code"], row["SOC2018Code"])
        for row in rows
        if row["SOC2018Code"] != "99-9999" and row["CIP2020Code"] != "99.9999"
    }
    assert len(real) == 5723

    dataset = cip(shared_data)
    edges = dataset.edges
    assert len(edges) == 5723
    assert {(edge.from_code, edge.to_code) for edge in edges} == real
    assert dataset.notes[1] == (
        "CIP-SOC crosswalk: 6097 pairs in the file, 5723 after dropping the no-match rows (194 programs "
        "to SOC 99-9999, 180 occupations from CIP 99.9999), 0 dropped for a CIP code not in CIP 2020; "
        "5723 edges"
    )
    codes = by_code(dataset)
    assert all(edge.from_code in codes and codes[edge.from_code].kind == "program" for edge in edges)
    assert not any(edge.to_code == "99-9999" or edge.from_code == "99.9999" for edge in edges)
    assert all(re.fullmatch(r"\d{2}-\d{4}", edge.to_code) for edge in edges)
    assert {(e.from_scheme, e.to_scheme, e.method, e.source) for e in edges} == {
        (Scheme.CIP_2020, Scheme.SOC_2018, Method.OFFICIAL_CROSSWALK, CIP_SOC_SOURCE)
    }
    assert Counter(edge.relation for edge in edges) == {
        Relation.CLOSE: 5105,
        Relation.BROAD: 407,
        Relation.NARROW: 186,
        Relation.EXACT: 25,
    }

    # 47.0604 goes to 3 occupations, and 49-3023 comes from 8 programmes: one of 8, (1 + 1/8) / 2
    automotive = {edge.to_code: edge for edge in edges if edge.from_code == "47.0604"}
    assert automotive.keys() == {"49-2093", "49-2096", "49-3023"}
    mechanics = automotive["49-3023"]
    assert (mechanics.relation, mechanics.confidence) == (Relation.CLOSE, 0.5625)
    into_mechanics = [edge for edge in edges if edge.to_code == "49-3023"]
    assert len(into_mechanics) == 8
    # the emissions programme leads only to 49-3023, but shares it with 7 others: the same confidence
    assert {edge.confidence for edge in into_mechanics} == {0.5625}


def test_isced_levels(shared_data: Path) -> None:
    items = isced(shared_data).items
    assert {item.scheme for item in items} == {Scheme.ISCED_F_2013}
    assert Counter(item.kind for item in items) == {
        "broad field": 11,
        "narrow field": 29,
        "detailed field": 80,
        "residual field": 99,
    }
    assert Counter((len(item.code), item.depth) for item in items) == {(2, 1): 12, (3, 2): 58, (4, 3): 149}
    codes = by_code(isced(shared_data))
    assert len(codes) == len(items)
    for item in items:
        assert item.parent == (item.code[:-1] if item.depth > 1 else None)
        assert item.parent is None or item.parent in codes
        if item.parent and item.kind in {"narrow field", "detailed field"}:
            assert codes[item.parent].kind != "residual field"
    residual = {item.code for item in items if item.kind == "residual field"}
    assert {"99", "999", "9999", "000", "0000", "0110", "018", "0188", "029", "0119"} <= residual
    assert not {"00", "001", "0011", "10", "104", "1041"} & residual
    assert isced(shared_data).notes == [
        "ISCED-F 2013: 11 broad fields, 29 narrow fields, 80 detailed fields, 99 residual fields "
        "(not further defined, inter-disciplinary, not elsewhere classified, unknown)"
    ]


def test_isced_mechanics_and_spanish_broad_fields(shared_data: Path) -> None:
    codes = by_code(isced(shared_data))
    mechanics = codes["0715"]
    assert mechanics.label_en == "Mechanics and metal trades"
    assert (mechanics.parent, mechanics.depth, mechanics.kind) == ("071", 3, "detailed field")
    assert codes["071"].label_en == "Engineering and engineering trades"
    assert (codes["071"].parent, codes["071"].kind) == ("07", "narrow field")
    assert codes["07"].label_en == "Engineering, manufacturing and construction"
    assert codes["07"].label_es == "Ingeniería, industria y construcción"
    assert codes["00"].label_es == "Programas y certificaciones genéricos"
    assert codes["0021"].label_en == "Literacy and numeracy"  # "Literacy and numerac" in the TSV
    spanish = {item.code for item in codes.values() if item.label_es}
    assert spanish == {f"{n:02d}" for n in range(11)}


def test_isced_derived_file_follows_the_original(shared_data: Path) -> None:
    """The derived CSV the reader uses is the original TSV, row for row, with the zeros restored."""
    folder = shared_data / "isced_f_2013"
    lines = (folder / "ISCED-F_2013_FieldsOfEducationCodes_with_index_terms.tsv").read_text("utf-8")
    original = [tuple(line.split("\t")) for line in lines.splitlines()]
    fields = [(code, title) for code, title in original if code and title]  # index terms have no title
    typos = {"Literacy and numerac": "Literacy and numeracy", "Field unknow": "Field unknown"}
    items = isced(shared_data).items
    assert len(fields) == len(items) == 219
    for (code, title), item in zip(fields, items, strict=True):
        assert int(item.code) == int(code)  # "0111" was written "111", broad "00" and narrow "000" "0"
        assert item.label_en == typos.get(title, title)
