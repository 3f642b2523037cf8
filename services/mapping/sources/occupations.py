"""Occupation classifications as crosswalk items: SOC 2018 and 2010, O*NET-SOC, ISCO-08 and ESCO.

Files (folders laid out like ../shared/data/<folder>; see each folder's PROVENANCE.md):

- `soc_2018/soc2018_all.csv`: the full SOC 2018 hierarchy, 23 major groups, 98 minor groups, 459 broad
  and 867 detailed occupations, each row with its parent code. SOC definitions exist only in the BLS
  workbook (`soc_2018_definitions.xlsx`), which is not read here, so SOC items have no description.
- `soc_2018/soc2010_soc2018.csv`: the BLS 2010 -> 2018 SOC crosswalk (900 pairs; PROVENANCE.md says
  899). It is the only source of SOC 2010 titles besides the ISCO file, and both hold detailed
  occupations only (840 codes, the same set in both), so SOC 2010 items are detailed occupations with
  depth 4 and no parent: the files give no SOC 2010 major, minor or broad groups to hang them on. Some
  2018 titles there carry a "(##)" marker for new occupations; the 2018 titles come from
  `soc2018_all.csv` instead.
- `soc_2018/isco2008_soc2010.csv`: the BLS ISCO-08 -> SOC 2010 crosswalk (1,125 pairs; PROVENANCE.md
  says 1,124). Two of its ISCO codes are 3-digit minor groups, not unit groups: 211 (for 19-2099) and 315
  (for 53-2022), as BLS published them; they are kept, since `read_isco` yields all ISCO levels. Its SOC
  2010 titles have a few typos ("Hydrologist", "Astronomers " with a trailing space), so SOC 2010 titles
  come from the 2010 -> 2018 file first. `soc2010_isco2008.csv` holds the same pairs the other way.
- `onet_soc_2019/Occupation Data.txt`: O*NET-SOC 2019, tab separated, 1,016 occupations: 867 ending in
  ".00" (one per SOC 2018 detailed occupation) and 149 O*NET-specific ".01"-".11" occupations. Every
  code's first seven characters are a SOC 2018 detailed code. 49-3023 has only its ".00" (the older
  ".01"/".02" automotive specialties are gone from the 2019 taxonomy).
- `esco_v1_en/ISCOGroups_en.csv`, `esco_v1_es/ISCOGroups_es.csv`: ISCO-08 as ESCO publishes it, all four
  levels (10 major, 43 sub-major, 130 minor, 436 unit groups) with English descriptions and Spanish
  labels (the Spanish file has no descriptions). ESCO's English titles use British spelling
  ("organisation") where the BLS crosswalk uses American.
- `esco_v1_en/occupations_en.csv`, `esco_v1_es/occupations_es.csv`: the 2,942 ESCO v1.0.x occupations,
  joined on `conceptUri`; the item code is the URI's last segment (a UUID): these files have no ESCO
  notation codes (like 2654.1.7). Spanish preferred labels give both genders as "masculine/feminine"
  ("director técnico/directora técnica") and are kept as written; the Spanish file has no descriptions.
- `esco_v1_es/broaderRelationsOccPillar.csv`: each occupation's one broader concept, another occupation
  (1,240) or an ISCO group (1,702). An occupation's `parent` is its broader occupation, None when it hangs
  directly from an ISCO group; `depth` counts occupation levels from 1.

The two ESCO snapshots are not the same release: six occupations have a different `iscoGroup` in the
English and Spanish files (radiographers 2269 vs 3211, army corporal 0210 vs 0310, night auditor 4226
vs 3313). The ISCO edge uses the Spanish file's group, which agrees with the broader relations of the same
snapshot and with ISCO-08's own placement (radiographers in 3211, corporals in 0310); the differences are
listed in the dataset notes.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from services.mapping.model import (
    Dataset,
    Edge,
    Item,
    Method,
    Relation,
    Scheme,
    Term,
    TermKind,
    crosswalk_edges,
)

SOC_2010_2018_SOURCE = "BLS, 2010 SOC to 2018 SOC crosswalk"
ISCO_SOC_2010_SOURCE = "BLS, ISCO-08 to 2010 SOC crosswalk"
ONET_SOURCE = "O*NET-SOC taxonomy: each occupation's code begins with its SOC code"
ESCO_ISCO_SOURCE = "ESCO v1: each occupation's ISCO-08 group"

# soc2018_all.csv's Hierarchical_structure -> (depth, kind)
SOC_LEVELS: dict[str, tuple[int, str]] = {
    "Major": (1, "major group"),
    "Minor": (2, "minor group"),
    "Broad": (3, "broad occupation"),
    "Detailed": (4, "detailed occupation"),
}
# ISCO-08 code length -> kind
ISCO_LEVELS: dict[int, str] = {1: "major group", 2: "sub-major group", 3: "minor group", 4: "unit group"}


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    """A CSV file's rows; tab-separated files (O*NET) use no quoting at all."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=delimiter, quoting=quoting))


