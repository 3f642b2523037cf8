"""Interfaces across subgraphs: their keys, @interfaceObject, and fields every implementation must have.

An entity interface (@key on an interface) must be resolvable to all its implementations by the
subgraphs that key it; an @interfaceObject stands in for the interface in a subgraph that knows none of
them, and the fields it adds belong to every implementation in the supergraph.
"""

from __future__ import annotations

from .issues import Issues, quoted, subgraph_names
from .merged import JoinField, MergedField, MergedSupergraph, MergedType
from .model import INTERFACE, OBJECT, Type


def check_interface_keys(
    supergraph: MergedSupergraph, type_: MergedType, sources: dict[int, Type], issues: Issues
) -> None:
    """Subgraphs keying an interface must define all its implementations; with @interfaceObject, none."""
    implementations = supergraph.implementations(type_.name)
    for index, source in sources.items():
        subgraph = supergraph.subgraphs[index]
        if subgraph.is_interface_object(source):
            defined = [name for name in implementations if name in subgraph.types]
            if defined:
                issues.add(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'[{subgraph.name}] Interface type "{type_.name}" is defined as an '
                    f'@interfaceObject in subgraph "{subgraph.name}" so that subgraph should not '
                    f'define any of the implementation types of "{type_.name}", but it defines '
                    f"{quoted(defined)}",
                )
            continue
        resolvable = next((k for k in source.applied("key") if k.boolean("resolvable", True)), None)
        if resolvable is None:
            continue
        known = {t.name for t in subgraph.implementations(type_.name)}
        missing = [name for name in implementations if name not in known]
        if missing:
            issues.add(
                "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                f'[{subgraph.name}] Interface type "{type_.name}" has a resolvable key (@key(fields: "'
                f'{resolvable.string("fields")}")) in subgraph "{subgraph.name}" but that subgraph is '
                f'missing some of the supergraph implementation types of "{type_.name}". Subgraph "'
                f'{subgraph.name}" should define type{"s" if len(missing) > 1 else ""} '
                f'{quoted(missing)} (and have {"them" if len(missing) > 1 else "it"} implement "'
                f'{type_.name}").',
            )


def add_interface_object_fields(supergraph: MergedSupergraph) -> None:
    """Fields an @interfaceObject adds to an interface also appear on its implementations."""
    for type_ in supergraph.types.values():
        if type_.kind != OBJECT:
            continue
        for interface_name in type_.interfaces:
            interface = supergraph.types.get(interface_name)
            if interface is None:
                continue
            for name, interface_field in interface.fields.items():
                if name in type_.fields:
                    continue
                if not _provided_by_interface_object(supergraph, interface_name, name):
                    continue
                type_.fields[name] = MergedField(
                    name,
                    interface_field.description,
                    list(interface_field.directives),
                    type=interface_field.type,
                    args=dict(interface_field.args),
                    joins=[JoinField(graph=None)],
                )


def _provided_by_interface_object(supergraph: MergedSupergraph, interface: str, name: str) -> bool:
    for index, subgraph in enumerate(supergraph.subgraphs):
        theirs = subgraph.types.get(interface)
        if (
            theirs
            and subgraph.is_interface_object(theirs)
            and name in theirs.fields
            and not supergraph.facts[index].is_external(theirs.fields[name])
        ):
            return True
    return False


def check_implementations(supergraph: MergedSupergraph, issues: Issues) -> None:
    """Every field of a merged interface is on each of its implementations."""
    for type_ in supergraph.types.values():
        for interface_name in type_.interfaces:
            interface = supergraph.types.get(interface_name)
            for name in interface.fields if interface else ():
                if name in type_.fields:
                    continue
                declaring = [
                    s.name
                    for s in supergraph.subgraphs
                    if (i := s.types.get(interface_name)) and i.kind == INTERFACE and name in i.fields
                ]
                implementing = [
                    s.name
                    for s in supergraph.subgraphs
                    if (t := s.types.get(type_.name)) is not None and interface_name in t.interfaces
                ]
                issues.add(
                    "INTERFACE_FIELD_NO_IMPLEM",
                    f'Interface field "{interface_name}.{name}" is declared in '
                    f'{subgraph_names(declaring)} but type "{type_.name}", which implements "'
                    f'{interface_name}" only in {subgraph_names(implementing)} does not have field "'
                    f'{name}": add it there.',
                )
