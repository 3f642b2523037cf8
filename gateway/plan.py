"""A query plan: fetches to subgraphs, each with the query it sends and the fetches it waits for.

`SelectionTree` is a subgraph query under construction (fields by response key, fragments by type);
`Fetch` is one request to one subgraph, a root query or an `_entities` call at a response path with
what its representations hold (`Input`); `QueryPlan` is the list the executor runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from gateway.operation import Field, Selection


class SelectionTree:
    """A subgraph query being built: fields by response key, fragments by type."""

    __slots__ = ("claimed", "fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, tuple[Field, SelectionTree | None]] = {}
        self.fragments: dict[str, SelectionTree] = {}
        # The client's response keys at this level (with what they ask), claimed before any is placed.
        self.claimed: dict[str, tuple[str, str, str]] = {}

    def claim(self, fields: Iterable[Field]) -> None:
        """Reserve the client's response keys for the objects this level answers: a field the gateway
        asks for itself (a key, a @requires) never takes one for something else, neither here nor
        in another fetch that writes into the same objects (see `claim_from`)."""
        for f in fields:
            if not f.internal:
                self.claimed.setdefault(f.key, f.signature)

    def claim_from(self, other: SelectionTree) -> None:
        for key, signature in other.claimed.items():
            self.claimed.setdefault(key, signature)

    def leaf(self, f: Field) -> None:
        self.place(f)

    def child(self, f: Field) -> SelectionTree:
        return self.place(f)[1]  # type: ignore[return-value]

    def place(self, f: Field) -> tuple[str, SelectionTree | None]:
        """Add `f` (merged with an equal field already here); the response key it got and its tree."""
        if f.internal:
            held = self.fields.get(f.key)
            claimed = self.claimed.get(f.key, f.signature)
            if claimed != f.signature or (held is not None and held[0].signature != f.signature):
                # The key is the client's for another field: ours goes to its own reserved alias,
                # which representations read first (`executor._represent`).
                f = replace(f, key=f.alias)
        existing = self.fields.get(f.key)
        if existing is None:
            tree = None if f.selections is None else SelectionTree()
            self.fields[f.key] = (f, tree)
            return f.key, tree
        if existing[0].signature == f.signature or not existing[0].internal:
            return f.key, existing[1]
        # A client field placed where its key was not claimed first, and a key field took it: the
        # key field moves to its alias and the client's takes the key. Planning claims every level
        # before placing anything, so only a leaf key (nothing planned below it) could get here.
        moved = replace(existing[0], key=existing[0].alias)
        self.fields.setdefault(moved.key, (moved, existing[1]))
        tree = None if f.selections is None else SelectionTree()
        self.fields[f.key] = (f, tree)
        return f.key, tree

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
        """When the selection is only scalar fields: each field's key in the representation with the
        reserved alias it may have been fetched under; else None."""
        tree = self.selection
        if tree.fragments or any(sub is not None for _, sub in tree.fields.values()):
            return None
        return tuple((key, f.alias) for key, (f, _) in tree.fields.items() if f.name != "__typename")


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


def clashes(tree: SelectionTree, selections: tuple[Selection, ...]) -> bool:
    """Whether `selections` ask for a response key of `tree` with other arguments: one
    representation cannot carry `comments(limit: 3)` and `comments(limit: 1)` under `comments`."""
    for selection in selections:
        if isinstance(selection, Field):
            held = tree.fields.get(selection.key)
            if held is None:
                continue
            if held[0].signature != selection.signature:
                return True
            if selection.selections and held[1] is not None and clashes(held[1], selection.selections):
                return True
        else:
            inner = tree.fragments.get(selection.condition) if selection.condition else tree
            if inner is not None and clashes(inner, selection.selections):
                return True
    return False
