"""Running a plan: fetches to subgraphs, merged into one response (shaped by `gateway.shaping`).

Each fetch starts as soon as the fetches it depends on are done. Root fetches merge their data at the
top; an entity fetch collects the objects at its path, sends one `_entities` request with each distinct
representation once, and merges every answer back into the objects it came from. Subgraph errors are
moved to the client's response paths and name their subgraph (`extensions.serviceName`); a subgraph
that fails or times out costs only the fields it owed.

A fetch without an answer (the subgraph failed, timed out, or answered without data) gives errors at
the paths of the fields it owed: one per field, at the first object it was for, with the number of
objects when there were several (an entity fetch over 1,000 objects gives one error per field, not
1,000). Every object it owed is recorded in `lost`, so shaping knows those nulls are explained.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from gateway.errors import SubgraphFailure, graphql_error
from gateway.plan import Fetch, QueryPlan, SelectionTree
from gateway.shaping import response_path
from gateway.supergraph import Supergraph

log = logging.getLogger(__name__)

# (subgraph, request body) -> parsed JSON response; raises on transport failure.
Transport = Callable[[str, bytes], Awaitable[dict[str, Any]]]
# Per representation of an entity fetch: the objects it stands for, each with its response path.
Owners = list[list[tuple[dict, tuple]]]


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
        # The response path of each object a fetch without an answer was for -> the keys it owed.
        self.lost: dict[tuple, set[str]] = {}
        self.unanswered: set[int] = set()  # fetches without an answer, or whose inputs had none

    async def run(self) -> None:
        fetches = {f.id: f for f in self.plan.fetches}
        done: set[int] = set()
        running: dict[asyncio.Task, int] = {}
        while len(done) < len(fetches):
            ready = [
                fetch
                for fetch in fetches.values()
                if fetch.id not in done and fetch.id not in running.values() and fetch.depends <= done
            ]
            if len(ready) == 1 and not running:
                # Nothing to overlap with (a plan of one fetch, or the next link of a chain): awaited
                # here, which spares a task and a wait per fetch.
                await self.fetch(ready[0])
                done.add(ready[0].id)
                continue
            for fetch in ready:
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
            response = await self.send(fetch, variables, None)
            if response is None:
                return
            data = response.get("data")
            if not isinstance(data, dict):
                self.unanswerable(fetch, response, None)
                return
            if fetch.restores:
                _restore(self.sg, data, fetch.selections)
            _merge(self.sg, self.data, data)
            self.add_errors(fetch, response.get("errors"), None)
            return
        representations, owners, skipped = self.representations(fetch)
        if skipped and fetch.depends & self.unanswered:
            # Objects without the fields an unanswered fetch was to add for them: lost with it.
            self.lose(fetch, skipped)
        if not representations:
            return
        variables["representations"] = representations
        response = await self.send(fetch, variables, owners)
        if response is None:
            return
        entities = (response.get("data") or {}).get("_entities")
        if type(entities) is not list or len(entities) != len(representations):
            self.unanswerable(fetch, response, owners)
            return
        if fetch.restores:
            _restore(self.sg, entities, fetch.selections)
        sg = self.sg
        for entity, owned in zip(entities, owners, strict=True):
            if type(entity) is dict:
                for target, _ in owned:
                    # The common case: only new fields (none of the entity's keys is there yet), which
                    # is what `_merge` would do key by key.
                    if target.keys().isdisjoint(entity):
                        target.update(entity)
                    else:
                        _merge(sg, target, entity)
        self.add_errors(fetch, response.get("errors"), owners)

    def representations(self, fetch: Fetch) -> tuple[list[dict], Owners, list[tuple]]:
        """The distinct representations, the objects (and their paths) each stands for, and the paths
        of the objects at the fetch's path that could not be represented (a key field is missing).

        The most common fetch (objects of one type, a key of one scalar field) goes the fast way,
        `_by_one_field`."""
        if len(fetch.inputs) == 1:
            (typename, entry), *_ = fetch.inputs.items()
            if entry.flat_pairs is not None and len(entry.flat_pairs) == 1:
                try:
                    return self._by_one_field(fetch, typename, entry.typename, entry.flat_pairs[0])
                except TypeError:  # a JSON scalar key holding an object or a list: not hashable
                    pass
        representations: list[dict] = []
        owners: Owners = []
        skipped: list[tuple] = []
        seen: dict[Any, int] = {}
        inputs = fetch.inputs
        for target, path in _objects_at(self.data, fetch.path):
            entry = inputs.get(target.get("__typename"))  # type: ignore[arg-type]
            if entry is None:
                continue
            flat = entry.flat_pairs
            if flat is not None:  # the common case: a key of plain scalar fields
                representation = _flat(entry.typename, target, flat)
                if representation is None:
                    skipped.append(path)
                    continue
                identity: Any = tuple(representation.values())
            else:
                fields = _represent(self.sg, target, entry.selection)
                if fields is None:
                    skipped.append(path)
                    continue
                representation = {"__typename": entry.typename, **fields}
                identity = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
            try:
                index = seen.get(identity)
            except TypeError:  # a JSON scalar key holding an object or a list
                identity = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
                index = seen.get(identity)
            if index is None:
                seen[identity] = len(representations)
                representations.append(representation)
                owners.append([(target, path)])
            else:
                owners[index].append((target, path))
        return representations, owners, skipped

    def _by_one_field(
        self, fetch: Fetch, typename: str, represented_as: str, pair: tuple[str, str]
    ) -> tuple[list[dict], Owners, list[tuple]]:
        """`representations` for the most common fetch: objects of one type with a key of one scalar
        field, whose value is then the identity. Raises TypeError on a value that cannot be one."""
        representations: list[dict] = []
        owners: Owners = []
        skipped: list[tuple] = []
        seen: dict[Any, int] = {}
        key, alias = pair
        for target, path in _objects_at(self.data, fetch.path):
            if target.get("__typename") != typename:
                continue
            value = target.get(alias, _MISSING)
            if value is _MISSING:
                value = target.get(key, _MISSING)
                if value is _MISSING:
                    skipped.append(path)
                    continue
            index = seen.get(value)
            if index is None:
                seen[value] = len(representations)
                representations.append({"__typename": represented_as, key: value})
                owners.append([(target, path)])
            else:
                owners[index].append((target, path))
        return representations, owners, skipped

    async def send(
        self, fetch: Fetch, variables: dict[str, Any], owners: Owners | None
    ) -> dict[str, Any] | None:
        """The subgraph's answer, or None when it failed (its errors added, see `fail`)."""
        body = orjson.dumps({"query": fetch.document, "variables": variables})
        started = time.perf_counter()
        outcome = "unavailable"
        try:
            response = await self.transport(fetch.subgraph, body)
            outcome = "error" if response.get("errors") else "ok"
            return response
        except SubgraphFailure as failure:
            self.fail(fetch, owners, f'The subgraph "{fetch.subgraph}" {failure}.', failure.code)
            return None
        finally:
            if self.on_fetch is not None:
                self.on_fetch(fetch.subgraph, outcome, time.perf_counter() - started)

    def unanswerable(self, fetch: Fetch, response: dict[str, Any], owners: Owners | None) -> None:
        """An answer without usable data: the subgraph's errors say why; if it gave none, ours does."""
        if response.get("errors"):
            self.add_errors(fetch, response["errors"], owners)
            self.lose(fetch, _paths(owners))
        else:
            message = f'The subgraph "{fetch.subgraph}" answered without the data it was asked for.'
            self.fail(fetch, owners, message, "SUBREQUEST_MALFORMED_RESPONSE")

    def fail(self, fetch: Fetch, owners: Owners | None, message: str, code: str) -> None:
        """One error per field the fetch cost, at the first object's path, with how many objects lost
        it; `owners` is None for a root fetch (the object is the response's root)."""
        paths = _paths(owners)
        self.lose(fetch, paths)
        first = response_path(paths[0])
        extensions: dict[str, Any] = {"serviceName": fetch.subgraph}
        if len(paths) > 1:
            extensions["objects"] = len(paths)  # how many objects lost each field; the path is the first's
        for key in self.costs(fetch) or (None,):
            path = first if key is None else [*first, key]
            self.errors.append(graphql_error(message, code, path, **extensions))

    def costs(self, fetch: Fetch) -> tuple[str, ...]:
        """The client's fields a fetch without an answer costs on each object: those it owed, or when
        it was only after inputs for later fetches at the same path (@requires), theirs."""
        if fetch.owed:
            return fetch.owed
        later = (f.owed for f in self.plan.fetches if fetch.id in f.depends and f.path == fetch.path)
        return tuple(dict.fromkeys(key for owed in later for key in owed))

    def lose(self, fetch: Fetch, paths: list[tuple]) -> None:
        self.unanswered.add(fetch.id)
        for path in paths:
            self.lost.setdefault(tuple(response_path(path)), set()).update(fetch.owed)

    def add_errors(self, fetch: Fetch, errors: Any, owners: Owners | None) -> None:
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
                    self.errors.append({**base, "path": [*response_path(owner_path), *path[2:]]})
            else:
                self.errors.append(base)


