"""Nesta's research crosswalk from ESCO occupations to O*NET occupations (Mapping Career Causeways, 2020).

File: `esco_onet_crosswalk_nesta_2020/esco_onet_crosswalk_Nov2020.csv`, 1,680 rows, one per ESCO
occupation of the level just below the ISCO-08 unit groups, each with its best O*NET occupation, a
Sentence-BERT `semantic_similarity` (0-1) and the authors' `confidence` (0.5, 1 or 2, highest). The study
built it from the O*NET-ISCO crosswalk and text similarity, deciding by hand where the two disagreed; it
is not an official table, hence `research_crosswalk`.

The rule a reviewer can check: **confidence = w x (1 + s) / 2, where w is 1.0, 0.8 or 0.5 for the study's
confidence 2, 1 or 0.5 and s is its semantic similarity; the relation is closeMatch, relatedMatch at the
study's lowest confidence**. The study says lower-level ESCO occupations inherit their parent's O*NET
code: each gets its nearest matched ancestor's edge as a broadMatch at 0.8 of that confidence.

The study used the O*NET-SOC **2010** taxonomy; our items are O*NET-SOC 2019. A code of both is kept as is
(39 of those have a reworded title, e.g. "gaming dealers" / "Gambling Dealers"). A code 2019 dropped is
replaced by the 2019 occupation of the same title ("video game designers" 15-1199.11 -> 15-1255.01);
else, when its SOC 2010 code has a single SOC 2018 successor, by that SOC's ".00" occupation as a
broadMatch (a specialty reached through its SOC is broader). Rows whose SOC split in 2018 (e.g. 15-1132
applications software developers -> 15-1252 or 15-1253) get no edge and are listed in the notes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from services.mapping.model import Dataset, Edge, Method, Relation, Scheme

CROSSWALK = "esco_onet_crosswalk_Nov2020.csv"
SOURCE = "Nesta, Mapping Career Causeways (2020): ESCO-O*NET crosswalk, Nov 2020"
STUDY_WEIGHT = {"2.0": 1.0, "1.0": 0.8, "0.5": 0.5}
INHERITED = 0.8


@dataclass(frozen=True, slots=True)
class OnetTaxonomy:
    """What translating O*NET-SOC 2010 codes needs: the 2019 codes and titles, SOC 2010 -> 2018."""

    titles: dict[str, str]  # O*NET-SOC 2019 code -> title
    soc_2010_2018: dict[str, set[str]]


def read_esco_onet(folder: Path, taxonomy: OnetTaxonomy, esco_broader: dict[str, str]) -> Dataset:
    """ESCO -> ONET_SOC edges of the crosswalk, and the inherited ones of `esco_broader` (child ESCO code
    -> its broader ESCO occupation's code)."""
    dataset = Dataset("esco-onet")
    by_title: dict[str, list[str]] = defaultdict(list)
    for code, title in taxonomy.titles.items():
        by_title[title.lower()].append(code)
    with (folder / CROSSWALK).open(newline="", encoding="utf-8-sig") as f:
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]

    matched: dict[str, Edge] = {}
    translated: dict[str, int] = defaultdict(int)
    unplaced: dict[str, str] = {}
    for row in rows:
        level = row["confidence"]
        if level not in STUDY_WEIGHT:
            raise ValueError(
                f"{CROSSWALK}: confidence {level!r} of {row['esco_occupation']} is not 0.5, 1 or 2"
            )
        similarity = min(max(float(row["semantic_similarity"]), 0.0), 1.0)
        code, how = _onet_2019(row["onet_code"], row["onet_occupation"], taxonomy, by_title)
        if code is None:
            unplaced[row["onet_code"]] = row["onet_occupation"]
            continue
        translated[how] += 1
        relation = Relation.RELATED if level == "0.5" else Relation.CLOSE
        note = None
        if how != "same code":
            note = (
                f"the study's O*NET-SOC 2010 {row['onet_code']} ({row['onet_occupation']}) is {code} in 2019"
            )
            if how == "through SOC":
                relation = Relation.BROAD
                note += ", through its SOC 2018 successor"
        esco = row["concept_uri"].rstrip("/").rsplit("/", 1)[-1]
        confidence = round(STUDY_WEIGHT[level] * (1 + similarity) / 2, 4)
        matched[esco] = Edge(
            Scheme.ESCO,
            esco,
            Scheme.ONET_SOC,
            code,
            relation,
            confidence,
            Method.RESEARCH_CROSSWALK,
            SOURCE,
            note,
        )
    dataset.edges.extend(matched.values())

    inherited = 0
    for child in esco_broader:
        ancestor, seen = esco_broader.get(child), {child}
        while ancestor is not None and ancestor not in matched and ancestor not in seen:
            seen.add(ancestor)
            ancestor = esco_broader.get(ancestor)
        if child in matched or ancestor is None or ancestor not in matched:
            continue
        edge = matched[ancestor]
        dataset.edges.append(
            replace(
                edge,
                from_code=child,
                relation=Relation.BROAD,
                confidence=round(edge.confidence * INHERITED, 4),
                note=f"inherited from the broader ESCO occupation {ancestor}, as the study prescribes",
            )
        )
        inherited += 1
    dataset.notes.append(
        f"ESCO -> O*NET (Nesta 2020): {len(rows):,} rows, {len(matched):,} edges ("
        + ", ".join(f"{n:,} {how}" for how, n in translated.items())
        + f"); {inherited:,} inherited by narrower ESCO occupations"
    )
    if unplaced:
        dataset.notes.append(
            f"ESCO -> O*NET: {sum(r['onet_code'] in unplaced for r in rows)} rows without an edge, their "
            "O*NET-SOC 2010 code split in 2019: " + "; ".join(f"{c} {t}" for c, t in sorted(unplaced.items()))
        )
    return dataset


def _onet_2019(
    code: str, title: str, taxonomy: OnetTaxonomy, by_title: dict[str, list[str]]
) -> tuple[str | None, str]:
    if code in taxonomy.titles:
        return code, "same code"
    same_title = by_title.get(title.lower(), [])
    if len(same_title) == 1:
        return same_title[0], "same title"
    successors = taxonomy.soc_2010_2018.get(code[:7], set())
    if len(successors) == 1:
        onet = f"{next(iter(successors))}.00"
        if onet in taxonomy.titles:
            return onet, "through SOC"
    return None, "split"


def onet_taxonomy(onet: Path, soc: Path) -> OnetTaxonomy:
    """The O*NET-SOC 2019 titles of `onet` (onet_soc_2019) and the SOC 2010 -> 2018 crosswalk of `soc`."""
    with (onet / "Occupation Data.txt").open(newline="", encoding="utf-8-sig") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        titles = {row["O*NET-SOC Code"].strip(): row["Title"].strip() for row in rows}
    successors: dict[str, set[str]] = defaultdict(set)
    with (soc / "soc2010_soc2018.csv").open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            successors[row["soc2010"].strip()].add(row["soc2018"].strip())
    return OnetTaxonomy(titles, dict(successors))
