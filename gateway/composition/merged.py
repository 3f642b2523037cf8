"""The supergraph as the merge builds it, and the lookups the merge makes across its subgraphs.

Types are merged by name. Every merged element keeps the join facts the supergraph prints (which subgraph
resolves what, under which key); a MergedSupergraph holds them with the subgraphs they came from, and is
what the satisfiability check and the printer read once the merge is done.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode, ValueNode, print_ast

from .facts import FederationFacts
from .model import INTERFACE, OBJECT, UNION, Arg, Element, Field, Subgraph, Type


@dataclass
class JoinField:
    graph: str | None  # None: resolved through an @interfaceObject, by no subgraph's own type
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None


@dataclass
class MergedField(Element):
    type: TypeNode | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    default: ValueNode | None = None
    joins: list[JoinField] | None = None  # None: every subgraph that has the type resolves it


@dataclass
class MergedValue(Element):
    graphs: list[str] = field(default_factory=list)


@dataclass
class MergedType(Element):
    kind: str = OBJECT
    joins: list[dict[str, object]] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    fields: dict[str, MergedField] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    member_joins: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, MergedValue] = field(default_factory=dict)


class MergedSupergraph:
    """The merged types, and the subgraphs (by index, in name order) they were merged from."""

    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subgraphs = subgraphs
        self.facts = [FederationFacts(s) for s in subgraphs]
        self.names = [s.name for s in subgraphs]
        self.graphs = _graph_enum_names(self.names)  # each subgraph's join__Graph value
        self.types: dict[str, MergedType] = {}
        self.directives: list[str] = []  # printed executable directive definitions
        self.version = max((s.version or (2, 0) for s in subgraphs), default=(2, 0))

    @staticmethod
    def kind_in(subgraph: Subgraph, type_: Type) -> str:
        """The kind a subgraph's type has in the supergraph: an @interfaceObject stands for an interface."""
        return INTERFACE if subgraph.is_interface_object(type_) else type_.kind

    def sources(self, type_: MergedType) -> dict[int, Type]:
        """Each subgraph's definition of the type, where it has the same kind."""
        found = {}
        for index, subgraph in enumerate(self.subgraphs):
            theirs = subgraph.types.get(type_.name)
            if theirs is not None and self.kind_in(subgraph, theirs) == type_.kind:
                found[index] = theirs
        return found

    def field_sources(
        self, type_: MergedType, sources: dict[int, Type]
    ) -> dict[str, dict[int, Field | None]]:
        """Per field, every subgraph knowing the type (None where it lacks the field), as Apollo maps it."""
        knowing = [
            index
            for index, subgraph in enumerate(self.subgraphs)
            if type_.name in subgraph.types
            or any(
                (itf := subgraph.types.get(name)) is not None and subgraph.is_interface_object(itf)
                for name in type_.interfaces
            )
        ]
        result: dict[str, dict[int, Field | None]] = {}
        for index, source in sources.items():
            for owned in source.fields.values():
                result.setdefault(owned.name, dict.fromkeys(knowing))[index] = owned
        return result

    def abstracted(self, type_: MergedType, name: str, index: int) -> list[Field]:
        """Fields of @interfaceObject types standing in subgraph `index` for field `name` of `type_`."""
        subgraph = self.subgraphs[index]
        if type_.kind != OBJECT or type_.name in subgraph.types:
            return []
        found = []
        for interface in type_.interfaces:
            merged = self.types.get(interface)
            theirs = subgraph.types.get(interface)
            if (
                merged
                and name in merged.fields
                and theirs
                and theirs.kind == OBJECT
                and name in theirs.fields
            ):
                found.append(theirs.fields[name])
        return found

    def implementations(self, interface: str) -> list[str]:
        return [t.name for t in self.types.values() if t.kind == OBJECT and interface in t.interfaces]

    def is_subtype(self, general: TypeNode, specific: TypeNode) -> bool:
        return print_ast(general) == print_ast(specific) or self.is_strict_subtype(general, specific)

    def is_strict_subtype(self, general: TypeNode, specific: TypeNode) -> bool:
        """Apollo's default subtyping: non-null to nullable, list/non-null propagation, object to abstract."""
        if isinstance(specific, ListTypeNode):
            return isinstance(general, ListTypeNode) and self.is_subtype(general.type, specific.type)
        if isinstance(specific, NonNullTypeNode):
            if isinstance(general, NonNullTypeNode):
                return self.is_subtype(general.type, specific.type)
            return self.is_subtype(general, specific.type)
        if not isinstance(general, NamedTypeNode):
            return False
        abstract = self.types.get(general.name.value)
        concrete = self.types.get(specific.name.value)
        if abstract is None or concrete is None or concrete.kind not in (OBJECT, INTERFACE):
            return False
        if abstract.kind == UNION:
            return concrete.kind == OBJECT and concrete.name in abstract.members
        return abstract.kind == INTERFACE and abstract.name in concrete.interfaces


def _graph_enum_names(names: Sequence[str]) -> list[str]:
    """join__Graph values: Apollo's sanitized, upper-cased subgraph names, numbered when they collide."""
    sanitized = []
    for name in names:
        value = re.sub(r"\W", "_", name)
        value = "_" + value if re.match(r"^\d", value) else value
        value = value + "_" if re.search(r"_\d+$", value) else value
        sanitized.append(value.upper())
    result = []
    for index, value in enumerate(sanitized):
        same = [i for i, other in enumerate(sanitized) if other == value]
        result.append(value if len(same) == 1 else f"{value}_{same.index(index) + 1}")
    return result
