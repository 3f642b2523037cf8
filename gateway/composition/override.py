"""@override: a field moving from one subgraph to another, and what each subgraph still resolves after it.

The overridden subgraph stops resolving the field, unless a key or @requires there still needs it ("used
overridden"); with a label (progressive override) both subgraphs keep resolving it, and the router picks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .issues import Issues
from .merged import MergedField, MergedSupergraph, MergedType
from .model import INTERFACE, Applied, Field


@dataclass
class Override:
    """What @override decided for one field: which subgraphs no longer resolve it."""

    used: set[int] = field(default_factory=set)  # overridden, but still needed there by a key or @requires
    unused: set[int] = field(default_factory=set)
    unknown_target: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)

    def overridden(self, index: int) -> bool:
        return index in self.used or index in self.unused


OVERRIDE_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
OVERRIDE_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


class OverrideRules:
    """Checks the @override applications of each field and decides what they change."""

    def __init__(self, supergraph: MergedSupergraph, issues: Issues) -> None:
        self.supergraph = supergraph
        self.issues = issues
        # Only fields some subgraph overrides need the checks; most have no @override anywhere.
        self.overridden_coordinates = {
            owned.coordinate
            for s in supergraph.subgraphs
            if s.is_fed2
            for t in s.types.values()
            for owned in t.fields.values()
            if owned.has("override")
        }

    def check(self, type_: MergedType, merged: MergedField, sources: dict[int, Field | None]) -> Override:
        result = Override()
        coordinate = f"{type_.name}.{merged.name}"
        if coordinate not in self.overridden_coordinates:
            return result
        names = self.supergraph.names
        known: dict[str, int] = {}  # subgraph name -> index, for the subgraphs that have the field
        abstracted: set[str] = set()
        overrides: dict[str, Applied] = {}
        for index, source in sources.items():
            if source is None:
                if self.supergraph.abstracted(type_, merged.name, index):
                    known[names[index]] = index
                    abstracted.add(names[index])
                continue
            known[names[index]] = index
            applied = source.applied("override") if self.supergraph.subgraphs[index].is_fed2 else []
            if applied:
                overrides[names[index]] = applied[0]
        for name, directive in overrides.items():
            index = known[name]
            source = sources[index]
            assert source is not None
            origin = directive.string("from") or ""
            subgraph = self.supergraph.subgraphs[index]
            if subgraph.types[type_.name].kind == INTERFACE:
                self.issues.add(
                    "OVERRIDE_ON_INTERFACE",
                    f'@override cannot be used on field "{coordinate}" on subgraph "{name}": @override is '
                    "not supported on interface type fields.",
                )
                continue
            if subgraph.is_interface_object(subgraph.types[type_.name]):
                self.issues.add(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    "@override is not yet supported on fields of @interfaceObject types: cannot be used on "
                    f'field "{coordinate}" on subgraph "{name}".',
                )
                continue
            if origin not in names:
                result.unknown_target.add(index)
            elif origin == name:
                self.issues.add(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{origin}" are the same for overridden field "'
                    f'{coordinate}": @override(from:) must name the subgraph the field moves away from.',
                )
            elif origin in overrides:
                self.issues.add(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{name}" is also marked with directive @override in '
                    f'subgraph "{origin}". Only one @override directive is allowed per field.',
                )
            elif origin not in known:
                pass  # the field already left that subgraph: Apollo only hints that @override can go
            elif origin in abstracted:
                self.issues.add(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    f'Invalid @override on field "{coordinate}" of subgraph "{name}": source subgraph "'
                    f'{origin}" does not have field "{coordinate}" but abstract it in an @interfaceObject '
                    "type and overriding abstracted fields is not supported.",
                )
            else:
                self._apply(coordinate, name, index, origin, known[origin], sources, directive, result)
        return result

    def _apply(
        self,
        coordinate: str,
        name: str,
        index: int,
        origin: str,
        origin_index: int,
        sources: dict[int, Field | None],
        directive: Applied,
        result: Override,
    ) -> None:
        source, origin_field = sources[index], sources[origin_index]
        assert source is not None and origin_field is not None
        facts = self.supergraph.facts
        conflict = next((d for d in ("requires", "provides") if origin_field.has(d)), None)
        conflict_in = origin
        if conflict is None and facts[index].is_external(source):
            conflict, conflict_in = "external", name
        if conflict is not None:
            self.issues.add(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                f'@override cannot be used on field "{coordinate}" on subgraph "{name}" since "{coordinate}'
                f'" on "{conflict_in}" is marked with directive "@{conflict}"',
            )
            return
        if facts[origin_index].is_external(origin_field):
            pass  # not resolved there anyway
        elif facts[origin_index].is_used(origin_field):
            result.used.add(origin_index)
        else:
            result.unused.add(origin_index)
        label = directive.string("label")
        if label is not None:
            percent = OVERRIDE_PERCENT.match(label)
            if OVERRIDE_LABEL.match(label) or (percent and 0 <= float(percent.group(1)) <= 100):
                result.labels[index] = result.labels[origin_index] = label
            else:
                self.issues.add(
                    "OVERRIDE_LABEL_INVALID",
                    f'Invalid @override label "{label}" on field "{coordinate}" on subgraph "{name}": '
                    "labels must start with a letter and after that may contain alphanumerics, "
                    "underscores, minuses, colons, periods, or slashes. Alternatively, labels may be of "
                    'the form "percent(x)" where x is a float between 0-100 inclusive.',
                )
