"""The built-in sample for a fresh machine, written by hand from public facts.

SAMPLE DATA: the level frameworks (as in `conocer.level_frameworks`), the 20 SCIAN 2023 sectors, the
registry sample's standards, and one real chain of the automotive crosswalk typed in from the official
files: CIP 47.0604 -> SOC 49-3023 (NCES CIP-SOC crosswalk) -> O*NET 49-3023.00, and SCIAN 31-33 =
NAICS 31-33 (a trilateral sector). `qf import all DIR` loads the full official data over it.
"""

from __future__ import annotations

import asyncpg

from services.common.renec import sample as renec_sample
from services.common.renec.reference import SCIAN_2023_SECTORS
from services.mapping.model import Dataset, Edge, Item, Method, Relation, Scheme
from services.mapping.scope import ReasonKind, automotive_reasons
from services.mapping.sources.conocer import (
    AUTOMOTIVE_AGREEMENT,
    RENEC_LEVEL_SOURCE,
    RENEC_SECTOR_SOURCE,
    committee_fact,
    level_frameworks,
)
from services.mapping.store import write_illustrative_agreement

CIP_SOC = "NCES and BLS, CIP 2020 to SOC 2018 crosswalk"
ONET = "O*NET-SOC taxonomy: each occupation's code begins with its SOC code"
_COMMITTEE_NAMES = {c[0]: c[2] for c in renec_sample.COMMITTEES}
TRILATERAL = "INEGI, SCIAN 2023: categories marked T are identical in Mexico, the US and Canada"


def sample_datasets() -> list[Dataset]:
    standards = Dataset("sample standards")
    standards.items += [
        Item(Scheme.SCIAN_2023, s.code, s.title_es, s.title_en, kind="sector") for s in SCIAN_2023_SECTORS
    ]
    for code, level, sector, committee, title in renec_sample.STANDARDS:
        standards.items.append(Item(Scheme.CONOCER_EC, code, title, None, kind="standard"))
        standards.facts.append(committee_fact(code, _COMMITTEE_NAMES[committee]))
        standards.edges += [
            Edge(
                Scheme.CONOCER_EC,
                code,
                Scheme.SCIAN_2023,
                sector,
                Relation.BROAD,
                1.0,
                Method.OFFICIAL_CROSSWALK,
                RENEC_SECTOR_SOURCE,
            ),
            Edge(
                Scheme.CONOCER_EC,
                code,
                Scheme.CONOCER_LEVEL,
                str(level),
                Relation.BROAD,
                1.0,
                Method.OFFICIAL_CROSSWALK,
                RENEC_LEVEL_SOURCE,
            ),
        ]
    automotive = Dataset("sample automotive chain")
    automotive.items = [
        Item(Scheme.NAICS_2022, "31-33", None, "Manufacturing", kind="sector"),
        Item(Scheme.CIP_2020, "47", None, "MECHANIC AND REPAIR TECHNOLOGIES/TECHNICIANS", kind="series"),
        Item(
            Scheme.CIP_2020,
            "47.06",
            None,
            "Vehicle Maintenance and Repair Technologies",
            parent="47",
            depth=2,
            kind="group",
        ),
        Item(
            Scheme.CIP_2020,
            "47.0604",
            None,
            "Automobile/Automotive Mechanics Technology/Technician",
            parent="47.06",
            depth=3,
            kind="program",
        ),
        Item(
            Scheme.SOC_2018,
            "49-3023",
            None,
            "Automotive Service Technicians and Mechanics",
            depth=4,
            kind="detailed occupation",
        ),
        Item(
            Scheme.ONET_SOC,
            "49-3023.00",
            None,
            "Automotive Service Technicians and Mechanics",
            kind="occupation",
        ),
    ]
    automotive.edges = [
        Edge(
            Scheme.SCIAN_2023,
            "31-33",
            Scheme.NAICS_2022,
            "31-33",
            Relation.EXACT,
            1.0,
            Method.IDENTICAL_CODE,
            TRILATERAL,
        ),
        Edge(
            Scheme.CIP_2020,
            "47.0604",
            Scheme.SOC_2018,
            "49-3023",
            Relation.CLOSE,
            0.5774,
            Method.OFFICIAL_CROSSWALK,
            CIP_SOC,
        ),
        Edge(
            Scheme.ONET_SOC,
            "49-3023.00",
            Scheme.SOC_2018,
            "49-3023",
            Relation.EXACT,
            1.0,
            Method.IDENTICAL_CODE,
            ONET,
        ),
    ]
    return [level_frameworks(), standards, automotive]


async def write_sample_agreement(conn: asyncpg.Connection) -> None:
    """The illustrative agreement over the registry sample, its scope drawn by the automotive rule."""
    committees = {code: _COMMITTEE_NAMES[committee] for code, _, _, committee, _ in renec_sample.STANDARDS}
    reasons = {
        code: automotive_reasons(title, committees[code]) for code, *_, title in renec_sample.STANDARDS
    }
    scope = sorted(code for code, found in reasons.items() if found)
    named = sorted({r.detail for found in reasons.values() for r in found if r.kind is ReasonKind.COMMITTEE})
    await write_illustrative_agreement(conn, AUTOMOTIVE_AGREEMENT, scope, named)


async def holds_other_data(conn: asyncpg.Connection) -> bool:
    """Whether the crosswalk holds items the sample does not write (an official import's)."""
    keys = sorted({(item.scheme.value, item.code) for dataset in sample_datasets() for item in dataset.items})
    return await conn.fetchval(
        """SELECT EXISTS (
               SELECT 1 FROM items i
               WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS s(scheme, code)
                                 WHERE s.scheme = i.scheme AND s.code = i.code))""",
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
