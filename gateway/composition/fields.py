"""Object and interface fields merged: which subgraphs resolve each one, and whether they may.

A field resolved by several subgraphs must be @shareable in each (after @override has moved it away from
some); one marked @external everywhere is resolved nowhere. Where subgraphs differ in how they resolve a
field (types, @requires, @provides, @external, @override), the supergraph says so with @join__field.
"""

from __future__ import annotations

from graphql import print_ast

from .carry import carried_directives, merged_description
from .issues import Issues, listed_subgraphs, subgraph_names
from .merged import JoinField, MergedField, MergedSupergraph, MergedType
from .model import Field, Type
from .override import Override, OverrideRules
from .printing import applied_text
from .signatures import SignatureMerger, same_value


class FieldMerger:
    """Merges the fields of object and interface types, one field at a time across all subgraphs."""

    def __init__(self, supergraph: MergedSupergraph, issues: Issues, signatures: SignatureMerger) -> None:
        self.supergraph = supergraph
        self.issues = issues
        self.signatures = signatures
        self.overrides = OverrideRules(supergraph, issues)

    def merge(self, type_: MergedType, sources: dict[int, Type], shared: bool) -> None:
        subscription = type_.name == "Subscription"
        for name, field_sources in self.supergraph.field_sources(type_, sources).items():
            merged = type_.fields[name] = MergedField(name)
            override = self.overrides.check(type_, merged, field_sources)
            if subscription:
                shareable = [f for f in field_sources.values() if f is not None and f.has("shareable")]
                if shareable:
                    self.issues.add(
                        "INVALID_FIELD_SHARING",
                        'Fields on root level subscription object cannot be marked as shareable ("'
                        f'{type_.name}.{name}")',
                    )
            self._merge_field(type_, merged, field_sources, override)
            if shared:
                self._check_sharing(type_, merged, field_sources, override)

    def _merge_field(
        self, type_: MergedType, merged: MergedField, sources: dict[int, Field | None], override: Override
    ) -> None:
        coordinate = f"{type_.name}.{merged.name}"
        facts, names = self.supergraph.facts, self.supergraph.names
        externals = {i for i, s in sources.items() if s is not None and facts[i].is_external(s)}
        every_external = all(
            (i in externals)
            if s is not None
            else all(facts[i].is_external(f) for f in self.supergraph.abstracted(type_, merged.name, i))
            for i, s in sources.items()
        )
        if every_external:
            defining = [names[i] for i, s in sources.items() if s is not None]
            self.issues.add(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is listed ('
                f"{subgraph_names(defining)}): some subgraph must define it without @external.",
            )
            merged.type = next(s.type for s in sources.values() if s is not None)
            return
        kept = {i: (None if i in externals else s) for i, s in sources.items()}
        for index in externals:
            source = sources[index]
            assert source is not None
            for directive in carried_directives([source]):
                self.issues.add(
                    "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                    f"[{names[index]}] Cannot apply merged directive {applied_text([directive])[0]} "
                    f'to external field "{coordinate}": apply it where the field is resolved.',
                )
        defined = {i: s for i, s in kept.items() if s is not None}
        if defined:
            merged.description = merged_description(defined.values())
            merged.directives = carried_directives(defined.values())
            merged.args = self.signatures.merge_arguments(coordinate, defined)
        typed = defined or {i: s for i, s in sources.items() if s is not None}
        merged.type, all_equal = self.signatures.merge_type(coordinate, typed, is_input=False, what="field")
        if externals:
            self._check_external_types(coordinate, merged, sources, externals, all_equal)
        if self._needs_join_field(type_, sources, externals, all_equal, override):
            merged.joins = []
            for index, source in sources.items():
                if source is None or (index in override.unused and index not in override.labels):
                    continue
                merged.joins.append(self._join_field(index, source, all_equal, override))

    def _join_field(self, index: int, source: Field, all_equal: bool, override: Override) -> JoinField:
        subgraph = self.supergraph.subgraphs[index]
        requires = source.applied("requires")
        provides = source.applied("provides")
        overrides = source.applied("override") if subgraph.is_fed2 else []
        return JoinField(
            graph=self.supergraph.graphs[index],
            requires=requires[0].string("fields") if requires else None,
            provides=provides[0].string("fields") if provides else None,
            type=None if all_equal else print_ast(source.type),
            external=self.supergraph.facts[index].is_external(source),
            override=overrides[-1].string("from") if overrides else None,
            used_overridden=index in override.used,
            override_label=override.labels.get(index),
        )

    def _needs_join_field(
        self,
        type_: MergedType,
        sources: dict[int, Field | None],
        externals: set[int],
        all_equal: bool,
        override: Override,
    ) -> bool:
        if not all_equal or override.used or override.labels:
            return True
        for index, source in sources.items():
            if source is not None and index not in override.unused:
                if index in externals or source.has("provides") or source.has("requires"):
                    return True
            elif type_.name in self.supergraph.subgraphs[index].types:
                return True  # a subgraph has the type without the field: say which ones have it
        return False

    def _check_sharing(
        self, type_: MergedType, merged: MergedField, sources: dict[int, Field | None], override: Override
    ) -> None:
        shareable: list[str] = []
        unshareable: list[tuple[int, str]] = []
        resolving: list[str] = []
        for index, source in sources.items():
            label = f'"{self.supergraph.names[index]}"'
            if source is None:
                candidates = [
                    (f, f'{label} (through @interfaceObject field "{f.coordinate}")')
                    for f in self.supergraph.abstracted(type_, merged.name, index)
                ]
            elif override.overridden(index):
                continue
            else:
                candidates = [(source, label)]
            for candidate, described in candidates:
                if self.supergraph.facts[index].is_fully_external(candidate):
                    continue
                resolving.append(described)
                if self.supergraph.facts[index].is_shareable(candidate):
                    shareable.append(described)
                else:
                    unshareable.append((index, described))
        if unshareable and (shareable or len(unshareable) > 1):
            coordinate = f"{type_.name}.{merged.name}"
            where = listed_subgraphs([d for _, d in unshareable]) if shareable else "all of them"
            extra = ""
            unknown = [d for i, d in unshareable if i in override.unknown_target]
            if unknown:
                extra = (
                    f' (please note that "{coordinate}" has an @override directive in {unknown[0]} that '
                    "targets an unknown subgraph so this could be due to misspelling the @override(from:) "
                    "argument)"
                )
            self.issues.add(
                "INVALID_FIELD_SHARING",
                f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is resolved '
                f"from {listed_subgraphs(resolving)} and defined as non-shareable in {where}{extra}. Mark it "
                "@shareable in every subgraph that resolves it, or make a single subgraph resolve it "
                "(@external, @override).",
            )

    def _check_external_types(
        self,
        coordinate: str,
        merged: MergedField,
        sources: dict[int, Field | None],
        externals: set[int],
        all_equal: bool,
    ) -> None:
        assert merged.type is not None
        for index in sorted(externals):
            source = sources[index]
            assert source is not None
            name = self.supergraph.names[index]
            if not (
                print_ast(merged.type) == print_ast(source.type)
                or (not all_equal and self.supergraph.is_strict_subtype(merged.type, source.type))
            ):
                self.issues.add(
                    "EXTERNAL_TYPE_MISMATCH",
                    f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                    f'@external): it has type "{print_ast(merged.type)}" in the supergraph but type "'
                    f'{print_ast(source.type)}" in subgraph "{name}".',
                )
            for arg in merged.args.values():
                theirs = source.args.get(arg.name)
                if theirs is None:
                    self.issues.add(
                        "EXTERNAL_ARGUMENT_MISSING",
                        f'Field "{coordinate}" is missing argument "{coordinate}({arg.name}:)" in subgraph '
                        f'"{name}" where it is marked @external: declare the same arguments there.',
                    )
                    continue
                if not self.supergraph.is_subtype(arg.type, theirs.type):
                    self.issues.add(
                        "EXTERNAL_ARGUMENT_TYPE_MISMATCH",
                        f'Type of argument "{coordinate}({arg.name}:)" is incompatible across subgraphs '
                        f'(where "{coordinate}" is marked @external): it has type "{print_ast(arg.type)}" '
                        f'but type "{print_ast(theirs.type)}" in subgraph "{name}".',
                    )
                if not same_value(arg.default, theirs.default):
                    self.issues.add(
                        "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
                        f'Argument "{coordinate}({arg.name}:)" has incompatible defaults across subgraphs '
                        f'(where "{coordinate}" is marked @external), in subgraph "{name}".',
                    )