_MISSING = object()


def _paths(owners: Owners | None) -> list[tuple]:
    """The response paths of the objects a fetch was for: the root's for a root fetch."""
    return [()] if owners is None else [path for owned in owners for _, path in owned]


def _objects_at(data: dict, path: tuple[str, ...]) -> list[tuple[dict, tuple]]:
    """The objects at a plan path, each with its response path (as nested pairs, see `response_path`)."""
    current: list[tuple[Any, tuple]] = [(data, ())]
    for segment in path:
        following: list[tuple[Any, tuple]] = []
        for value, at in current:
            if segment == "@":
                if type(value) is list:
                    following += [(item, (at, i)) for i, item in enumerate(value) if item is not None]
            elif type(value) is dict:
                item = value.get(segment)
                if item is not None:
                    following.append((item, (at, segment)))
        current = following
    found: list[tuple[dict, tuple]] = []
    for value, at in current:
        if type(value) is dict:  # the common case: one object
            found.append((value, at))
            continue
        # A list at the end (an entity list field with nested lists) holds the objects.
        stack = [(value, at)]
        while stack:
            item, where = stack.pop()
            if type(item) is dict:
                found.append((item, where))
            elif type(item) is list:
                stack.extend((x, (where, i)) for i, x in reversed(list(enumerate(item))) if x is not None)
    return found


