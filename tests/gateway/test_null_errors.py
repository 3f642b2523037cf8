"""Every null the gateway returns for an error comes with that error (GraphQL spec, "Handling Field
Errors"), in process: the engine over two subgraphs whose answers each test scripts, including answers
no correct subgraph gives (nulls in non-null fields, values of the wrong type, lists of the wrong
length, no data at all), so nothing here depends on a subgraph being well behaved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.engine import Engine
from gateway.executor import SubgraphFailure
from gateway.supergraph import Supergraph
from tests.gateway.synthetic.runtime import link

SHELF = f"""
{link("@key")}

type Query {{
  shelves: [Shelf]
  books: [Book]
  crate: Crate!
  note: String
}}

type Shelf {{
  name: String!
  books: [Book!]!
}}

type Book @key(fields: "id") {{
  id: ID!
}}

type Crate {{
  label: String!
}}
"""

DETAIL = f"""
{link("@key")}

type Book @key(fields: "id") {{
  id: ID!
  title: String!
  info: Info
  tags: [Tag!]
}}

type Info {{
  pages: Int!
}}

type Tag {{
  name: String!
}}
"""

Answer = Callable[[dict[str, Any]], dict[str, Any]]


class Scripted:
    """A transport answering each subgraph with what the test says: a function of the request, or a
    SubgraphFailure to raise."""

    def __init__(self, **answers: Answer | SubgraphFailure) -> None:
        self.answers = answers

    async def __call__(self, name: str, body: bytes) -> dict[str, Any]:
        answer = self.answers[name]
        if isinstance(answer, SubgraphFailure):
            raise answer
        return answer(orjson.loads(body))


@pytest.fixture(scope="module")
def engine() -> Engine:
    sources = [
        SubgraphSource(n, f"http://{n}.invalid/graphql", sdl)
        for n, sdl in [("shelf", SHELF), ("detail", DETAIL)]
    ]
    return Engine(Supergraph(compose(sources)))


async def run(engine: Engine, transport: Scripted, query: str) -> dict[str, Any]:
    prepared, coerced = engine.prepare(query, None, {})
    return await engine.execute(prepared, {}, coerced, transport)


def books(*ids: str) -> list[dict[str, str]]:
    return [{"__typename": "Book", "id": i} for i in ids]


def shelf(data: dict[str, Any]) -> Answer:
    return lambda _request: {"data": data}


def entities(by_id: dict[str, Any], errors: list[dict] | None = None) -> Answer:
    """`_entities` from a table by id: a missing id is null, as a subgraph answers an unknown entity."""

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        found = [by_id.get(r["id"]) for r in request["variables"]["representations"]]
        return {"data": {"_entities": found}, **({"errors": errors} if errors else {})}

    return answer


def paths(answer: dict[str, Any]) -> list[list]:
    return [error.get("path") for error in answer.get("errors", [])]


async def test_an_unknown_entity_in_a_non_null_list_nulls_the_nearest_nullable_parent_with_one_error(
    engine: Engine,
) -> None:
    transport = Scripted(
        shelf=shelf(
            {
                "note": "hola",
                "shelves": [{"name": "A", "books": books("b1")}, {"name": "B", "books": books("b1", "b9")}],
            }
        ),
        detail=entities({"b1": {"__typename": "Book", "title": "Balún Canán"}}),  # b9: null
    )
    answer = await run(engine, transport, "{ note shelves { name books { id title } } }")
    assert answer["data"] == {
        "note": "hola",
        "shelves": [{"name": "A", "books": [{"id": "b1", "title": "Balún Canán"}]}, None],
    }
    [error] = answer["errors"]
    assert error == {
        "message": "Cannot return null for non-nullable field Book.title.",
        "path": ["shelves", 1, "books", 1, "title"],
        "extensions": {"code": "INVALID_GRAPHQL"},
    }


async def test_a_null_reaching_the_root_is_never_silent(engine: Engine) -> None:
    # A subgraph breaking its own schema: a non-null root field null, and no error. (With `books`, the
    # plan has two fetches, so the answer is shaped: one fetch of the client's exact shape is passed
    # through as the subgraph gave it, trusting the subgraph to propagate its own nulls.)
    transport = Scripted(shelf=shelf({"note": "hola", "crate": None, "books": []}), detail=entities({}))
    answer = await run(engine, transport, "{ note crate { label } books { title } }")
    assert answer["data"] is None
    assert paths(answer) == [["crate"]]
    assert answer["errors"][0]["message"] == "Cannot return null for non-nullable field Query.crate."


async def test_a_subgraph_error_at_or_below_the_null_is_the_only_error(engine: Engine) -> None:
    subgraph_error = {"message": "no title for b2", "path": ["_entities", 0, "title"]}
    transport = Scripted(
        shelf=shelf({"books": books("b2", "b3")}),
        # b2: the subgraph's own error explains its null title; b3: nothing does.
        detail=entities({"b2": {"__typename": "Book", "title": None}}, [subgraph_error]),
    )
    answer = await run(engine, transport, "{ books { id title } }")
    assert answer["data"] == {"books": [None, None]}
    assert sorted(paths(answer)) == [["books", 0, "title"], ["books", 1, "title"]]
    messages = {tuple(e["path"]): e["message"] for e in answer["errors"]}
    assert messages[("books", 0, "title")] == "no title for b2"
    assert messages[("books", 1, "title")] == "Cannot return null for non-nullable field Book.title."
    assert all(e["extensions"]["code"] for e in answer["errors"])


@pytest.mark.parametrize(
    ("field", "value", "expected", "error_path", "got"),
    [
        ("info { pages }", "many", {"title": "T", "info": None}, ["books", 0, "info"], "a string"),
        ("tags { name }", {"name": "x"}, {"title": "T", "tags": None}, ["books", 0, "tags"], "an object"),
        # A wrong item in a list of non-null items: the list is null, with the item's error only.
        (
            "tags { name }",
            [{"name": "x"}, 7],
            {"title": "T", "tags": None},
            ["books", 0, "tags", 1],
            "a number",
        ),
    ],
    ids=["object_as_string", "list_as_object", "list_item_as_number"],
)
async def test_a_value_of_the_wrong_type_is_null_with_its_error(
    engine: Engine, field: str, value: Any, expected: dict, error_path: list, got: str
) -> None:
    key = field.split()[0]
    transport = Scripted(
        shelf=shelf({"books": books("b1")}),
        detail=entities({"b1": {"__typename": "Book", "title": "T", key: value}}),
    )
    answer = await run(engine, transport, f"{{ books {{ title {field} }} }}")
    assert answer["data"] == {"books": [expected]}
    [error] = answer["errors"]
    assert error["path"] == error_path and error["extensions"]["code"] == "INVALID_GRAPHQL"
    assert error["message"].startswith("Invalid value found for field ") and error["message"].endswith(
        f"got {got}."
    )


async def test_a_non_null_field_inside_a_nullable_one_nulls_only_that_one(engine: Engine) -> None:
    transport = Scripted(
        shelf=shelf({"books": books("b1")}),
        detail=entities({"b1": {"__typename": "Book", "title": "T", "info": {"pages": None}}}),
    )
    answer = await run(engine, transport, "{ books { title info { pages } } }")
    assert answer["data"] == {"books": [{"title": "T", "info": None}]}
    assert paths(answer) == [["books", 0, "info", "pages"]]


async def test_a_failed_entity_fetch_over_a_thousand_objects_gives_one_error_per_field(
    engine: Engine,
) -> None:
    ids = [f"b{i}" for i in range(1000)]
    transport = Scripted(
        shelf=shelf({"note": "hola", "books": books(*ids)}),
        detail=SubgraphFailure("is unreachable", "SUBREQUEST_HTTP_ERROR"),
    )
    answer = await run(engine, transport, "{ note books { id title info { pages } } }")
    # title is non-null: every book is null, and the failure explains each null.
    assert answer["data"] == {"note": "hola", "books": [None] * 1000}
    assert answer["errors"] == [
        {
            "message": 'The subgraph "detail" is unreachable.',
            "path": ["books", 0, key],
            "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": "detail", "objects": 1000},
        }
        for key in ("title", "info")
    ]


async def test_a_failed_root_fetch_gives_an_error_at_each_root_field(engine: Engine) -> None:
    transport = Scripted(shelf=SubgraphFailure("timed out (no answer within 1 s)", "GATEWAY_TIMEOUT"))
    answer = await run(engine, transport, "{ note again: note crate { label } }")
    assert answer["data"] is None  # crate is non-null
    assert [(e["path"], e["extensions"]["code"]) for e in answer["errors"]] == [
        (["note"], "GATEWAY_TIMEOUT"),
        (["again"], "GATEWAY_TIMEOUT"),
        (["crate"], "GATEWAY_TIMEOUT"),
    ]
    assert "objects" not in answer["errors"][0]["extensions"]


@pytest.mark.parametrize(
    "detail",
    [
        lambda _request: {"data": None},
        lambda _request: {"data": {"_entities": None}},
        lambda _request: {"data": {"_entities": [{"__typename": "Book", "title": "one too few"}]}},
    ],
    ids=["no_data", "no_entities", "entities_of_the_wrong_length"],
)
async def test_an_answer_without_the_data_asked_for_is_a_failure(engine: Engine, detail: Answer) -> None:
    transport = Scripted(shelf=shelf({"books": books("b1", "b2")}), detail=detail)
    answer = await run(engine, transport, "{ books { id title } }")
    assert answer["data"] == {"books": [None, None]}
    [error] = answer["errors"]
    assert error["path"] == ["books", 0, "title"]
    assert error["extensions"] == {
        "code": "SUBREQUEST_MALFORMED_RESPONSE",
        "serviceName": "detail",
        "objects": 2,
    }
    assert error["message"] == 'The subgraph "detail" answered without the data it was asked for.'


async def test_an_answer_with_errors_and_no_data_keeps_the_subgraphs_errors(engine: Engine) -> None:
    transport = Scripted(
        shelf=shelf({"books": books("b1", "b2")}),
        detail=lambda _request: {"data": None, "errors": [{"message": "database down"}]},
    )
    answer = await run(engine, transport, "{ books { id title } }")
    assert answer["data"] == {"books": [None, None]}
    # The subgraph's own error says why; no "Cannot return null" for each book on top of it.
    assert [e["message"] for e in answer["errors"]] == ["database down"]
    assert answer["errors"][0]["extensions"]["serviceName"] == "detail"


@pytest.mark.parametrize(
    ("tags", "expected", "error_paths"),
    [
        # A non-null field of an item null: the list of non-null items is null, with the field's error.
        ([{"name": "x"}, {"name": None}], None, [["books", 0, "tags", 1, "name"]]),
        # Keys the client did not ask for are not passed on.
        ([{"name": "x", "secret": 1}], [{"name": "x"}], []),
        # A key the client asked for missing: shaped as null (here, with its error).
        ([{"other": "x"}], None, [["books", 0, "tags", 0, "name"]]),
        ([{"name": "x"}, None], None, [["books", 0, "tags", 1]]),
        ([{"name": "x"}, {"name": "y"}], [{"name": "x"}, {"name": "y"}], []),
    ],
    ids=["null_in_item", "extra_key", "missing_key", "null_item", "exact"],
)
async def test_a_list_one_subgraph_answered_is_taken_as_it_came_only_when_exact(
    engine: Engine, tags: list, expected: Any, error_paths: list
) -> None:
    """`tags { name }` is answered by the detail subgraph alone, exactly as asked: its value is taken
    as it came (`gateway.passthrough`) only when it is what shaping would make of it."""
    transport = Scripted(
        shelf=shelf({"books": books("b1")}),
        detail=entities({"b1": {"__typename": "Book", "title": "T", "tags": tags}}),
    )
    query = "{ books { title tags { name } } }"
    prepared, _ = engine.prepare(query, None, {})
    assert prepared.unshaped  # the case this test is for
    answer = await run(engine, transport, query)
    assert answer["data"] == {"books": [{"title": "T", "tags": expected}]}
    assert orjson.dumps(answer["data"]) == orjson.dumps({"books": [{"title": "T", "tags": expected}]})
    assert paths(answer) == error_paths
