"""A query plan: fetches to subgraphs, each with the query it sends and the fetches it waits for.

`SelectionTree` is a subgraph query under construction (fields by response key, fragments by type);
`Fetch` is one request to one subgraph, a root query or an `_entities` call at a response path with
what its representations hold (`Input`); `QueryPlan` is the list the executor runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from gateway.operation import INTERNAL_ALIAS, Field, Selection


class SelectionTree:
    """A subgraph query being built: fields by response key, fragments by type."""

    __slots__ = ("fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, tuple[Field, SelectionTree | None]] = {}
        self.fragments: dict[str, SelectionTree] = {}

    def leaf(self, f: Field) -> None:
        self._add(f, None)

    def child(self, f: Field) -> SelectionTree:
        return self._add(f, SelectionTree())  # type: ignore[return-value]

    def _add(self, f: Field, tree: SelectionTree | None) -> SelectionTree | None:
        existing = self.fields.get(f.key)
        if existing is None:
            self.fields[f.key] = (f, tree)
            return tree
        if existing[0].signature == f.signature or not (f.internal or existing[0].internal):
            return existing[1]
        # Two fields want one response key (`id: name` next to the key `id`, `notes(limit: 3)` for a
        # @requires next to the client's `notes(limit: 1)`): the client's keeps it, the gateway's
        # own moves to a reserved alias that the executor reads representations from.
        if f.internal:
            alias = INTERNAL_ALIAS + f.name
            moved = self.fields.setdefault(alias, (replace(f, key=alias), tree))
            return moved[1]
        alias = INTERNAL_ALIAS + existing[0].name
        self.fields[alias] = (replace(existing[0], key=alias), existing[1])
        self.fields[f.key] = (f, tree)
        return tree

    def fragment(self, type_name: str) -> SelectionTree:
        return self.fragments.setdefault(type_name, SelectionTree())

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


@dataclass(eq=False)
class Input:
    """What an entity fetch sends for objects of one type found at its path."""

    typename: str  # the __typename of the representation (an interface for @interfaceObject)
    selection: SelectionTree

    @cached_property  # asked once per object at execution; planning is over by then
    def flat_pairs(self) -> tuple[tuple[str, str], ...] | None:
        """When the selection is only scalar fields: each response key with the reserved alias it
        may have been fetched under; else None."""
        tree = self.selection
        if tree.fragments or any(sub is not None for _, sub in tree.fields.values()):
            return None
        keys = [key for key, (f, _) in tree.fields.items() if f.name != "__typename"]
        return tuple((key, INTERNAL_ALIAS + key) for key in keys)


@dataclass(eq=False)
class Fetch:
    id: int
    subgraph: str
    path: tuple[str, ...]  # where the entities sit in the response; "@" walks into a list
    entity: bool
    operation_type: str = "query"
    selections: SelectionTree = field(default_factory=SelectionTree)
    inputs: dict[str, Input] = field(default_factory=dict)  # by the __typename found in the data
    depends: set[int] = field(default_factory=set)
    document: str = ""
    variables: tuple[str, ...] = ()
    restores: bool = False  # whether answers hold aliases to put back (see `_typed_alias`)

    @cached_property  # asked only when the fetch gets no answer; planning is over by then
    def owed(self) -> tuple[str, ...]:
        """The client's response keys this fetch answers on each object it is for (its root fields,
        or the entity fields it adds), in order; the gateway's own (keys, @requires inputs) left out."""
        keys: dict[str, None] = {}
        trees = [self.selections]
        while trees:
            tree = trees.pop(0)
            for key, (f, _) in tree.fields.items():
                if not f.internal and f.name != "__typename":
                    keys[f.restore_as or key] = None
            trees += tree.fragments.values()
        return tuple(keys)

    def finish(self, variable_definitions: dict[str, str]) -> None:
        self.restores = self.selections.restores()
        used = sorted(self.selections.variables())
        self.variables = tuple(used)
        definitions = [f"${name}: {variable_definitions[name]}" for name in used]
        if self.entity:
            definitions.insert(0, "$representations: [_Any!]!")
            body = "{ _entities(representations: $representations) " + self.selections.render() + " }"
        else:
            body = self.selections.render()
        head = f"{self.operation_type}({', '.join(definitions)})" if definitions else self.operation_type
        self.document = f"{head} {body}"


@dataclass
class QueryPlan:
    fetches: list[Fetch]

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


def merge_into(tree: SelectionTree, selections: tuple[Selection, ...]) -> None:
    for selection in selections:
        if isinstance(selection, Field):
            if selection.selections is None:
                tree.leaf(selection)
            else:
                merge_into(tree.child(selection), selection.selections)
        else:
            target = tree.fragment(selection.condition) if selection.condition else tree
            merge_into(target, selection.selections)