def _text(value: str | None) -> str | None:
    """A cell's text, stripped; None when empty."""
    value = (value or "").strip()
    return value or None


def _relations(edges: list[Edge]) -> str:
    counts = Counter(e.relation.value for e in edges)
    return ", ".join(f"{n} {relation}" for relation, n in sorted(counts.items()))


def read_soc(folder: Path) -> Dataset:
    """SOC 2018 (all levels) and SOC 2010 (detailed only), with the BLS crosswalks of `folder`.

    Items: SOC 2018 major/minor groups, broad and detailed occupations with their parents (depth 1-4);
    SOC 2010 detailed occupations as the crosswalk files hold them: depth 4, parent None, since the
    files give no SOC 2010 upper levels. Edges: SOC 2010 -> SOC 2018 and ISCO-08 -> SOC 2010, their
    relation and confidence from each table's cardinality. The ISCO-08 items come from `read_isco`.
    """
    dataset = Dataset("soc")
    levels: Counter[str] = Counter()
    for row in _rows(folder / "soc2018_all.csv"):
        depth, kind = SOC_LEVELS[row["Hierarchical_structure"]]
        parent = _text(row["parent"])
        dataset.items.append(
            Item(
                Scheme.SOC_2018,
                row["code"].strip(),
                None,
                _text(row["title"]),
                parent=None if parent == "NA" else parent,
                depth=depth,
                kind=kind,
            )
        )
        levels[kind] += 1
    dataset.notes.append("SOC 2018: " + ", ".join(f"{n} {kind}s" for kind, n in levels.items()))

    soc_2010 = _rows(folder / "soc2010_soc2018.csv")
    isco_2010 = _rows(folder / "isco2008_soc2010.csv")
    titles: dict[str, str | None] = {}
    for row in soc_2010:
        titles.setdefault(row["soc2010"].strip(), _text(row["soc2010_title"]))
    for row in isco_2010:
        titles.setdefault(row["soc2010"].strip(), _text(row["soc2010_title"]))
    for code, title in titles.items():
        dataset.items.append(Item(Scheme.SOC_2010, code, None, title, depth=4, kind="detailed occupation"))
    dataset.notes.append(f"SOC 2010: {len(titles)} detailed occupations (the files give no upper levels)")

    edges = crosswalk_edges(
        ((row["soc2010"].strip(), row["soc2018"].strip()) for row in soc_2010),
        Scheme.SOC_2010,
        Scheme.SOC_2018,
        Method.OFFICIAL_CROSSWALK,
        SOC_2010_2018_SOURCE,
    )
    dataset.edges.extend(edges)
    dataset.notes.append(f"SOC 2010 -> SOC 2018: {len(edges)} edges ({_relations(edges)})")

    edges = crosswalk_edges(
        ((row["isco2008"].strip(), row["soc2010"].strip()) for row in isco_2010),
        Scheme.ISCO_08,
        Scheme.SOC_2010,
        Method.OFFICIAL_CROSSWALK,
        ISCO_SOC_2010_SOURCE,
    )
    dataset.edges.extend(edges)
    dataset.notes.append(f"ISCO-08 -> SOC 2010: {len(edges)} edges ({_relations(edges)})")
    minor = sorted({e.from_code for e in edges if len(e.from_code) != 4})
    if minor:
        dataset.notes.append(f"ISCO-08 -> SOC 2010 uses non-unit ISCO groups: {', '.join(minor)}")
    return dataset


