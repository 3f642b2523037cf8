"""CONOCER's standards and levels as crosswalk items, and the level frameworks they align with.

Standards are read from the same RENEC files as the registry, with the parser both share
(`services.common.renec`), so the two agree on codes and sectors; each standard gets an edge to its
SCIAN 2023 sector (RENEC's `secProductivo`) and one to its CONOCER level.

The level frameworks are written here from published facts, each edge citing its source:
- CONOCER levels 1-5 with the descriptors of the ILO study's Appendix 5 (the shared RENEC reference data);
- UK NVQ levels 1-5, RQF Entry 1-3 and levels 1-8, EQF levels 1-8;
- CONOCER level n ~ NVQ level n: the ILO study says CONOCER's level criteria "were almost the same as
  those used in the NVQ system"; a likeness of criteria, not a formal referencing, hence closeMatch 0.7;
- NVQ level n = RQF level n: NVQs are regulated in the RQF at the level number they carry;
- RQF -> EQF: the UK's published referencing of its frameworks to the EQF (Entry level at EQF 1, levels
  1-3 at EQF 2-4, levels 4 and 5 both at EQF 5, 6-8 at 6-8).
"""

from __future__ import annotations

import json
from pathlib import Path

from services.common.renec.reference import LEVEL_DESCRIPTORS, LEVEL_DESCRIPTORS_SOURCE
from services.common.renec.standards import STANDARDS_FILE, parse_standards
from services.mapping.model import Dataset, Edge, Fact, Item, Method, Relation, Scheme
from services.mapping.scope import COMMITTEE_FACT, COMMITTEE_SOURCE, ReasonKind, automotive_reasons

RENEC_SECTOR_SOURCE = "CONOCER, RENEC: the standard's productive sector (secProductivo), a SCIAN 2023 sector"
RENEC_LEVEL_SOURCE = "CONOCER, RENEC: the standard's competence level (nivel)"
ILO_NVQ_SOURCE = (
    "ILO, Background case study on Mexico's qualifications framework (de Anda, 2010): the three level "
    "criteria 'were almost the same as those used in the NVQ system'"
)
NVQ_RQF_SOURCE = "Ofqual, Regulated Qualifications Framework (2015): NVQs keep their level number in the RQF"
RQF_EQF_SOURCE = (
    "Referencing the Qualifications Frameworks of the United Kingdom to the European Qualifications "
    "Framework (UK EQF National Coordination Points, 2009; updated 2019), level table for England and "
    "Northern Ireland"
)
# RQF level -> (EQF level, relation, confidence): the referencing puts Entry level as a whole at EQF 1,
# and RQF 4 and 5 both at EQF 5.
RQF_TO_EQF: dict[str, tuple[str, Relation, float]] = {
    "E1": ("1", Relation.BROAD, 0.6),
    "E2": ("1", Relation.BROAD, 0.6),
    "E3": ("1", Relation.CLOSE, 0.9),
    "1": ("2", Relation.EXACT, 1.0),
    "2": ("3", Relation.EXACT, 1.0),
    "3": ("4", Relation.EXACT, 1.0),
    "4": ("5", Relation.CLOSE, 0.9),
    "5": ("5", Relation.CLOSE, 0.9),
    "6": ("6", Relation.EXACT, 1.0),
    "7": ("7", Relation.EXACT, 1.0),
    "8": ("8", Relation.EXACT, 1.0),
}


def read_standards(folder: Path) -> Dataset:
    """The RENEC standards of `folder` (laid out like ../shared/data/conocer_renec_avala)."""
    return standards_dataset(read_rows(folder))


def read_rows(folder: Path) -> list[dict]:
    """The rows of RENEC's standards list in `folder`."""
    return json.loads((folder / STANDARDS_FILE).read_text(encoding="utf-8"))


def standards_dataset(rows: list[dict]) -> Dataset:
    """RENEC's standards list as the export file or CONOCER's live endpoint (`qf sync renec`) gives it."""
    standards = parse_standards(rows)
    dataset = Dataset("renec")
    for s in standards:
        dataset.items.append(Item(Scheme.CONOCER_EC, s.code, s.title, None, kind="standard"))
        if s.committee_name:  # kept so the automotive rule can be re-run from the database
            dataset.facts.append(committee_fact(s.code, s.committee_name))
        dataset.edges.append(
            Edge(
                Scheme.CONOCER_EC,
                s.code,
                Scheme.SCIAN_2023,
                s.sector_code,
                Relation.BROAD,
                1.0,
                Method.OFFICIAL_CROSSWALK,
                RENEC_SECTOR_SOURCE,
            )
        )
        dataset.edges.append(
            Edge(
                Scheme.CONOCER_EC,
                s.code,
                Scheme.CONOCER_LEVEL,
                str(s.level),
                Relation.BROAD,
                1.0,
                Method.OFFICIAL_CROSSWALK,
                RENEC_LEVEL_SOURCE,
            )
        )
    dataset.notes.append(f"{len(standards)} standards, each linked to its SCIAN sector and its level")
    return dataset


