"""Planning benchmark: how long the query planner takes per operation, cache bypassed.

The corpus is every operation of the synthetic scenarios (tests/gateway/synthetic, the differential
tests' corpus, one supergraph per scenario composed by gateway.composition) and the real shapes of
bench/gateway.py over schema/supergraph.graphql. Each operation is parsed, validated and normalised
once; then only `QueryPlanner.plan` is timed, `--repeat` times in `--rounds` rounds, and the median
round is reported: per scenario (microseconds per plan) and in total. `--cpu` times with the
process's CPU clock instead of the wall clock: steadier when other work shares the machine.

`--dump FILE` writes every plan as data (`QueryPlan.describe()`, or the planning error's message) to
FILE as JSON: two runs' dumps are equal exactly when the planner made the same plans, which is how a
refactoring of the planner shows it changed no plan.

    python bench/planning.py [--repeat 20] [--rounds 5] [--cpu] [--dump FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, OperationType, print_ast
from graphql.execution.values import get_variable_values

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gateway import REAL_SHAPES  # noqa: E402
from gateway.composition import SubgraphSource, compose  # noqa: E402
from gateway.engine import Engine, GatewayError  # noqa: E402
from gateway.operation import OperationError, normalize, select_operation  # noqa: E402
from gateway.planner import PlanningError, QueryPlanner  # noqa: E402
from gateway.supergraph import Supergraph  # noqa: E402
from tests.gateway.synthetic import scenarios  # noqa: E402


@dataclass
class Case:
    scenario: str
    name: str
    plan: Callable[[], Any]  # plans the operation once; raises PlanningError when it cannot


def cases_of(
    scenario: str, sdl: str, operations: list[tuple[str, str, dict | None, str | None]]
) -> list[Case]:
    """The operations the engine accepts (valid, within the limits), each ready to be planned."""
    engine = Engine(Supergraph(sdl))
    planner = QueryPlanner(engine.supergraph)
    found = []
    for name, query, variables, operation_name in operations:
        try:
            document = engine.document(query)
            operation = select_operation(document.ast, operation_name)
        except (GatewayError, OperationError):
            continue  # refused before planning: nothing to time
        if operation.operation == OperationType.SUBSCRIPTION:
            continue
        values = get_variable_values(engine.schema, operation.variable_definitions or (), variables or {})
        if isinstance(values, list):
            continue
        found.append(Case(scenario, name, _planning(planner, document.ast, operation, values.coerced)))
    return found


def _planning(
    planner: QueryPlanner, document: Any, operation: OperationDefinitionNode, coerced: dict[str, Any]
) -> Callable[[], Any]:
    selections = normalize(document, operation, coerced)
    kind = operation.operation.value
    definitions = {
        d.variable.name.value: print_ast(d.type)
        + (f" = {print_ast(d.default_value)}" if d.default_value is not None else "")
        for d in operation.variable_definitions or ()
    }
    return lambda: planner.plan(kind, selections, definitions)


def corpus() -> list[Case]:
    found: list[Case] = []
    for scenario, module in scenarios().items():
        sdl = compose(
            [SubgraphSource(s.name, f"http://{s.name}.invalid/graphql", s.sdl) for s in module.SUBGRAPHS]
        )
        edit = getattr(module, "edit_supergraph", None)
        operations = [(o.name, o.query, o.variables, o.operation_name) for o in module.OPERATIONS]
        found += cases_of(scenario, edit(sdl) if edit else sdl, operations)
    real = (ROOT / "schema" / "supergraph.graphql").read_text(encoding="utf-8")
    found += cases_of("real", real, [(name, query, None, None) for name, (_, query) in REAL_SHAPES.items()])
    return found


def plan_once(case: Case) -> Any:
    try:
        return case.plan().describe()
    except PlanningError as exc:
        return {"error": str(exc)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="plans of each operation per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dump", type=Path, help="write every plan as JSON to this file")
    parser.add_argument(
        "--cpu", action="store_true", help="time with the process's CPU clock (steadier on a shared machine)"
    )
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    cases = corpus()
    if args.dump:
        plans = {f"{c.scenario}/{c.name}": plan_once(c) for c in cases}
        args.dump.write_text(json.dumps(plans, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(plans)} plans written to {args.dump}")
    # Seconds spent per scenario in each round, and per round in all.
    by_scenario: dict[str, list[float]] = {c.scenario: [0.0] * args.rounds for c in cases}
    totals: list[float] = []
    for round_ in range(args.rounds):
        total = 0.0
        for case in cases:
            started = clock()
            for _ in range(args.repeat):
                with contextlib.suppress(PlanningError):
                    case.plan()
            spent = clock() - started
            total += spent
            by_scenario[case.scenario][round_] += spent
        totals.append(total)
    per_scenario = {name: len([c for c in cases if c.scenario == name]) for name in by_scenario}
    print(f"{'scenario':<26} {'operations':>10} {'us/plan':>10}")
    for name, rounds in by_scenario.items():
        per_plan = statistics.median(rounds) / (per_scenario[name] * args.repeat) * 1e6
        print(f"{name:<26} {per_scenario[name]:>10} {per_plan:>10.1f}")
    per_plan = statistics.median(totals) / (len(cases) * args.repeat) * 1e6
    print(f"{'all':<26} {len(cases):>10} {per_plan:>10.1f}   (median of {args.rounds} rounds)")


if __name__ == "__main__":
    main()
