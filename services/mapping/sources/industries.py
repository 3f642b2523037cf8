"""SCIAN 2023 (Mexico) and NAICS 2017/2022 (US) as crosswalk items, and the edges between them.

Source files (folders laid out like ../shared/data/scian_2023_mx and ../shared/data/naics):

- `cat_scian_2023_gdmty_fixture.json`: a Django fixture (MIT, gobiernodigitalmonterrey/gdmty-django-scian)
  of all 2,118 SCIAN 2023 rows with explicit parent links (`tn_parent`). It splits the ranged sectors into
  31/32/33 and 48/49 (same title and text), so 23 "sectors"; INEGI's official codes are "31-33" and
  "48-49", which we keep, pointing their subsectors (311.., 481..) at them: 20 sectors as published.
- `scian_2023_categorias_y_productos.xlsx`: INEGI's own workbook, read only for the trilateral "T" mark.
  A "T" glued to the end of a title ("Cultivo de soyaT ") marks a category identical in Mexico, the US and
  Canada. The fixture lost almost all of them: its author stripped "T " (with the trailing space, 770 of
  the 798 marks) and kept only the 28 written without a space ("Edición de softwareT"). So the marks come
  from the workbook, read with the standard library (an .xlsx is zipped XML): 20 sectors, 75 subsectors,
  238 ramas, 465 subramas and no clase (the 6-digit level is national) carry it.
- `naics2017_all.csv`, `naics2022_all.csv` (danielruss/codingsystems, from the US Census Bureau): every
  2-6 digit code with its chain of ancestors (`naics2d`..`naics6d`, "NA" when empty); ranged sectors keep
  their range code ("31-33", "44-45", "48-49") in `naics2d`. The 2022 file adds a non-official
  "99 Unknown" chain (99 .. 999999) that we drop.
- `naics2017_naics2022.csv`: the Census 2017 -> 2022 concordance at the 6-digit level, 1,150 pairs.

SCIAN <-> NAICS: no concordance table was found, so the only edges are the T-marked SCIAN categories whose
code is also a NAICS 2022 code (`scian_naics_matches`). T-marked categories whose Mexican code differs
(trade: SCIAN 43/46 vs NAICS 42/44-45; government: 93 vs 92) get no edge: we do not guess the match.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from services.mapping.model import Dataset, Edge, Item, Method, Relation, Scheme, crosswalk_edges
from services.mapping.sources.xlsx import shared_strings, sheet_cells, sheet_paths

SCIAN_FIXTURE = "cat_scian_2023_gdmty_fixture.json"
SCIAN_WORKBOOK = "scian_2023_categorias_y_productos.xlsx"
NAICS_FILES = {Scheme.NAICS_2017: "naics2017_all.csv", Scheme.NAICS_2022: "naics2022_all.csv"}
NAICS_CONCORDANCE = "naics2017_naics2022.csv"

NAICS_CONCORDANCE_SOURCE = "US Census Bureau, 2017 NAICS to 2022 NAICS concordance"
TRILATERAL_SOURCE = "INEGI, SCIAN 2023: categories marked T are identical in Mexico, the US and Canada"

SCIAN_KINDS = ("sector", "subsector", "rama", "subrama", "clase")
NAICS_KINDS = ("sector", "subsector", "industry group", "NAICS industry", "national industry")
# The workbook's one sheet per level, in the order of SCIAN_KINDS.
SCIAN_LEVEL_SHEETS = ("SECTOR", "SUBSECTOR", "RAMA", "SUBRAMA", "CLASE")
# The fixture splits these ranged sectors into their 2-digit parts.
SCIAN_RANGED = {"31": "31-33", "32": "31-33", "33": "31-33", "48": "48-49", "49": "48-49"}
NAICS_UNKNOWN = "99"  # the 2022 file's synthetic "Unknown" chain: 99, 999, ..., 999999


def split_trilateral(title: str) -> tuple[str, bool]:
    """A SCIAN title without its trailing "T" mark, and whether it had one."""
    title = title.strip()
    if title.endswith("T"):
        return title[:-1].rstrip(), True
    return title, False


def read_scian(folder: Path) -> Dataset:
    """SCIAN 2023 from the fixture: 20 sectors, 94 subsectors, 305 ramas, 610 subramas, 1,086 clases."""
    rows = json.loads((folder / SCIAN_FIXTURE).read_text(encoding="utf-8"))
    dataset = Dataset("scian_2023_mx")
    seen: set[str] = set()
    for row in rows:
        fields = row["fields"]
        code = SCIAN_RANGED.get(str(row["pk"]), str(row["pk"]))
        if code in seen:  # the second and third part of a ranged sector
            continue
        seen.add(code)
        parent = fields["tn_parent"]
        depth = SCIAN_KINDS.index(fields["nivel"]) + 1
        description = fields["descripcion"].strip() or None
        dataset.items.append(
            Item(
                Scheme.SCIAN_2023,
                code,
                label_es=split_trilateral(fields["titulo"])[0],
                label_en=None,
                parent=None if parent is None else SCIAN_RANGED.get(str(parent), str(parent)),
                depth=depth,
                kind=fields["nivel"],
                description=description,
            )
        )
    dataset.notes.append(_level_counts("SCIAN 2023", dataset.items, SCIAN_KINDS))
    return dataset


def scian_trilateral_codes(folder: Path) -> set[str]:
    """The SCIAN 2023 codes whose title carries the trilateral "T" mark in INEGI's workbook (798)."""
    with zipfile.ZipFile(folder / SCIAN_WORKBOOK) as book:
        strings = shared_strings(book)
        sheets = sheet_paths(book)
        codes: set[str] = set()
        for name in SCIAN_LEVEL_SHEETS:
            for code, title in _code_title_rows(book, sheets[name], strings):
                if split_trilateral(title)[1]:
                    codes.add(code)
    return codes


