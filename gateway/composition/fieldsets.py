"""Field sets, the `fields:` selections of @key, @requires and @provides: parsing, walking and printing."""

from __future__ import annotations

from graphql import (
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from .model import INTERFACE, OBJECT, UNION, Field, Subgraph, base_name


def parse_field_set(text: str) -> SelectionSetNode:
    document = parse("{" + text + "}", no_location=True)
    if len(document.definitions) != 1:
        raise GraphQLError(f'Invalid field set "{text}"')
    return document.definitions[0].selection_set  # type: ignore[attr-defined]


def is_composite(subgraph: Subgraph, type_name: str) -> bool:
    type_ = subgraph.types.get(type_name)
    return type_ is not None and type_.kind in (OBJECT, INTERFACE, UNION)


def possible_types(subgraph: Subgraph, type_name: str) -> set[str]:
    type_ = subgraph.types.get(type_name)
    if type_ is None:
        return set()
    if type_.kind == INTERFACE:
        return {t.name for t in subgraph.implementations(type_name)}
    if type_.kind == UNION:
        return set(type_.members)
    return {type_name}


def selected_fields(
    subgraph: Subgraph, parent: str, fields: str | None, implementations: bool = True
) -> list[Field]:
    """The fields a field set selects (leniently: what does not parse or exist is skipped).

    With `implementations`, selecting an interface field also selects it on the interface's implementations.
    """
    try:
        selection = parse_field_set(fields or "")
    except GraphQLError:
        return []
    found: list[Field] = []

    def walk(type_name: str, selection_set: SelectionSetNode) -> None:
        owner = subgraph.types.get(type_name)
        for node in selection_set.selections:
            if isinstance(node, InlineFragmentNode):
                walk(node.type_condition.name.value if node.type_condition else type_name, node.selection_set)
            elif isinstance(node, FieldNode) and owner is not None and node.name.value in owner.fields:
                selected = owner.fields[node.name.value]
                found.append(selected)
                if implementations and owner.kind == INTERFACE:
                    found.extend(
                        impl.fields[selected.name]
                        for impl in subgraph.implementations(owner.name)
                        if selected.name in impl.fields
                    )
                if node.selection_set:
                    walk(base_name(selected.type), node.selection_set)

    walk(parent, selection)
    return found


def print_selection(selection_set: SelectionSetNode) -> str:
    """`a b { c }`: a field set printed the compact way Apollo prints them."""
    parts = []
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            text = node.name.value
            if node.arguments:
                text += "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in node.arguments) + ")"
        else:
            assert isinstance(node, InlineFragmentNode)
            text = f"... on {node.type_condition.name.value}" if node.type_condition else "..."
        if node.selection_set:
            text += " { " + print_selection(node.selection_set) + " }"
        parts.append(text)
    return " ".join(parts)
