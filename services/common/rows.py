"""Database rows as strawberry types, written once.

A type that mixes in `FromRow` gets `from_row(row)`: every field it is constructed with (its public
fields and its `strawberry.Private` ones; not those a resolver computes) takes the column of the same
name, a private `_name` the column `name`. `columns` names the exceptions: another column
(`{"title": "title_es"}`) or a function of the row for a value that needs converting
(`{"status": lambda r: StandardStatus(r["status"])}`), or `EnumColumn("status", StandardStatus)` for a
column read as an enum's member (the same value, without a function call per row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, ClassVar, NamedTuple, Self


class EnumColumn(NamedTuple):
    """A column whose value is read as a member of `enum`: `enum(value)`, by a dict look-up where the
    value is a member's (a page of rows converts thousands), `enum(value)` itself otherwise, which raises
    for an unknown value as it always did."""

    column: str
    enum: type[Enum]

    def __call__(self, row: Mapping[str, Any]) -> Any:
        return self.enum(row[self.column])


Source = str | EnumColumn | Callable[[Mapping[str, Any]], Any]


class Plan(NamedTuple):
    columns: tuple[tuple[str, str], ...]  # (field, the column it is read from)
    computed: tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...]  # (field, its function of the row)
    # Whether an instance may be made without calling `__init__` (see `from_row`); None: not yet known.
    bare: bool | None
    make: Callable[[Mapping[str, Any]], Any] | None = None  # `_maker`'s, once `bare` is known True


_plans: dict[type, Plan] = {}


def _plan_of(cls: type) -> Plan:
    columns: list[tuple[str, str]] = []
    computed: list[tuple[str, Callable[[Mapping[str, Any]], Any]]] = []
    sources: Mapping[str, Source] = getattr(cls, "columns", {})
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # strawberry types are dataclasses
    for field in fields:
        if not field.init:
            continue
        source = sources.get(field.name, field.name.removeprefix("_"))
        if callable(source):
            computed.append((field.name, source))
        else:
            columns.append((field.name, source))
    # Decided on the first row (`from_row`); a frozen dataclass or one with slots never qualifies.
    frozen = getattr(getattr(cls, "__dataclass_params__", None), "frozen", True)
    bare = None if not hasattr(cls, "__slots__") and not frozen else False
    return Plan(tuple(columns), tuple(computed), bare)


def _maker(cls: type, plan: Plan) -> Callable[[Mapping[str, Any]], Any]:
    """A function that makes an instance of `cls` from a row by assigning its fields one by one, in the
    dataclass's own order (what its `__init__` does, without the keyword call): generated once per
    class, as `dataclasses` generates `__init__`. A thousand standards take 0.6 ms instead of 2.6."""
    lines = ["def make(row):", "    made = new(cls)"]
    for name, column in plan.columns:
        lines.append(f"    made.{name} = row[{column!r}]")
    namespace: dict[str, Any] = {
        "new": cls.__new__,
        "cls": cls,
        "computed": [compute for _, compute in plan.computed],
    }
    for index, (name, compute) in enumerate(plan.computed):
        if isinstance(compute, EnumColumn):
            # Inline: a member by its value, or `enum(value)` (which raises for an unknown one).
            namespace[f"members_{index}"] = {member.value: member for member in compute.enum}
            namespace[f"enum_{index}"] = compute.enum
            members, enum = f"members_{index}", f"enum_{index}"
            lines.append(f"    value = row[{compute.column!r}]")
            lines.append(f"    made.{name} = {members}[value] if value in {members} else {enum}(value)")
        else:
            lines.append(f"    made.{name} = computed[{index}](row)")
    lines.append("    return made")
    exec("\n".join(lines), namespace)  # names are the dataclass's fields, columns repr()'d
    return namespace["make"]  # type: ignore[no-any-return]


def enum_of(enum: type[Enum]) -> Callable[[Any], Any]:
    """`enum(value)` as a dict lookup (a page of rows converts thousands); an unknown value still goes
    to `enum(value)`, which raises as it always did."""
    members = {member.value: member for member in enum}
    return lambda value: members[value] if value in members else enum(value)


class FromRow:
    columns: ClassVar[Mapping[str, Source]] = {}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # A page of `_entities` builds thousands of these: the plan is worked out once per class.
        plan = _plans.get(cls)
        if plan is None:
            plan = _plans[cls] = _plan_of(cls)
        if plan.make is not None:
            return plan.make(row)  # type: ignore[no-any-return]
        values = {name: row[column] for name, column in plan.columns}
        for name, compute in plan.computed:
            values[name] = compute(row)
        constructed = cls(**values)
        if plan.bare is None:
            # A dataclass's generated `__init__` only assigns the fields: when, on the first row, the
            # instance holds exactly the values and nothing else (no `__post_init__`, no `__init__` of
            # the class's own), every later one is made by assigning them directly (`_maker`), at a
            # fraction of the keyword call's cost (a page of `_entities` makes a thousand).
            made_values = vars(constructed)
            bare = made_values.keys() == values.keys() and all(
                made_values[name] is value for name, value in values.items()
            )
            plan = plan._replace(bare=bare)
            _plans[cls] = plan._replace(make=_maker(cls, plan)) if bare else plan
        return constructed

    @classmethod
    def from_optional_row(cls, row: Mapping[str, Any] | None) -> Self | None:
        """`from_row`, or None for a key that has no row (as a DataLoader answers)."""
        return None if row is None else cls.from_row(row)

    @classmethod
    def from_optional_rows(cls, rows: Iterable[Mapping[str, Any] | None]) -> list[Self | None]:
        """`from_optional_row` of each row, the class's plan looked up once (an `_entities` page of
        1,000 standards, say)."""
        plan = _plans.get(cls)
        make = plan.make if plan is not None else None
        if make is None:
            return [None if row is None else cls.from_row(row) for row in rows]
        return [None if row is None else make(row) for row in rows]
