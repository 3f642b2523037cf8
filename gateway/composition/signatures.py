"""A field's signature merged across subgraphs: its type, its arguments and their default values.

Types may differ by nullability or by a subtype; the supergraph takes the most general output type and the
most specific input type, as Apollo does, and join__field records each subgraph's own type where they
differ. Arguments some subgraphs lack are left out of the supergraph unless one of them requires it.
"""

from __future__ import annotations

from graphql import TypeNode, ValueNode, print_ast

from .carry import carried_directives, merged_description
from .issues import Issues, subgraph_names
from .merged import MergedSupergraph
from .model import ENUM, Arg, Field, base_name, is_required


class SignatureMerger:
    """Merges field and argument types, arguments and defaults; notes where each enum is used."""

    def __init__(self, supergraph: MergedSupergraph, issues: Issues) -> None:
        self.supergraph = supergraph
        self.issues = issues
        # enum -> {"Input"/"Output": an example coordinate}. An enum's values merge differently for input
        # and output positions, which is why enums merge last, once every field type is known.
        self.enum_usage: dict[str, dict[str, str]] = {}

    def merge_type(
        self, coordinate: str, sources: dict[int, Field] | dict[int, Arg], is_input: bool, what: str
    ) -> tuple[TypeNode, bool]:
        """The supergraph's type for a field or argument (`what`), and whether all subgraphs agree on it."""
        merged: TypeNode | None = None
        subtypes = incompatible = False
        for source in sources.values():
            if merged is None or print_ast(merged) == print_ast(source.type):
                merged = source.type
            elif self.supergraph.is_strict_subtype(merged, source.type):
                subtypes = True
                merged = source.type if is_input else merged
            elif self.supergraph.is_strict_subtype(source.type, merged):
                subtypes = True
                merged = merged if is_input else source.type
            else:
                incompatible = True
        assert merged is not None
        base = base_name(merged)
        if base in self.supergraph.types and self.supergraph.types[base].kind == ENUM:
            self.enum_usage.setdefault(base, {}).setdefault("Input" if is_input else "Output", coordinate)
        if incompatible:
            by_type: dict[str, list[str]] = {}
            for index, source in sources.items():
                by_type.setdefault(print_ast(source.type), []).append(self.supergraph.names[index])
            described = " but ".join(f'type "{t}" in {subgraph_names(n)}' for t, n in by_type.items())
            self.issues.add(
                "FIELD_ARGUMENT_TYPE_MISMATCH" if what == "argument" else "FIELD_TYPE_MISMATCH",
                f'Type of {what} "{coordinate}" is incompatible across subgraphs: it has {described}; make '
                "them agree (they may differ only in nullability, or by a subtype).",
            )
            return merged, False
        return merged, not subtypes

    def merge_arguments(self, coordinate: str, sources: dict[int, Field]) -> dict[str, Arg]:
        """The arguments of a field that every subgraph defining it accepts."""
        names: list[str] = []
        for source in sources.values():
            names += [name for name in source.args if name not in names]
        merged: dict[str, Arg] = {}
        for name in names:
            arg_coordinate = f"{coordinate}({name}:)"
            lacking = [self.supergraph.names[i] for i, s in sources.items() if name not in s.args]
            if lacking:
                requiring = [
                    self.supergraph.names[i]
                    for i, s in sources.items()
                    if name in s.args and is_required(s.args[name])
                ]
                if requiring:
                    self.issues.add(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "{arg_coordinate}" is required in some subgraphs but does not appear in '
                        f"all subgraphs: it is required in {subgraph_names(requiring)} but does not "
                        f"appear in {subgraph_names(lacking)}; add it everywhere or make it optional.",
                    )
                continue  # optional arguments some subgraphs lack are left out, as in Apollo
            args = {i: s.args[name] for i, s in sources.items()}
            merged[name] = self._merge_input_value(arg_coordinate, args, "argument", "Argument")
        return merged

    def _merge_input_value(self, coordinate: str, sources: dict[int, Arg], what: str, label: str) -> Arg:
        result = Arg(
            coordinate.split("(")[-1].rstrip(":)") if what == "argument" else coordinate.split(".")[-1]
        )
        result.description = merged_description(sources.values())
        result.directives = carried_directives(sources.values())
        result.type, _ = self.merge_type(coordinate, sources, is_input=True, what=what)
        result.default = self.merge_default(coordinate, sources, label)
        return result

    def merge_default(
        self, coordinate: str, sources: dict[int, Arg] | dict[int, Field], label: str
    ) -> ValueNode | None:
        """The default value the subgraphs agree on; None (and an issue where they conflict) otherwise."""
        merged: ValueNode | None = None
        seen = inconsistent = incompatible = False
        for source in sources.values():
            if merged is None:
                merged = source.default
                inconsistent = inconsistent or (seen and source.default is not None)
            elif not same_value(merged, source.default):
                inconsistent = True
                incompatible = incompatible or source.default is not None
            seen = True
        if incompatible:
            described = "; ".join(
                (f"default value {print_ast(s.default)}" if s.default is not None else "no default value")
                + f' in subgraph "{self.supergraph.names[i]}"'
                for i, s in sources.items()
            )
            code = (
                "FIELD_ARGUMENT_DEFAULT_MISMATCH" if label == "Argument" else "INPUT_FIELD_DEFAULT_MISMATCH"
            )
            self.issues.add(
                code, f'{label} "{coordinate}" has incompatible default values across subgraphs: {described}.'
            )
        return merged if (not inconsistent or incompatible) else None


def same_value(a: ValueNode | None, b: ValueNode | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and print_ast(a) == print_ast(b))
