"""Query planning: a client operation becomes fetches to subgraphs.

The planner walks the client's selections with a current fetch (a subgraph and a place in its query).
A field the current subgraph resolves joins that fetch; any other field becomes an entity fetch to a
subgraph that resolves it, through `_entities` at the field's response path, and the current fetch
also selects the entity's key (and the field's `@requires`) so the gateway can build the
representations. Key fields the current subgraph lacks are planned the same way, so chains of keys
(A knows `id`, B knows `id` and `sku`, C only `sku`) fall out of the recursion.

Each field is planned as the subgraph it is fetched from types it (a @shareable `featured: Media` may
be `featured: Book` there), and abstract types are split into their concrete types as that subgraph
knows them, so every fragment sent is valid in the subgraph's own schema; `@interfaceObject` types hop
to a subgraph that knows the interface's implementations when the client needs the concrete type.
The keys and `@requires` fields the gateway adds never take a response key the client uses for another
field (each level claims the client's keys first, see `SelectionTree.claim`), so what is fetched below
them keeps its path. Every fetch records the fetches it waits for; the executor runs each as soon as
those are done, so independent fetches run in parallel.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import replace

from graphql import SelectionSetNode

from gateway.operation import Field, Fragment, Selection, fields_of
from gateway.plan import Fetch, Input, QueryPlan, SelectionTree, clashes, merge_into
from gateway.supergraph import Key, Supergraph

TYPENAME = Field("__typename", "__typename", "", "", None, frozenset())


class PlanningError(Exception):
    """The operation asks for something no subgraph can provide from where it is needed.

    It stops the whole plan: no part of an operation that cannot be satisfied is ever run."""


class QueryPlanner:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph

    def plan(
        self, operation_type: str, selections: tuple[Selection, ...], variable_definitions: dict[str, str]
    ) -> QueryPlan:
        planning = _Planning(self.supergraph, operation_type)
        planning.plan_root(selections)
        for fetch in planning.fetches:
            fetch.finish(variable_definitions)
        return QueryPlan(planning.fetches)


Provided = dict[str, "Provided"]


ON = "... on "  # marks the part of a provided tree that holds for one type only


def _provided_tree(selections: tuple[Selection, ...]) -> Provided:
    """A @provides field set as nested names; `... on T` parts kept apart under "... on T"."""
    tree: Provided = {}
    for selection in selections:
        if isinstance(selection, Field):
            tree.setdefault(selection.name, {}).update(_provided_tree(selection.selections or ()))
        else:
            part = tree.setdefault(ON + selection.condition, {}) if selection.condition else tree
            for name, sub in _provided_tree(selection.selections).items():
                part.setdefault(name, {}).update(sub)
    return tree


class _Planning:
    def __init__(self, supergraph: Supergraph, operation_type: str) -> None:
        self.sg = supergraph
        self.operation_type = operation_type
        self.root_type = supergraph.mutation_type if operation_type == "mutation" else supergraph.query_type
        self.fetches: list[Fetch] = []
        self.roots: dict[str, Fetch] = {}
        self.children: dict[tuple, Fetch] = {}
        self.touched: list[list[Fetch]] = []
        self.visiting: set[tuple[str, str, str]] = set()

    # -- fetches

    def new_fetch(self, subgraph: str, path: tuple[str, ...], entity: bool) -> Fetch:
        operation_type = "query" if entity else self.operation_type
        fetch = Fetch(len(self.fetches), subgraph, path, entity, operation_type)
        self.fetches.append(fetch)
        return fetch

    def root_fetch(self, graph: str) -> Fetch:
        if graph not in self.roots:
            self.roots[graph] = self.new_fetch(graph, (), entity=False)
        return self.roots[graph]

    def entity_fetch(
        self,
        parent: Fetch,
        subgraph: str,
        path: tuple[str, ...],
        waits_for: str,
        sends: tuple[str, tuple[Selection, ...]] | None = None,
    ) -> Fetch:
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

    @contextlib.contextmanager
    def collecting(self) -> Iterator[list[Fetch]]:
        """Every fetch created or extended inside the block: what a dependent fetch must wait for."""
        touched: list[Fetch] = []
        self.touched.append(touched)
        try:
            yield touched
        finally:
            self.touched.pop()  # blocks nest, so ours is the innermost

    # -- walking selections

    def plan_root(self, selections: tuple[Selection, ...]) -> None:
        root_type = self.root_type
        if root_type is None:
            raise PlanningError(f"This schema does not support {self.operation_type} operations.")
        for f in self.collect(selections, root_type):
            if f.name.startswith("__"):
                continue  # __typename, __schema and __type are answered by the gateway itself
            graphs = self.sg.resolvers(root_type, f.name)
            if not graphs:
                raise PlanningError(f"No subgraph resolves {root_type}.{f.name}.")
            if self.operation_type == "mutation":
                # Mutations run one after another, each after everything the previous one needed.
                fetch = self.new_fetch(graphs[0], (), entity=False)
                fetch.depends = {other.id for other in self.fetches if other is not fetch}
            else:
                graph = self.pick_root_graph(graphs, root_type, f)
                fetch = self.root_fetch(graph)
                self.place(fetch, fetch.selections, root_type, f, (), None)
                continue
            self.add_local(fetch, fetch.selections, root_type, f, (), None)

    def pick_root_graph(self, graphs: list[str], root_type: str, f: Field) -> str:
        """Among subgraphs sharing a root field: one that reaches all of its selections, then the
        one that answers most of them itself, then one already being asked."""
        if len(graphs) == 1:
            return graphs[0]

        def score(graph: str) -> tuple[bool, int, bool]:
            provided = self.child_provided(graph, root_type, f.name, None)
            field_type = self.sg.type_in(graph, root_type, f.name)
            reaches = all(self.reachable(graph, field_type, s, provided) for s in f.selections or ())
            local = self.local_count(graph, field_type, f.selections or (), provided, 3)
            return (reaches, local, graph in self.roots)

        return max(graphs, key=score)

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

    def plan_selections(
        self,
        fetch: Fetch,
        target: SelectionTree,
        type_name: str,
        selections: tuple[Selection, ...],
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        info = self.sg.types[type_name]
        if not info.abstract:
            self.plan_object(fetch, target, type_name, selections, path, provided)
        elif self.sg.is_interface_object(fetch.subgraph, type_name):
            self.plan_interface_object(fetch, target, type_name, selections, path, provided)
        else:
            target.leaf(TYPENAME)
            for concrete in self.sg.possible_types_in(fetch.subgraph, type_name):
                if self.sg.applies(type_name, concrete):
                    fragment = target.fragment(concrete)
                    fragment.leaf(TYPENAME)
                    self.plan_object(fetch, fragment, concrete, selections, path, provided)

    def plan_object(
        self,
        fetch: Fetch,
        target: SelectionTree,
        type_name: str,
        selections: tuple[Selection, ...],
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        provided = self.narrow(provided, type_name)
        fields = self.collect(selections, type_name)
        target.claim(fields)
        remote: list[Field] = []
        for f in fields:
            if f.name == "__typename":
                target.leaf(f)
            elif not self.is_local(fetch.subgraph, type_name, f.name, provided) or self.needs_inputs(
                fetch, type_name, f.name, path
            ):
                remote.append(f)
            else:
                self.place(
                    fetch,
                    target,
                    type_name,
                    _typed_alias(self.sg, fetch.subgraph, type_name, f),
                    path,
                    provided,
                )
        # Remote fields last: the keys and @requires they add here then meet the client's own
        # fields already placed, and merge with them or step aside to an alias, never the reverse.
        for f in remote:
            self.add_remote(fetch, target, type_name, f, path)

    def place(
        self,
        fetch: Fetch,
        target: SelectionTree,
        type_name: str,
        f: Field,
        path: tuple[str, ...],
        provided: Provided | None,
        tried: frozenset[str] = frozenset(),
    ) -> None:
        """Add a field `fetch`'s subgraph resolves, with what it can reach of the field's selections."""
        tried = tried | {fetch.subgraph}
        if f.selections is None or not any(g not in tried for g in self.sg.resolvers(type_name, f.name)):
            self.add_local(fetch, target, type_name, f, path, provided)
            return
        # A field several subgraphs resolve (@shareable, @provides): what this subgraph cannot
        # reach below it (a value type has no key to jump by) comes from another.
        here, rest = self.partition(fetch.subgraph, type_name, f, provided)
        if here or not rest:
            self.add_local(fetch, target, type_name, replace(f, selections=here), path, provided)
        if rest:
            self.add_elsewhere(fetch, target, type_name, replace(f, selections=rest), path, tried)

    def available(self, fetch: Fetch, type_name: str, path: tuple[str, ...]) -> SelectionTree | None:
        """What an entity fetch already has of the entity it was sent: its representation's fields."""
        if not fetch.entity or path != fetch.path:
            return None
        entry = fetch.inputs.get(type_name) or next(
            (e for e in fetch.inputs.values() if e.typename == type_name), None
        )
        return entry.selection if entry else None

    def needs_inputs(self, fetch: Fetch, type_name: str, name: str, path: tuple[str, ...]) -> bool:
        """A field with @requires here, whose required fields this fetch was not sent: it takes an
        entity fetch, even back to the same subgraph, with them in the representation."""
        info = self.sg.field(type_name, name)
        source = info.sources.get(fetch.subgraph) if info is not None else None
        if source is None or source.requires is None:
            return False
        return bool(_without(fields_of(source.requires), self.available(fetch, type_name, path)))

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
        info = self.sg.field(type_name, name)
        child = provided.get(name) if provided is not None and name in provided else None
        source = info.sources.get(graph) if info is not None else None
        if source is not None and source.provides is not None:
            child = {**(child or {}), **_provided_tree(fields_of(source.provides))}
        return child

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
        seen: frozenset[tuple[str, str, str]] = frozenset(),
    ) -> bool:
        """Whether `graph` can answer `selection` on `type_name`, itself or through entity keys."""
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
            all(self.reachable(graph, type_name, k, None, seen) for k in fields_of(key.selection))
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

    def add_elsewhere(
        self,
        fetch: Fetch,
        target: SelectionTree,
        type_name: str,
        f: Field,
        path: tuple[str, ...],
        tried: frozenset[str],
    ) -> None:
        if fetch.entity or type_name != self.root_type or self.operation_type == "mutation":
            self.add_remote(fetch, target, type_name, f, path)
            return
        # A shared root field: another root fetch, which may split what is left again.
        graphs = [g for g in self.sg.resolvers(type_name, f.name) if g not in tried]
        other = self.root_fetch(self.pick_root_graph(graphs, type_name, f))
        self.place(other, other.selections, type_name, f, path, None, tried)

    def add_local(
        self,
        fetch: Fetch,
        target: SelectionTree,
        type_name: str,
        f: Field,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        info = self.sg.field(type_name, f.name)
        if info is None:
            raise PlanningError(f"{type_name}.{f.name} is not in the supergraph.")
        if f.selections is None:
            target.leaf(f)
            return
        child_provided = self.child_provided(fetch.subgraph, type_name, f.name, provided)
        key, tree = target.place(f)
        assert tree is not None
        # Where the answer sits once merged: the client's key (a typed alias is put back first), or
        # the reserved alias a key or @requires field took; fetches below it follow that path.
        child_path = path + (f.restore_as or key,) + ("@",) * info.list_depth
        # Planned as the subgraph types the field, so every fragment sent is valid in its schema: a
        # union or interface that is one object type here takes no fragments but that type's (and
        # still its __typename, which the response needs).
        field_type = self.sg.type_in(fetch.subgraph, type_name, f.name)
        if field_type != info.type_name and self.sg.types[info.type_name].abstract:
            tree.leaf(TYPENAME)
        self.plan_selections(fetch, tree, field_type, f.selections, child_path, child_provided)

    def add_remote(
        self, fetch: Fetch, target: SelectionTree, type_name: str, f: Field, path: tuple[str, ...]
    ) -> None:
        guard = (fetch.subgraph, type_name, f.name)
        if guard in self.visiting:
            raise PlanningError(
                f"No subgraph can provide {type_name}.{f.name} starting from subgraph {fetch.subgraph}."
            )
        self.visiting.add(guard)
        try:
            graph, key, as_type = self.choose_jump(fetch, type_name, f, path)
            info = self.sg.field(as_type, f.name)
            assert info is not None
            requires = info.sources[graph].requires
            # What this fetch was sent for the entity is in the data already; the rest is planned.
            have = self.available(fetch, type_name, path)
            with self.collecting() as touched:
                target.leaf(TYPENAME)
                self.plan_object(
                    fetch, target, type_name, _without(fields_of(key.selection), have), path, None
                )
                if requires is not None:
                    self.plan_object(
                        fetch, target, type_name, _without(fields_of(requires), have), path, None
                    )
            # A field whose inputs come from other fetches gets a fetch of its own, so fields that
            # need nothing more are not held back (and no fetch ends up waiting for itself).
            waits_for = ",".join(sorted({str(t.id) for t in touched}))
            sends = (type_name, fields_of(requires)) if requires is not None else None
            child = self.entity_fetch(fetch, graph, path, waits_for, sends)
            child.depends |= {fetch.id} | {t.id for t in touched if t is not child}
            self.add_input(child, type_name, as_type, key, requires)
            fragment = child.selections.fragment(as_type)
            fragment.claim_from(target)  # the same objects: the client's keys are taken there too
            self.plan_object(child, fragment, as_type, (f,), path, None)
        finally:
            self.visiting.discard(guard)

    def add_input(
        self, child: Fetch, found_as: str, typename: str, key: Key, requires: SelectionSetNode | None
    ) -> None:
        entry = child.inputs.get(found_as)
        if entry is None:
            entry = child.inputs[found_as] = Input(typename, SelectionTree())
        merge_into(entry.selection, fields_of(key.selection))
        if requires is not None:
            merge_into(entry.selection, fields_of(requires))

    def choose_jump(
        self, fetch: Fetch, type_name: str, f: Field, path: tuple[str, ...]
    ) -> tuple[str, Key, str]:
        """The subgraph, key and entity type through which `type_name.f` is fetched from here."""
        name = f.name
        options: list[tuple[str, Key, str]] = []
        for graph in self.sg.resolvers(type_name, name):
            if graph != fetch.subgraph or self.needs_inputs(fetch, type_name, name, path):
                options += [(graph, key, type_name) for key in self.sg.entity_keys(type_name, graph)]
        if not options:
            info = self.sg.types[type_name]
            interfaces = set().union(*info.implements.values()) if info.implements else set()
            for interface in sorted(interfaces):
                for graph in sorted(self.sg.types[interface].interface_object_in):
                    if graph != fetch.subgraph and self.sg.can_resolve(graph, interface, name):
                        options += [(graph, key, interface) for key in self.sg.entity_keys(interface, graph)]
        if not options:
            raise PlanningError(
                f"No subgraph can provide {type_name}.{name} starting from subgraph {fetch.subgraph}."
            )

        have = self.available(fetch, type_name, path)

        def rank(option: tuple[str, Key, str]) -> tuple[bool, int, int]:
            # A subgraph that reaches all the field asks for, then the fewest key fields to fetch
            # from elsewhere, then a fetch already planned here.
            graph, key, as_type = option
            below = self.child_provided(graph, as_type, name, None)
            field_type = self.sg.type_in(graph, as_type, name)
            reaches = all(self.reachable(graph, field_type, s, below) for s in f.selections or ())
            missing = self.not_local(fetch.subgraph, type_name, _without(fields_of(key.selection), have))
            reuse = (fetch.id, graph, path, "", 0) in self.children
            return (not reaches, missing, 0 if reuse else 1)

        return min(options, key=rank)

    def all_local(self, graph: str, type_name: str, selections: tuple[Selection, ...]) -> bool:
        return self.not_local(graph, type_name, selections) == 0

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

    def plan_interface_object(
        self,
        fetch: Fetch,
        target: SelectionTree,
        interface: str,
        selections: tuple[Selection, ...],
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        """`fetch`'s subgraph holds `interface` as an @interfaceObject: it knows no concrete types.

        What it resolves on the interface stays here; the rest (`__typename`, fragments on
        implementations, fields only the implementations' subgraphs have) is asked of a subgraph
        that knows the interface's implementations, through its key on the interface.
        """
        target.claim(self.collect(selections, interface))
        elsewhere: list[Selection] = []
        for selection in selections:
            if isinstance(selection, Fragment):
                if selection.condition in (None, interface):
                    self.plan_interface_object(fetch, target, interface, selection.selections, path, provided)
                else:
                    elsewhere.append(selection)
            elif selection.name == "__typename":
                elsewhere.append(selection)
            elif self.is_local(fetch.subgraph, interface, selection.name, provided) and not self.needs_inputs(
                fetch, interface, selection.name, path
            ):
                self.add_local(fetch, target, interface, selection, path, provided)
            elif any(
                g != fetch.subgraph or self.needs_inputs(fetch, interface, selection.name, path)
                for g in self.sg.resolvers(interface, selection.name)
            ):
                # Another subgraph has the field on the interface itself: no concrete type needed.
                self.add_remote(fetch, target, interface, selection, path)
            else:
                elsewhere.append(selection)
        if not elsewhere:
            return
        if not self.sg.possible_types(interface):
            # Only an implementation's subgraph can say what a `Media` is; with none anywhere, the
            # __typename (or a type condition) has no answer, and an `_entities` call would be refused.
            raise PlanningError(
                f"{interface} has no implementation in any subgraph, so no subgraph can tell which type "
                f"each {interface} is; ask only for fields of {interface} itself."
            )
        info = self.sg.types[interface]
        keys = [k for k in info.keys if k.resolvable and k.graph not in info.interface_object_in]
        if not keys:
            raise PlanningError(f"No subgraph resolves the implementations of {interface}.")
        key = min(keys, key=lambda k: not self.all_local(fetch.subgraph, interface, fields_of(k.selection)))
        with self.collecting() as touched:
            target.leaf(TYPENAME)
            self.plan_interface_object(fetch, target, interface, fields_of(key.selection), path, None)
        child = self.entity_fetch(fetch, key.graph, path, "")
        child.depends |= {fetch.id} | {t.id for t in touched if t is not child}
        self.add_input(child, interface, interface, key, None)
        fragment = child.selections.fragment(interface)
        fragment.claim_from(target)
        self.plan_selections(child, fragment, interface, tuple(elsewhere), path, None)


def _typed_alias(sg: Supergraph, graph: str, type_name: str, f: Field) -> Field:
    """`f` under an alias naming its type, when this subgraph types it unlike the supergraph.

    Two fragments may select one response key from fields that the subgraph types differently
    (`... on Member { handle }` as String!, `... on Moderator { handle }` as String); a GraphQL
    server refuses that, so each differing type gets its own alias, put back when the answer arrives.
    """
    info = sg.field(type_name, f.name)
    source = info.sources.get(graph) if info is not None else None
    if source is None or source.type is None or f.internal:
        return f
    suffix = source.type.replace("!", "_nn").replace("[", "L_").replace("]", "_")
    return replace(f, key=f"{f.key}__qf_{suffix}", restore_as=f.key)


def _without(selections: tuple[Selection, ...], have: SelectionTree | None) -> tuple[Selection, ...]:
    """The part of a field set that `have` does not already hold."""
    if have is None:
        return selections
    missing: list[Selection] = []
    for selection in selections:
        if isinstance(selection, Fragment):
            inner = have.fragments.get(selection.condition) if selection.condition else have
            rest = _without(selection.selections, inner) if inner is not None else selection.selections
            if rest:
                missing.append(replace(selection, selections=rest))
            continue
        held = have.fields.get(selection.key)
        if held is None or held[0].signature != selection.signature:
            missing.append(selection)
        elif selection.selections is not None:
            rest = _without(selection.selections, held[1])
            if rest:
                missing.append(replace(selection, selections=rest))
    return tuple(missing)
