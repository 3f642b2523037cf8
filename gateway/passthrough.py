"""What of a subgraph's answer the response can take as it came, without shaping.

Shaping copies every object of the merged data into a new one holding the client's fields. Where the
plan proves that a subgraph answered exactly what the client asked (the same fields under the same
keys, typed as in the supergraph, so that the subgraph propagated nulls as the gateway would), and that
no other fetch wrote into that part of the data, the copy is the same value: the response takes the
subgraph's value as it is. This is decided once per plan:

- `whole_response`: the plan is one root fetch whose answer is the response (nothing shaped at all);
- `unshaped_fields`: the client's fields (by parent type) whose whole subtree one fetch answered
  exactly, such as `reviews { id body }` of products joined from a reviews subgraph. The generated
  shaping code takes such a value as it is once a generated check finds it already what shaping would
  make of it (`shaping.Shaper._exact`), and shapes it otherwise, so a subgraph that breaks its schema
  there still costs its errors.

The whole-response case trusts the subgraph to answer in the types its schema declares. In both, the
order of an object's keys is the subgraph's, which was asked for them in the client's order.
"""

from __future__ import annotations

from gateway.operation import Field, Selection
from gateway.plan import QueryPlan, SelectionTree
from gateway.supergraph import Supergraph

# (id of a client Field of the cached operation, the concrete type of the object holding it)
Unshaped = frozenset[tuple[int, str]]


def whole_response(
    sg: Supergraph, plan: QueryPlan, root_type: str, selections: tuple[Selection, ...]
) -> bool:
    """Whether the plan is one root fetch whose answer already has the client's exact shape."""
    if len(plan.fetches) != 1:
        return False
    fetch = plan.fetches[0]
    return (
        not fetch.entity
        and not fetch.restores
        and same_shape(sg, fetch.subgraph, root_type, selections, fetch.selections)
    )


def same_shape(
    sg: Supergraph, graph: str, type_name: str, selections: tuple[Selection, ...], tree: SelectionTree
) -> bool:
    """The subgraph is asked for exactly these fields, each typed as in the supergraph (so nulls
    propagate alike), none abstract (no `__typename` added) and none an enum (whose values the
    gateway must check against the API schema)."""
    if tree.fragments or len(selections) != len(tree.fields):
        return False
    for selection, (key, (asked, below)) in zip(selections, tree.fields.items(), strict=True):
        if not isinstance(selection, Field) or selection.key != key or selection.signature != asked.signature:
            return False
        info = sg.field(type_name, selection.name)
        source = info.sources.get(graph) if info is not None else None
        if info is None or source is None or source.type is not None or asked.internal:
            return False
        if asked.restore_as is not None:
            return False
        named = sg.types.get(info.type_name)
        if named is None and selection.selections is None:
            continue  # a built-in scalar
        if named is None or named.kind == "enum" or named.abstract:
            return False
        if selection.selections is None or below is None:
            if selection.selections is not None or below is not None:
                return False
            continue
        if not same_shape(sg, graph, info.type_name, selection.selections, below):
            return False
    return True


# A place in the response: its keys from the root, list indexes left out.
Position = tuple[str, ...]


def unshaped_fields(
    sg: Supergraph, plan: QueryPlan, root_type: str, selections: tuple[Selection, ...]
) -> Unshaped:
    """The client's object fields whose value the response may take from the merged data as it is."""
    writers: dict[Position, set[int]] = {}  # which fetches write at each place (or below it)
    asked: dict[tuple[Position, str], tuple[int, Field, SelectionTree]] = {}
    for fetch in plan.fetches:
        base = tuple(segment for segment in fetch.path if segment != "@")
        for prefix in range(len(base) + 1):
            writers.setdefault(base[:prefix], set()).add(fetch.id)
        # An entity fetch's tree holds its fields in fragments on the entities' types.
        _asked_in(sg, fetch.id, base, None if fetch.entity else root_type, fetch.selections, writers, asked)
    walk = _Walk(sg, writers, asked, {fetch.id: fetch.subgraph for fetch in plan.fetches})
    try:
        walk.level(root_type, selections, (), 0)
    except _TooLarge:
        return frozenset()  # everything shaped, as before this existed
    return frozenset(walk.passed - walk.failed)


