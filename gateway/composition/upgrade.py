"""Stage 2, upgrade: Federation 1 subgraphs rewritten as the Federation 2 subgraphs Apollo would make of them.

Federation 1 said less explicitly: type extensions stood for entities owned elsewhere, key fields of
extensions were marked @external out of habit, and fields several subgraphs resolve were shared without
@shareable. The upgrade states all of that in Federation 2 terms so that the later stages know only one
set of rules. Federation 2 subgraphs pass through unchanged.
"""

from __future__ import annotations

import copy

from graphql import FieldNode, GraphQLError, SelectionSetNode, StringValueNode

from .facts import FederationFacts
from .fieldsets import is_composite, parse_field_set, print_selection, selected_fields
from .issues import Issues, extension_with_no_base
from .model import INTERFACE, OBJECT, Applied, Element, Subgraph, Type, base_name


def upgrade(originals: list[Subgraph], issues: Issues) -> list[Subgraph]:
    """The subgraphs as Federation 2; what the Federation 1 originals resolve decides what is shared."""
    facts = {s.name: FederationFacts(s) for s in originals}
    upgraded = []
    for original in originals:
        if original.is_fed2:
            upgraded.append(original)
            continue
        subgraph = copy.deepcopy(original)
        others = [s for s in originals if s.name != original.name]
        _upgrade_one(subgraph, original, others, facts, issues)
        subgraph.version = (2, 0)  # what Apollo links an upgraded subgraph to
        upgraded.append(subgraph)
    return upgraded


def _is_type_extension(type_: Type) -> bool:
    extends = type_.has("extends")
    return (
        (type_.has_extension or extends)
        and type_.kind in (OBJECT, INTERFACE)
        and (extends or not type_.has_definition)
    )


def _upgrade_one(
    subgraph: Subgraph,
    original: Subgraph,
    others: list[Subgraph],
    facts: dict[str, FederationFacts],
    issues: Issues,
) -> None:
    """Rewrites `subgraph`, a copy of the Federation 1 `original`, in place."""
    roots = set(subgraph.roots.values())
    for type_ in subgraph.types.values():
        if type_.name in roots or not _is_type_extension(type_):
            continue
        if not any(o.types.get(type_.name) and o.types[type_.name].has_definition for o in others):
            issues.add("EXTENSION_WITH_NO_BASE", extension_with_no_base(subgraph.name, type_.name))

    def drop(element: Element, name: str) -> None:
        element.directives = [d for d in element.directives if not (d.federation and d.name == name)]

    for type_ in subgraph.types.values():
        if type_.kind == INTERFACE:
            for owned in type_.fields.values():
                drop(owned, "external")
        if type_.kind == OBJECT:
            drop(type_, "external")
    # Key fields of extensions are "@external" only out of habit: they are resolvable where declared.
    for type_ in subgraph.types.values():
        if type_.kind not in (OBJECT, INTERFACE) or not (_is_type_extension(type_) or type_.name in roots):
            continue
        keys = type_.applied("key")
        if keys:
            for key in keys:
                for owned in selected_fields(
                    subgraph, type_.name, key.string("fields"), implementations=False
                ):
                    if owned.parent == type_.name:
                        drop(owned, "external")
        else:
            for other in others:
                other_type = other.types.get(type_.name)
                other_keys = other_type.applied("key") if other_type else []
                if other_keys:
                    for owned in selected_fields(
                        other, type_.name, other_keys[0].string("fields"), implementations=False
                    ):
                        if owned.parent == type_.name and owned.name in type_.fields:
                            drop(type_.fields[owned.name], "external")
    _drop_inactive_field_sets(subgraph)
    for type_ in subgraph.types.values():
        if _is_type_extension(type_) or type_.name in roots:
            type_.has_definition, type_.has_extension = True, False
            for element in [type_, *type_.fields.values()]:
                for directive in element.directives:
                    directive.block = 0
            for owned in type_.fields.values():
                owned.block = 0
        if type_.kind == INTERFACE:
            drop(type_, "key")
            for owned in type_.fields.values():
                drop(owned, "provides")
                drop(owned, "requires")
        if type_.kind == OBJECT:
            for owned in type_.fields.values():
                if not is_composite(subgraph, base_name(owned.type)):
                    drop(owned, "provides")
    current = FederationFacts(subgraph)
    for type_ in list(subgraph.types.values()):
        if type_.kind not in (OBJECT, INTERFACE):
            continue
        for owned in list(type_.fields.values()):
            if current.is_external(owned) and not current.is_used(owned):
                del type_.fields[owned.name]
        if not type_.fields and type_.name != "Query":
            if _is_referenced(subgraph, type_.name):
                issues.add(
                    "TYPE_WITH_ONLY_UNUSED_EXTERNAL",
                    f"[{subgraph.name}] Type {type_.name} contains only external fields and all those "
                    "fields are all unused (they do not appear in any @key, @provides or @requires).",
                )
            else:
                del subgraph.types[type_.name]
    # What several subgraphs resolve was implicitly shared in Federation 1; Federation 2 says so explicitly.
    original_facts = facts[original.name]
    for type_ in subgraph.types.values():
        if type_.kind != OBJECT or type_.name == subgraph.roots.get("subscription"):
            continue
        if type_.has("key") or type_.name in roots:
            for owned in type_.fields.values():
                original_field = original.lookup(type_.name, owned.name)
                if original_field is not None and original_facts.is_shareable(original_field):
                    continue
                elsewhere = [
                    other
                    for other in others
                    if (theirs := other.lookup(type_.name, owned.name)) is not None
                    and (
                        not facts[other.name].is_external(theirs)
                        or facts[other.name].is_partially_external(theirs)
                    )
                ]
                if elsewhere and not owned.has("shareable"):
                    owned.directives.append(Applied("shareable", {}, owned.block, federation=True))
        elif any(
            type_.name in other.types and other.types[type_.name].kind in (OBJECT, INTERFACE)
            for other in others
        ) and not type_.has("shareable"):
            type_.directives.append(Applied("shareable", {}, 0, federation=True))