def read_naics(folder: Path) -> Dataset:
    """NAICS 2017 and 2022, all levels, and the 2017 -> 2022 concordance as edges."""
    dataset = Dataset("naics")
    for scheme, name in NAICS_FILES.items():
        with (folder / name).open(encoding="utf-8", newline="") as file:
            items = [_naics_item(scheme, row) for row in csv.DictReader(file)]
        items = [item for item in items if not item.code.startswith(NAICS_UNKNOWN)]
        dataset.items.extend(items)
        dataset.notes.append(_level_counts(scheme.value.replace("_", " "), items, NAICS_KINDS))

    known = {(item.scheme, item.code) for item in dataset.items}
    with (folder / NAICS_CONCORDANCE).open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    pairs = [
        (row["naics2017"].strip(), row["naics2022"].strip())
        for row in rows
        if (Scheme.NAICS_2017, row["naics2017"].strip()) in known
        and (Scheme.NAICS_2022, row["naics2022"].strip()) in known
    ]
    dataset.edges = crosswalk_edges(
        pairs, Scheme.NAICS_2017, Scheme.NAICS_2022, Method.OFFICIAL_CROSSWALK, NAICS_CONCORDANCE_SOURCE
    )
    relations = ", ".join(
        f"{sum(e.relation is r for e in dataset.edges)} {r.value}"
        for r in Relation
        if any(e.relation is r for e in dataset.edges)
    )
    dataset.notes.append(
        f"NAICS 2017 -> 2022 concordance: {len(rows)} rows, {len(dataset.edges)} edges ({relations})"
    )
    return dataset


def scian_naics_matches(scian: Dataset, naics: Dataset, trilateral: set[str]) -> list[Edge]:
    """SCIAN 2023 -> NAICS 2022 exactMatch edges for the T-marked categories with the same code.

    With the shared data: 798 T-marked codes, 795 of them also NAICS 2022 codes, so 795 edges
    (17 sectors, 75 subsectors, 238 ramas, 465 subramas; no clase is T-marked). The other 3 are the
    sectors Mexico numbers its own way, 43 and 46 (trade; NAICS 42, 44-45) and 93 (government; NAICS 92):
    identical in content but not in code, so they get no edge here.
    """
    naics_codes = {item.code for item in naics.items if item.scheme is Scheme.NAICS_2022}
    return [
        Edge(
            Scheme.SCIAN_2023,
            item.code,
            Scheme.NAICS_2022,
            item.code,
            Relation.EXACT,
            1.0,
            Method.IDENTICAL_CODE,
            TRILATERAL_SOURCE,
        )
        for item in scian.items
        if item.scheme is Scheme.SCIAN_2023 and item.code in trilateral and item.code in naics_codes
    ]


def _naics_item(scheme: Scheme, row: dict[str, str]) -> Item:
    level = int(row["Level"])  # 2..6, the number of digits
    parent = row[f"naics{level - 1}d"] if level > 2 else None
    return Item(
        scheme,
        row["code"].strip(),
        label_es=None,
        label_en=row["title"].strip(),
        parent=parent.strip() if parent else None,
        depth=level - 1,
        kind=NAICS_KINDS[level - 2],
    )


def _level_counts(name: str, items: list[Item], kinds: tuple[str, ...]) -> str:
    counts = ", ".join(f"{sum(item.kind == kind for item in items)} {kind}" for kind in kinds)
    return f"{name}: {len(items)} items ({counts})"


def _code_title_rows(book: zipfile.ZipFile, path: str, strings: list[str]) -> list[tuple[str, str]]:
    """(code, title) of a level sheet's rows: columns A and B below the two header rows.

    Codes are stored as numbers ("11.0") except the ranged sectors, which are text ("31-33").
    """
    rows = []
    for number, cells in sheet_cells(book, path, strings):
        code, title = cells.get("A", "").strip(), cells.get("B", "")
        if number > 2 and code:
            rows.append((code.removesuffix(".0"), title))
    return rows
