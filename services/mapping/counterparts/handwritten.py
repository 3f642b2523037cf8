"""Reading a CSV written by hand (the gold set, the glossary): the exact columns, every field present,
a bounded number of rows, and a message that names the file and line of what is wrong."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path


def checked_rows(
    path: Path, columns: tuple[str, ...], max_rows: int, error: type[ValueError]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each row of `path`; raises `error` when the header is not `columns`, a row
    lacks or adds a field, or there are more than `max_rows` rows (a hand-written file that long is a
    wrong file)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != columns:
            raise error(f"{path.name}: the columns must be {', '.join(columns)}")
        for count, (line, row) in enumerate(enumerate(reader, start=2)):
            if count >= max_rows:
                raise error(f"{path.name}: more than {max_rows} rows")
            if None in row or any(value is None for value in row.values()):
                raise error(f"{path.name} line {line}: expected {len(columns)} fields")
            yield line, row
