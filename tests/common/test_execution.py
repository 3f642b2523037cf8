"""The subgraphs' short cuts through execution (services/common/execution.py, the batched `_entities` of
services/common/schema.py) answer exactly as strawberry's general path: data, nulls and errors.

One small federation schema, built twice: as a `SubgraphSchema` (short cuts on) and as strawberry's own
federation schema with the same extensions (short cuts off). Every query runs on both.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from enum import Enum
from typing import Any, ClassVar

import pytest
import strawberry
from strawberry.dataloader import DataLoader

from services.common.batching import batched
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


async def partners_of(info: strawberry.Info, things: Sequence[Thing]) -> list[Part | None]:
    info.context.setdefault("calls", []).append(len(things))
    return list(await info.context["partners"].load_many([t.code for t in things]))


def tags_of(info: strawberry.Info, things: Sequence[Thing]) -> list[Part]:
    # A label of None: the non-null `label` fails, so does the non-null `tag`, so the thing is null.
    return [Part(label=None if t.code == "null-tag" else f"tag {t.code}", weight=None) for t in things]  # type: ignore[arg-type]


# Shared objects, as a page of standards shares sectors: "broken-shelf" things share one whose non-null
# label is missing, so each of those things' shelves is null with an error at its own path.
SHELVES = {"ok": Part(label="shelf", weight=1), "broken": Part(label=None, weight=2)}  # type: ignore[arg-type]


def shelves_of(info: strawberry.Info, things: Sequence[Thing]) -> list[Part | None]:
    return [SHELVES["broken" if t.code.startswith("broken") else "ok"] for t in things]


async def labels_of(info: strawberry.Info, things: Sequence[Thing]) -> list[list[str] | None]:
    await asyncio.sleep(0)
    return [None if t.code == "no-labels" else [t.code, t.name] for t in things]


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

    @strawberry.field(metadata=batched(partners_of))
    async def partner(self, info: strawberry.Info) -> Part | None:
        return (await partners_of(info, [self]))[0]

    @strawberry.field(metadata=batched(shelves_of))
    def shelf(self, info: strawberry.Info) -> Part | None:
        return shelves_of(info, [self])[0]

    @strawberry.field(metadata=batched(tags_of))
    def tag(self, info: strawberry.Info) -> Part:
        return tags_of(info, [self])[0]

    @strawberry.field(metadata=batched(labels_of))
    async def labels(self, info: strawberry.Info) -> list[str]:  # None for "no-labels": an error
        return (await labels_of(info, [self]))[0]  # type: ignore[return-value]

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


async def load_partners(codes: list[str]) -> list[Part | Exception | None]:
    if "boom-partner" in codes:  # one failed batch: every thing's partner fails
        return [RuntimeError("the partners' batch failed")] * len(codes)
    return [None if code == "no-partner" else Part(label=f"partner {code}", weight=2) for code in codes]


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
  partner { label weight } tag { label __typename } labels shelf { label weight __typename }
"""
ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) "
    f"{{ __typename ... on Thing {{ {SELECTION} }} }} }}"
)
CODES = [
    "a", "b", "missing-1", "null-name", "bad-count", "bad-colour", "later-fails", "must-fails",
    "sync-fails", "noted", "a", "null-tag", "no-partner", "no-labels", "broken-1", "broken-2",
]  # fmt: skip


async def both(query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = []
    for schema in (FAST, GENERAL):
        things: DataLoader[str, Thing | None] = DataLoader(load_fn=load_things)
        partners: DataLoader[str, Part | None] = DataLoader(load_fn=load_partners)
        # Each run gets its own copies: strawberry pops `__typename` off the representations.
        copied = {k: copy.deepcopy(v) for k, v in variables.items()}
        context = {"things": things, "partners": partners}
        result = await schema.execute(query, variable_values=copied, context_value=context)
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


async def test_batched_fields_match_and_are_batched() -> None:
    fast, general = await both(ENTITIES, {"r": representations(["a", "b", "no-partner", "null-tag"])})
    assert fast == general
    entities = fast["data"]["_entities"]
    assert entities[0]["partner"] == {"label": "partner a", "weight": 2}
    assert entities[0]["tag"] == {"label": "tag a", "__typename": "Part"}
    assert entities[0]["labels"] == ["a", "name a"]
    assert entities[2]["partner"] is None
    assert entities[3] is None  # its non-null tag's non-null label failed
    assert [e["path"] for e in fast["errors"]] == [["_entities", 3, "tag", "label"]]
    context = context_of()
    query = "query($c: [String!]!) { things(codes: $c) { code partner { label } } }"
    await FAST.execute(query, variable_values={"c": ["a", "b", "c"]}, context_value=context)
    assert context["calls"] == [3]  # one call for the whole list


def context_of() -> dict[str, Any]:
    return {"things": DataLoader(load_fn=load_things), "partners": DataLoader(load_fn=load_partners)}


async def test_a_failed_batched_field_fails_each_parent_as_the_loader_would() -> None:
    fast, general = await both(ENTITIES, {"r": representations(["a", "boom-partner", "b"])})
    assert fast == general
    partner_errors = [e["path"] for e in fast["errors"] if e["path"][-1] == "partner"]
    assert partner_errors == [["_entities", i, "partner"] for i in range(3)]


async def test_shared_objects_answer_once_and_errors_stay_at_each_path() -> None:
    codes = ["a", "b", "c", "d", "broken-1", "broken-2"]
    fast, general = await both(ENTITIES, {"r": representations(codes)})
    assert fast == general
    shelves = [e["shelf"] for e in fast["data"]["_entities"]]
    assert shelves[:4] == [{"label": "shelf", "weight": 1, "__typename": "Part"}] * 4
    assert shelves[4:] == [None, None]
    assert [e["path"] for e in fast["errors"]] == [
        ["_entities", 4, "shelf", "label"],
        ["_entities", 5, "shelf", "label"],
    ]
    fine, general = await both(ENTITIES, {"r": representations(["a", "b", "c"])})
    assert fine == general


async def test_entities_with_odd_representations_between_batched_ones_match() -> None:
    # The batch is collected past representations that leave it (a key not a string, more than the key)
    # and resumed after them, each answer still in its own place.
    def odd(kind: int) -> dict[str, Any]:  # a new one each time: strawberry pops its `__typename`
        return {"__typename": "Thing", "code": 5} if kind else {"__typename": "Thing", "code": "b", "x": 1}

    page = representations(CODES)
    mixed = [*page[:3], odd(0), *page[3:8], odd(1), odd(0), *page[8:], odd(1)]
    fast, general = await both(ENTITIES, {"r": mixed})
    assert fast == general
    assert len(fast["errors"]) > 4  # not vacuous: the odd ones' errors, and the page's own
    fast, general = await both(ENTITIES, {"r": [*page, *representations(["b", "a"])]})  # one page
    assert fast == general and fast["data"]["_entities"][-1]["code"] == "a"
