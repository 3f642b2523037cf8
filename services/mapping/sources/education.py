"""Fields of study as crosswalk items: CIP 2020 (with its official SOC 2018 crosswalk) and ISCED-F 2013.

Pure file parsing; the folders are laid out like ../shared/data/cip_2020 and ../shared/data/isced_f_2013.

CIP 2020 (NCES), `CIPCode2020.csv`, UTF-8 with a BOM and CRLF line ends:
- codes are written as Excel text formulas, `="01.0000"`, so a spreadsheet keeps the leading zero; the
  wrapper is stripped and the code kept as text ("01", "01.00", "01.0000"), its level read from its shape;
- the file is NCES's lookup table, not just the live classification: of its 2,848 rows, the 149 with
  Action "Moved from" are the old places of moved codes (definition "Moved from 01.0309 to 01.1004"; the
  new place is the row with Action "Moved to") and the 12 "Deleted" rows say where to report instead.
  Neither is a CIP 2020 code, so both are skipped; that is why the 2,325 six-digit rows of the file
  (the count in INDEX.md) give 2,173 live six-digit codes;
- 39 live rows are "Reserved." placeholders (whole series 21 and 55, and codes like 01.0480) with no
  program behind them: skipped too. What is kept: 48 series, 457 groups, 2,143 programs;
- titles end with a period ("Agriculture, General.") and a few have doubled spaces; labels drop the
  final period and collapse spaces. Series titles are in capitals in the file and are left so.

The CIP 2020 <-> SOC 2018 crosswalk (NCES and BLS), `CIP2020_SOC2018_Crosswalk.csv`, the `CIP-SOC` sheet
of the official workbook, plain codes ("47.0604", "49-3023"), 6,097 rows. "No match" is written both
ways: a CIP code paired with SOC `99-9999` (a program with no occupation) and CIP `99.9999` paired with
a SOC code (an occupation with no program); neither makes an edge. SOC codes are not checked here: the
store checks that both ends of an edge exist. Every crosswalk CIP code is a live CIP 2020 code; the
only live program absent is 49.0109 "Remote Aircraft Pilot", and the crosswalk's titles differ from the
CIP file's for two codes (36.0207 "Remote Aircraft Pilot" there, "Remote Aircraft Pilot (Personal)" in
the CIP file; 51.0912 "Physician Assistant" vs "Physician Associate/Assistant"). Titles are not read
from the crosswalk.

ISCED-F 2013 (UNESCO UIS), `isced_f_2013_fields_DERIVED.csv` (code,level,title,parent_code): a clean
copy, derived in the data folder, of `ISCED-F_2013_FieldsOfEducationCodes_with_index_terms.tsv`, a
transcription of the classification whose codes lost their leading zeros (broad "01" is written "1",
detailed "0111" as "111"), so the hierarchy can only be read from the order of the rows; the derived
file has the zeros restored and two typos fixed ("Literacy and numerac", "Field unknow"), and the tests
check it against the original row by row. Index terms are not read.

The file holds 12 broad, 58 narrow and 149 detailed codes. Besides the 11 broad, 29 narrow and 80
detailed fields of the official structure, it has the residual codes ISCED-F uses for reporting: "not
further defined" (narrow x0, detailed xx0), "inter-disciplinary" (x8, xx88), "not elsewhere classified"
(x9, xx9) and 99 "Field unknown" (with 999, 9999). They are kept, since data are coded to them (a CIP
"Other" program is an ISCED "not elsewhere classified" field), but with kind "residual field", so the
kinds "broad field", "narrow field" and "detailed field" count exactly 11, 29 and 80. Their depth is
still their level (1 to 3) and their parent the code one digit shorter.

Spanish: the files are English only. The 11 broad fields get their Spanish CINE-F 2013 names (below);
narrower fields have no Spanish label.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from services.mapping.model import Dataset, Item, Method, Scheme, crosswalk_edges

CIP_FILE = "CIPCode2020.csv"
CIP_SOC_FILE = "CIP2020_SOC2018_Crosswalk.csv"
CIP_SOC_SOURCE = "NCES and BLS, CIP 2020 to SOC 2018 crosswalk"
ISCED_FILE = "isced_f_2013_fields_DERIVED.csv"

CIP_CODE = re.compile(r"\d{2}(\.\d{2}(\d{2})?)?")
CIP_KINDS = {2: "series", 5: "group", 7: "program"}  # by the length of the code: "47", "47.06", "47.0604"
CIP_RETIRED = {"Moved from", "Deleted"}  # rows for codes that are no longer in CIP 2020
CIP_NO_MATCH = "99.9999"
SOC_NO_MATCH = "99-9999"

ISCED_CODE = re.compile(r"\d{2,4}")
ISCED_KINDS = {2: "broad field", 3: "narrow field", 4: "detailed field"}
ISCED_RESIDUAL = "residual field"

# UNESCO Institute for Statistics, "Clasificación Internacional Normalizada de la Educación: Campos de
# educación y formación 2013 (CINE-F 2013)", Spanish edition (UIS, Montreal), the broad fields.
ISCED_BROAD_ES = {
    "00": "Programas y certificaciones genéricos",
    "01": "Educación",
    "02": "Artes y humanidades",
    "03": "Ciencias sociales, periodismo e información",
    "04": "Administración de empresas y derecho",
    "05": "Ciencias naturales, matemáticas y estadística",
    "06": "Tecnologías de la información y la comunicación (TIC)",
    "07": "Ingeniería, industria y construcción",
    "08": "Agricultura, silvicultura, pesca y veterinaria",
    "09": "Salud y bienestar",
    "10": "Servicios",
}


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a CSV file with a header, a UTF-8 BOM or not."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        yield from csv.DictReader(file)


def clean_text(text: str) -> str:
    return " ".join(text.split())


def cip_code(raw: str) -> str:
    """A CIP code as text, from `="47.0604"`, `"47.0604"` or `47.0604`."""
    code = raw.strip().removeprefix("=").strip().strip('"').strip()
    if not CIP_CODE.fullmatch(code):
        raise ValueError(f"not a CIP code: {raw!r}")
    return code


def cip_parent(code: str) -> str | None:
    """The broader code: "47.0604" -> "47.06" -> "47" -> None."""
    return {2: None, 5: code[:2], 7: code[:5]}[len(code)]


def read_cip(folder: Path) -> Dataset:
    """CIP 2020 series, groups and programs of `folder`, and the CIP 2020 -> SOC 2018 crosswalk edges."""
    dataset = Dataset("cip_2020")
    retired = reserved = 0
    for row in read_csv(folder / CIP_FILE):
        code = cip_code(row["CIPCode"])
        title = clean_text(row["CIPTitle"]).removesuffix(".")
        if row["Action"].strip() in CIP_RETIRED:
            retired += 1
            continue
        if title.lower() == "reserved":
            reserved += 1
            continue
        dataset.items.append(
            Item(
                Scheme.CIP_2020,
                code,
                None,
                title,
                parent=cip_parent(code),
                depth={2: 1, 5: 2, 7: 3}[len(code)],
                kind=CIP_KINDS[len(code)],
                description=clean_text(row["CIPDefinition"]) or None,
            )
        )
    levels = Counter(item.kind for item in dataset.items)
    dataset.notes.append(
        f"CIP 2020: {levels['series']} series, {levels['group']} groups, {levels['program']} programs; "
        f"skipped {retired} retired rows (moved from / deleted) and {reserved} reserved placeholders"
    )

    codes = {item.code for item in dataset.items}
    in_file = no_soc = no_cip = 0
    unknown: list[str] = []
    pairs: list[tuple[str, str]] = []
    for row in read_csv(folder / CIP_SOC_FILE):
        in_file += 1
        cip, soc = cip_code(row["CIP2020Code"]), row["SOC2018Code"].strip()
        if soc == SOC_NO_MATCH:
            no_soc += 1
            continue
        if cip == CIP_NO_MATCH:
            no_cip += 1
            continue
        if cip not in codes:
            unknown.append(cip)
            continue
        pairs.append((cip, soc))
    dataset.edges = crosswalk_edges(
        pairs,
        Scheme.CIP_2020,
        Scheme.SOC_2018,
        Method.OFFICIAL_CROSSWALK,
        CIP_SOC_SOURCE,
        from_parent=cip_parent,
    )
    dataset.notes.append(
        f"CIP-SOC crosswalk: {in_file} pairs in the file, {in_file - no_soc - no_cip} after dropping the "
        f"no-match rows ({no_soc} programs to SOC {SOC_NO_MATCH}, {no_cip} occupations from CIP "
        f"{CIP_NO_MATCH}), {len(unknown)} dropped for a CIP code not in CIP 2020"
        f"{': ' + ', '.join(sorted(set(unknown))) if unknown else ''}; {len(dataset.edges)} edges"
    )
    return dataset


def isced_residual(code: str) -> bool:
    """Whether an ISCED-F code is one of the reporting codes outside the official 11/29/80 fields."""
    return code == "99" or (len(code) > 2 and code[-1] in "089")


def read_isced(folder: Path) -> Dataset:
    """ISCED-F 2013 broad, narrow and detailed fields of `folder`, residual codes included (see above)."""
    dataset = Dataset("isced_f_2013")
    for row in read_csv(folder / ISCED_FILE):
        code = row["code"].strip()
        if not ISCED_CODE.fullmatch(code):
            raise ValueError(f"not an ISCED-F code: {row['code']!r}")
        parent = row["parent_code"].strip() or None
        if parent != (code[:-1] if len(code) > 2 else None):
            raise ValueError(f"ISCED-F {code}: unexpected parent {parent!r}")
        dataset.items.append(
            Item(
                Scheme.ISCED_F_2013,
                code,
                ISCED_BROAD_ES.get(code),
                clean_text(row["title"]),
                parent=parent,
                depth=len(code) - 1,
                kind=ISCED_RESIDUAL if isced_residual(code) else ISCED_KINDS[len(code)],
            )
        )
    kinds = Counter(item.kind for item in dataset.items)
    dataset.notes.append(
        "ISCED-F 2013: "
        + ", ".join(f"{kinds[kind]} {kind}s" for kind in [*ISCED_KINDS.values(), ISCED_RESIDUAL])
        + " (not further defined, inter-disciplinary, not elsewhere classified, unknown)"
    )
    return dataset
