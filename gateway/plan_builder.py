"""Writing a query plan: the fetches being filled in while the planner walks an operation.

This is the planner's bookkeeping, kept apart from its walk (as Apollo's planner keeps its fetch
groups): which fetches exist, which one an entity jump shares with others, what each waits for, and
what each sends. `TreeBuilder` is a subgraph query being written, `FetchBuilder` one fetch,
`PlanBuilder` all of them; `PlanBuilder.build` freezes the lot into the `gateway.plan` values the
executor runs, after which nothing here is used again.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from gateway.operation import Field, Selection
from gateway.plan import Fetch, Input, QueryPlan, SelectionTree


class TreeBuilder:
    """A subgraph query being written: fields by response key, fragments by type."""

    __slots__ = ("claimed", "fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, tuple[Field, TreeBuilder | None]] = {}
        self.fragments: dict[str, TreeBuilder] = {}
        # The client's response keys at this level (with what they ask), claimed before any is placed.
        self.claimed: dict[str, tuple[str, str, str]] = {}

    def claim(self, fields: Iterable[Field]) -> None:
        """Reserve the client's response keys for the objects this level answers: a field the gateway
        asks for itself (a key, a @requires) never takes one for something else, neither here nor
        in another fetch that writes into the same objects (see `claim_from`)."""
        for f in fields:
            if not f.internal:
                self.claimed.setdefault(f.key, f.signature)

    def claim_from(self, other: TreeBuilder) -> None:
        for key, signature in other.claimed.items():
            self.claimed.setdefault(key, signature)

    def leaf(self, f: Field) -> None:
        self.place(f)

    def child(self, f: Field) -> TreeBuilder:
        return self.place(f)[1]  # type: ignore[return-value]

    def place(self, f: Field) -> tuple[str, TreeBuilder | None]:
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
            tree = None if f.selections is None else TreeBuilder()
            self.fields[f.key] = (f, tree)
            return f.key, tree
        if existing[0].signature == f.signature or not existing[0].internal:
            return f.key, existing[1]
        # A client field placed where its key was not claimed first, and a key field took it: the
        # key field moves to its alias and the client's takes the key. Planning claims every level
        # before placing anything, so only a leaf key (nothing planned below it) could get here.
        moved = replace(existing[0], key=existing[0].alias)
        self.fields.setdefault(moved.key, (moved, existing[1]))
        tree = None if f.selections is None else TreeBuilder()
        self.fields[f.key] = (f, tree)
        return f.key, tree

    def fragment(self, type_name: str) -> TreeBuilder:
        return self.fragments.setdefault(type_name, TreeBuilder())

    def freeze(self) -> SelectionTree:
        """The query as a value: copies in read-only mappings, so later writes here cannot reach it."""
        fields = {
            key: (f, tree.freeze() if tree is not None else None) for key, (f, tree) in self.fields.items()
        }
        fragments = {type_name: tree.freeze() for type_name, tree in self.fragments.items()}
        return SelectionTree(_frozen(fields), _frozen(fragments))


def _frozen(mapping: dict) -> Mapping:
    return MappingProxyType(mapping) if mapping else MappingProxyType({})


def merge_into(tree: TreeBuilder, selections: tuple[Selection, ...]) -> None:
    for selection in selections:
        if isinstance(selection, Field):
            if selection.selections is None:
                tree.leaf(selection)
            else:
                merge_into(tree.child(selection), selection.selections)
        else:
            target = tree.fragment(selection.condition) if selection.condition else tree
            merge_into(target, selection.selections)


def clashes(tree: TreeBuilder, selections: tuple[Selection, ...]) -> bool:
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


@dataclass(eq=False)
class InputBuilder:
    """What an entity fetch will send for objects of one type: `typename` and the fields so far."""

    typename: str
    selection: TreeBuilder = field(default_factory=TreeBuilder)


@dataclass(eq=False)
class FetchBuilder:
    """One fetch being written: its query, its inputs and the fetches it waits for grow as the walk
    finds fields for it."""

    id: int
    subgraph: str
    path: tuple[str, ...]  # where the entities sit in the response; "@" walks into a list
    entity: bool
    operation_type: str = "query"
    selections: TreeBuilder = field(default_factory=TreeBuilder)
    inputs: dict[str, InputBuilder] = field(default_factory=dict)  # by the __typename in the data
    depends: set[int] = field(default_factory=set)

    def wait_for(self, fetches: Iterable[FetchBuilder]) -> None:
        """Run only after these fetches (never after itself)."""
        self.depends.update(f.id for f in fetches if f is not self)

    def send(self, found_as: str, typename: str, *field_sets: tuple[Selection, ...]) -> None:
        """Add to the representation of objects found as `found_as` (sent as `typename`) these fields."""
        entry = self.inputs.get(found_as)
        if entry is None:
            entry = self.inputs[found_as] = InputBuilder(typename)
        for fields in field_sets:
            merge_into(entry.selection, fields)

    def sent(self, type_name: str) -> TreeBuilder | None:
        """What the representations of objects of `type_name` carry, if the fetch is sent any."""
        entry = self.inputs.get(type_name) or next(
            (e for e in self.inputs.values() if e.typename == type_name), None
        )
        return entry.selection if entry else None

    def freeze(self, variable_definitions: Mapping[str, str], aliased: bool = True) -> Fetch:
        """The fetch, frozen; `aliased` says whether any fetch of the plan asks for a field under its
        reserved alias (if none does, representations read each field under its own key only)."""
        inputs = {
            name: Input.of(e.typename, e.selection.freeze(), aliased) for name, e in self.inputs.items()
        }
        return Fetch.of(
            self.id,
            self.subgraph,
            self.path,
            self.entity,
            self.operation_type,
            self.selections.freeze(),
            _frozen(inputs),
            frozenset(self.depends),
            variable_definitions,
        )


class PlanBuilder:
    """The fetches of one operation's plan while it is written, and how they are shared.

    Root fields of one subgraph share its root fetch; entity fields share the entity fetch of their
    parent fetch, subgraph, path and inputs; each mutation field is a fetch of its own."""

    def __init__(self, operation_type: str) -> None:
        self.operation_type = operation_type
        self.fetches: list[FetchBuilder] = []
        self.roots: dict[str, FetchBuilder] = {}
        self.children: dict[tuple[int, str, tuple[str, ...], str, int], FetchBuilder] = {}
        self.touched: list[list[FetchBuilder]] = []

    def new_fetch(self, subgraph: str, path: tuple[str, ...], entity: bool) -> FetchBuilder:
        operation_type = "query" if entity else self.operation_type
        fetch = FetchBuilder(len(self.fetches), subgraph, path, entity, operation_type)
        self.fetches.append(fetch)
        return fetch

    def root_fetch(self, graph: str) -> FetchBuilder:
        if graph not in self.roots:
            self.roots[graph] = self.new_fetch(graph, (), entity=False)
        return self.roots[graph]

    def serial_fetch(self, graph: str) -> FetchBuilder:
        """A root fetch of its own that runs after every fetch planned so far: mutations run one after
        another, each after everything the previous one needed."""
        fetch = self.new_fetch(graph, (), entity=False)
        fetch.wait_for(self.fetches)
        return fetch

    def entity_fetch(
        self,
        parent: FetchBuilder,
        subgraph: str,
        path: tuple[str, ...],
        waits_for: str,
        sends: tuple[str, tuple[Selection, ...]] | None = None,
    ) -> FetchBuilder:
        """The entity fetch for these objects, shared by every field that needs the same inputs;
        `sends` (a type and the fields its representation must carry) that clash with what the
        fetch already sends (a @requires of `comments(limit: 1)` next to one of `comments(limit: 3)`)
        take another fetch."""
        for attempt in itertools.count():
            key = (parent.id, subgraph, path, waits_for, attempt)
            fetch = self.children.get(key)
            if fetch is None:
                fetch = self.children[key] = self.new_fetch(subgraph, path, entity=True)
                break
            if sends is None:
                break
            entry = fetch.inputs.get(sends[0])
            if entry is None or not clashes(entry.selection, sends[1]):
                break
        for collector in self.touched:
            collector.append(fetch)
        return fetch

    def has_entity_fetch(self, parent: FetchBuilder, subgraph: str, path: tuple[str, ...]) -> bool:
        """Whether a jump from `parent` to `subgraph` at `path` with no other inputs is planned already."""
        return (parent.id, subgraph, path, "", 0) in self.children

    @contextlib.contextmanager
    def collecting(self) -> Iterator[list[FetchBuilder]]:
        """Every fetch created or extended inside the block: what a dependent fetch must wait for."""
        touched: list[FetchBuilder] = []
        self.touched.append(touched)
        try:
            yield touched
        finally:
            self.touched.pop()  # blocks nest, so ours is the innermost

    def build(self, variable_definitions: Mapping[str, str]) -> QueryPlan:
        """The plan, frozen: each fetch with its document written."""
        aliased = any(_aliased(f.selections) for f in self.fetches)
        return QueryPlan(tuple(f.freeze(variable_definitions, aliased) for f in self.fetches))


def _aliased(tree: TreeBuilder) -> bool:
    """Whether the query asks for a field under its reserved alias (`TreeBuilder.place`)."""
    return (
        any(key == f.alias for key, (f, _) in tree.fields.items())
        or any(below is not None and _aliased(below) for _, below in tree.fields.values())
        or any(_aliased(fragment) for fragment in tree.fragments.values())
    )
