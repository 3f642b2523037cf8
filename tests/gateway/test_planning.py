"""The planner and executor in process, over the synthetic subgraphs called directly (no HTTP):
the shape of plans and the guarantees that the differential tests cannot see."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from gateway import passthrough
from gateway.composition import SubgraphSource, compose
from gateway.engine import Engine, GatewayError
from gateway.errors import SubgraphFailure
from gateway.supergraph import Supergraph
from tests.gateway.synthetic import requires, requires_arguments, single_key, unsatisfiable
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


def engine_over(subgraphs: list[Subgraph], edit: Callable[[str], str] | None = None) -> tuple[Engine, Direct]:
    sdl = compose([SubgraphSource(s.name, f"http://{s.name}.invalid/graphql", s.sdl) for s in subgraphs])
    return Engine(Supergraph(edit(sdl) if edit else sdl)), Direct(subgraphs)


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


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("{ topProduct { rating } products { id rating } }", "Product.rating"),
        ("{ version topMedia { id __typename } }", "Media has no implementation"),
    ],
)
async def test_an_unsatisfiable_operation_is_refused_before_any_fetch_every_time(
    query: str, names: str
) -> None:
    engine, transport = engine_over(unsatisfiable.SUBGRAPHS, unsatisfiable.edit_supergraph)
    cached: list[bool] = []
    engine.on_plan = cached.append
    for _ in range(2):
        with pytest.raises(GatewayError) as refused:
            await run(engine, transport, query)
        assert [e["extensions"]["code"] for e in refused.value.errors] == ["QUERY_PLANNING_FAILED"]
        assert names in refused.value.errors[0]["message"]
    assert cached == [False, False]  # a refusal is never cached
    assert len(engine.plans) == 0
    assert transport.sent == []  # nothing ran in part


async def test_a_requirement_with_arguments_reaches_its_subgraph_as_required() -> None:
    """The client's `comments(limit: 10)` and the requirement's `comments(limit: 3)` are two fields
    of the fetch; digest receives exactly the three required comments, each with its author."""
    engine, transport = engine_over(requires_arguments.SUBGRAPHS)
    await run(engine, transport, "{ threads { id topAuthors comments(limit: 10) { body } } }")
    (to_threads,) = [request for name, request in transport.sent if name == "threads"]
    assert "comments(limit: 10)" in to_threads["query"] and "comments(limit: 3)" in to_threads["query"]
    (to_digest,) = [request for name, request in transport.sent if name == "digest"]
    first = to_digest["variables"]["representations"][0]
    assert first["comments"] == [{"authorId": "ana"}, {"authorId": "beto"}, {"authorId": "ana"}]


# Queries whose object fields one fetch may answer exactly (`gateway.passthrough`): the response with
# those fields taken as they came must be the shaped one, byte for byte, errors included.
UNSHAPED_CASES = {
    "{ products(first: 3) { name reviews { body rating } } }": {"reviews"},
    '{ product(id: "p1") { praise: reviews(minRating: 4) { id body } all: reviews { id } } }': {
        "praise",
        "all",
    },
    # Another entity fetch writes below reviews (the product's name lives in the catalog).
    "{ products(first: 3) { reviews { body product { name } } } }": set(),
    # Only the product's key below: the reviews subgraph answers it, and the whole review with it.
    "{ products(first: 3) { reviews { body product { id } } } }": {"reviews"},
    "{ products(first: 3) { reviews { __typename body } } }": set(),  # the gateway answers __typename
    # One key asked twice, merged: shaped.
    "{ products(first: 2) { reviews { id } reviews { body } } }": set(),
    # A fragment spread at two places: answered exactly at the first, merged with more at the second.
    "fragment R on Product { reviews { id } }"
    '{ products(first: 2) { ...R } product(id: "p3") { ...R reviews { body } } }': {"reviews"},
    "{ topReviews(minRating: 1) { body product { name reviewCount } } }": set(),
}


def unshaped_keys(prepared: Any) -> set[str]:
    keys: set[str] = set()
    marked = {i for i, _ in prepared.unshaped}
    stack = list(prepared.selections)
    while stack:
        selection = stack.pop()
        if getattr(selection, "key", None) is not None and id(selection) in marked:
            keys.add(selection.key)
        stack.extend(selection.selections or ())
    return keys


@pytest.mark.parametrize("query", list(UNSHAPED_CASES))
async def test_fields_one_fetch_answered_exactly_are_taken_as_they_came(
    shop: tuple[Engine, Direct], query: str
) -> None:
    engine, transport = shop
    prepared, coerced = engine.prepare(query, None, {})
    assert unshaped_keys(prepared) == UNSHAPED_CASES[query]
    shaped = dataclasses.replace(prepared, unshaped=frozenset(), shapes={})
    ours = await engine.execute(prepared, {}, coerced, transport)
    assert "errors" not in ours and ours["data"]
    assert orjson.dumps(ours) == orjson.dumps(await engine.execute(shaped, {}, coerced, transport))


async def test_a_field_taken_as_it_came_still_costs_its_error_when_its_fetch_fails(
    shop: tuple[Engine, Direct],
) -> None:
    engine, transport = shop

    async def reviews_down(name: str, body: bytes) -> dict[str, Any]:
        if name == "reviews":
            raise SubgraphFailure("is down", "SUBREQUEST_HTTP_ERROR")
        return await transport(name, body)

    query = "{ products(first: 2) { name reviews { body rating } } }"
    prepared, coerced = engine.prepare(query, None, {})
    assert unshaped_keys(prepared) == {"reviews"}
    shaped = dataclasses.replace(prepared, unshaped=frozenset(), shapes={})
    ours = await engine.execute(prepared, {}, coerced, reviews_down)
    assert ours["errors"] and ours["data"] is None  # products: [Product!]! and reviews: [Review!]!
    assert ours == await engine.execute(shaped, {}, coerced, reviews_down)


async def test_past_its_budget_a_plan_takes_nothing_as_it_came(
    shop: tuple[Engine, Direct], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Abstract types nested in abstract types multiply the places to decide: the walk is bounded, and
    past its budget every field is shaped."""
    engine, transport = shop
    monkeypatch.setattr(passthrough, "_VISITS", 1)
    query = "{ products(first: 3) { name reviews { body rating } } }"
    prepared, _ = engine.prepare(query, None, {})
    assert prepared.unshaped == frozenset()
    answer = await run(engine, transport, query)
    assert "errors" not in answer and len(answer["data"]["products"]) == 3
