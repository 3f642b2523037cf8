"""The planner and executor in process, over the synthetic subgraphs called directly (no HTTP):
the shape of plans and the guarantees that the differential tests cannot see."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.engine import Engine
from gateway.supergraph import Supergraph
from tests.gateway.synthetic import requires, single_key
from tests.gateway.synthetic.runtime import Subgraph


class Direct:
    """A transport that calls the subgraphs in process and remembers every request."""

    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subgraphs = {s.name: s for s in subgraphs}
        self.sent: list[tuple[str, dict]] = []

    async def __call__(self, name: str, body: bytes) -> dict[str, Any]:
        request = orjson.loads(body)
        self.sent.append((name, request))
        return await self.subgraphs[name].execute(request)


def engine_over(subgraphs: list[Subgraph]) -> tuple[Engine, Direct]:
    sdl = compose([SubgraphSource(s.name, f"http://{s.name}.invalid/graphql", s.sdl) for s in subgraphs])
    return Engine(Supergraph(sdl)), Direct(subgraphs)


async def run(engine: Engine, transport: Direct, query: str, variables: dict | None = None) -> dict:
    prepared, coerced = engine.prepare(query, None, variables or {})
    return await engine.execute(prepared, variables or {}, coerced, transport)


@pytest.fixture
def shop() -> tuple[Engine, Direct]:
    return engine_over(single_key.SUBGRAPHS)


async def test_a_client_alias_on_a_key_name_does_not_hide_the_key(shop: tuple[Engine, Direct]) -> None:
    engine, transport = shop
    answer = await run(engine, transport, "{ products(first: 2) { id: name reviewCount } }")
    names = [p["name"] for p in single_key.PRODUCTS.values()][:2]
    assert [p["id"] for p in answer["data"]["products"]] == names
    counts = [len(single_key._reviews_of(p, 0)) for p in list(single_key.PRODUCTS)[:2]]
    assert [p["reviewCount"] for p in answer["data"]["products"]] == counts


async def test_one_entities_call_per_fetch_with_each_representation_once(shop: tuple[Engine, Direct]) -> None:
    engine, transport = shop
    await run(engine, transport, "{ topReviews(minRating: 1) { product { name } } }")
    to_catalog = [request for name, request in transport.sent if name == "catalog"]
    assert len(to_catalog) == 1
    representations = to_catalog[0]["variables"]["representations"]
    reviewed = {r["product"] for r in single_key.REVIEWS.values()}
    assert len(representations) == len(reviewed) < len(single_key.REVIEWS)


async def test_independent_fetches_run_in_parallel_and_dependent_ones_wait() -> None:
    engine, _ = engine_over(requires.SUBGRAPHS)
    prepared, _ = engine.prepare("{ products { name shippingEstimate } }", None, {})
    plan = prepared.plan.describe()
    root, *entities = plan
    assert root["dependsOn"] == [] and root["path"] == []
    assert all(step["dependsOn"] == [root["id"]] for step in entities)
    assert all("_entities" in step["operation"] for step in entities)


async def test_plans_are_cached_by_text_name_and_skip_include_values(shop: tuple[Engine, Direct]) -> None:
    engine, _ = shop
    hits: list[bool] = []
    engine.on_plan = hits.append
    query = "query($r: Boolean!) { products { name reviewCount @include(if: $r) } }"
    first, _ = engine.prepare(query, None, {"r": True})
    again, _ = engine.prepare(query, None, {"r": True})
    other, _ = engine.prepare(query, None, {"r": False})
    assert hits == [False, True, False]
    assert first is again and other is not first
    assert len(first.plan.fetches) == 2 and len(other.plan.fetches) == 1


async def test_a_single_fetch_asking_what_the_client_asked_is_passed_through(
    shop: tuple[Engine, Direct],
) -> None:
    engine, transport = shop
    cases = {
        "{ products(first: 2) { id name price } }": True,
        "{ products(first: 2) { id name reviewCount } }": False,  # an entity fetch follows
        "{ products(first: 2) { __typename id } }": False,  # the gateway answers __typename
        "{ products(first: 2) { id category } }": False,  # enum values are checked
        '{ a: product(id: "p1") { name } b: product(id: "p2") { name } }': True,
    }
    for query, expected in cases.items():
        prepared, _ = engine.prepare(query, None, {})
        assert prepared.passthrough is expected, query
        answer = await run(engine, transport, query)
        assert "errors" not in answer and answer["data"], answer
