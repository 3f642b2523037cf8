"""Database rows as strawberry types, written once.

A type that mixes in `FromRow` gets `from_row(row)`: every field it is constructed with (its public
fields and its `strawberry.Private` ones; not those a resolver computes) takes the column of the same
name, a private `_name` the column `name`. `columns` names the exceptions: another column
(`{"title": "title_es"}`) or a function of the row for a value that needs converting
(`{"status": lambda r: StandardStatus(r["status"])}`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

Source = str | Callable[[Mapping[str, Any]], Any]


class FromRow:
    columns: ClassVar[Mapping[str, Source]] = {}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # strawberry types are dataclasses
            if not field.init:
                continue
            source = cls.columns.get(field.name, field.name.removeprefix("_"))
            values[field.name] = source(row) if callable(source) else row[source]
        return cls(**values)

    @classmethod
    def from_optional_row(cls, row: Mapping[str, Any] | None) -> Self | None:
        """`from_row`, or None for a key that has no row (as a DataLoader answers)."""
        return None if row is None else cls.from_row(row)