def read_isco(esco_en: Path, esco_es: Path) -> Dataset:
    """ISCO-08, all four levels, from ESCO's ISCO group files: English labels and descriptions, Spanish
    labels. Codes are 1-4 digit strings ("0", "01", "011", "0110"); a group's parent is its code minus
    the last digit."""
    spanish = {
        row["code"].strip(): _text(row["preferredLabel"]) for row in _rows(esco_es / "ISCOGroups_es.csv")
    }
    dataset = Dataset("isco")
    levels: Counter[str] = Counter()
    for row in _rows(esco_en / "ISCOGroups_en.csv"):
        code = row["code"].strip()
        kind = ISCO_LEVELS[len(code)]
        dataset.items.append(
            Item(
                Scheme.ISCO_08,
                code,
                spanish.get(code),
                _text(row["preferredLabel"]),
                parent=code[:-1] or None,
                depth=len(code),
                kind=kind,
                description=_text(row["description"]),
            )
        )
        levels[kind] += 1
    dataset.notes.append("ISCO-08: " + ", ".join(f"{n} {kind}s" for kind, n in levels.items()))
    missing = sum(1 for item in dataset.items if item.label_es is None)
    dataset.notes.append(f"ISCO-08: {missing} groups without a Spanish label")
    return dataset


def read_onet(folder: Path, soc_codes: set[str] | None = None) -> Dataset:
    """O*NET-SOC occupations of `folder`, each linked to its SOC 2018 detailed occupation.

    The link is exactMatch for a ".00" code (the SOC occupation itself) and broadMatch for an O*NET
    specialty (".01" and up: the SOC occupation is broader). With `soc_codes`, edges to SOC codes not in
    it are left out and listed in the notes.
    """
    dataset = Dataset("onet")
    missing: list[str] = []
    for row in _rows(folder / "Occupation Data.txt", delimiter="\t"):
        code = row["O*NET-SOC Code"].strip()
        dataset.items.append(
            Item(
                Scheme.ONET_SOC,
                code,
                None,
                _text(row["Title"]),
                depth=1,
                kind="occupation",
                description=_text(row["Description"]),
            )
        )
        soc = code[:7]
        if soc_codes is not None and soc not in soc_codes:
            missing.append(code)
            continue
        relation = Relation.EXACT if code.endswith(".00") else Relation.BROAD
        dataset.edges.append(
            Edge(
                Scheme.ONET_SOC, code, Scheme.SOC_2018, soc, relation, 1.0, Method.IDENTICAL_CODE, ONET_SOURCE
            )
        )
    dataset.notes.append(
        f"O*NET-SOC: {len(dataset.items)} occupations, {len(dataset.edges)} edges to SOC 2018 "
        f"({_relations(dataset.edges)})"
    )
    if missing:
        dataset.notes.append(f"O*NET-SOC codes whose SOC 2018 code does not exist: {', '.join(missing)}")
    return dataset


