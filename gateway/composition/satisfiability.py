"""Stage 5, satisfiability: can the router plan every query the supergraph's API allows?

A conservative form of Apollo's check (see SatisfiabilityCheck): it never rejects what Apollo accepts.
"""

from __future__ import annotations

from graphql import FieldNode, GraphQLError

from .carry import is_inaccessible
from .fieldsets import parse_field_set, possible_types
from .issues import Issues, subgraph_names
from .merged import MergedField, MergedSupergraph, MergedType
from .model import INTERFACE, OBJECT, ROOT_DEFAULTS, UNION, base_name


class SatisfiabilityCheck:
    """A conservative form of Apollo's satisfiability check: reports query paths no subgraph can reach.

    Walks the API from the root fields. A state is a type and the subgraphs that may have returned it; a
    field is reachable if a subgraph resolving it is one of those, or one they can jump to through a
    resolvable @key whose fields they resolve. Where this model is unsure (@requires conditions, nested key
    fields, @provides paths, @interfaceObject fields) it assumes the path works, so it never rejects what
    Apollo accepts, and it catches the usual mistakes: fields only in subgraphs whose keys are all
    `resolvable: false`, key fields moved away with @override, value-type fields some subgraph lacks.
    """

    def __init__(self, supergraph: MergedSupergraph, issues: Issues) -> None:
        self.supergraph = supergraph
        self.issues = issues
        self.index = {graph: i for i, graph in enumerate(supergraph.graphs)}

    def check(self) -> None:
        seen: set[tuple[str, frozenset[str]]] = set()
        reported: set[str] = set()
        pending: list[tuple[str, frozenset[str], list[str]]] = []
        for root in ROOT_DEFAULTS.values():
            type_ = self.supergraph.types.get(root)
            for owned in type_.fields.values() if type_ else ():
                resolvers = self._resolvers(type_, owned)
                if resolvers and not is_inaccessible(owned):
                    assert owned.type is not None
                    pending.append((base_name(owned.type), frozenset(resolvers), [root, owned.name]))
        while pending:
            name, options, path = pending.pop()
            if (name, options) in seen or name not in self.supergraph.types:
                continue
            seen.add((name, options))
            type_ = self.supergraph.types[name]
            if type_.kind in (INTERFACE, UNION):
                for runtime in sorted({t for g in options for t in self._possible(name, g)}):
                    narrowed = frozenset(g for g in options if runtime in self._possible(name, g))
                    pending.append((runtime, narrowed, [*path, f"... on {runtime}"]))
            if type_.kind != OBJECT:
                continue
            reachable = self._closure(type_, options)
            for owned in type_.fields.values():
                resolvers = self._resolvers(type_, owned)
                if resolvers is None or is_inaccessible(owned):
                    continue
                available = resolvers & reachable
                coordinate = f"{name}.{owned.name}"
                if not available:
                    if coordinate not in reported:
                        reported.add(coordinate)
                        self._report(type_, owned.name, [*path, owned.name], options, resolvers)
                    continue
                assert owned.type is not None
                pending.append((base_name(owned.type), frozenset(available), [*path, owned.name]))

    def _resolvers(self, type_: MergedType, owned: MergedField) -> set[str] | None:
        """The graphs that resolve a field; None when it is resolved through an @interfaceObject."""
        if owned.joins is None:
            return {str(j["graph"]) for j in type_.joins}
        if any(j.graph is None for j in owned.joins):
            return None
        resolvers = set()
        for join in owned.joins:
            assert join.graph is not None
            index = self.index[join.graph]
            provided = f"{type_.name}.{owned.name}" in self.supergraph.facts[index].provided
            if not join.used_overridden and (not join.external or provided):
                resolvers.add(join.graph)
        return resolvers

    def _closure(self, type_: MergedType, options: frozenset[str]) -> set[str]:
        """The subgraphs reachable from `options` through resolvable keys of the type."""
        reached = set(options)
        keys = [(str(j["graph"]), str(j["key"])) for j in type_.joins if j.get("key") and j.get("resolvable")]
        changed = True
        while changed:
            changed = False
            for graph, key in keys:
                if graph in reached:
                    continue
                try:
                    selections = parse_field_set(key).selections
                except GraphQLError:
                    continue
                needed = [n.name.value for n in selections if isinstance(n, FieldNode)]
                if all(self._resolvable(type_, name, reached) for name in needed if name != "__typename"):
                    reached.add(graph)
                    changed = True
        return reached

    def _resolvable(self, type_: MergedType, name: str, reached: set[str]) -> bool:
        owned = type_.fields.get(name)
        if owned is None:
            return False
        resolvers = self._resolvers(type_, owned)
        return resolvers is None or bool(resolvers & reached)

    def _possible(self, abstract: str, graph: str) -> set[str]:
        subgraph = self.supergraph.subgraphs[self.index[graph]]
        type_ = subgraph.types.get(abstract)
        if type_ is None or subgraph.is_interface_object(type_):
            return set()
        return possible_types(subgraph, abstract)

    def _report(
        self, type_: MergedType, name: str, path: list[str], options: frozenset[str], resolvers: set[str]
    ) -> None:
        names = {
            graph: s.name for graph, s in zip(self.supergraph.graphs, self.supergraph.subgraphs, strict=True)
        }
        query = path[-1]
        for step in reversed(path[1:-1]):
            query = f"{step} {{ {query} }}"
        query = "{ " + query + " }" if path[0] == "Query" else f"{path[0].lower()} {{ {query} }}"
        origin = subgraph_names(sorted(names[g] for g in options))
        target = subgraph_names(sorted(names[g] for g in resolvers)) if resolvers else "no subgraph"
        keyed = [str(j["graph"]) for j in type_.joins if j.get("key") and j.get("resolvable")]
        why = (
            f'none of the @key of "{type_.name}" there are resolvable (they are all `resolvable: false`)'
            if resolvers and not set(keyed) & resolvers
            else f'no resolvable @key of "{type_.name}" there has fields that {origin} resolve'
        )
        self.issues.add(
            "SATISFIABILITY_ERROR",
            f"The following supergraph API query:\n{query}\ncannot be satisfied by the subgraphs because: "
            f'from {origin}, field "{type_.name}.{name}" is resolved by {target}, which cannot be reached: '
            f'{why}. Add the field to {origin}, or a resolvable @key of "{type_.name}" to the subgraph '
            "that resolves it.",
        )
