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

Three jobs are kept apart, as in Apollo's planner: what a subgraph can reach (gateway/reachability.py,
answers kept for the planning), the fetches being written (gateway/plan_builder.py), and the walk here,
which carries where it stands as one `Position`. The plan it returns is frozen (gateway/plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gateway.errors import PlanningError
from gateway.operation import Field, FieldSets, Fragment, Selection
from gateway.plan import QueryPlan
from gateway.plan_builder import FetchBuilder, PlanBuilder, TreeBuilder
from gateway.reachability import Provided, Reachability
from gateway.supergraph import Key, Supergraph

TYPENAME = Field("__typename", "__typename", "", "", None, frozenset())


class QueryPlanner:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.field_sets = FieldSets()  # the supergraph's keys, @requires and @provides, read once

    def plan(
        self, operation_type: str, selections: tuple[Selection, ...], variable_definitions: dict[str, str]
    ) -> QueryPlan:
        """The frozen plan of an operation (its selections normalised, see `gateway.operation`)."""
        reach = Reachability(self.supergraph, self.field_sets)
        walk = _Walk(self.supergraph, operation_type, reach)
        walk.plan_root(selections)
        return walk.builder.build(variable_definitions)


@dataclass(frozen=True, slots=True)
class Position:
    """Where the walk stands: the fetch it writes, the place in that fetch's query (`target`), the
    type of the objects there as the fetch's subgraph types them, their path in the response, and
    what a `@provides` above hands the subgraph there."""

    fetch: FetchBuilder
    target: TreeBuilder
    type_name: str
    path: tuple[str, ...]
    provided: Provided | None = None

    @property
    def graph(self) -> str:
        return self.fetch.subgraph


class _Walk:
    """One operation's walk: each field is placed in the fetch of a subgraph that resolves it."""

    def __init__(self, supergraph: Supergraph, operation_type: str, reach: Reachability) -> None:
        self.sg = supergraph
        self.operation_type = operation_type
        self.root_type = supergraph.mutation_type if operation_type == "mutation" else supergraph.query_type
        self.reach = reach
        self.builder = PlanBuilder(operation_type)
        self.visiting: set[tuple[str, str, str]] = set()  # entity jumps being planned, against cycles

    def plan_root(self, selections: tuple[Selection, ...]) -> None:
        root_type = self.root_type
        if root_type is None:
            raise PlanningError(f"This schema does not support {self.operation_type} operations.")
        for f in self.reach.collect(selections, root_type):
            if f.name.startswith("__"):
                continue  # __typename, __schema and __type are answered by the gateway itself
            graphs = self.sg.resolvers(root_type, f.name)
            if not graphs:
                raise PlanningError(f"No subgraph resolves {root_type}.{f.name}.")
            if self.operation_type == "mutation":
                fetch = self.builder.serial_fetch(graphs[0])
                self.add_local(Position(fetch, fetch.selections, root_type, ()), f)
            else:
                fetch = self.builder.root_fetch(self.pick_root_graph(graphs, root_type, f))
                self.place(Position(fetch, fetch.selections, root_type, ()), f)

    def pick_root_graph(self, graphs: list[str], root_type: str, f: Field) -> str:
        """Among subgraphs sharing a root field: one that reaches all of its selections, then the
        one that answers most of them itself, then one already being asked."""
        if len(graphs) == 1:
            return graphs[0]

        def score(graph: str) -> tuple[bool, int, bool]:
            reaches = self.reach.reaches_all(graph, root_type, f, None)
            provided = self.reach.child_provided(graph, root_type, f.name, None)
            field_type = self.sg.type_in(graph, root_type, f.name)
            local = self.reach.local_count(graph, field_type, f.selections or (), provided, 3)
            return (reaches, local, graph in self.builder.roots)

        return max(graphs, key=score)

    def plan_selections(self, at: Position, selections: tuple[Selection, ...]) -> None:
        info = self.sg.types[at.type_name]
        if not info.abstract:
            self.plan_object(at, selections)
        elif self.sg.is_interface_object(at.graph, at.type_name):
            self.plan_interface_object(at, selections)
        else:
            at.target.leaf(TYPENAME)
            for concrete in self.sg.possible_types_in(at.graph, at.type_name):
                if self.sg.applies(at.type_name, concrete):
                    fragment = at.target.fragment(concrete)
                    fragment.leaf(TYPENAME)
                    self.plan_object(replace(at, target=fragment, type_name=concrete), selections)

    def plan_object(self, at: Position, selections: tuple[Selection, ...]) -> None:
        at = replace(at, provided=self.reach.narrow(at.provided, at.type_name))
        fields = self.reach.collect(selections, at.type_name)
        at.target.claim(fields)
        remote: list[Field] = []
        for f in fields:
            if f.name == "__typename":
                at.target.leaf(f)
            elif not self.reach.is_local(at.graph, at.type_name, f.name, at.provided) or self.needs_inputs(
                at, f.name
            ):
                remote.append(f)
            else:
                self.place(at, _typed_alias(self.sg, at.graph, at.type_name, f))
        # Remote fields last: the keys and @requires they add here then meet the client's own
        # fields already placed, and merge with them or step aside to an alias, never the reverse.
        for f in remote:
            self.add_remote(at, f)

    def place(self, at: Position, f: Field, tried: frozenset[str] = frozenset()) -> None:
        """Add a field `at`'s subgraph resolves, with what it can reach of the field's selections."""
        tried = tried | {at.graph}
        if f.selections is None or not any(g not in tried for g in self.sg.resolvers(at.type_name, f.name)):
            self.add_local(at, f)
            return
        # A field several subgraphs resolve (@shareable, @provides): what this subgraph cannot
        # reach below it (a value type has no key to jump by) comes from another.
        here, rest = self.reach.partition(at.graph, at.type_name, f, at.provided)
        if here or not rest:
            self.add_local(at, replace(f, selections=here))
        if rest:
            self.add_elsewhere(at, replace(f, selections=rest), tried)

    def available(self, at: Position) -> TreeBuilder | None:
        """What an entity fetch already has of the entity it was sent: its representation's fields."""
        if not at.fetch.entity or at.path != at.fetch.path:
            return None
        return at.fetch.sent(at.type_name)

    def needs_inputs(self, at: Position, name: str) -> bool:
        """A field with @requires here, whose required fields this fetch was not sent: it takes an
        entity fetch, even back to the same subgraph, with them in the representation."""
        info = self.sg.field(at.type_name, name)
        source = info.sources.get(at.graph) if info is not None else None
        if source is None or source.requires is None:
            return False
        return bool(_without(self.reach.field_sets(source.requires), self.available(at)))

    def add_elsewhere(self, at: Position, f: Field, tried: frozenset[str]) -> None:
        if at.fetch.entity or at.type_name != self.root_type or self.operation_type == "mutation":
            self.add_remote(at, f)
            return
        # A shared root field: another root fetch, which may split what is left again.
        graphs = [g for g in self.sg.resolvers(at.type_name, f.name) if g not in tried]
        other = self.builder.root_fetch(self.pick_root_graph(graphs, at.type_name, f))
        self.place(Position(other, other.selections, at.type_name, at.path), f, tried)

    def add_local(self, at: Position, f: Field) -> None:
        info = self.sg.field(at.type_name, f.name)
        if info is None:
            raise PlanningError(f"{at.type_name}.{f.name} is not in the supergraph.")
        if f.selections is None:
            at.target.leaf(f)
            return
        provided = self.reach.child_provided(at.graph, at.type_name, f.name, at.provided)
        key, tree = at.target.place(f)
        assert tree is not None
        # Where the answer sits once merged: the client's key (a typed alias is put back first), or
        # the reserved alias a key or @requires field took; fetches below it follow that path.
        path = at.path + (f.restore_as or key,) + ("@",) * info.list_depth
        # Planned as the subgraph types the field, so every fragment sent is valid in its schema: a
        # union or interface that is one object type here takes no fragments but that type's (and
        # still its __typename, which the response needs).
        field_type = self.sg.type_in(at.graph, at.type_name, f.name)
        if field_type != info.type_name and self.sg.types[info.type_name].abstract:
            tree.leaf(TYPENAME)
        self.plan_selections(Position(at.fetch, tree, field_type, path, provided), f.selections)

    def add_remote(self, at: Position, f: Field) -> None:
        guard = (at.graph, at.type_name, f.name)
        if guard in self.visiting:
            raise PlanningError(
                f"No subgraph can provide {at.type_name}.{f.name} starting from subgraph {at.graph}."
            )
        self.visiting.add(guard)
        try:
            graph, key, as_type = self.choose_jump(at, f)
            info = self.sg.field(as_type, f.name)
            assert info is not None
            requires = info.sources[graph].requires
            key_fields = self.reach.field_sets(key.selection)
            required = self.reach.field_sets(requires) if requires is not None else None
            # What this fetch was sent for the entity is in the data already; the rest is planned.
            have = self.available(at)
            here = replace(at, provided=None)
            with self.builder.collecting() as touched:
                at.target.leaf(TYPENAME)
                self.plan_object(here, _without(key_fields, have))
                if required is not None:
                    self.plan_object(here, _without(required, have))
            # A field whose inputs come from other fetches gets a fetch of its own, so fields that
            # need nothing more are not held back (and no fetch ends up waiting for itself).
            waits_for = ",".join(sorted({str(t.id) for t in touched}))
            sends = (at.type_name, required) if required is not None else None
            child = self.builder.entity_fetch(at.fetch, graph, at.path, waits_for, sends)
            child.wait_for([at.fetch, *touched])
            child.send(at.type_name, as_type, key_fields, *((required,) if required is not None else ()))
            fragment = child.selections.fragment(as_type)
            fragment.claim_from(at.target)  # the same objects: the client's keys are taken there too
            self.plan_object(Position(child, fragment, as_type, at.path), (f,))
        finally:
            self.visiting.discard(guard)

    def choose_jump(self, at: Position, f: Field) -> tuple[str, Key, str]:
        """The subgraph, key and entity type through which `type_name.f` is fetched from here."""
        type_name, name = at.type_name, f.name
        options: list[tuple[str, Key, str]] = []
        for graph in self.sg.resolvers(type_name, name):
            if graph != at.graph or self.needs_inputs(at, name):
                options += [(graph, key, type_name) for key in self.sg.entity_keys(type_name, graph)]
        if not options:
            info = self.sg.types[type_name]
            interfaces = set().union(*info.implements.values()) if info.implements else set()
            for interface in sorted(interfaces):
                for graph in sorted(self.sg.types[interface].interface_object_in):
                    if graph != at.graph and self.sg.can_resolve(graph, interface, name):
                        options += [(graph, key, interface) for key in self.sg.entity_keys(interface, graph)]
        if not options:
            raise PlanningError(
                f"No subgraph can provide {type_name}.{name} starting from subgraph {at.graph}."
            )

        have = self.available(at)

        def rank(option: tuple[str, Key, str]) -> tuple[bool, int, int]:
            # A subgraph that reaches all the field asks for, then the fewest key fields to fetch
            # from elsewhere, then a fetch already planned here.
            graph, key, as_type = option
            reaches = self.reach.reaches_all(graph, as_type, f, None)
            key_fields = _without(self.reach.field_sets(key.selection), have)
            missing = self.reach.not_local(at.graph, type_name, key_fields)
            reuse = self.builder.has_entity_fetch(at.fetch, graph, at.path)
            return (not reaches, missing, 0 if reuse else 1)

        return min(options, key=rank)

    def plan_interface_object(self, at: Position, selections: tuple[Selection, ...]) -> None:
        """`at`'s subgraph holds the interface `at.type_name` as an @interfaceObject: it knows no
        concrete types.

        What it resolves on the interface stays here; the rest (`__typename`, fragments on
        implementations, fields only the implementations' subgraphs have) is asked of a subgraph
        that knows the interface's implementations, through its key on the interface.
        """
        interface = at.type_name
        at.target.claim(self.reach.collect(selections, interface))
        elsewhere: list[Selection] = []
        for selection in selections:
            if isinstance(selection, Fragment):
                if selection.condition in (None, interface):
                    self.plan_interface_object(at, selection.selections)
                else:
                    elsewhere.append(selection)
            elif selection.name == "__typename":
                elsewhere.append(selection)
            elif self.reach.is_local(
                at.graph, interface, selection.name, at.provided
            ) and not self.needs_inputs(at, selection.name):
                self.add_local(at, selection)
            elif any(
                g != at.graph or self.needs_inputs(at, selection.name)
                for g in self.sg.resolvers(interface, selection.name)
            ):
                # Another subgraph has the field on the interface itself: no concrete type needed.
                self.add_remote(at, selection)
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
        key = min(
            keys,
            key=lambda k: not self.reach.all_local(at.graph, interface, self.reach.field_sets(k.selection)),
        )
        key_fields = self.reach.field_sets(key.selection)
        with self.builder.collecting() as touched:
            at.target.leaf(TYPENAME)
            self.plan_interface_object(replace(at, provided=None), key_fields)
        child = self.builder.entity_fetch(at.fetch, key.graph, at.path, "")
        child.wait_for([at.fetch, *touched])
        child.send(interface, interface, key_fields)
        fragment = child.selections.fragment(interface)
        fragment.claim_from(at.target)
        self.plan_selections(Position(child, fragment, interface, at.path), tuple(elsewhere))


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


def _without(selections: tuple[Selection, ...], have: TreeBuilder | None) -> tuple[Selection, ...]:
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