def _drop_inactive_field_sets(subgraph: Subgraph) -> None:
    """Federation 1 ignored @requires/@provides selections of fields that are not external; so does Apollo."""

    def is_external(owner: Type, name: str) -> bool:
        owned = owner.fields.get(name)
        if owned is not None and owned.has("external"):
            return True
        return owner.kind == INTERFACE and any(
            name in impl.fields and impl.fields[name].has("external")
            for impl in subgraph.implementations(owner.name)
        )

    def keep(type_name: str, selection_set: SelectionSetNode) -> SelectionSetNode | None:
        owner = subgraph.types.get(type_name)
        kept = []
        for node in selection_set.selections:
            if isinstance(node, FieldNode) and owner is not None and is_external(owner, node.name.value):
                kept.append(node)
                continue
            if node.selection_set is None:
                continue
            if isinstance(node, FieldNode):
                owned = owner.fields.get(node.name.value) if owner else None
                inner = keep(base_name(owned.type), node.selection_set) if owned else None
            else:
                condition = node.type_condition.name.value if node.type_condition else type_name
                inner = keep(condition, node.selection_set)
            if inner is not None:
                kept.append(copy.copy(node))
                kept[-1].selection_set = inner
        return SelectionSetNode(selections=tuple(kept)) if kept else None

    for type_ in subgraph.types.values():
        if type_.kind not in (OBJECT, INTERFACE):
            continue
        for owned in type_.fields.values():
            rewritten = []
            for directive in owned.directives:
                parent = type_.name if directive.name == "requires" else base_name(owned.type)
                text = directive.string("fields")
                if not directive.federation or directive.name not in ("requires", "provides") or text is None:
                    rewritten.append(directive)
                    continue
                try:
                    selection = parse_field_set(text)
                except GraphQLError:
                    rewritten.append(directive)
                    continue
                kept = keep(parent, selection)
                if kept is not None:
                    printed = print_selection(kept)
                    fields_value = (
                        StringValueNode(value=printed) if printed != print_selection(selection) else None
                    )
                    if fields_value is not None:
                        directive = Applied(directive.name, {"fields": fields_value}, directive.block, True)
                    rewritten.append(directive)
            owned.directives = rewritten


def _is_referenced(subgraph: Subgraph, name: str) -> bool:
    for type_ in subgraph.types.values():
        if name in type_.members or name in type_.interfaces:
            return True
        for owned in type_.fields.values():
            if base_name(owned.type) == name or any(base_name(a.type) == name for a in owned.args.values()):
                return True
    return False
