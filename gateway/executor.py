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
from gateway.representations import Owners, collect, paths_of
from gateway.shaping import response_path
from gateway.supergraph import Supergraph

log = logging.getLogger(__name__)

# (subgraph, request body) -> parsed JSON response; raises on transport failure.
Transport = Callable[[str, bytes], Awaitable[dict[str, Any]]]


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
            self.lose(fetch, paths_of(self.data, fetch.path, skipped))
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
        for entity, target in zip(entities, owners.first, strict=True):
            if type(entity) is dict:
                # The common case: only new fields (none of the entity's keys is there yet), which is
                # what `_merge` would do key by key.
                if target.keys().isdisjoint(entity):
                    target.update(entity)
                else:
                    _merge(sg, target, entity)
        for index, others in owners.more.items():
            entity = entities[index]
            if type(entity) is dict:
                for target in others:
                    if target.keys().isdisjoint(entity):
                        target.update(entity)
                    else:
                        _merge(sg, target, entity)
        self.add_errors(fetch, response.get("errors"), owners)

    def representations(self, fetch: Fetch) -> tuple[list[dict], Owners, list[dict]]:
        """The distinct representations, the objects each stands for, and the objects at the fetch's
        path that could not be represented (a key field is missing): see `gateway.representations`."""
        return collect(self.sg, self.data, fetch)

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
            self.lose(fetch, self.paths(fetch, owners))
        else:
            message = f'The subgraph "{fetch.subgraph}" answered without the data it was asked for.'
            self.fail(fetch, owners, message, "SUBREQUEST_MALFORMED_RESPONSE")

    def fail(self, fetch: Fetch, owners: Owners | None, message: str, code: str) -> None:
        """One error per field the fetch cost, at the first object's path, with how many objects lost
        it; `owners` is None for a root fetch (the object is the response's root)."""
        paths = self.paths(fetch, owners)
        self.lose(fetch, paths)
        if not paths:  # every object it was for replaced since by another fetch's answer: none to tell
            return
        first = response_path(paths[0])
        extensions: dict[str, Any] = {"serviceName": fetch.subgraph}
        if len(paths) > 1:
            extensions["objects"] = len(paths)  # how many objects lost each field; the path is the first's
        for key in self.costs(fetch) or (None,):
            path = first if key is None else [*first, key]
            self.errors.append(graphql_error(message, code, path, **extensions))

    def paths(self, fetch: Fetch, owners: Owners | None) -> list[tuple]:
        """The response paths of the objects a fetch was for: the root's for a root fetch."""
        if owners is None:
            return [()]
        return [path for paths in owners.paths(self.data, fetch.path) for path in paths]

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
        by_index: list[list[tuple]] | None = None  # the owners' paths, worked out at the first error
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
                if by_index is None:
                    by_index = owners.paths(self.data, fetch.path)
                for owner_path in by_index[path[1]] if 0 <= path[1] < len(by_index) else ():
                    self.errors.append({**base, "path": [*response_path(owner_path), *path[2:]]})
            else:
                self.errors.append(base)


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
