"""Running a plan: fetches to subgraphs, merged into one response, shaped as the client asked.

Each fetch starts as soon as the fetches it depends on are done. Root fetches merge their data at the
top; an entity fetch collects the objects at its path, sends one `_entities` request with each distinct
representation once, and merges every answer back into the objects it came from. Subgraph errors are
moved to the client's response paths and name their subgraph (`extensions.serviceName`); a subgraph
that fails or times out costs only the fields it owed.

The merged data holds what every subgraph said, plus keys the gateway asked for; the final pass
(`shape`) walks the client's selections over it, so the response has exactly the client's fields,
in the client's order, with nulls propagated as the GraphQL spec says.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_abstract_type,
    is_leaf_type,
)

from gateway.operation import Field, Selection
from gateway.planner import Fetch, QueryPlan, SelectionTree
from gateway.supergraph import Supergraph

log = logging.getLogger(__name__)

# (subgraph, request body) -> parsed JSON response; raises on transport failure.
Transport = Callable[[str, bytes], Awaitable[dict[str, Any]]]


class SubgraphFailure(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Execution:
    """One request's run of a plan."""

    def __init__(
        self,
        supergraph: Supergraph,
        plan: QueryPlan,
        transport: Transport,
        variables: dict[str, Any],
        on_fetch: Callable[[str, str, float], None] | None = None,
    ) -> None:
        self.sg = supergraph
        self.plan = plan
        self.transport = transport
        self.variables = variables
        self.on_fetch = on_fetch
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []

    async def run(self) -> None:
        fetches = {f.id: f for f in self.plan.fetches}
        done: set[int] = set()
        running: dict[asyncio.Task, int] = {}
        while len(done) < len(fetches):
            for fetch in fetches.values():
                if fetch.id not in done and fetch.id not in running.values() and fetch.depends <= done:
                    running[asyncio.ensure_future(self.fetch(fetch))] = fetch.id
            if not running:
                break  # unreachable with a well-formed plan; never spin
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                done.add(running.pop(task))
                task.result()

    async def fetch(self, fetch: Fetch) -> None:
        variables = {n: self.variables[n] for n in fetch.variables if n in self.variables}
        if not fetch.entity:
            response = await self.send(fetch, variables)
            if response is not None:
                if isinstance(response.get("data"), dict):
                    _merge(self.sg, self.data, response["data"])
                self.add_errors(fetch, response.get("errors"), None)
            return
        found = self.representations(fetch)
        if not found:
            return
        representations, owners = found
        variables["representations"] = representations
        response = await self.send(fetch, variables)
        if response is None:
            return
        entities = (response.get("data") or {}).get("_entities") or []
        for index, entity in enumerate(entities):
            if isinstance(entity, dict) and index < len(owners):
                for target, _ in owners[index]:
                    _merge(self.sg, target, entity)
        self.add_errors(fetch, response.get("errors"), owners)

    def representations(self, fetch: Fetch) -> tuple[list[dict], list[list[tuple[dict, list]]]] | None:
        representations: list[dict] = []
        owners: list[list[tuple[dict, list]]] = []
        seen: dict[bytes, int] = {}
        for target, path in _objects_at(self.data, fetch.path):
            entry = fetch.inputs.get(target.get("__typename"))  # type: ignore[arg-type]
            if entry is None:
                continue
            representation = _represent(self.sg, target, entry.selection)
            if representation is None:
                continue
            representation["__typename"] = entry.typename
            identity = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
            index = seen.get(identity)
            if index is None:
                index = seen[identity] = len(representations)
                representations.append(representation)
                owners.append([])
            owners[index].append((target, path))
        return (representations, owners) if representations else None

    async def send(self, fetch: Fetch, variables: dict[str, Any]) -> dict[str, Any] | None:
        body = orjson.dumps({"query": fetch.document, "variables": variables})
        started = time.perf_counter()
        outcome = "unavailable"
        try:
            response = await self.transport(fetch.subgraph, body)
            outcome = "error" if response.get("errors") else "ok"
            return response
        except SubgraphFailure as failure:
            self.errors.append(
                {
                    "message": f'The subgraph "{fetch.subgraph}" could not answer: {failure}',
                    "extensions": {"code": failure.code, "serviceName": fetch.subgraph},
                }
            )
            return None
        finally:
            if self.on_fetch is not None:
                self.on_fetch(fetch.subgraph, outcome, time.perf_counter() - started)

    def add_errors(self, fetch: Fetch, errors: Any, owners: list[list[tuple[dict, list]]] | None) -> None:
        for error in errors or ():
            if not isinstance(error, dict):
                continue
            extensions = {**(error.get("extensions") or {}), "serviceName": fetch.subgraph}
            extensions.setdefault("code", "INTERNAL_SERVER_ERROR")
            base = {"message": str(error.get("message", "Subgraph error")), "extensions": extensions}
            path = error.get("path")
            if owners is None:
                self.errors.append({**base, "path": path} if path else base)
            elif path and path[0] == "_entities" and len(path) > 1 and isinstance(path[1], int):
                for _, owner_path in owners[path[1]] if path[1] < len(owners) else ():
                    self.errors.append({**base, "path": [*owner_path, *path[2:]]})
            else:
                self.errors.append(base)


