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

A field that one fetch alone answered exactly as the client asked (decided once per plan,
`gateway.passthrough`) is not copied: its generated code first runs a check, also generated and
allocating nothing, that the value is already what shaping would make of it (the client's keys and no
others, non-null fields and items not null, objects and lists of their kind), and if so takes it as it
is; otherwise it is shaped as any other, with its errors.

A null is never silent (GraphQL spec, "Handling Field Errors"): when a non-null field is null or
missing, or the gateway nulls a value of the wrong type, an error goes to that path, unless one is
already there or below it, or a failed fetch owed the field (`Execution.lost`). The generated code
calls into `Shaper` for that only once a null is found, so answers without nulls pay nothing for it.
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

from gateway.errors import graphql_error
from gateway.operation import Field, Selection
from gateway.passthrough import Unshaped, collect_fields
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

    The cache is keyed by the identity of selection tuples that the cached plan holds. `lost` maps the
    response path of an object (a tuple of keys) to the response keys that a failed fetch owed it: their
    nulls are explained by that fetch's error.
    """

    def __init__(
        self,
        sg: Supergraph,
        schema: GraphQLSchema,
        errors: list[dict[str, Any]],
        cache: dict,
        lost: dict[tuple, set[str]] | None = None,
        unshaped: Unshaped = frozenset(),
    ) -> None:
        self.sg = sg
        self.schema = schema
        self.errors = errors
        self.cache = cache
        self.lost = lost or {}
        self.unshaped = unshaped  # fields whose value is taken as it is (`gateway.passthrough`)
        self._errored: set[tuple] = set()  # every prefix of every error path indexed so far
        self._indexed = 0  # how many of `errors` are in `_errored`

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
            if inner is None:
                return self.missing(path, coordinate)
            return inner
        if value is None:
            return None
        if kind is GraphQLList:
            if type(value) is not list:
                return self.invalid(value, path, coordinate, "a list")
            item_type = gql_type.of_type
            items = [self.value(item_type, selections, v, (path, i), coordinate) for i, v in enumerate(value)]
            return None if NULL in items else items
        if kind is GraphQLEnumType:
            if value in gql_type.values:
                return value
            # A value the API schema hides (@inaccessible) or a subgraph made up cannot be
            # serialized: a field error, as the GraphQL spec has it (@apollo/gateway only notes it
            # in extensions.valueCompletion).
            message = (
                f"Invalid value found for field {coordinate}: the enum "
                f"{gql_type.name} has no value {orjson.dumps(value).decode()[:100]}."
            )
            self.errors.append(graphql_error(message, "INTERNAL_SERVER_ERROR", response_path(path)))
            return None
        if kind is GraphQLScalarType:
            return value
        if type(value) is not dict:
            return self.invalid(value, path, coordinate, "an object")
        type_name = gql_type.name
        if kind is not GraphQLObjectType:
            type_name = value.get("__typename") or type_name
            if type_name not in self.sg.api_possible(gql_type.name) and type_name != gql_type.name:
                message = f"Invalid __typename found for object at field {coordinate}."
                self.errors.append(graphql_error(message, "INVALID_GRAPHQL", response_path(path)))
                return None
        shaped = self.function(selections, type_name)(self, value, path)
        return None if shaped is NULL else shaped

    # -- nulls and their errors: called by the generated code only once a null is found

    def missing(self, path: tuple, coordinate: str) -> _Null:
        """A non-null field (or list item) at `path` is null: its error, unless one explains it already."""
        if not self._covered(path):
            message = f"Cannot return null for non-nullable field {coordinate}."
            self.errors.append(graphql_error(message, "INVALID_GRAPHQL", response_path(path)))
        return NULL

    def missing_items(self, items: list, path: tuple, coordinate: str) -> None:
        """A list of non-null items holds nulls: an error for each null item no error explains yet."""
        for i, item in enumerate(items):
            if item is None:
                self.missing((path, i), coordinate)

    def invalid(self, value: Any, path: tuple, coordinate: str, expected: str) -> None:
        """A value of the wrong type (a subgraph's mistake) becomes null, with its error."""
        message = f"Invalid value found for field {coordinate}: expected {expected}, got {_json_kind(value)}."
        self.errors.append(graphql_error(message, "INVALID_GRAPHQL", response_path(path)))

    def _covered(self, path: tuple) -> bool:
        """Whether an error is at `path` or below it, or a failed fetch owed the field at `path`."""
        keys = tuple(response_path(path))
        if keys and keys[-1] in self.lost.get(keys[:-1], ()):
            return True
        for error in self.errors[self._indexed :]:
            where = error.get("path")
            # Subgraphs' paths are copied as they came: only well-formed ones can be matched.
            if type(where) is list and all(type(k) is str or type(k) is int for k in where):
                self._errored.update(tuple(where[:n]) for n in range(1, min(len(where), _DEEPEST) + 1))
        self._indexed = len(self.errors)
        return keys in self._errored

    # -- writing the functions

    def _generate(self, selections: tuple[Selection, ...], type_name: str) -> ShapeFunction:
        groups: dict[str, list[Field]] = {}
        collect_fields(self.sg, selections, type_name, groups)
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
                children = self._children(group)
                coordinate = f"{type_name}.{name}"
                gql_type = fields[name].type
                lines, value = self._field(index, k, gql_type, children, coordinate, names)
                exact = self._taken_as_is(group, type_name) and self._exact(gql_type, children, value, names)
                if exact and lines[0] == f"    {value} = data.get({k})" and lines[1].startswith("    if "):
                    # The value as it is, when it is already what shaping would make of it; else shaped.
                    lines = [
                        lines[0],
                        f"    if {value} is not None and {exact}: pass",
                        "    el" + lines[1][4:],
                        *lines[2:],
                    ]
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
        its shaped value.

        NULL is returned only with an error in place (from `shaper.missing` or `shaper.invalid`, or
        from below, where the NULL came from); a nullable field turns it into None.
        """
        v, c = f"v{index}", repr(coordinate)
        required = type(gql_type) is GraphQLNonNull
        inner = gql_type.of_type if required else gql_type
        if type(inner) is GraphQLScalarType:
            if not required:
                return [], f"data.get({k})"
            return [
                f"    {v} = data.get({k})",
                f"    if {v} is None: return shaper.missing((path, {k}), {c})",
            ], v
        if type(inner) is GraphQLObjectType:
            names[f"shape{index}"] = self.function(children, inner.name)
            lines = [f"    {v} = data.get({k})"]
            inline = self._inline(children, inner.name, v, v, names)
            if inline is not None:
                checks, literal = inline
                lines += [
                    f"    if type({v}) is dict{checks}:",
                    f"        {v} = {literal}",
                    f"    elif type({v}) is dict:",
                ]
            else:
                lines.append(f"    if type({v}) is dict:")
            lines += [
                f"        {v} = shape{index}(shaper, {v}, (path, {k}))",
                f"        if {v} is NULL: {'return NULL' if required else f'{v} = None'}",
            ]
            return [*lines, *_not_of_kind(v, k, c, "an object", required)], v
        item_type = inner.of_type if type(inner) is GraphQLList else None
        item_required = type(item_type) is GraphQLNonNull
        item = item_type.of_type if item_required else item_type
        if type(item) is GraphQLObjectType:  # the common list: of one object type
            # A loop, not a comprehension: in CPython 3.11 a comprehension is a function made and
            # called per list, which costs more than the loop on the short lists most objects hold.
            # An item's index is len(out) when it is made, so no index is counted for the common case.
            names[f"shape{index}"] = self.function(children, item.name)
            at = f"((path, {k}), len(out))"
            lines = [
                f"    {v} = data.get({k})",
                f"    if type({v}) is list:",
                "        out = []",
                f"        for x in {v}:",
            ]
            inline = self._inline(children, item.name, "x", v, names)
            if inline is not None:
                checks, literal = inline
                lines += [
                    f"            if type(x) is dict{checks}:",
                    f"                out.append({literal})",
                ]
            lines += [
                f"            {'elif' if inline is not None else 'if'} type(x) is dict:",
                f"                x = shape{index}(shaper, x, {at})",
                # A NULL item is the list's to propagate when items are non-null, else it is None.
                f"                out.append({'x' if item_required else 'x if x is not NULL else None'})",
                "            elif x is None:",
                "                out.append(None)",
                "            else:",
                f"                out.append(shaper.invalid(x, {at}, {c}, 'an object'))",
                f"        {v} = out",
            ]
            if item_required:
                lines += [
                    f"        if None in {v} or NULL in {v}:",
                    f"            shaper.missing_items({v}, (path, {k}), {c})",
                    f"            {'return NULL' if required else f'{v} = None'}",
                ]
            return [*lines, *_not_of_kind(v, k, c, "a list", required)], v
        names[f"type{index}"], names[f"children{index}"] = gql_type, children
        return [
            f"    {v} = shaper.value(type{index}, children{index}, data.get({k}), (path, {k}), {c})",
            f"    if {v} is NULL: return NULL",
        ], v

    def _inline(
        self, selections: tuple[Selection, ...], type_name: str, item: str, prefix: str, names: dict[str, Any]
    ) -> tuple[str, str] | None:
        """For an object of scalar fields only (the leaves of a response, a list's items most often):
        the checks that its non-null fields are there (each read once, into a variable named from
        `prefix`) and the dict literal that shapes it, both over the expression `item`; the caller
        writes them inline, so such an object costs no call. When a check fails the object's function
        runs instead, with the errors and nulls it gives. None for any other object."""
        groups: dict[str, list[Field]] = {}
        collect_fields(self.sg, selections, type_name, groups)
        fields = getattr(self.schema.get_type(type_name), "fields", {})
        checks: list[str] = []
        members: list[str] = []
        for j, (key, group) in enumerate(groups.items()):
            name, k = group[0].name, repr(key)
            if name == "__typename":
                members.append(f"{k}: {type_name!r}")
            elif name in ("__schema", "__type"):
                members.append(f"{k}: {item}.get({k})")
            elif name not in fields:
                members.append(f"{k}: None")
            else:
                gql_type = fields[name].type
                required = type(gql_type) is GraphQLNonNull
                if type(gql_type.of_type if required else gql_type) is not GraphQLScalarType:
                    # An object or list field: inline only when taken as it is, once checked exact.
                    w = f"{prefix}_{j}"
                    children = self._children(group)
                    exact = self._taken_as_is(group, type_name) and self._exact(gql_type, children, w, names)
                    if not exact:
                        return None
                    test = "is not None and" if required else "is None or"
                    checks.append(f" and (({w} := {item}.get({k})) {test} {exact})")
                    members.append(f"{k}: {w}")
                elif required:
                    w = f"{prefix}_{j}"
                    checks.append(f" and ({w} := {item}.get({k})) is not None")
                    members.append(f"{k}: {w}")
                else:
                    members.append(f"{k}: {item}.get({k})")
        return "".join(checks), f"{{{', '.join(members)}}}"

    def _children(self, group: list[Field]) -> tuple[Selection, ...]:
        """The selections below a field, merged over the fields of one response key. The cache is keyed
        by the identity of selection tuples: a tuple made here for several fields is kept with the
        cache, so that its identity is never another's while the cache lives."""
        if len(group) == 1:
            return group[0].selections or ()
        children = tuple(s for f in group for s in f.selections or ())
        self.cache.setdefault("merged selections", []).append(children)
        return children

    def _taken_as_is(self, group: list[Field], type_name: str) -> bool:
        """Whether the plan proved that one fetch alone answered this field exactly as the client asked
        (`gateway.passthrough`): its value may then be taken as it is, once checked (`_exact`)."""
        return len(group) == 1 and (id(group[0]), type_name) in self.unshaped

    # -- checking that a value is already what shaping would make of it

    def _exact(self, gql_type: Any, selections: tuple[Selection, ...], v: str, names: dict[str, Any]) -> str:
        """An expression true when the value `v` (not None) is already what shaping makes of it, so
        it can be taken as it is; "" when no such check is written for this type (it is shaped).

        What shaping checks is checked, and nothing is allocated: objects are dicts with exactly the
        client's keys (so none the gateway added or the client did not ask), non-null fields and
        items are not null, objects and lists are of their kind. Enums and abstract types are always
        shaped. The order of keys is the subgraph's, asked in the client's order (GraphQL keeps it)."""
        inner = gql_type.of_type if type(gql_type) is GraphQLNonNull else gql_type
        kind = type(inner)
        if kind is GraphQLScalarType:
            return "True"
        if kind is GraphQLObjectType:
            function = self._exact_function(selections, inner.name, False, False)
            if function is None:
                return ""
            names[f"exact_{id(function)}"] = function
            return f"type({v}) is dict and exact_{id(function)}({v})"
        if kind is not GraphQLList:
            return ""
        item = inner.of_type
        item_required = type(item) is GraphQLNonNull
        item_kind = type(item.of_type if item_required else item)
        if item_kind is GraphQLScalarType:
            return f"type({v}) is list" + (f" and None not in {v}" if item_required else "")
        if item_kind is not GraphQLObjectType:
            return ""
        item_type = (item.of_type if item_required else item).name
        function = self._exact_function(selections, item_type, True, item_required)
        if function is None:
            return ""
        names[f"exact_{id(function)}"] = function
        return f"type({v}) is list and exact_{id(function)}({v})"

    def _exact_function(
        self, selections: tuple[Selection, ...], type_name: str, items: bool, item_required: bool
    ) -> Callable[[Any], bool] | None:
        """The check of `_exact` for an object of `type_name` (a dict), or with `items` for a list of
        them; None when one of its fields cannot be checked so. Cached like the shaping functions."""
        cache_key = ("exact", id(selections), type_name, items, item_required)
        if cache_key in self.cache:
            return self.cache[cache_key]
        self.cache[cache_key] = None  # a type met again below itself is shaped there
        groups: dict[str, list[Field]] = {}
        collect_fields(self.sg, selections, type_name, groups)
        fields = getattr(self.schema.get_type(type_name), "fields", {})
        names: dict[str, Any] = {"MISSING": _MISSING}
        # One condition over the object `x`, each field read once; nothing is stored but what a
        # field below is checked on.
        conditions = [f"len(x) == {len(groups)}"]
        for j, (key, group) in enumerate(groups.items()):
            name, k = group[0].name, repr(key)
            if len(group) != 1 or name not in fields or name.startswith("__"):
                return None
            gql_type = fields[name].type
            required = type(gql_type) is GraphQLNonNull
            check = self._exact(gql_type, self._children(group), f"w{j}", names)
            if not check:
                return None
            if check == "True":  # a scalar: there, and not null when it must not be
                conditions.append(f"x.get({k}) is not None" if required else f"{k} in x")
            elif required:
                conditions.append(f"(w{j} := x.get({k})) is not None and {check}")
            else:
                conditions.append(f"((w{j} := x.get({k}, MISSING)) is None or {check})")
        condition = " and ".join(conditions)
        if items:
            source = "\n".join(
                [
                    "def exact(value):",
                    "    for x in value:",
                    f"        if type(x) is dict and {condition}:",
                    "            continue",
                    "        if x is None: " + ("return False" if item_required else "continue"),
                    "        return False",
                    "    return True",
                ]
            )
        else:
            source = f"def exact(x):\n    return {condition}"
        exec(compile(source, f"<exact {type_name}>", "exec"), names)
        self.cache[cache_key] = names["exact"]
        return names["exact"]


_MISSING = object()

# Error paths are indexed down to this depth: far below any response the depth limit lets through.
_DEEPEST = 100


def _not_of_kind(v: str, k: str, c: str, expected: str, required: bool) -> list[str]:
    """The generated lines for a field whose value was not the dict or list expected: null, or the
    wrong type, each with its error when the field is non-null or the value had to be dropped."""
    if required:
        return [
            f"    elif {v} is None: return shaper.missing((path, {k}), {c})",
            "    else:",
            f"        shaper.invalid({v}, (path, {k}), {c}, {expected!r})",
            "        return NULL",
        ]
    return [f"    elif {v} is not None: {v} = shaper.invalid({v}, (path, {k}), {c}, {expected!r})"]


def _json_kind(value: Any) -> str:
    """What a JSON value is, for an error message (the value itself may be large or private)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def response_path(path: tuple) -> list:
    """A response path kept as nested pairs (cheap to extend) as the list GraphQL errors carry."""
    keys: list = []
    while path:
        path, key = path
        keys.append(key)
    return keys[::-1]
