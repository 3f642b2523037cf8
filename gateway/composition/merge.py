"""Stage 4, merge: the subgraphs' types, by name, into one supergraph with its join facts.

In Apollo's order: kinds first; unions and implementations before fields, since field types are compared
with them; enums last, once it is known whether they are used as inputs, outputs or both. Each part
reports every problem it finds (sharing, override, incompatible types, @inaccessible) before the stage
ends.
"""

from __future__ import annotations

from graphql import print_ast

from .carry import carried_directives, is_inaccessible, merged_description
from .fields import FieldMerger
from .inaccessible import check_inaccessible
from .interfaces import add_interface_object_fields, check_implementations, check_interface_keys
from .issues import Issues, extension_with_no_base, subgraph_names
from .merged import JoinField, MergedField, MergedSupergraph, MergedType, MergedValue
from .model import (
    ENUM,
    INPUT_OBJECT,
    INTERFACE,
    OBJECT,
    ROOT_DEFAULTS,
    SCALAR,
    UNION,
    Subgraph,
    Type,
    is_required,
)
from .signatures import SignatureMerger

KIND_NAMES = {
    OBJECT: "Object Type", INTERFACE: "Interface Type", UNION: "Union Type", ENUM: "Enum Type",
    INPUT_OBJECT: "Input Object Type", SCALAR: "Scalar Type",
}  # fmt: skip
EXECUTABLE_LOCATIONS = {
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
}  # fmt: skip


