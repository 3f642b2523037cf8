"""`FromRow`'s generated constructor (services/common/rows.py) makes what the dataclass's own `__init__`
makes: `EnumColumn` inline, `from_optional_rows` as `from_optional_row` of each row."""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

import pytest
import strawberry

from services.common.rows import EnumColumn, FromRow, Source


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Paint(FromRow):
    columns: ClassVar[dict[str, Source]] = {"name": "paint_name", "colour": EnumColumn("colour", Colour)}
    code: str
    name: str
    colour: Colour
    _secret: strawberry.Private[int | None]


ROWS: list[dict[str, Any] | None] = [
    {"code": "a", "paint_name": "Alpha", "colour": "red", "secret": 1},
    None,
    {"code": "b", "paint_name": "Beta", "colour": "blue", "secret": None},
    {"code": "c", "paint_name": "Gamma", "colour": "red", "secret": 3},
]


def by_init(row: dict[str, Any] | None) -> Paint | None:
    if row is None:
        return None
    colour = Colour(row["colour"])
    return Paint(code=row["code"], name=row["paint_name"], colour=colour, _secret=row["secret"])


def test_rows_make_what_init_makes_first_row_and_generated_alike() -> None:
    expected = [by_init(row) for row in ROWS]
    one_by_one = [Paint.from_optional_row(row) for row in ROWS]  # the first row decides the plan
    assert one_by_one == expected
    assert Paint.from_optional_rows(ROWS) == expected  # now through the generated constructor
    assert [vars(p) if p else None for p in Paint.from_optional_rows(ROWS)] == [
        vars(p) if p else None for p in expected
    ]
    assert Paint.from_optional_rows(ROWS)[0].colour is Colour.RED  # type: ignore[union-attr]


def test_an_unknown_enum_value_raises_as_the_enum_does() -> None:
    Paint.from_optional_rows(ROWS)  # the generated constructor is in place
    with pytest.raises(ValueError, match="'green' is not a valid Colour"):
        Paint.from_row({"code": "x", "paint_name": "X", "colour": "green", "secret": None})
    with pytest.raises(ValueError, match="'green' is not a valid Colour"):
        EnumColumn("colour", Colour)({"colour": "green"})


def test_rows_before_any_plan_is_known() -> None:
    @strawberry.type
    class Fresh(FromRow):
        columns: ClassVar[dict[str, Source]] = {"colour": EnumColumn("colour", Colour)}
        colour: Colour

    made = Fresh.from_optional_rows([{"colour": "blue"}, None, {"colour": "red"}])
    assert [m.colour if m else None for m in made] == [Colour.BLUE, None, Colour.RED]
