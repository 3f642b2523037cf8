"""Shaping the merged data into the client's response.

The merged data holds what every subgraph said plus keys the gateway asked for; shaping walks the
client's selections over it, so the response has exactly the client's fields, in the client's order,
with nulls propagated as the GraphQL spec says.

Each (selection set, concrete type) a plan meets is turned once into a small Python function, written
out as source and compiled, that builds that object in one dict literal: a field becomes `data.get(key)`
or a call to the function of the object below it, and a non-null field becomes a check that returns
`NULL`. The functions live in the plan's cache, so every later request runs straight-line code with no
dispatch on kinds; this is where a gateway spends most of its time on large answers. Whatever the
generated code does not specialise (abstract types, enums, nested lists) goes through `Shaper.value`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from gateway.operation import Field, Selection
from gateway.supergraph import Supergraph


class _Null:
    """A null that must propagate to the nearest nullable parent."""

    def __repr__(self) -> str:
        return "NULL"


NULL = _Null()

# A generated shaping function: (shaper, data, response path) -> the shaped object, or NULL.
ShapeFunction = Callable[["Shaper", dict, tuple], Any]


class Shaper:
    """One response's shaping; `cache` holds the generated functions, as long-lived as the plan.

    The cache is keyed by the identity of selection tuples that the cached plan holds.
    """

    def __init__(
        self, sg: Supergraph, schema: GraphQLSchema, errors: list[dict[str, Any]], cache: dict
    ) -> None:
        self.sg = sg
        self.schema = schema
        self.errors = errors
        self.cache = cache
        self.value_completion: list[dict[str, Any]] = []

    def root(self, type_name: str, selections: tuple[Selection, ...], data: dict) -> dict | None:
        shaped = self.function(selections, type_name)(self, data, ())
        return None if shaped is NULL else shaped

    def function(self, selections: tuple[Selection, ...], type_name: str) -> ShapeFunction:
        function = self.cache.get((id(selections), type_name))
        if function is None:
            function = self.cache[(id(selections), type_name)] = self._generate(selections, type_name)
        return function

    def value(
        self, gql_type: Any, selections: tuple[Selection, ...], value: Any, path: tuple, coordinate: str
    ) -> Any:
        """Any value of any type: what the generated functions hand over when they do not specialise."""
        kind = type(gql_type)
        if kind is GraphQLNonNull:
            inner = self.value(gql_type.of_type, selections, value, path, coordinate)
            return NULL if inner is None or inner is NULL else inner
        if value is None:
            return None
        if kind is GraphQLList:
            if type(value) is not list:
                return None
            item_type = gql_type.of_type
            items = [self.value(item_type, selections, v, (path, i), coordinate) for i, v in enumerate(value)]
            return None if NULL in items else items
        if kind is GraphQLEnumType:
            if value in gql_type.values:
                return value
            # A value the API schema hides (@inaccessible) or a subgraph made up cannot be
            # serialized: a field error, as the GraphQL spec has it (@apollo/gateway only notes it
            # in extensions.valueCompletion).
            self.errors.append(
                {
                    "message": f"Invalid value found for field {coordinate}: the enum "
                    f"{gql_type.name} has no value {orjson.dumps(value).decode()}.",
                    "path": response_path(path),
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            )
            return None
        if kind is GraphQLScalarType:
            return value
        if type(value) is not dict:
            return None
        type_name = gql_type.name
        if kind is not GraphQLObjectType:
            type_name = value.get("__typename") or type_name
            if type_name not in self.sg.api_possible(gql_type.name) and type_name != gql_type.name:
                self.value_completion.append(
                    {
                        "message": f"Invalid __typename found for object at field {coordinate}.",
                        "path": response_path(path),
                        "extensions": {"code": "INVALID_GRAPHQL"},
                    }
                )
                return None
        shaped = self.function(selections, type_name)(self, value, path)
        return None if shaped is NULL else shaped

    # -- writing the functions

    def _generate(self, selections: tuple[Selection, ...], type_name: str) -> ShapeFunction:
        groups: dict[str, list[Field]] = {}
        self._collect(selections, type_name, groups)
        fields = getattr(self.schema.get_type(type_name), "fields", {})
        names: dict[str, Any] = {"NULL": NULL}
        body: list[str] = []
        members: list[str] = []
        for index, (key, group) in enumerate(groups.items()):
            name, k = group[0].name, repr(key)
            if name == "__typename":
                members.append(f"{k}: {type_name!r}")
            elif name in ("__schema", "__type"):  # answered by the gateway's own introspection
                members.append(f"{k}: data.get({k})")
            elif name not in fields:
                members.append(f"{k}: None")
            else:
                children = tuple(s for f in group for s in f.selections or ())
                coordinate = f"{type_name}.{name}"
                lines, value = self._field(index, k, fields[name].type, children, coordinate, names)
                body += lines
                members.append(f"{k}: {value}")
        source = "\n".join(["def shape(shaper, data, path):", *body, f"    return {{{', '.join(members)}}}"])
        # The source holds only response keys and type names the schema validated, each through repr().
        exec(compile(source, f"<shape {type_name}>", "exec"), names)
        return names["shape"]

    def _field(
        self,
        index: int,
        k: str,
        gql_type: Any,
        children: tuple[Selection, ...],
        coordinate: str,
        names: dict[str, Any],
    ) -> tuple[list[str], str]:
        """Lines that work out field `k` (or return NULL for the whole object) and the expression of
        its shaped value."""
        v = f"v{index}"
        required = type(gql_type) is GraphQLNonNull
        inner = gql_type.of_type if required else gql_type
        propagate = [f"    if {v} is None: return NULL"] if required else []
        if type(inner) is GraphQLScalarType:
            return ([f"    {v} = data.get({k})", *propagate], v) if required else ([], f"data.get({k})")
        if type(inner) is GraphQLObjectType:
            names[f"shape{index}"] = self.function(children, inner.name)
            return [
                f"    {v} = data.get({k})",
                f"    if type({v}) is dict:",
                f"        {v} = shape{index}(shaper, {v}, (path, {k}))",
                f"        if {v} is NULL: {v} = None",
                "    else:",
                f"        {v} = None",
                *propagate,
            ], v
        item_type = inner.of_type if type(inner) is GraphQLList else None
        item_required = type(item_type) is GraphQLNonNull
        item = item_type.of_type if item_required else item_type
        if type(item) is GraphQLObjectType:  # the common list: of one object type
            names[f"shape{index}"] = self.function(children, item.name)
            lines = [
                f"    {v} = data.get({k})",
                f"    if type({v}) is list:",
                f"        at = (path, {k})",
                f"        {v} = [shape{index}(shaper, x, (at, i)) if type(x) is dict else None"
                f" for i, x in enumerate({v})]",
            ]
            if item_required:
                lines.append(f"        if None in {v} or NULL in {v}: {v} = None")
            else:
                lines.append(f"        if NULL in {v}: {v} = [None if x is NULL else x for x in {v}]")
            return [*lines, "    else:", f"        {v} = None", *propagate], v
        names[f"type{index}"], names[f"children{index}"] = gql_type, children
        return [
            f"    {v} = shaper.value(type{index}, children{index}, data.get({k}), (path, {k}), "
            f"{coordinate!r})",
            f"    if {v} is NULL: return NULL",
        ], v

    def _collect(
        self, selections: tuple[Selection, ...], type_name: str, groups: dict[str, list[Field]]
    ) -> None:
        for selection in selections:
            if isinstance(selection, Field):
                groups.setdefault(selection.key, []).append(selection)
            elif (
                selection.condition is None
                or selection.condition == type_name
                or type_name in self.sg.api_possible(selection.condition)
            ):
                self._collect(selection.selections, type_name, groups)


def response_path(path: tuple) -> list:
    """A response path kept as nested pairs (cheap to extend) as the list GraphQL errors carry."""
    keys: list = []
    while path:
        path, key = path
        keys.append(key)
    return keys[::-1]