class Merger:
    """Merges the (upgraded, validated) subgraphs; `merge()` returns the supergraph, problems go to issues."""

    def __init__(self, subgraphs: list[Subgraph], issues: Issues) -> None:
        self.supergraph = MergedSupergraph(subgraphs)
        self.issues = issues
        self.signatures = SignatureMerger(self.supergraph, issues)
        self.fields = FieldMerger(self.supergraph, issues, self.signatures)

    def merge(self) -> MergedSupergraph:
        self._add_types()
        for type_ in self.supergraph.types.values():
            if type_.kind in (OBJECT, INTERFACE):
                self._merge_implements(type_)
            if type_.kind == UNION:
                self._merge_union(type_)
        order = (SCALAR, INPUT_OBJECT, INTERFACE, OBJECT)
        for kind in order:
            for type_ in [t for t in self.supergraph.types.values() if t.kind == kind]:
                self._merge_type(type_)
        for type_ in [t for t in self.supergraph.types.values() if t.kind == UNION]:
            self._merge_common(type_)
        self._merge_directive_definitions()
        for type_ in [t for t in self.supergraph.types.values() if t.kind == ENUM]:
            self._merge_type(type_)
        for name, type_ in list(self.supergraph.types.items()):
            if type_.kind == OBJECT and not type_.fields:
                del self.supergraph.types[name]
        if "Query" not in self.supergraph.types:
            self.issues.add(
                "NO_QUERIES", "No queries found in any subgraph: a supergraph must have a query root type."
            )
        add_interface_object_fields(self.supergraph)
        check_implementations(self.supergraph, self.issues)
        check_inaccessible(self.supergraph.types, self.issues)
        return self.supergraph

    def _add_types(self) -> None:
        mismatched: list[str] = []
        interface_objects: set[str] = set()
        for subgraph in self.supergraph.subgraphs:
            for type_ in subgraph.types.values():
                kind = self.supergraph.kind_in(subgraph, type_)
                if subgraph.is_interface_object(type_):
                    interface_objects.add(type_.name)
                if type_.name not in self.supergraph.types:
                    self.supergraph.types[type_.name] = MergedType(type_.name, kind=kind)
                elif self.supergraph.types[type_.name].kind != kind and type_.name not in mismatched:
                    mismatched.append(type_.name)
        for name in mismatched:
            described = {}
            for subgraph in self.supergraph.subgraphs:
                if name in subgraph.types:
                    theirs = subgraph.types[name]
                    label = (
                        "Interface Object Type (Object Type with @interfaceObject)"
                        if subgraph.is_interface_object(theirs)
                        else KIND_NAMES[theirs.kind]
                    )
                    described.setdefault(label, []).append(subgraph.name)
            parts = [f"{label} in {subgraph_names(names)}" for label, names in described.items()]
            self.issues.add(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as {" but ".join(parts)}; a type must '
                "be the same kind in every subgraph.",
            )
        for name in sorted(interface_objects - set(mismatched)):
            if not any(
                s.types.get(name) and s.types[name].kind == INTERFACE for s in self.supergraph.subgraphs
            ):
                defining = [s.name for s in self.supergraph.subgraphs if name in s.types]
                self.issues.add(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which it is '
                    f"defined (it is defined in {subgraph_names(defining)} but should be defined as an "
                    "interface in at least one subgraph)",
                )

    def _merge_implements(self, type_: MergedType) -> None:
        for index, source in self.supergraph.sources(type_).items():
            for interface in source.interfaces:
                type_.implements.append((self.supergraph.graphs[index], interface))
                if interface not in type_.interfaces:
                    type_.interfaces.append(interface)

    def _merge_union(self, type_: MergedType) -> None:
        sources = self.supergraph.sources(type_)
        for source in sources.values():
            for member in source.members:
                if member not in type_.members:
                    type_.members.append(member)
        for member in type_.members:
            for index, source in sources.items():
                if member in source.members:
                    type_.member_joins.append((self.supergraph.graphs[index], member))

    def _merge_common(self, type_: MergedType) -> dict[int, Type]:
        sources = self.supergraph.sources(type_)
        self._check_extension_with_no_base(type_, sources)
        type_.description = merged_description(sources.values())
        for index, source in sources.items():
            subgraph = self.supergraph.subgraphs[index]
            interface_object = subgraph.is_interface_object(source)
            keys = source.applied("key")
            if not keys:
                type_.joins.append(
                    {"graph": self.supergraph.graphs[index], "isInterfaceObject": interface_object}
                )
            for key in keys:
                type_.joins.append(
                    {
                        "graph": self.supergraph.graphs[index],
                        "key": key.string("fields"),
                        "extension": key.block > 0 or source.has("extends"),
                        "resolvable": key.boolean("resolvable", True),
                        "isInterfaceObject": interface_object,
                    }
                )
        type_.directives = carried_directives(sources.values())
        return sources

    def _check_extension_with_no_base(self, type_: MergedType, sources: dict[int, Type]) -> None:
        if type_.kind == OBJECT and type_.name in ROOT_DEFAULTS.values():
            return
        if any(s.has_definition for s in sources.values()):
            return
        for index, source in sources.items():
            if source.has_extension:
                self.issues.add(
                    "EXTENSION_WITH_NO_BASE", extension_with_no_base(self.supergraph.names[index], type_.name)
                )

    def _merge_type(self, type_: MergedType) -> None:
        sources = self._merge_common(type_)
        if type_.kind == OBJECT:
            self.fields.merge(type_, sources, shared=True)
        elif type_.kind == INTERFACE:
            check_interface_keys(self.supergraph, type_, sources, self.issues)
            self.fields.merge(type_, sources, shared=False)
        elif type_.kind == INPUT_OBJECT:
            self._merge_input(type_, sources)
        elif type_.kind == ENUM:
            self._merge_enum(type_, sources)

    # -- inputs, enums, directives

    def _merge_input(self, type_: MergedType, sources: dict[int, Type]) -> None:
        graphs, names = self.supergraph.graphs, self.supergraph.names
        for name, field_sources in self.supergraph.field_sources(type_, sources).items():
            coordinate = f"{type_.name}.{name}"
            defined = {i: s for i, s in field_sources.items() if s is not None}
            merged = MergedField(
                name, merged_description(defined.values()), carried_directives(defined.values())
            )
            merged.type, all_equal = self.signatures.merge_type(
                coordinate, defined, is_input=True, what="field"
            )
            if not all_equal:
                merged.joins = [
                    JoinField(graph=graphs[i], type=print_ast(s.type)) for i, s in defined.items()
                ]
            merged.default = self.signatures.merge_default(coordinate, defined, "Input field")
            lacking = [names[i] for i, s in field_sources.items() if s is None]
            if lacking and not is_inaccessible(merged):
                requiring = [names[i] for i, s in defined.items() if is_required(s)]
                if requiring:
                    self.issues.add(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {subgraph_names(requiring)} but does "
                        f"not appear in {subgraph_names(lacking)}; add it everywhere or make it optional.",
                    )
                continue  # inputs keep only the fields every subgraph accepts
            type_.fields[name] = merged
        if not type_.fields:
            self.issues.add(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{type_.name}" are consistently defined in all '
                "the subgraphs defining that type. As only fields common to all subgraphs are merged, this "
                "would result in an empty type.",
            )

    def _merge_enum(self, type_: MergedType, sources: dict[int, Type]) -> None:
        usage = self.signatures.enum_usage.get(type_.name, {"Output": ""})
        position = "Both" if len(usage) == 2 else next(iter(usage))
        graphs, names = self.supergraph.graphs, self.supergraph.names
        value_names: list[str] = []
        for source in sources.values():
            value_names += [name for name in source.values if name not in value_names]
        for name in value_names:
            values = [s.values.get(name) for s in sources.values()]
            value = MergedValue(name, merged_description(values), carried_directives(values))
            value.graphs = [graphs[i] for i, s in sources.items() if name in s.values]
            lacking = [names[i] for i, s in sources.items() if name not in s.values]
            if lacking and position != "Output" and not is_inaccessible(value):
                if position == "Input":
                    continue  # input-only enums keep the values every subgraph accepts
                having = [names[i] for i, s in sources.items() if name in s.values]
                self.issues.add(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{type_.name}" is used as both input type (for example, as type of "'
                    f'{usage["Input"]}") and output type (for example, as type of "{usage["Output"]}"), '
                    f'but value "{name}" is not defined in all the subgraphs defining "{type_.name}": "'
                    f'{name}" is defined in {subgraph_names(having)} but not in {subgraph_names(lacking)}'
                    "; define the same values everywhere.",
                )
            type_.values[name] = value
        if not type_.values:
            self.issues.add(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{type_.name}" are defined consistently in all the '
                "subgraphs defining that type. As only values common to all subgraphs are merged, this "
                "would result in an empty type.",
            )

    def _merge_directive_definitions(self) -> None:
        """Executable directives (used in operations) that every subgraph defines reach the supergraph."""
        names: list[str] = []
        for subgraph in self.supergraph.subgraphs:
            names += [n for n in subgraph.directive_definitions if n not in names]
        for name in names:
            definitions = [s.directive_definitions.get(name) for s in self.supergraph.subgraphs]
            if any(d is None for d in definitions):
                continue
            locations = None
            for definition in definitions:
                assert definition is not None
                own = {loc.value for loc in definition.locations} & EXECUTABLE_LOCATIONS
                locations = own if locations is None else locations & own
            if not locations:
                continue
            first = definitions[0]
            assert first is not None
            common = [
                arg for arg in first.arguments or () if all(
                    any(a.name.value == arg.name.value for a in d.arguments or ()) for d in definitions if d
                )
            ]  # fmt: skip
            args = f"({', '.join(print_ast(a) for a in common)})" if common else ""
            repeatable = " repeatable" if all(d is not None and d.repeatable for d in definitions) else ""
            ordered = [loc.value for loc in first.locations if loc.value in locations]
            self.supergraph.directives.append(f"directive @{name}{args}{repeatable} on {' | '.join(ordered)}")