def read_esco(en: Path, es: Path) -> Dataset:
    """ESCO occupations: English labels and descriptions from `en`, Spanish labels, ISCO-08 groups and
    the occupation hierarchy from `es`.

    Each occupation gets a broadMatch edge to its ISCO-08 unit group (the Spanish snapshot's `iscoGroup`,
    the English one's when the Spanish file lacks the occupation). `parent` is the broader occupation
    from broaderRelationsOccPillar.csv, None when the broader concept is an ISCO group.
    """
    spanish = {row["conceptUri"].strip(): row for row in _rows(es / "occupations_es.csv")}
    broader = esco_broader(es)

    def depth(code: str) -> int:
        seen = {code}
        while code in broader and broader[code] not in seen:
            code = broader[code]
            seen.add(code)
        return len(seen)

    dataset = Dataset("esco")
    differ: list[str] = []
    english = _rows(en / "occupations_en.csv")
    for row in english:
        uri = row["conceptUri"].strip()
        code = _uuid(uri)
        es_row = spanish.get(uri)
        isco = row["iscoGroup"].strip()
        if es_row is not None and es_row["iscoGroup"].strip() != isco:
            differ.append(f"{row['preferredLabel']} ({isco} in English, {es_row['iscoGroup']} in Spanish)")
            isco = es_row["iscoGroup"].strip()
        dataset.items.append(
            Item(
                Scheme.ESCO,
                code,
                _text(es_row["preferredLabel"]) if es_row else None,
                _text(row["preferredLabel"]),
                parent=broader.get(code),
                depth=depth(code),
                kind="occupation",
                description=_text(row["description"]),
            )
        )
        dataset.edges.append(
            Edge(
                Scheme.ESCO,
                code,
                Scheme.ISCO_08,
                isco,
                Relation.BROAD,
                1.0,
                Method.OFFICIAL_CROSSWALK,
                ESCO_ISCO_SOURCE,
            )
        )
    codes = {item.code for item in dataset.items}
    dangling = sum(1 for item in dataset.items if item.parent is not None and item.parent not in codes)
    spanish_labels = sum(1 for item in dataset.items if item.label_es)
    dataset.notes.append(
        f"ESCO: {len(dataset.items)} occupations, {spanish_labels} with a Spanish label, "
        f"{sum(1 for item in dataset.items if item.parent)} under another occupation"
        + (f", {dangling} with a parent not in the file" if dangling else "")
    )
    if differ:
        dataset.notes.append("ESCO ISCO group differs between snapshots (Spanish kept): " + "; ".join(differ))
    dataset.terms = esco_terms(english, spanish)
    langs = Counter(term.lang for term in dataset.terms)
    dataset.notes.append(
        f"ESCO alternative labels: {langs['es']:,} Spanish, {langs['en']:,} English. ESCO skills "
        "(esco_v1_skills_en_us, skills_es) are not read: without the occupation-skill relations, which "
        "this release's files lack, a skill points to no occupation"
    )
    return dataset


def esco_broader(es: Path) -> dict[str, str]:
    """Each ESCO occupation's broader occupation (codes), from broaderRelationsOccPillar.csv."""
    broader: dict[str, str] = {}
    for row in _rows(es / "broaderRelationsOccPillar.csv"):
        if row["conceptType"] == "Occupation" and row["broaderType"] == "Occupation":
            broader[_uuid(row["conceptUri"])] = _uuid(row["broaderUri"])
    return broader


def esco_terms(en_rows: list[dict[str, str]], es_rows: dict[str, dict[str, str]]) -> list[Term]:
    """ESCO's alternative labels, Spanish and English, as terms; a label equal to the occupation's
    preferred label in that language (which is already its label_es/label_en) is left out."""
    terms = []
    for lang, rows in (("en", {row["conceptUri"].strip(): row for row in en_rows}), ("es", es_rows)):
        source = f"ESCO v1.0 ({lang}): altLabels"
        for uri, row in rows.items():
            preferred = (row["preferredLabel"] or "").strip().lower()
            for label in dict.fromkeys(" ".join(a.split()) for a in (row["altLabels"] or "").split("\n")):
                if label and label.lower() != preferred:
                    terms.append(
                        Term(Scheme.ESCO, _uuid(uri), lang, TermKind.ALTERNATIVE_LABEL, label, source)
                    )
    return terms


def _uuid(uri: str) -> str:
    """The last path segment of an ESCO concept URI."""
    return uri.strip().rstrip("/").rsplit("/", 1)[-1]
