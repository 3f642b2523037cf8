"""A variable that is a list of a scalar (an `_entities` page's 1,000 `_Any` representations), coerced
in one pass.

graphql-core coerces a variable's value item by item through `coerce_input_value`, each item a
recursive call with its type dispatch, after walking the whole value to check that it is not nested too
deeply; on 1,000 representations that is half a millisecond. For a list of a scalar that is one call of
the scalar's own coercion per item, and a list of a scalar is never nested deeper than its one level.

`scalar_lists` coerces such variables; the executor (services/common/execution.py) builds with an
empty list in their place, which graphql-core coerces at no cost, then puts their values and sources
where graphql-core would have put them. A value that does not come out clean (an item null where none
may be, or one the scalar refuses) is left to graphql-core, which reports it as it always did.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
)
from graphql.utilities import type_from_ast

# Below this many items graphql-core's own coercion costs next to nothing: left to it.
SHORTEST = 16


def scalar_lists(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, raw: dict[str, Any] | None
) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per variable of the operation that is a list of a scalar given as a list of at least `SHORTEST`
    items: (its value as given, its value coerced). Empty when there is none, or when the operation is
    not plainly found (graphql-core then reports what is wrong)."""
    if not raw:
        return {}
    operation = _operation(document, operation_name)
    if operation is None or not operation.variable_definitions:
        return {}
    found: dict[str, tuple[list[Any], list[Any]]] = {}
    for definition in operation.variable_definitions:
        name = definition.variable.name.value
        value = raw.get(name)
        if type(value) is not list or len(value) < SHORTEST:
            continue
        var_type = type_from_ast(schema, definition.type)
        list_type = var_type.of_type if isinstance(var_type, GraphQLNonNull) else var_type
        if not isinstance(list_type, GraphQLList):
            continue
        item_type = list_type.of_type
        nullable = not isinstance(item_type, GraphQLNonNull)
        scalar = item_type if nullable else item_type.of_type
        if not isinstance(scalar, GraphQLScalarType):
            continue
        coerced = _coerced(scalar, nullable, value)
        if coerced is not None:
            found[name] = (value, coerced)
    return found


def _coerced(scalar: GraphQLScalarType, nullable: bool, value: list[Any]) -> list[Any] | None:
    """Each item coerced as graphql-core coerces it, or None when any does not come out clean."""
    coerce = scalar.coerce_input_value
    if coerce is None:
        return None
    out: list[Any] = []
    append = out.append
    try:
        for item in value:
            if item is None or item is Undefined:
                if not nullable:
                    return None
                append(None)
                continue
            coerced = coerce(item)
            if coerced is Undefined:
                return None
            append(coerced)
    except Exception:  # graphql-core reports it, as the variable's error
        return None
    return out


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation graphql-core would execute, or None when it would report an error instead."""
    chosen = None
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is None:
            if chosen is not None:
                return None  # more than one: graphql-core says it must be named
            chosen = definition
        elif definition.name is not None and definition.name.value == operation_name:
            chosen = definition
    return chosen
