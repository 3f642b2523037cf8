"""The Apollo oracle itself works: composition succeeds and fails as Apollo does, and the gateway serves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.oracle.oracle import apollo_gateway, compose_many_with_apollo, compose_with_apollo, require_oracle

LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
PRODUCTS = {
    "name": "products",
    "url": "http://127.0.0.1:1/graphql",
    "sdl": LINK
    + 'type Query { product(id: ID!): Product }\ntype Product @key(fields: "id") { id: ID! name: String }',
}
REVIEWS = {
    "name": "reviews",
    "url": "http://127.0.0.1:2/graphql",
    "sdl": LINK + 'type Product @key(fields: "id") { id: ID! stars: Int }',
}
# `name` in both subgraphs without @shareable.
CLASHING = {
    "name": "clash",
    "url": "http://127.0.0.1:3/graphql",
    "sdl": LINK + 'type Product @key(fields: "id") { id: ID! name: String }',
}


@pytest.fixture(scope="module")
def composed() -> dict[str, Any]:
    """One node process for the single and the batch forms (node starts slowly)."""
    require_oracle()
    single = compose_with_apollo([PRODUCTS, REVIEWS])
    ok, clash, broken = compose_many_with_apollo(
        [[PRODUCTS, REVIEWS], [PRODUCTS, CLASHING], [{**PRODUCTS, "sdl": "type Query {"}]]
    )
    return {"single": single, "ok": ok, "clash": clash, "broken": broken}


def test_compose_success(composed: dict[str, Any]) -> None:
    assert "errors" not in composed["single"]
    assert '@join__graph(name: "reviews"' in composed["single"]["supergraphSdl"]
    assert composed["ok"] == composed["single"]


def test_compose_error_codes(composed: dict[str, Any]) -> None:
    assert {error["code"] for error in composed["clash"]["errors"]} == {"INVALID_FIELD_SHARING"}
    assert [error["code"] for error in composed["broken"]["errors"]] == ["INVALID_GRAPHQL"]


def test_gateway_answers(composed: dict[str, Any]) -> None:
    with apollo_gateway(composed["single"]["supergraphSdl"]) as url:
        assert url.endswith("/graphql")
        response = httpx.post(url, json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
