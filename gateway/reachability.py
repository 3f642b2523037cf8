"""What a subgraph can answer from where it stands: the planner's questions about the supergraph.

`reachable` says whether a subgraph answers a selection on a type, by itself (a field it resolves, or
one a `@provides` above hands it) or by jumping through an entity key to another subgraph; the
planner asks it to choose between subgraphs (a shared root field, an entity jump, the part of a
@shareable field's selection that must come from elsewhere). The same questions come up again and
again while one operation is planned (a candidate is scored, then ranked, then split), so the
answers are kept for the whole planning. They depend only on the supergraph and the question,
never on the fetches planned so far, which is what makes keeping them safe.

A `Provided` tree is what a `@provides` hands the subgraph below a field: nested field names, with
the parts that hold for one type only under `"... on T"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from gateway.operation import Field, FieldSets, Fragment, Selection
from gateway.supergraph import Supergraph

Provided = dict[str, "Provided"]

ON = "... on "  # marks the part of a provided tree that holds for one type only

Seen = frozenset[tuple[str, str, str]]  # the (subgraph, type, field) jumps taken on the way here


def provided_tree(selections: tuple[Selection, ...]) -> Provided:
    """A @provides field set as nested names; `... on T` parts kept apart under "... on T"."""
    tree: Provided = {}
    for selection in selections:
        if isinstance(selection, Field):
            tree.setdefault(selection.name, {}).update(provided_tree(selection.selections or ()))
        else:
            part = tree.setdefault(ON + selection.condition, {}) if selection.condition else tree
            for name, sub in provided_tree(selection.selections).items():
                part.setdefault(name, {}).update(sub)
    return tree


def _hashable(provided: Provided | None) -> tuple | None:
    if provided is None:
        return None
    return tuple(sorted((name, _hashable(sub)) for name, sub in provided.items()))


class Reachability:
    """The answers for one operation's planning over `sg` (field sets read through `field_sets`)."""

    def __init__(self, sg: Supergraph, field_sets: FieldSets) -> None:
        self.sg = sg
        self.field_sets = field_sets
        # (subgraph, type, id of the selection, provided, seen) -> (the selection, the answer); the
        # selection is held so that its id stays its own while the answer is kept.
        self._reachable: dict[tuple, tuple[Selection, bool]] = {}

    def collect(self, selections: tuple[Selection, ...], type_name: str) -> list[Field]:
        """The fields that apply to an object of `type_name` (an abstract type: only untyped ones),
        one per response key as GraphQL collects them: a key asked twice (`a { x } ... on T { a { y } }`)
        is planned once, with both selections, so no part of it is placed after the other's hops."""
        found: dict[str, Field] = {}
        for f in self._fields(selections, type_name):
            same = found.get(f.key)
            if same is None:
                found[f.key] = f
            elif same.selections is not None and f.selections is not None and same.signature == f.signature:
                found[f.key] = replace(same, selections=same.selections + f.selections)
        return list(found.values())

    def _fields(self, selections: tuple[Selection, ...], type_name: str) -> Iterator[Field]:
        for selection in selections:
            if isinstance(selection, Field):
                yield selection
            elif selection.condition is None or self.sg.applies(selection.condition, type_name):
                yield from self._fields(selection.selections, type_name)

    def narrow(self, provided: Provided | None, type_name: str) -> Provided | None:
        """What is provided for an object of `type_name`: the untyped part and its type's parts."""
        if not provided or not any(key.startswith(ON) for key in provided):
            return provided
        narrowed = {k: v for k, v in provided.items() if not k.startswith(ON)}
        for key, part in provided.items():
            if key.startswith(ON) and self.sg.applies(key[len(ON) :], type_name):
                for name, sub in part.items():
                    narrowed[name] = {**narrowed.get(name, {}), **sub}
        return narrowed

    def is_local(self, graph: str, type_name: str, name: str, provided: Provided | None) -> bool:
        return self.sg.can_resolve(graph, type_name, name) or (provided is not None and name in provided)

    def child_provided(
        self, graph: str, type_name: str, name: str, provided: Provided | None
    ) -> Provided | None:
        """What is provided below `type_name.name` in `graph`: handed down, or its own @provides."""
        info = self.sg.field(type_name, name)
        child = provided.get(name) if provided is not None and name in provided else None
        source = info.sources.get(graph) if info is not None else None
        if source is not None and source.provides is not None:
            child = {**(child or {}), **provided_tree(self.field_sets(source.provides))}
        return child

    def reaches_all(self, graph: str, type_name: str, f: Field, provided: Provided | None) -> bool:
        """Whether `graph`, resolving `type_name.f`, reaches every selection below it."""
        below = self.child_provided(graph, type_name, f.name, provided)
        field_type = self.sg.type_in(graph, type_name, f.name)
        return all(self.reachable(graph, field_type, s, below) for s in f.selections or ())

    def partition(
        self, graph: str, type_name: str, f: Field, provided: Provided | None
    ) -> tuple[tuple[Selection, ...], tuple[Selection, ...]]:
        """`f`'s selections split into what `graph` can answer (directly or by a key) and the rest."""
        assert f.selections is not None
        field_type = self.sg.type_in(graph, type_name, f.name)
        below = self.child_provided(graph, type_name, f.name, provided)
        here: list[Selection] = []
        rest: list[Selection] = []
        for selection in f.selections:
            if self.reachable(graph, field_type, selection, below):
                here.append(selection)
            else:
                rest.append(selection)
        return tuple(here), tuple(rest)

    def reachable(
        self,
        graph: str,
        type_name: str,
        selection: Selection,
        provided: Provided | None,
        seen: Seen = frozenset(),
    ) -> bool:
        """Whether `graph` can answer `selection` on `type_name`, itself or through entity keys."""
        key = (graph, type_name, id(selection), _hashable(provided), seen)
        known = self._reachable.get(key)
        if known is None:
            known = self._reachable[key] = (
                selection,
                self._reach(graph, type_name, selection, provided, seen),
            )
        return known[1]

    def _reach(
        self, graph: str, type_name: str, selection: Selection, provided: Provided | None, seen: Seen
    ) -> bool:
        if isinstance(selection, Fragment):
            inner = selection.condition or type_name
            if self.sg.types[type_name].kind == "object":
                if not self.sg.applies(selection.condition, type_name):
                    return True  # a fragment on another type never applies here
                inner = type_name
            elif self.sg.types[type_name].abstract and not self.sg.is_interface_object(graph, type_name):
                # Only the types this subgraph can return here matter; a fragment on others is moot.
                concrete = [
                    t
                    for t in self.sg.possible_types_in(graph, type_name)
                    if self.sg.applies(selection.condition, t)
                ]
                return all(
                    self.reachable(graph, t, s, provided, seen)
                    for t in concrete
                    for s in selection.selections
                )
            return all(self.reachable(graph, inner, s, provided, seen) for s in selection.selections)
        if selection.name == "__typename":
            return True
        if self.sg.types[type_name].abstract and not self.sg.is_interface_object(graph, type_name):
            concrete = self.sg.possible_types_in(graph, type_name)
            return all(self.reachable(graph, t, selection, provided, seen) for t in concrete)
        provided = self.narrow(provided, type_name)
        if self.is_local(graph, type_name, selection.name, provided):
            if selection.selections is None:
                return True
            field_type = self.sg.type_in(graph, type_name, selection.name)
            below = self.child_provided(graph, type_name, selection.name, provided)
            return all(self.reachable(graph, field_type, s, below, seen) for s in selection.selections)
        step = (graph, type_name, selection.name)
        if step in seen:
            return False  # a key that needs the very field it is fetched for
        seen = seen | {step}
        return any(
            all(self.reachable(graph, type_name, k, None, seen) for k in self.field_sets(key.selection))
            for other in self.sg.resolvers(type_name, selection.name)
            if other != graph
            for key in self.sg.entity_keys(type_name, other)
        ) or self.via_interface_object(graph, type_name, selection.name)

    def via_interface_object(self, graph: str, type_name: str, name: str) -> bool:
        info = self.sg.types[type_name]
        interfaces = set().union(*info.implements.values()) if info.implements else set()
        return any(
            g != graph and self.sg.can_resolve(g, interface, name) and self.sg.entity_keys(interface, g)
            for interface in interfaces
            for g in self.sg.types[interface].interface_object_in
        )

    def local_count(
        self,
        graph: str,
        type_name: str,
        selections: tuple[Selection, ...],
        provided: Provided | None,
        depth: int,
    ) -> int:
        """How much of a selection a subgraph answers by itself: a tie-breaker between candidates."""
        info = self.sg.types.get(type_name)
        if depth == 0 or info is None:
            return 0
        if info.abstract and not self.sg.is_interface_object(graph, type_name):
            concrete = self.sg.possible_types_in(graph, type_name)
            return sum(self.local_count(graph, t, selections, provided, depth) for t in concrete)
        count = 0
        provided = self.narrow(provided, type_name)
        for f in self.collect(selections, type_name):
            if self.is_local(graph, type_name, f.name, provided):
                below = self.child_provided(graph, type_name, f.name, provided)
                field_type = self.sg.type_in(graph, type_name, f.name)
                count += 1 + self.local_count(graph, field_type, f.selections or (), below, depth - 1)
        return count

    def not_local(self, graph: str, type_name: str, selections: tuple[Selection, ...]) -> int:
        """How many fields of a field set `graph` cannot resolve itself."""
        count = 0
        for f in self.collect(selections, type_name):
            if f.name == "__typename":
                continue
            if not self.sg.can_resolve(graph, type_name, f.name):
                count += 1
                continue
            if f.selections:
                count += self.not_local(graph, self.sg.type_in(graph, type_name, f.name), f.selections)
        return count

    def all_local(self, graph: str, type_name: str, selections: tuple[Selection, ...]) -> bool:
        return self.not_local(graph, type_name, selections) == 0
