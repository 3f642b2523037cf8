"""INEGI's SINCO 2011 (Mexico's occupation classification) as crosswalk items, with INEGI's comparison
tables to SOC 2010 and ISCO-08 as edges.

Files (../shared/data/sinco_2011_inegi; see its PROVENANCE.md): the `*_DERIVED.csv` copies of INEGI's
workbook `mexico_sinco_tablas_comparativas.xlsx` (nov. 2012), read instead of the workbook because its
merged and blank cells are already resolved there:

- `sinco2011_structure_DERIVED.csv`: 686 groups, 9 divisiones, 53 grupos principales, 156 subgrupos and
  468 grupos unitarios (459 + the nine "x999 no especificados"), Spanish titles; a group's parent is its
  code minus the last digit.
- `sinco2011_soc2010_DERIVED.csv`: 798 rows to SOC 2010 **broad** occupations ("11-1010"), a few to a
  detailed one ("43-6014") and one to a minor group (7343 -> "27-1000"). Our SOC 2010 items are detailed
  occupations only (the BLS files give no upper levels), so a broad or minor code is expanded to the
  detailed SOC 2010 occupations under it (broad XX-XXX0 covers XX-XXX1..9), each edge's note naming the
  published code.
- `sinco2011_isco08_DERIVED.csv`: 669 rows to ISCO-08 unit groups. The workbook stores codes as numbers,
  so 0310 (armed forces, other ranks) lost its leading zero ("310"): a 3-digit code is read as "0" + code.

`relation` in both: `explicit` (printed in the workbook), `no_correspondence` (no edge),
`carried_forward_*`: the workbook's cell is empty and the derived file copied the previous group's target
(e.g. 2162 Dibujantes after 2161 Pintores -> 27-1010). That reading is an interpretation, not INEGI's, so
those edges keep their relation but carry half the confidence and a note saying so.

The tables also name each target in Spanish, in Mexican usage (INEGI's translation): those names become
Spanish terms of the targets, so a standard's title can match a US occupation directly. A SOC 2010 title
goes to each detailed occupation its code stands for (`label` when the code is that occupation, else
`alternative_label`: the broad group's name is another name of each occupation under it); an ISCO-08
title is an `alternative_label` where it differs from the group's Spanish label (ESCO's, Spain's usage).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from services.mapping.model import Dataset, Edge, Item, Method, Scheme, Term, TermKind, crosswalk_edges

STRUCTURE = "sinco2011_structure_DERIVED.csv"
TO_SOC_2010 = "sinco2011_soc2010_DERIVED.csv"
TO_ISCO_08 = "sinco2011_isco08_DERIVED.csv"
SOC_SOURCE = "INEGI, SINCO 2011, Tablas comparativas (nov. 2012): SINCO-SOC"
ISCO_SOURCE = "INEGI, SINCO 2011, Tablas comparativas (nov. 2012): SINCO-CIUO"
KINDS = {1: "división", 2: "grupo principal", 3: "subgrupo", 4: "grupo unitario"}
CARRIED = "carried_forward_from_previous_group"
CARRIED_NOTE = (
    "the workbook's cell is empty; the previous SINCO group's target was carried forward "
    "(an interpretation, not INEGI's): confidence halved"
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def soc_2010_detailed(code: str, detailed: set[str]) -> list[str]:
    """The detailed SOC 2010 codes a published code stands for: itself when detailed, else those under
    its broad ("11-1010": 11-101x) or minor ("27-1000": 27-1xxx) group."""
    if code in detailed:
        return [code]
    prefix = code[:4] if code.endswith("000") else code[:6] if code.endswith("0") else None
    return sorted(c for c in detailed if prefix and c.startswith(prefix))


def read_sinco(folder: Path, soc_2010: set[str], isco_es: Mapping[str, str | None] | None = None) -> Dataset:
    """SINCO 2011 items (all four levels) and their edges to detailed SOC 2010 occupations (`soc_2010`,
    the codes that are items) and to ISCO-08 groups, relation and confidence by `crosswalk_edges`; the
    tables' Spanish names of those targets as terms (`isco_es`: ISCO-08 code -> its Spanish label, to
    leave out the names it already has)."""
    dataset = Dataset("sinco")
    for row in _rows(folder / STRUCTURE):
        code, level = row["sinco2011_code"], int(row["level"])
        dataset.items.append(
            Item(
                Scheme.SINCO_2011,
                code,
                row["title_es"] or None,
                None,
                parent=code[:-1] or None,
                depth=level,
                kind=KINDS[level],
            )
        )
    levels = Counter(item.kind for item in dataset.items)
    dataset.notes.append("SINCO 2011: " + ", ".join(f"{n} {kind}" for kind, n in levels.items()))

    soc_rows = _rows(folder / TO_SOC_2010)
    published: dict[tuple[str, str], str] = {}  # (sinco, detailed SOC 2010) -> the published code
    carried: set[tuple[str, str]] = set()
    unplaced: set[str] = set()
    for row in soc_rows:
        sinco, target = row["sinco2011_code"], row["soc2010_code"]
        if not target:
            continue
        detailed = soc_2010_detailed(target, soc_2010)
        if not detailed:
            unplaced.add(target)
        for code in detailed:
            published.setdefault((sinco, code), target)
            if row["relation"] == CARRIED:
                carried.add((sinco, code))
    soc_edges = crosswalk_edges(
        published, Scheme.SINCO_2011, Scheme.SOC_2010, Method.OFFICIAL_CROSSWALK, SOC_SOURCE
    )
    soc_edges = [
        _noted(e, published[e.from_code, e.to_code], (e.from_code, e.to_code) in carried) for e in soc_edges
    ]
    dataset.edges.extend(soc_edges)
    dataset.notes.append(
        f"SINCO -> SOC 2010: {len(soc_rows)} rows, {len(soc_edges)} edges to detailed occupations "
        f"({sum(e.note is not None and 'carried' in e.note for e in soc_edges)} carried forward), "
        f"{_count(soc_rows, 'no_correspondence')} groups without correspondence"
        + (
            f"; published codes with no detailed SOC 2010 item: {', '.join(sorted(unplaced))}"
            if unplaced
            else ""
        )
    )

    soc_terms = _soc_terms(soc_rows, soc_2010)
    dataset.terms.extend(soc_terms)
    dataset.notes.append(
        f"SINCO -> SOC 2010: {len(soc_terms)} Spanish names of detailed SOC 2010 occupations "
        f"({len({t.term for t in soc_terms})} distinct titles)"
    )

    isco_rows = _rows(folder / TO_ISCO_08)
    pairs: list[tuple[str, str]] = []
    carried_isco: set[tuple[str, str]] = set()
    for row in isco_rows:
        target = row["isco08_code"]
        if not target:
            continue
        pair = (row["sinco2011_code"], target.zfill(4) if len(target) == 3 else target)
        pairs.append(pair)
        if row["relation"] == CARRIED:
            carried_isco.add(pair)
    isco_edges = crosswalk_edges(
        pairs, Scheme.SINCO_2011, Scheme.ISCO_08, Method.OFFICIAL_CROSSWALK, ISCO_SOURCE
    )
    isco_edges = [_noted(e, None, (e.from_code, e.to_code) in carried_isco) for e in isco_edges]
    dataset.edges.extend(isco_edges)
    dataset.notes.append(
        f"SINCO -> ISCO-08: {len(isco_rows)} rows, {len(isco_edges)} edges "
        f"({len(carried_isco)} carried forward), {_count(isco_rows, 'no_correspondence')} groups without "
        "correspondence"
    )
    isco_terms = _isco_terms(isco_rows, isco_es or {})
    dataset.terms.extend(isco_terms)
    dataset.notes.append(f"SINCO -> ISCO-08: {len(isco_terms)} Spanish names unlike the groups' labels")
    return dataset


def _soc_terms(rows: list[dict[str, str]], soc_2010: set[str]) -> list[Term]:
    kinds: dict[tuple[str, str], TermKind] = {}
    for row in rows:
        target, title = row["soc2010_code"], row["soc2010_title_es"]
        if not (target and title):
            continue
        for code in soc_2010_detailed(target, soc_2010):
            kind = TermKind.LABEL if code == target else TermKind.ALTERNATIVE_LABEL
            kinds.setdefault((code, title), kind)
    return [
        Term(Scheme.SOC_2010, code, "es", kind, title, SOC_SOURCE) for (code, title), kind in kinds.items()
    ]


def _isco_terms(rows: list[dict[str, str]], isco_es: Mapping[str, str | None]) -> list[Term]:
    titles: dict[tuple[str, str], None] = {}
    for row in rows:
        target, title = row["isco08_code"], row["isco08_title_es"]
        if not (target and title):
            continue
        code = target.zfill(4) if len(target) == 3 else target
        if _folded(title) != _folded(isco_es.get(code) or ""):
            titles[(code, title)] = None
    return [
        Term(Scheme.ISCO_08, code, "es", TermKind.ALTERNATIVE_LABEL, title, ISCO_SOURCE)
        for code, title in titles
    ]


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _count(rows: list[dict[str, str]], relation: str) -> int:
    return len({row["sinco2011_code"] for row in rows if row["relation"].endswith(relation)})


def _noted(edge: Edge, published: str | None, carried: bool) -> Edge:
    notes = []
    if published is not None and published != edge.to_code:
        notes.append(f"INEGI's table gives SOC 2010 {published}, which covers this detailed occupation")
    if carried:
        notes.append(CARRIED_NOTE)
    confidence = round(edge.confidence / 2, 4) if carried else edge.confidence
    return replace(edge, confidence=confidence, note="; ".join(notes) or None)
