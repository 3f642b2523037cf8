"""Synthetic Federation v2 subgraphs, one module per federation feature, and the operations that the
differential test runs through @apollo/gateway and through our gateway.

Each scenario module exposes `SUBGRAPHS: list[Subgraph]` and `OPERATIONS: list[Operation]`, and may
define `edit_supergraph(sdl) -> sdl` to serve both gateways a supergraph that composition would refuse
(see `unsatisfiable`).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from starlette.applications import Starlette

from .runtime import Operation, Subgraph, create_app

SCENARIO_NAMES = (
    "single_key",
    "compound_key",
    "nested_key",
    "multiple_keys",
    "not_resolvable",
    "requires",
    "provides",
    "shareable",
    "override",
    "inaccessible",
    "tag",
    "interfaces",
    "unions",
    "interface_object",
    "mutations",
    "errors",
    "audit_abstract",
    "audit_distributed",
    "audit_keys",
    "audit_external_extends",
    "audit_requires",
    "audit_requires_abstract",
    "audit_interface_object",
    "audit_provides",
    "audit_override",
    "audit_enums_inputs",
    "audit_node",
    "audit_simple",
    "narrowed_types",
    "requires_arguments",
    "unsatisfiable",
)


def scenarios() -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"{__name__}.{name}") for name in SCENARIO_NAMES}


def subgraph_list(scenario: str, base_url: str) -> list[dict[str, str]]:
    """The scenario's subgraphs as composition takes them: name, URL under `base_url`, SDL."""
    module = scenarios()[scenario]
    return [
        {"name": s.name, "url": f"{base_url}/{scenario}/{s.name}", "sdl": s.sdl} for s in module.SUBGRAPHS
    ]


def app() -> Starlette:
    """One ASGI app serving every scenario's subgraphs at /{scenario}/{subgraph}."""
    return create_app({name: module.SUBGRAPHS for name, module in scenarios().items()})


__all__ = ["SCENARIO_NAMES", "Operation", "Subgraph", "app", "scenarios", "subgraph_list"]
