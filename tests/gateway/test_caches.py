"""Every cache a client can fill is bounded in entries and in characters, and keeps nothing refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cache import BoundedCache
from gateway.engine import Engine, GatewayError
from gateway.limits import Limits
from gateway.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@pytest.fixture(scope="module")
def supergraph() -> Supergraph:
    return Supergraph(SUPERGRAPH.read_text())


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_entries=2, max_weight=100)
    cache.put("a", 1, 1)
    cache.put("b", 2, 1)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3, 1)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3


def test_weight_bounds_the_cache_and_an_entry_heavier_than_all_is_never_kept() -> None:
    cache: BoundedCache[str, str] = BoundedCache(max_entries=100, max_weight=10)
    for key in "abcd":
        cache.put(key, key, 4)
    assert len(cache) == 2 and cache.weight == 8
    cache.put("huge", "x", 11)
    assert "huge" not in cache and len(cache) == 2
    cache.put("c", "c", 9)  # replacing an entry counts its new weight only
    assert cache.weight == 9 and list(cache._entries) == ["c"]


def test_refused_documents_are_never_cached(supergraph: Supergraph) -> None:
    engine = Engine(supergraph, Limits(max_depth=3))
    refused = [
        "{ standards(first: 2) { edges { node { committee { name } } } } }",  # too deep
        "{ nope }",  # invalid
        "{ standards(",  # does not parse
        " ".join(f"query Q{i} {{ __typename }}" for i in range(51)),  # too many operations
    ]
    for query in refused:
        with pytest.raises(GatewayError):
            engine.prepare(query, None, {})
    assert len(engine.documents) == 0 and len(engine.plans) == 0


def test_an_operation_over_the_cost_budget_is_refused_before_planning(supergraph: Supergraph) -> None:
    engine = Engine(supergraph, Limits(max_cost=100))
    query = "query($n: Int) { standards(first: $n) { edges { node { code title } } } }"
    engine.prepare(query, None, {"n": 5})
    assert len(engine.plans) == 1
    with pytest.raises(GatewayError) as refused:
        engine.prepare(query, None, {"n": 100})
    assert refused.value.errors[0]["extensions"]["limit"] == "cost"
    engine.prepare(query, None, {"n": 5})  # the verdict is per page size, not per text
    assert len(engine.plans) == 1


def test_documents_and_plans_stay_within_their_character_budget(supergraph: Supergraph) -> None:
    engine = Engine(supergraph, cache_entries=1000, cache_chars=2_000)
    for n in range(100):
        engine.prepare(f"{{ __typename a{n}: __typename }} # {'x' * 100}", None, {})
    assert engine.documents.weight <= 2_000 and engine.plans.weight <= 2_000
    assert 10 <= len(engine.documents) < 20