def _restore(sg: Supergraph, value: Any, tree: SelectionTree) -> None:
    """Put back the response keys a subgraph query aliased by type (see `planner._typed_alias`)."""
    if type(value) is list:
        for item in value:
            _restore(sg, item, tree)
        return
    if type(value) is not dict:
        return
    for key, (f, sub) in tree.fields.items():
        if f.restore_as is not None and key in value:
            value[f.restore_as] = value.pop(key)
            key = f.restore_as
        if sub is not None and key in value:
            _restore(sg, value[key], sub)
    typename = value.get("__typename")
    for condition, fragment in tree.fragments.items():
        if typename is None or sg.applies(condition, typename):
            _restore(sg, value, fragment)


def _flat(typename: str, source: dict, pairs: tuple[tuple[str, str], ...]) -> dict | None:
    """The representation of `source` for a key of scalar fields; None when one is missing."""
    out = {"__typename": typename}
    for key, alias in pairs:
        value = source.get(alias, _MISSING)
        if value is _MISSING:
            value = source.get(key, _MISSING)
            if value is _MISSING:
                return None
        out[key] = value
    return out


def _represent(sg: Supergraph, source: dict, tree: SelectionTree) -> dict | None:
    """The key and required fields of `source` as `tree` selects them; None when any is missing."""
    out: dict[str, Any] = {}
    for key, (f, sub) in tree.fields.items():
        if f.name == "__typename":
            continue
        if f.alias in source:  # fetched under its reserved alias: the client had the key
            value = source[f.alias]
        elif key in source:
            value = source[key]
        else:
            return None
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
        if current is None:  # the common case: a field only this subgraph answered
            target[key] = value
        elif key == "__typename":
            # An @interfaceObject answers with the interface's name; the concrete name wins.
            if current in sg.types and sg.types[current].abstract:
                target[key] = value
        elif value is None:
            pass
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
