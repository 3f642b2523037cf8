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
# Per class: the fields read from a column (field, column) and those computed from the row.
Plan = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...]]
_plans: dict[type, Plan] = {}


def _plan_of(cls: type) -> Plan:
    columns: list[tuple[str, str]] = []
    computed: list[tuple[str, Callable[[Mapping[str, Any]], Any]]] = []
    sources: Mapping[str, Source] = getattr(cls, "columns", {})
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # strawberry types are dataclasses
        if not field.init:
            continue
        source = sources.get(field.name, field.name.removeprefix("_"))
        if callable(source):
            computed.append((field.name, source))
        else:
            columns.append((field.name, source))
    return tuple(columns), tuple(computed)


class FromRow:
    columns: ClassVar[Mapping[str, Source]] = {}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # A page of `_entities` builds thousands of these: the plan is worked out once per class.
        plan = _plans.get(cls)
        if plan is None:
            plan = _plans[cls] = _plan_of(cls)
        columns, computed = plan
        values = {name: row[column] for name, column in columns}
        for name, compute in computed:
            values[name] = compute(row)
        return cls(**values)

    @classmethod
    def from_optional_row(cls, row: Mapping[str, Any] | None) -> Self | None:
        """`from_row`, or None for a key that has no row (as a DataLoader answers)."""
        return None if row is None else cls.from_row(row)
