"""An entity fetch's representations, in process: each distinct one once, with every object it stands
for, whatever the key's values are (the executor takes a fast path for keys of one scalar field)."""

from __future__ import annotations

from gateway.composition import SubgraphSource, compose
from gateway.engine import Engine
from gateway.executor import Execution
from gateway.supergraph import Supergraph

LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])'
SDL = {
    "a": f"""{LINK}
scalar JSON
type Query {{ items: [Item] things: [Thing] }}
type Item @key(fields: "id") {{ id: ID! name: String }}
type Thing @key(fields: "ref") {{ ref: JSON! }}""",
    "b": f"""{LINK}
scalar JSON
type Item @key(fields: "id") {{ id: ID! extra: String }}
type Thing @key(fields: "ref") {{ ref: JSON! extra: String }}""",
}


def entity_fetch(query: str) -> tuple[Execution, object]:
    sources = [SubgraphSource(name, f"http://{name}.invalid/graphql", sdl) for name, sdl in SDL.items()]
    engine = Engine(Supergraph(compose(sources)))
    prepared, _ = engine.prepare(query, None, {})
    fetch = next(f for f in prepared.plan.fetches if f.entity)
    return Execution(engine.supergraph, prepared.plan, None, {}), fetch  # type: ignore[arg-type]


def test_one_representation_per_distinct_key_with_every_object_it_stands_for() -> None:
    execution, fetch = entity_fetch("{ items { name extra } }")
    items = [
        {"__typename": "Item", "id": "1"},
        {"__typename": "Item", "id": "2"},
        {"__typename": "Item", "id": "1"},
        {"__typename": "Item"},  # no key: cannot be represented
        None,
    ]
    execution.data = {"items": items}
    representations, owners, skipped = execution.representations(fetch)  # type: ignore[arg-type]
    assert representations == [{"__typename": "Item", "id": "1"}, {"__typename": "Item", "id": "2"}]
    assert [owners.of(i) for i in range(len(owners))] == [[items[0], items[2]], [items[1]]]
    # Their response paths are worked out only when an error needs them.
    assert owners.paths(execution.data, fetch.path) == [  # type: ignore[attr-defined]
        [(((), "items"), 0), (((), "items"), 2)],
        [(((), "items"), 1)],
    ]
    assert skipped == [items[3]]


def test_keys_holding_objects_and_lists_are_told_apart_by_value() -> None:
    execution, fetch = entity_fetch("{ things { extra } }")
    things = [
        {"__typename": "Thing", "ref": {"a": 1, "b": [2]}},
        {"__typename": "Thing", "ref": {"b": [2], "a": 1}},  # the same object, keys in another order
        {"__typename": "Thing", "ref": [1, 2]},
        {"__typename": "Thing", "ref": "plain"},
    ]
    execution.data = {"things": things}
    representations, owners, skipped = execution.representations(fetch)  # type: ignore[arg-type]
    assert representations == [
        {"__typename": "Thing", "ref": {"a": 1, "b": [2]}},
        {"__typename": "Thing", "ref": [1, 2]},
        {"__typename": "Thing", "ref": "plain"},
    ]
    assert [len(owners.of(i)) for i in range(len(owners))] == [2, 1, 1]
    assert skipped == []
