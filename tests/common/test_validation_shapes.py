"""Validation kept per document shape (services/common/validation.py) answers exactly as validating every
document in full: the same data, the same errors with the same messages, locations and codes, whether
the shape was seen before or not, and the literals that differ are checked every time."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry
from graphql import parse

from services.common import validation
from services.common.errors import NotFound, ShapeErrors
from services.common.inputs import RefuseUnstorableText
from services.common.schema import SubgraphSchema
from services.common.validation import ShapeCache, shape_of


@strawberry.enum
class Size(Enum):
    SMALL = "small"
    LARGE = "large"


@strawberry.input
class Window:
    first: int
    size: Size | None = None


@strawberry.type
class Item:
    code: str
    size: Size

    @strawberry.field
    def label(self, prefix: str = "") -> str:
        return prefix + self.code


@strawberry.type
class Query:
    @strawberry.field
    def item(self, code: str, size: Size = Size.SMALL) -> Item:
        if code.startswith("missing"):
            raise NotFound(f"There is no item {code!r}.", argument="code")
        return Item(code=code, size=size)

    @strawberry.field
    def items(self, codes: list[str], window: Window | None = None, ratio: float = 1.0) -> list[Item]:
        return [Item(code=c, size=window.size if window and window.size else Size.SMALL) for c in codes]

    @strawberry.field
    def count(self, n: int, id: strawberry.ID | None = None) -> int:
        return n


SHAPED = SubgraphSchema(Query)
FULL = strawberry.federation.Schema(query=Query, extensions=[ShapeErrors, RefuseUnstorableText])

# Runs in order: each shape is first seen valid, then met again with other literals, good and bad.
DOCUMENTS = [
    '{ item(code: "a") { code size } }',
    '{ item(code: "b") { code size } }',
    '{ item(code: "missing-1") { code size } }',  # an execution error: its location is this document's
    '{ item(code: "a much longer code than before") { code label(prefix: "x") } }',
    '{ item(code: "missing-two") { code label(prefix: "x") } }',
    "{ item(code: 5) { code size } }",  # an Int where a String goes: a new shape, refused
    '{ item(code: "c", size: LARGE) { code size } }',
    '{ item(code: "d", size: HUGE) { code size } }',  # not a member: the literal check refuses it
    '{ item(code: "e", size: "LARGE") { code size } }',  # a string for an enum: another shape, refused
    '{ items(codes: ["a", "b"], window: {first: 2, size: LARGE}) { code size } }',
    '{ items(codes: ["c"], window: {first: 3, size: SMALL}) { code size } }',
    '{ items(codes: ["c"], window: {first: 2147483648, size: SMALL}) { code } }',  # past Int's range
    '{ items(codes: ["c"], window: {first: 1.5, size: SMALL}) { code } }',
    '{ items(codes: ["c"], window: {first: 2, first: 3}) { code } }',  # a duplicate input field
    '{ items(codes: "single", ratio: 2) { code } }',  # one value for a list; an Int for a Float
    '{ items(codes: "other", ratio: 3) { code } }',
    '{ items(codes: "other", ratio: "x") { code } }',
    "{ count(n: 1, id: 7) }",
    '{ count(n: 2, id: "7") }',
    "{ count(n: 3, id: 8) }",
    '{ a: item(code: "x") { code } a: item(code: "x") { code } }',  # same arguments: they merge
    '{ a: item(code: "x") { code } a: item(code: "y") { code } }',  # differing arguments: refused
    '{ item(code: "a") { code nope } }',  # an unknown field
    '{ item(code: "b") { code nope } }',
    '{ item(code: "a") @skip(if: false) { code } }',
    '{ item(code: "a") @skip(if: true) { code } }',  # directive literals are part of the shape
    "query($c: String!) { item(code: $c) { code } }",
    '{ item(code: "tab\\there") { code } }',
    '{ item(code: """block""") { code } }',
    '{ item(code: "nul\\u0000") { code } }',  # unstorable text: refused before execution
]


async def answer(schema: strawberry.Schema, document: str) -> dict[str, Any]:
    result = await schema.execute(document, variable_values={"c": "v"})
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


async def test_every_document_answers_as_full_validation_does() -> None:
    for _ in range(2):  # the second time round, every shape is known
        for document in DOCUMENTS:
            assert await answer(SHAPED, document) == await answer(FULL, document), document


async def test_a_known_shape_is_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    full = validation.validate_document

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        calls.append(document.loc.source.body)
        return full(schema, document, rules)

    monkeypatch.setattr(validation, "validate_document", counted)
    for code in ("p", "q", "r"):
        assert (await answer(SHAPED, f'{{ unseen: count(n: 4, id: "{code}") }}'))["data"] == {"unseen": 4}
    assert calls == ['{ unseen: count(n: 4, id: "p") }']
    assert SHAPED.shapes.types  # not vacuous: the shapes are kept


async def test_refusals_keep_their_codes_and_locations() -> None:
    await answer(SHAPED, '{ item(code: "a", size: LARGE) { code } }')
    refused = await answer(SHAPED, '{ item(code: "a", size: HUGE) { code } }')
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["locations"] == [{"line": 1, "column": 25}]
    missing = await answer(SHAPED, '{ item(code: "missing-very-long-code-indeed") { code } }')
    assert missing["errors"][0]["locations"] == [{"line": 1, "column": 3}]
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_literals_of_field_arguments_are_cut_out_and_the_rest_kept() -> None:
    rules = ("rules",)

    def key(document: str) -> Any:
        shape = shape_of(parse(document), document, rules)
        return None if shape is None else shape.key

    assert key('{ item(code: "a") { code } }') == key('{ item(code: "bbbb") { code } }')
    assert key('{ item(code: "a") { code } }') != key("{ item(code: 1) { code } }")  # kinds differ
    assert key('{ item(code: "a") @skip(if: true) { code } }') != key(
        '{ item(code: "a") @skip(if: false) { code } }'
    )
    assert key('{ items(codes: ["a"]) { code } }') != key('{ items(codes: ["a", "b"]) { code } }')
    assert key('{ a: item(code: "x") { code } a: item(code: "y") { code } }') is None


@pytest.mark.parametrize("size", [1, 3])
def test_the_cache_keeps_the_newest_shapes_only(size: int) -> None:
    cache = ShapeCache(size)
    for n in range(5):
        cache.put((n,), [n])
    assert len(cache.types) == size
    assert cache.get((4,)) == [4]
    assert cache.get((0,)) is None
