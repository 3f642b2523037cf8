"""The Apollo oracle itself works: composition succeeds and fails as Apollo does, and the gateway serves."""

from __future__ import annotations

import httpx

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


def test_compose_success() -> None:
    require_oracle()
    result = compose_with_apollo([PRODUCTS, REVIEWS])
    assert "errors" not in result
    assert '@join__graph(name: "reviews"' in result["supergraphSdl"]


def test_compose_error_codes_and_batch() -> None:
    require_oracle()
    ok, clash, broken = compose_many_with_apollo(
        [[PRODUCTS, REVIEWS], [PRODUCTS, CLASHING], [{**PRODUCTS, "sdl": "type Query {"}]]
    )
    assert "supergraphSdl" in ok
    assert {error["code"] for error in clash["errors"]} == {"INVALID_FIELD_SHARING"}
    assert [error["code"] for error in broken["errors"]] == ["INVALID_GRAPHQL"]


def test_gateway_answers() -> None:
    require_oracle()
    supergraph = compose_with_apollo([PRODUCTS, REVIEWS])["supergraphSdl"]
    with apollo_gateway(supergraph) as url:
        assert url.endswith("/graphql")
        response = httpx.post(url, json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
