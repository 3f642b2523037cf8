"""O*NET evidence on O*NET-SOC occupations: other names and task statements as terms, job zones as facts.

Files (see each folder's PROVENANCE.md; the occupations themselves come from `read_onet`):

- `onet_db_30_0_text/Alternate Titles.txt` (O*NET 30.0, tab separated): 56,495 alternate titles of all
  1,016 occupations, and 3,865 short forms ("CEO"; `n/a` when none). Both become `alternate_title`
  terms; a short form equal to a title is one term.
- `onet_db_30_0_text/Task Statements.txt`: 18,797 task statements of the 923 data-level occupations,
  core and supplemental alike (`task` terms).
- `onet_db_29_3_excel/Sample of Reported Titles_DERIVED.txt`: the 7,796 job titles incumbents reported
  (O*NET 29.3; no 30.0 copy exists), the text copy of the workbook (`reported_title` terms).
- `onet_db_29_3_excel/Job Zones.xlsx`: each data-level occupation's job zone, 1 (little preparation) to
  5 (extensive), 923 rows (`job_zone` facts).

All text is English. `Related Occupations.xlsx` is not read: its 18,460 "related" pairs would be edges
the crosswalk's multi-hop search walks through, turning neighbours into counterparts.
"""

from __future__ import annotations

import csv
from pathlib import Path

from services.mapping.model import Dataset, Fact, Scheme, Term, TermKind
from services.mapping.sources.xlsx import read_table

ALTERNATE_TITLES = "Alternate Titles.txt"
TASKS = "Task Statements.txt"
REPORTED_TITLES = "Sample of Reported Titles_DERIVED.txt"
JOB_ZONES = "Job Zones.xlsx"
ONET_30 = "O*NET 30.0 Database (USDOL/ETA, CC BY 4.0)"
ONET_29_3 = "O*NET 29.3 Database (USDOL/ETA, CC BY 4.0)"
CODE = "O*NET-SOC Code"


def _rows(path: Path) -> list[dict[str, str]]:
    """An O*NET text file's rows: tab separated, no quoting, values stripped."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def read_onet_evidence(text_30: Path, excel_29_3: Path) -> Dataset:
    """Terms and facts of O*NET-SOC occupations from the 30.0 text files and the 29.3 workbooks."""
    dataset = Dataset("onet-evidence")

    def term(code: str, kind: TermKind, text: str, source: str) -> None:
        if text and text != "n/a":
            dataset.terms.append(Term(Scheme.ONET_SOC, code, "en", kind, " ".join(text.split()), source))

    alternates = _rows(text_30 / ALTERNATE_TITLES)
    for row in alternates:
        term(row[CODE], TermKind.ALTERNATE_TITLE, row["Alternate Title"], f"{ONET_30}: Alternate Titles")
        term(row[CODE], TermKind.ALTERNATE_TITLE, row["Short Title"], f"{ONET_30}: Alternate Titles")
    tasks = _rows(text_30 / TASKS)
    for row in tasks:
        term(row[CODE], TermKind.TASK, row["Task"], f"{ONET_30}: Task Statements")
    reported = _rows(excel_29_3 / REPORTED_TITLES)
    for row in reported:
        term(
            row[CODE],
            TermKind.REPORTED_TITLE,
            row["Reported Job Title"],
            f"{ONET_29_3}: Sample of Reported Titles",
        )

    zones = [row for row in read_table(excel_29_3 / JOB_ZONES) if row[CODE]]
    for row in zones:
        zone = row["Job Zone"].removesuffix(".0")
        if zone not in {"1", "2", "3", "4", "5"}:
            raise ValueError(f"{JOB_ZONES}: job zone {row['Job Zone']!r} of {row[CODE]} is not 1-5")
        dataset.facts.append(Fact(Scheme.ONET_SOC, row[CODE], "job_zone", zone, f"{ONET_29_3}: Job Zones"))

    occupations = len({t.code for t in dataset.terms})
    unique = len({(t.code, t.kind, t.term) for t in dataset.terms})
    dataset.notes.append(
        f"O*NET evidence: {len(alternates):,} alternate titles, {len(tasks):,} task statements, "
        f"{len(reported):,} reported titles ({unique:,} distinct terms on {occupations:,} occupations), "
        f"{len(zones):,} job zones"
    )
    return dataset
