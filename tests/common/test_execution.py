"""The subgraphs' short cuts through execution (services/common/execution.py, the batched `_entities` of
services/common/schema.py) answer exactly as strawberry's general path: data, nulls and errors.

One small federation schema, built twice: as a `SubgraphSchema` (short cuts on) and as strawberry's own
federation schema with the same extensions (short cuts off). Every query runs on both.
"""

from __future__ import annotations

import asyncio
import copy
from enum import Enum
from typing import Any, ClassVar

import pytest
import strawberry
from strawberry.dataloader import DataLoader

from services.common.errors import ShapeErrors
from services.common.inputs import RefuseUnstorableText
from services.common.schema import SubgraphSchema


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Part:
    label: str
    weight: int | None


@strawberry.federation.type(keys=["code"])
class Thing:
    code: str
    name: str
    note: str | None
    colour: Colour | None
    count: int
    batch_key: ClassVar[str] = "code"

    @strawberry.field
    async def later(self) -> str | None:
        await asyncio.sleep(0)
        if self.code == "later-fails":
            raise ValueError("later failed")
        return f"later {self.code}"

    @strawberry.field
    async def must(self) -> str:
        await asyncio.sleep(0)
        if self.code == "must-fails":
            raise ValueError("must failed")
        return f"must {self.code}"

    @strawberry.field
    def parts(self) -> list[Part | None]:
        return [Part(label=f"{self.code}-a", weight=1), None, Part(label=f"{self.code}-c", weight=None)]

    @strawberry.field
    def sync_fails(self) -> str | None:
        if self.code == "sync-fails":
            raise ValueError("sync failed")
        return "fine"

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, code: str) -> Thing | None:
        return await info.context["things"].load(code)

    @classmethod
    async def resolve_references(cls, info: strawberry.Info, codes: list[str]) -> list[Thing | None]:
        return list(await info.context["things"].load_many(codes))


def thing(code: str) -> Thing | None:
    if code.startswith("missing"):
        return None
    values: dict[str, Any] = {"code": code, "name": f"name {code}", "note": None, "colour": Colour.RED}
    values["count"] = 3
    if code == "null-name":
        values["name"] = None  # a non-null field without a value: the item is null, with an error
    if code == "bad-count":
        values["count"] = "not a number"  # Int refuses it
    if code == "bad-colour":
        values["colour"] = "purple"  # not a member of the enum
    if code == "noted":
        values["note"] = "a note"
    return Thing(**values)


async def load_things(codes: list[str]) -> list[Thing | Exception | None]:
    if "boom" in codes:  # a failed batch fails every key of it, as a database error would
        return [RuntimeError("the batch failed")] * len(codes)
    return [thing(code) for code in codes]


@strawberry.type
class Query:
    @strawberry.field
    def things(self, codes: list[str]) -> list[Thing | None]:
        return [thing(code) for code in codes]

    @strawberry.field
    def strict_things(self, codes: list[str]) -> list[Thing]:
        return [thing(code) for code in codes]  # type: ignore[misc]  # None on purpose: an error


FAST = SubgraphSchema(Query)
GENERAL = strawberry.federation.Schema(query=Query, extensions=[ShapeErrors, RefuseUnstorableText])

SELECTION = """
  __typename code name note colour count later must sync_fails: syncFails
  parts { label weight } alias: name
"""
ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) "
    f"{{ __typename ... on Thing {{ {SELECTION} }} }} }}"
)
CODES = [
    "a", "b", "missing-1", "null-name", "bad-count", "bad-colour", "later-fails", "must-fails",
    "sync-fails", "noted", "a",
]  # fmt: skip


async def both(query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = []
    for schema in (FAST, GENERAL):
        things: DataLoader[str, Thing | None] = DataLoader(load_fn=load_things)
        # Each run gets its own copies: strawberry pops `__typename` off the representations.
        copied = {k: copy.deepcopy(v) for k, v in variables.items()}
        result = await schema.execute(query, variable_values=copied, context_value={"things": things})
        errors = sorted(
            (e.formatted for e in result.errors or []), key=lambda e: (str(e.get("path")), e["message"])
        )
        answers.append({"data": result.data, "errors": errors})
    return answers[0], answers[1]


def representations(codes: list[str]) -> list[Any]:
    return [{"__typename": "Thing", "code": code} for code in codes]


async def test_entities_match_the_general_path_values_nulls_and_errors() -> None:
    fast, general = await both(ENTITIES, {"r": representations(CODES)})
    assert fast == general
    assert fast["data"]["_entities"][0]["name"] == "name a"  # not vacuous: data and errors both there
    assert fast["data"]["_entities"][2] is None
    assert {tuple(e["path"][:2]) for e in fast["errors"]} >= {("_entities", 3), ("_entities", 7)}


@pytest.mark.parametrize(
    "odd",
    [
        {"__typename": "Thing", "code": 7},  # not a string: the general path takes it
        {"__typename": "Thing", "code": "a", "extra": 1},  # more than the key
        {"__typename": "Thing"},  # no key at all
        "not an object",
    ],
)
async def test_entities_with_odd_representations_match(odd: Any) -> None:
    fast, general = await both(ENTITIES, {"r": [*representations(["a", "b"]), odd]})
    assert fast == general


async def test_a_failed_batch_fails_each_entity_as_the_loader_would() -> None:
    fast, general = await both(ENTITIES, {"r": representations(["a", "boom", "b"])})
    assert fast == general
    assert [e["path"] for e in fast["errors"]] == [["_entities", 0], ["_entities", 1], ["_entities", 2]]


async def test_an_unknown_typename_matches() -> None:
    fast, general = await both(ENTITIES, {"r": [{"__typename": "Nothing", "code": "a"}]})
    assert fast == general
    assert fast["errors"]


@pytest.mark.parametrize("field", ["things", "strictThings"])
async def test_lists_of_objects_match(field: str) -> None:
    query = f"query($c: [String!]!) {{ {field}(codes: $c) {{ {SELECTION} }} }}"
    fast, general = await both(query, {"c": CODES})
    assert fast == general
    assert fast["errors"]


async def test_skip_and_include_match() -> None:
    query = (
        "query($c: [String!]!, $yes: Boolean!) { things(codes: $c) { code name @skip(if: $yes) "
        "note @include(if: $yes) parts @include(if: $yes) { label } } }"
    )
    for yes in (True, False):
        fast, general = await both(query, {"c": ["a", "noted", "missing"], "yes": yes})
        assert fast == general
