"""Plans are values: frozen once built, shared safely by every request the plan cache serves, and the
same for the same operation whatever the process (planning is deterministic)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.engine import Engine, GatewayError
from gateway.plan import QueryPlan
from gateway.plan_builder import PlanBuilder
from gateway.reachability import Reachability
from gateway.supergraph import Supergraph
from tests.gateway.synthetic import scenarios

ROOT = Path(__file__).resolve().parents[2]
JOINED = "{ products { name shippingEstimate } }"  # a root fetch, then an entity fetch with @requires
# Scenarios whose planning iterates over sets of names most: abstract types, interface objects, keys.
SET_HEAVY = ("audit_abstract", "audit_interface_object", "audit_keys", "audit_requires_abstract", "unions")


@cache
def supergraph_of(scenario: str) -> str:
    module = scenarios()[scenario]
    sdl = compose(
        [SubgraphSource(s.name, f"http://{s.name}.invalid/graphql", s.sdl) for s in module.SUBGRAPHS]
    )
    edit = getattr(module, "edit_supergraph", None)
    return edit(sdl) if edit else sdl


def plans(names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Every plan of the synthetic corpus (or of the scenarios named) as data, a refusal as its errors,
    by scenario and operation."""
    found: dict[str, Any] = {}
    for scenario, module in scenarios().items():
        if names is not None and scenario not in names:
            continue
        engine = Engine(Supergraph(supergraph_of(scenario)))
        for operation in module.OPERATIONS:
            try:
                prepared, _ = engine.prepare(
                    operation.query, operation.operation_name, operation.variables or {}
                )
            except GatewayError as refused:
                found[f"{scenario}/{operation.name}"] = refused.errors
            else:
                found[f"{scenario}/{operation.name}"] = prepared.plan.describe()
    return found


def cached_plan(query: str, scenario: str = "requires") -> tuple[Engine, QueryPlan]:
    engine = Engine(Supergraph(supergraph_of(scenario)))
    first, _ = engine.prepare(query, None, {})
    again, _ = engine.prepare(query, None, {})
    assert again.plan is first.plan  # what the cache hands every request is this one object
    return engine, first.plan


def test_a_cached_plan_cannot_be_changed() -> None:
    _, plan = cached_plan(JOINED)
    root, entity = plan.fetches[0], next(f for f in plan.fetches if f.entity)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.fetches = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        plan.fetches.append(root)  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entity.document = "query { _entities }"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        entity.depends.add(99)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        entity.inputs["Product"] = entity.inputs["Product"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entity.inputs["Product"].typename = "Other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        root.selections.fields["extra"] = root.selections.fields["products"]  # type: ignore[index]
    products = root.selections.fields["products"][1]
    assert products is not None
    with pytest.raises(TypeError):
        del products.fields["name"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        products.fragments["Product"] = products  # type: ignore[index]


def test_the_prepared_operation_the_cache_shares_cannot_be_changed() -> None:
    engine, plan = cached_plan(JOINED)
    prepared, _ = engine.prepare(JOINED, None, {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.plan = plan  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.passthrough = True  # type: ignore[misc]


def test_a_plan_is_complete_when_built() -> None:
    """Documents, variables and what each fetch owes are in the plan from the start, not filled in by
    whoever runs it first."""
    _, plan = cached_plan("query($z: Int) { products { name shippingQuote(zone: $z) } }")
    root, entity = plan.fetches
    assert root.document.startswith("query {") and root.variables == () and root.owed == ("products",)
    assert entity.document.startswith("query($representations: [_Any!]!, $z: Int) { _entities(")
    assert entity.variables == ("z",) and entity.owed == ("shippingQuote",)
    assert entity.depends == frozenset({root.id})
    # The representation carries `dimensions { weight }`: not a flat key, known as such from the start.
    assert entity.inputs["Product"].flat_pairs is None


def test_writing_on_the_builder_after_build_does_not_reach_the_plan() -> None:
    sg = Supergraph(supergraph_of("single_key"))
    engine = Engine(sg)
    prepared, _ = engine.prepare("{ products { name } }", None, {})
    builder = PlanBuilder("query")
    fetch = builder.root_fetch(prepared.plan.fetches[0].subgraph)
    name = prepared.plan.fetches[0].selections.fields["products"][0]
    fetch.selections.leaf(name)
    built = builder.build({})
    before = built.describe()
    fetch.selections.leaf(dataclasses.replace(name, key="other"))
    fetch.depends.add(7)
    assert built.describe() == before and built.fetches[0].depends == frozenset()


async def test_running_a_plan_leaves_it_as_it_was() -> None:
    from tests.gateway.synthetic import requires

    engine, plan = cached_plan(JOINED)
    before = orjson.dumps(_as_data(plan))
    subgraphs = {s.name: s for s in requires.SUBGRAPHS}

    async def transport(name: str, body: bytes) -> dict[str, Any]:
        return await subgraphs[name].execute(orjson.loads(body))

    for _ in range(2):
        prepared, coerced = engine.prepare(JOINED, None, {})
        answer = await engine.execute(prepared, {}, coerced, transport)
        assert "errors" not in answer and answer["data"]["products"]
    assert orjson.dumps(_as_data(plan)) == before


def _as_data(value: Any) -> Any:
    """Everything a plan holds, as plain data, to compare two moments of one plan."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _as_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "items"):
        return {str(k): _as_data(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_as_data(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def test_planning_twice_gives_equal_plans() -> None:
    engine = Engine(Supergraph(supergraph_of("audit_requires_abstract")))
    for operation in scenarios()["audit_requires_abstract"].OPERATIONS:
        try:
            engine.prepare(operation.query, operation.operation_name, operation.variables or {})
        except GatewayError:
            continue
        engine.plans.clear()
        first, _ = engine.prepare(operation.query, operation.operation_name, operation.variables or {})
        engine.plans.clear()
        second, _ = engine.prepare(operation.query, operation.operation_name, operation.variables or {})
        assert first.plan is not second.plan
        assert first.plan == second.plan, operation.name


def test_plans_do_not_depend_on_the_process() -> None:
    """Planned in another process with other string hashes (so any iteration over a set of names in
    another order would show), the plans are the very plans planned here."""
    here = plans(SET_HEAVY)
    script = (
        "import json, sys; from tests.gateway.test_plan_values import SET_HEAVY, plans; "
        "json.dump(plans(SET_HEAVY), sys.stdout, sort_keys=True)"
    )
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == json.loads(json.dumps(here, sort_keys=True))


def test_kept_reachability_answers_plan_as_asking_again_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers kept for one planning are the answers: with every question asked afresh, every
    plan of the corpus is the same."""
    kept = plans()
    monkeypatch.setattr(
        Reachability,
        "reachable",
        lambda self, graph, type_name, selection, provided, seen=frozenset(): self._reach(
            graph, type_name, selection, provided, seen
        ),
    )
    assert plans() == kept
