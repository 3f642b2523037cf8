"""Reading .xlsx workbooks with the standard library: an .xlsx is a zip of XML parts.

Only what the official files need: a sheet's cells as text, row by row (shared strings, inline strings
and numbers; numbers stay as written, "5" or "11.0"). Sheets are parsed incrementally, so the 20 MB
sheet of the BLS OEWS workbook streams instead of being held as one tree.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

_XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")


def shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_XLSX}t")) for si in root.iter(f"{_XLSX}si")]


def sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part inside the workbook, in the workbook's order."""
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    return {
        sheet.get("name", ""): "xl/" + targets[sheet.get(_XLSX_REL)].removeprefix("/xl/")
        for sheet in workbook.iter(f"{_XLSX}sheet")
    }


def cell_text(cell: ElementTree.Element, strings: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_XLSX}t"))
    value = cell.find(f"{_XLSX}v")
    if value is None or value.text is None:
        return ""
    return strings[int(value.text)] if kind == "s" else value.text


def sheet_cells(book: zipfile.ZipFile, path: str, strings: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column letter: text}) for each row of a sheet, streamed."""
    with book.open(path) as part:
        for _, element in ElementTree.iterparse(part):
            if element.tag != f"{_XLSX}row":
                continue
            cells = {}
            for cell in element.iter(f"{_XLSX}c"):
                column = _COLUMN.match(cell.get("r", ""))
                if column:
                    cells[column.group()] = cell_text(cell, strings)
            yield int(element.get("r", "0")), cells
            element.clear()  # the rows already read are not kept


def read_table(path: Path, sheet: str | None = None) -> Iterator[dict[str, str]]:
    """The rows of a sheet (the first when `sheet` is None) whose first row holds the column names,
    as {column name: stripped text}; a missing cell is ""."""
    with zipfile.ZipFile(path) as book:
        strings = shared_strings(book)
        paths = sheet_paths(book)
        part = paths[sheet] if sheet is not None else next(iter(paths.values()))
        header: dict[str, str] | None = None
        for _, cells in sheet_cells(book, part, strings):
            if header is None:
                header = {column: name.strip() for column, name in cells.items()}
                continue
            yield {name: cells.get(column, "").strip() for column, name in header.items()}