# How deep the walk over the client's selections goes (the depth limit refuses deeper operations),
# and how many (place, type, selections) it visits at most: abstract types nested in abstract types
# multiply the places to decide; past the budget nothing is taken as it is.
_DEEPEST = 64
_VISITS = 5000


class _TooLarge(Exception):
    pass


def _asked_in(
    sg: Supergraph,
    fetch: int,
    at: Position,
    type_name: str | None,
    tree: SelectionTree,
    writers: dict[Position, set[int]],
    asked: dict[tuple[Position, str], tuple[int, Field, SelectionTree]],
) -> None:
    """Record what a fetch asks at each place of its tree: the fetch writes there, and for an object
    field under a known object type, the field and its tree (keyed by place and parent type)."""
    for key, (f, below) in tree.fields.items():
        place = (*at, f.restore_as or key)
        writers.setdefault(place, set()).add(fetch)
        if below is None:
            continue
        if type_name is not None:
            asked[(place, type_name)] = (fetch, f, below)
        info = sg.field(type_name, f.name) if type_name is not None else None
        named = sg.types.get(info.type_name) if info is not None else None
        inner = None if named is None or named.abstract else named.name
        _asked_in(sg, fetch, place, inner, below, writers, asked)
    for condition, fragment in tree.fragments.items():
        known = sg.types.get(condition)
        inner = condition if known is not None and not known.abstract else None
        _asked_in(sg, fetch, at, inner, fragment, writers, asked)


class _Walk:
    """Decide each object field of the client's selections, place by place: unshaped when one fetch
    alone writes at and below it and asked exactly the client's subtree. A field the shaping code
    shares between places (a fragment spread twice) is unshaped only if it is so at each place."""

    def __init__(
        self,
        sg: Supergraph,
        writers: dict[Position, set[int]],
        asked: dict[tuple[Position, str], tuple[int, Field, SelectionTree]],
        graphs: dict[int, str],
    ) -> None:
        self.sg = sg
        self.writers = writers
        self.asked = asked
        self.graphs = graphs
        self.passed: set[tuple[int, str]] = set()
        self.failed: set[tuple[int, str]] = set()
        self.seen: set[tuple[Position, str, tuple[int, ...]]] = set()

    def level(self, type_name: str, selections: tuple[Selection, ...], at: Position, depth: int) -> None:
        visit = (at, type_name, tuple(id(s) for s in selections))
        if depth > _DEEPEST or visit in self.seen:
            return
        self.seen.add(visit)
        if len(self.seen) > _VISITS:
            raise _TooLarge
        sg = self.sg
        groups: dict[str, list[Field]] = {}
        collect_fields(sg, selections, type_name, groups)
        for key, group in groups.items():
            f = group[0]
            if f.selections is None:
                continue
            place = (*at, key)
            found = self.asked.get((place, type_name))
            if (
                len(group) == 1
                and found is not None
                and self.writers.get(place) == {found[0]}
                and found[1].signature == f.signature
                and same_shape(
                    sg, self.graphs[found[0]], type_name, (f,), SelectionTree({key: (found[1], found[2])}, {})
                )
            ):
                self.passed.add((id(f), type_name))
                continue
            self.failed.update((id(g), type_name) for g in group)
            info = sg.field(type_name, f.name)
            if info is None:
                continue
            children = tuple(s for g in group for s in g.selections or ())
            for concrete in sg.api_possible(info.type_name):
                self.level(concrete, children, place, depth + 1)


def collect_fields(
    sg: Supergraph, selections: tuple[Selection, ...], type_name: str, groups: dict[str, list[Field]]
) -> None:
    """The client's fields by response key for an object of `type_name`: fragments whose condition the
    type meets merged in. Shaping groups by it, and what passes unshaped must be grouped the same way."""
    for selection in selections:
        if isinstance(selection, Field):
            groups.setdefault(selection.key, []).append(selection)
        elif (
            selection.condition is None
            or selection.condition == type_name
            or type_name in sg.api_possible(selection.condition)
        ):
            collect_fields(sg, selection.selections, type_name, groups)
