"""The synthetic subgraph runtime answers the subgraph protocol correctly, so gateway tests can trust it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.gateway.synthetic import SCENARIO_NAMES, scenarios
from tests.gateway.synthetic.runtime import Subgraph, create_app, link

SDL = f"""
{link("@key", "@shareable")}

type Query {{
  things: [Thing]
  broken: String
  named(name: String!): Named
}}

interface Named {{
  name: String!
}}

type Thing implements Named @key(fields: "id") {{
  id: ID!
  name: String!
  size: Int
}}

type Ghost @key(fields: "id", resolvable: false) {{
  id: ID!
}}
"""

THINGS = {"1": {"id": "1", "name": "one", "size": 1}, "2": {"id": "2", "name": "two", "size": None}}


def _boom(_obj: Any, _info: Any) -> str:
    raise ValueError("boom")


def _thing_size(thing: dict, _info: Any) -> int | None:
    if thing["id"] == "3":
        raise ValueError("no size for 3")
    return thing["size"]


THING_SUBGRAPH = Subgraph(
    "things",
    SDL,
    {
        "Query.things": lambda _o, _i: [THINGS["1"], {"id": "3", "name": "three", "size": 3}, THINGS["2"]],
        "Query.broken": _boom,
        "Query.named": lambda _o, _i, name: next(
            ({"__typename": "Thing", **t} for t in THINGS.values() if t["name"] == name), None
        ),
        "Thing.__resolve_reference": lambda ref: THINGS.get(ref["id"]),
        "Thing.size": _thing_size,
    },
)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app({"demo": [THING_SUBGRAPH]}))
    async with httpx.AsyncClient(transport=transport, base_url="http://synthetic") as http:
        yield http


async def gql(client: httpx.AsyncClient, query: str, variables: dict | None = None) -> dict[str, Any]:
    response = await client.post("/demo/things", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


async def test_service_sdl_is_the_original(client: httpx.AsyncClient) -> None:
    result = await gql(client, "{ _service { sdl } }")
    assert result == {"data": {"_service": {"sdl": SDL}}}


async def test_entities_in_order_with_nulls_for_unknown(client: httpx.AsyncClient) -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Thing { id name } } }"
    reps = [
        {"__typename": "Thing", "id": "2"},
        {"__typename": "Thing", "id": "9"},
        {"__typename": "Thing", "id": "1"},
    ]
    result = await gql(client, query, {"r": reps})
    assert result == {
        "data": {
            "_entities": [
                {"__typename": "Thing", "id": "2", "name": "two"},
                None,
                {"__typename": "Thing", "id": "1", "name": "one"},
            ]
        }
    }


async def test_only_resolvable_keys_are_entities(client: httpx.AsyncClient) -> None:
    result = await gql(client, '{ __type(name: "_Entity") { possibleTypes { name } } }')
    assert result["data"]["__type"]["possibleTypes"] == [{"name": "Thing"}]


async def test_errors_carry_paths(client: httpx.AsyncClient) -> None:
    result = await gql(client, "{ broken things { id size } }")
    assert result["data"]["broken"] is None
    assert result["data"]["things"][1] == {"id": "3", "size": None}
    assert sorted(error["path"] for error in result["errors"]) == [["broken"], ["things", 1, "size"]]


async def test_bad_representation_nulls_only_its_element(client: httpx.AsyncClient) -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { name } } }"
    result = await gql(client, query, {"r": [{"__typename": "Thing", "id": "1"}, {"id": "2"}]})
    assert result["data"]["_entities"] == [{"name": "one"}, None]
    assert [error["path"] for error in result["errors"]] == [["_entities", 1]]


async def test_abstract_types_resolve_by_typename(client: httpx.AsyncClient) -> None:
    result = await gql(client, '{ named(name: "two") { __typename name ... on Thing { size } } }')
    assert result == {"data": {"named": {"__typename": "Thing", "name": "two", "size": None}}}


async def test_validation_errors_are_graphql_errors(client: httpx.AsyncClient) -> None:
    result = await gql(client, "{ nope }")
    assert "data" not in result or result["data"] is None
    assert "nope" in result["errors"][0]["message"]


async def test_fail_switch_answers_http_error(client: httpx.AsyncClient) -> None:
    THING_SUBGRAPH.fail_status = 503
    try:
        response = await client.post("/demo/things", json={"query": "{ things { id } }"})
    finally:
        THING_SUBGRAPH.fail_status = None
    assert response.status_code == 503
    assert (await gql(client, "{ things { id } }"))["data"]["things"][0] == {"id": "1"}


async def test_received_operations_are_recorded(client: httpx.AsyncClient) -> None:
    THING_SUBGRAPH.received.clear()
    await gql(client, "{ things { id } }")
    assert [body["query"] for body in THING_SUBGRAPH.received] == ["{ things { id } }"]


async def test_interface_entity_reference_resolves_to_concrete_type() -> None:
    accounts = scenarios()["interface_object"].ACCOUNTS_SUBGRAPH
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Account { __typename name } } }"
    result = await accounts.execute(
        {"query": query, "variables": {"r": [{"__typename": "Account", "id": "2"}]}}
    )
    assert result == {"data": {"_entities": [{"__typename": "Company", "name": "Taller SA"}]}}


@pytest.mark.parametrize("name", SCENARIO_NAMES)
async def test_every_scenario_builds_and_serves_its_sdl(name: str) -> None:
    module = scenarios()[name]
    assert module.OPERATIONS, f"{name} has no operations"
    assert len({operation.name for operation in module.OPERATIONS}) == len(module.OPERATIONS)
    for subgraph in module.SUBGRAPHS:
        result = await subgraph.execute({"query": "{ _service { sdl } }"})
        assert result == {"data": {"_service": {"sdl": subgraph.sdl}}}
