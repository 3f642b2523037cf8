"""A query plan: fetches to subgraphs, each with the query it sends and the fetches it waits for.

A plan is a value. The planner writes it with the builders of `gateway.plan_builder` and freezes it
once, whole; what it hands on is never changed again, because the same plan is shared by every
request that hits the plan cache, concurrently. `SelectionTree` is a subgraph query (fields by
response key, fragments by type); `Fetch` is one request to one subgraph, a root query or an
`_entities` call at a response path with what its representations hold (`Input`); `QueryPlan` is
the fetches the executor runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.operation import Field
from gateway.representations import FlatCollector, flat_collector


@dataclass(frozen=True, slots=True)
class SelectionTree:
    """A subgraph query: fields by response key (each with its own tree, None for a leaf), fragments
    by type condition. The mappings are read-only views of dictionaries nobody else holds."""

    fields: Mapping[str, tuple[Field, SelectionTree | None]]
    fragments: Mapping[str, SelectionTree]

    def render(self) -> str:
        parts = []
        for key, (f, tree) in self.fields.items():
            alias = f"{key}: " if key != f.name else ""
            body = f" {tree.render()}" if tree is not None else ""
            parts.append(f"{alias}{f.name}{f.arguments}{f.directives}{body}")
        for type_name, tree in self.fragments.items():
            parts.append(f"... on {type_name} {tree.render()}")
        return "{ " + " ".join(parts) + " }" if parts else "{ __typename }"

    def restores(self) -> bool:
        """Whether answers to it hold keys aliased by type, to put back (see `planner._typed_alias`)."""
        return any(
            f.restore_as is not None or (tree is not None and tree.restores())
            for f, tree in self.fields.values()
        ) or any(tree.restores() for tree in self.fragments.values())

    def variables(self) -> set[str]:
        used: set[str] = set()
        for f, tree in self.fields.values():
            used |= f.variables
            if tree is not None:
                used |= tree.variables()
        for tree in self.fragments.values():
            used |= tree.variables()
        return used

    def owed(self) -> tuple[str, ...]:
        """The client's response keys it asks for on each object (its fields, or in its fragments), in
        order; the gateway's own (keys, @requires inputs) and `__typename` left out."""
        keys: dict[str, None] = {}
        trees = [self]
        while trees:
            tree = trees.pop(0)
            for key, (f, _) in tree.fields.items():
                if not f.internal and f.name != "__typename":
                    keys[f.restore_as or key] = None
            trees += tree.fragments.values()
        return tuple(keys)


@dataclass(frozen=True, slots=True)
class Input:
    """What an entity fetch sends for objects of one type found at its path."""

    typename: str  # the __typename of the representation (an interface for @interfaceObject)
    selection: SelectionTree
    # When the selection is only scalar fields: each field's key in the representation with the
    # reserved alias it may have been fetched under (the executor's fast path); else None.
    flat_pairs: tuple[tuple[str, str], ...] | None
    # For such a key, the function that collects the representations (`representations.flat_collector`).
    collect: FlatCollector | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, typename: str, selection: SelectionTree, aliased: bool = True) -> Input:
        """`aliased`: whether the plan asks for any field under its reserved alias; when it does not,
        the key fields are read under their own keys only (one lookup each, not two)."""
        flat = not selection.fragments and all(sub is None for _, sub in selection.fields.values())
        pairs = (
            tuple(
                (key, f.alias if aliased else key)
                for key, (f, _) in selection.fields.items()
                if f.name != "__typename"
            )
            if flat
            else None
        )
        collect = flat_collector(typename, pairs) if pairs else None
        return cls(typename, selection, pairs, collect)


@dataclass(frozen=True, slots=True)
class Fetch:
    id: int
    subgraph: str
    path: tuple[str, ...]  # where the entities sit in the response; "@" walks into a list
    entity: bool
    operation_type: str
    selections: SelectionTree
    inputs: Mapping[str, Input]  # by the __typename found in the data
    depends: frozenset[int]  # the fetches that must be done first
    document: str  # the operation sent to the subgraph
    variables: tuple[str, ...]  # the client's variables it uses
    restores: bool  # whether answers hold aliases to put back (see `planner._typed_alias`)
    # The client's response keys this fetch answers on each object it is for (its root fields, or
    # the entity fields it adds): what a failure of this fetch costs (`SelectionTree.owed`).
    owed: tuple[str, ...]

    @classmethod
    def of(
        cls,
        id: int,
        subgraph: str,
        path: tuple[str, ...],
        entity: bool,
        operation_type: str,
        selections: SelectionTree,
        inputs: Mapping[str, Input],
        depends: frozenset[int],
        variable_definitions: Mapping[str, str],
    ) -> Fetch:
        """The fetch with its document written: the operation, the variables it declares (only those
        its fields use), and `_entities` around the selections of an entity fetch."""
        used = tuple(sorted(selections.variables()))
        definitions = [f"${name}: {variable_definitions[name]}" for name in used]
        if entity:
            definitions.insert(0, "$representations: [_Any!]!")
            body = "{ _entities(representations: $representations) " + selections.render() + " }"
        else:
            body = selections.render()
        head = f"{operation_type}({', '.join(definitions)})" if definitions else operation_type
        return cls(
            id,
            subgraph,
            path,
            entity,
            operation_type,
            selections,
            inputs,
            depends,
            f"{head} {body}",
            used,
            selections.restores(),
            selections.owed(),
        )


@dataclass(frozen=True, slots=True)
class QueryPlan:
    fetches: tuple[Fetch, ...]

    def describe(self) -> list[dict]:
        """The plan as data, for people (the development header) and tests."""
        return [
            {
                "id": f.id,
                "subgraph": f.subgraph,
                "path": list(f.path),
                "dependsOn": sorted(f.depends),
                "operation": f.document,
            }
            for f in self.fetches
        ]