def _objects_at(data: dict, path: tuple[str, ...]) -> list[tuple[dict, list]]:
    current: list[tuple[Any, list]] = [(data, [])]
    for segment in path:
        following: list[tuple[Any, list]] = []
        for value, at in current:
            if segment == "@":
                if isinstance(value, list):
                    following.extend((item, [*at, i]) for i, item in enumerate(value) if item is not None)
            elif isinstance(value, dict):
                item = value.get(segment)
                if item is not None:
                    following.append((item, [*at, segment]))
        current = following
    found: list[tuple[dict, list]] = []
    for value, at in current:
        # A list at the end (an entity list field with nested lists) holds the objects.
        stack = [(value, at)]
        while stack:
            item, where = stack.pop()
            if isinstance(item, dict):
                found.append((item, where))
            elif isinstance(item, list):
                stack.extend((x, [*where, i]) for i, x in reversed(list(enumerate(item))) if x is not None)
    return found


def _represent(sg: Supergraph, source: dict, tree: SelectionTree) -> dict | None:
    """The key and required fields of `source` as `tree` selects them; None when any is missing."""
    out: dict[str, Any] = {}
    for key, (f, sub) in tree.fields.items():
        if f.name == "__typename":
            continue
        if key not in source:
            return None
        value = source[key]
        if sub is None or value is None:
            out[key] = value
        elif isinstance(value, list):
            items = [_represent(sg, v, sub) if isinstance(v, dict) else v for v in value]
            out[key] = items
        else:
            nested = _represent(sg, value, sub)
            if nested is None:
                return None
            if sub.fragments and "__typename" in value:
                nested["__typename"] = value["__typename"]
            out[key] = nested
    typename = source.get("__typename")
    for condition, fragment in tree.fragments.items():
        if typename is not None and sg.applies(condition, typename):
            nested = _represent(sg, source, fragment)
            if nested is None:
                return None
            out.update(nested)
    return out


def _merge(sg: Supergraph, target: dict, source: dict) -> None:
    for key, value in source.items():
        current = target.get(key)
        if key == "__typename":
            # An @interfaceObject answers with the interface's name; the concrete name wins.
            if current is None or (current in sg.types and sg.types[current].abstract):
                target[key] = value
        elif value is None:
            target.setdefault(key, None)
        elif isinstance(current, dict) and isinstance(value, dict):
            _merge(sg, current, value)
        elif isinstance(current, list) and isinstance(value, list) and len(current) == len(value):
            _merge_lists(sg, current, value)
        else:
            target[key] = value


def _merge_lists(sg: Supergraph, current: list, value: list) -> None:
    for i, (old, new) in enumerate(zip(current, value, strict=True)):
        if isinstance(old, dict) and isinstance(new, dict):
            _merge(sg, old, new)
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            _merge_lists(sg, old, new)
        elif new is not None:
            current[i] = new


# -- shaping the response


class _Null:
    """A null that must propagate to the nearest nullable parent."""


NULL = _Null()


class Shaper:
    def __init__(self, sg: Supergraph, schema: GraphQLSchema, errors: list[dict[str, Any]]) -> None:
        self.sg = sg
        self.schema = schema
        self.errors = errors

    def root(self, type_name: str, selections: tuple[Selection, ...], data: dict) -> dict | None:
        shaped = self.object(type_name, selections, data, [])
        return None if shaped is NULL else shaped  # type: ignore[return-value]

    def object(self, type_name: str, selections: tuple[Selection, ...], data: dict, path: list) -> Any:
        schema_type = self.schema.get_type(type_name)
        fields = getattr(schema_type, "fields", {})
        result: dict[str, Any] = {}
        for key, group in self.grouped(selections, type_name).items():
            first = group[0]
            if first.name == "__typename":
                result[key] = type_name
                continue
            if first.name in ("__schema", "__type"):
                result[key] = data.get(key)
                continue
            definition = fields.get(first.name)
            if definition is None:
                result[key] = None
                continue
            children = tuple(s for f in group for s in f.selections or ())
            value = self.value(definition.type, children, data.get(key), [*path, key])
            if value is NULL:
                return NULL
            result[key] = value
        return result

    def value(
        self, gql_type: GraphQLOutputType, selections: tuple[Selection, ...], value: Any, path: list
    ) -> Any:
        if isinstance(gql_type, GraphQLNonNull):
            inner = self.value(gql_type.of_type, selections, value, path)
            return NULL if inner is None or inner is NULL else inner
        if value is None:
            return None
        if isinstance(gql_type, GraphQLList):
            if not isinstance(value, list):
                return None
            items = [self.value(gql_type.of_type, selections, v, [*path, i]) for i, v in enumerate(value)]
            return None if any(item is NULL for item in items) else items
        if is_leaf_type(gql_type):
            if isinstance(gql_type, GraphQLEnumType) and value not in gql_type.values:
                self.errors.append(
                    {
                        "message": f'Enum "{gql_type.name}" cannot represent value: '
                        + orjson.dumps(value).decode(),
                        "path": path,
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                )
                return None
            return value
        if not isinstance(value, dict):
            return None
        type_name = gql_type.name  # type: ignore[union-attr]
        if is_abstract_type(gql_type):
            type_name = value.get("__typename") or type_name
        shaped = self.object(type_name, selections, value, path)
        return None if shaped is NULL else shaped

    def grouped(self, selections: tuple[Selection, ...], type_name: str) -> dict[str, list[Field]]:
        groups: dict[str, list[Field]] = {}
        self._collect(selections, type_name, groups)
        return groups

    def _collect(
        self, selections: tuple[Selection, ...], type_name: str, groups: dict[str, list[Field]]
    ) -> None:
        for selection in selections:
            if isinstance(selection, Field):
                groups.setdefault(selection.key, []).append(selection)
            elif self.sg.applies(selection.condition, type_name):
                self._collect(selection.selections, type_name, groups)


def is_object_type(schema: GraphQLSchema, name: str) -> bool:
    return isinstance(schema.get_type(name), GraphQLObjectType)
