"""BLS OEWS May 2024 national industry-specific estimates: employment by NAICS sector x SOC 2018.

File: `bls_oews_natsector_2024/natsector_M2024_dl.xlsx` (see its PROVENANCE.md), one sheet of 16,434 rows:
20 sectors x occupations at every SOC level. Only detailed occupations are read (`O_GROUP` "detailed",
8,579 cells, 831 SOC codes); the totals and the major/minor/broad rows would count people twice.

Sectors are written as BLS publishes them, ranged ones with their range: the sheet stores 31, 44 and 48
as numbers, which stand for 31-33, 44-45 and 48-49 (their NAICS_TITLE says so); 99 is OEWS's own
government sector. `TOT_EMP` is "**" where BLS suppressed the estimate (644 detailed cells): those cells
are left out and counted, never read as zero.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from services.mapping.model import Dataset, Employment
from services.mapping.sources.xlsx import read_table

WORKBOOK = "natsector_M2024_dl.xlsx"
SHEET = "Natsector_M2024_dl"
YEAR = 2024
SOURCE = "U.S. Bureau of Labor Statistics, OEWS May 2024, national estimates by NAICS sector"
RANGED = {"31": "31-33", "44": "44-45", "48": "48-49"}


def read_oews(folder: Path) -> Dataset:
    dataset = Dataset("oews")
    suppressed: Counter[str] = Counter()
    for row in read_table(folder / WORKBOOK, SHEET):
        if row["O_GROUP"] != "detailed":
            continue
        sector = row["NAICS"].removesuffix(".0")
        sector = RANGED.get(sector, sector)
        employment = row["TOT_EMP"].replace(",", "")
        if not employment.isdigit():
            suppressed[row["TOT_EMP"]] += 1
            continue
        dataset.employment.append(Employment(sector, row["OCC_CODE"], int(employment), YEAR, SOURCE))
    sectors = {e.naics_sector for e in dataset.employment}
    occupations = {e.soc_code for e in dataset.employment}
    dataset.notes.append(
        f"OEWS {YEAR}: {len(dataset.employment):,} sector x detailed occupation cells "
        f"({len(sectors)} sectors, "
        f"{len(occupations)} SOC codes); suppressed and left out: "
        + (", ".join(f"{n:,} {mark!r}" for mark, n in suppressed.items()) or "none")
    )
    return dataset