# SAMPLE DATA: no such agreement has been signed; it shows how one is recorded and tracked.
AUTOMOTIVE_AGREEMENT = {
    "id": "MX-US-AUTO-ILLUSTRATIVE",
    "title_es": "Acuerdo ilustrativo México-EUA de reconocimiento mutuo en el sector automotriz (borrador)",
    "title_en": "Illustrative Mexico-US mutual recognition agreement for the automotive sector (draft)",
    "counterpart_scheme": Scheme.SOC_2018.value,
    "note": "ILLUSTRATIVE SAMPLE, not a real agreement. Scope: the standards the automotive rule selects by "
    "committee and title (see the automotiveScope query), in the spirit of the 2024 Mexico-US automotive "
    "memorandum.",
}


def committee_fact(code: str, committee: str) -> Fact:
    """A standard's committee, as the item fact the automotive rule reads."""
    return Fact(Scheme.CONOCER_EC, code, COMMITTEE_FACT, committee, COMMITTEE_SOURCE)


def automotive_scope(rows: list[dict]) -> tuple[list[str], list[str]]:
    """The RENEC standards the automotive rule (`services.mapping.scope`) selects by committee and title
    (no proposal exists at import, so the counterpart reasons cannot apply yet), and the automotive
    committees among theirs."""
    scope, committees = [], set()
    for s in parse_standards(rows):
        reasons = automotive_reasons(s.title, s.committee_name)
        if reasons:
            scope.append(s.code)
        committees.update(r.detail for r in reasons if r.kind is ReasonKind.COMMITTEE)
    return sorted(scope), sorted(committees)


def level_frameworks() -> Dataset:
    """CONOCER, NVQ, RQF and EQF levels and the published alignments between them."""
    dataset = Dataset("levels")
    for d in LEVEL_DESCRIPTORS:
        dataset.items.append(
            Item(
                Scheme.CONOCER_LEVEL,
                str(d.level),
                f"Nivel {d.level}",
                f"Level {d.level}",
                kind="level",
                description=d.description_en,
            )
        )
    for n in range(1, 6):
        dataset.items.append(Item(Scheme.NVQ, str(n), f"NVQ nivel {n}", f"NVQ level {n}", kind="level"))
    for n in range(1, 4):
        dataset.items.append(
            Item(Scheme.RQF, f"E{n}", f"RQF nivel de entrada {n}", f"RQF Entry level {n}", kind="entry level")
        )
    for n in range(1, 9):
        dataset.items.append(Item(Scheme.RQF, str(n), f"RQF nivel {n}", f"RQF level {n}", kind="level"))
        dataset.items.append(Item(Scheme.EQF, str(n), f"MEC nivel {n}", f"EQF level {n}", kind="level"))

    for n in range(1, 6):
        level = str(n)
        dataset.edges.append(
            Edge(
                Scheme.CONOCER_LEVEL,
                level,
                Scheme.NVQ,
                level,
                Relation.CLOSE,
                0.7,
                Method.PUBLISHED_REFERENCING,
                ILO_NVQ_SOURCE,
                note=f"Level descriptors: {LEVEL_DESCRIPTORS_SOURCE}",
            )
        )
        dataset.edges.append(
            Edge(
                Scheme.NVQ,
                level,
                Scheme.RQF,
                level,
                Relation.EXACT,
                1.0,
                Method.PUBLISHED_REFERENCING,
                NVQ_RQF_SOURCE,
            )
        )
    for rqf, (eqf, relation, confidence) in RQF_TO_EQF.items():
        dataset.edges.append(
            Edge(
                Scheme.RQF,
                rqf,
                Scheme.EQF,
                eqf,
                relation,
                confidence,
                Method.PUBLISHED_REFERENCING,
                RQF_EQF_SOURCE,
            )
        )
    return dataset
