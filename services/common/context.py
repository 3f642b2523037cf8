"""What every resolver gets in `info.context`: the database, the signed caller, and the request's loaders.

Each service declares its DataLoaders once, as a class built per request from the database and the
caller (`services/<name>/loaders.py`), and types its resolvers' `info` as `Info[Context[ItsLoaders],
None]`, so `info.context.loaders.standard` is a typed attribute, not a name looked up at run time.
Loaders live for one request only, so nothing cached leaks between callers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader, DefaultCache

from gateway.signing import Caller
from services.common.db import Database
from services.common.settings import Settings

L = TypeVar("L")
K = TypeVar("K", bound=Hashable)
P = TypeVar("P", bound=Hashable)
V = TypeVar("V")

Rows = Sequence[Any]
Column = str | tuple[str, ...]


@dataclass
class Context(Generic[L]):
    db: Database
    caller: Caller
    settings: Settings
    loaders: L
    request: Any = None


def _key_of(column: Column) -> Callable[[Any], Hashable]:
    if isinstance(column, str):
        return lambda row: row[column]
    return lambda row: tuple(row[c] for c in column)


def by_key(rows: Rows, keys: Sequence[Hashable], key: Column) -> list[Any]:
    """Rows reordered to match `keys` (None where a key has no row), as DataLoaders need."""
    key_of = _key_of(key)
    found = {key_of(row): row for row in rows}
    return [found.get(k) for k in keys]


def grouped(rows: Rows, keys: Sequence[Hashable], key: Column) -> list[list[Any]]:
    """Rows in one list per key of `keys`, in the rows' order (empty where a key has none)."""
    key_of = _key_of(key)
    groups: defaultdict[Hashable, list[Any]] = defaultdict(list)
    for row in rows:
        groups[key_of(row)].append(row)
    return [groups.get(k, []) for k in keys]


class PrimedCache(DefaultCache[K, V]):
    """strawberry's `DefaultCache`, whose primed values become futures only when a key is asked again.

    `load_all` primes a whole `_entities` page (1,000 standards) into the request's loader so that a
    later `load` of one of them needs no query; priming the default cache makes a settled future per
    key, a quarter of a millisecond a page, and most keys are never asked again. Here the value waits as
    it is and its future is made on the first `get` (what `load` asks), so every `load` answers as from
    the default cache: the same value, from a settled future, never fetched again.
    """

    def __init__(self, cache_key_fn: Callable[[K], Hashable] | None = None) -> None:
        super().__init__(cache_key_fn)
        self.primed: dict[Hashable, V] = {}  # cache key -> value, no future made yet

    def get(self, key: K) -> asyncio.Future[V] | None:
        cache_key = self.cache_key_fn(key)
        future = self.cache_map.get(cache_key)
        if future is None and cache_key in self.primed:
            future = self.cache_map[cache_key] = asyncio.get_running_loop().create_future()
            future.set_result(self.primed.pop(cache_key))
        return future

    def set(self, key: K, value: asyncio.Future[V]) -> None:
        cache_key = self.cache_key_fn(key)
        self.primed.pop(cache_key, None)
        self.cache_map[cache_key] = value

    def delete(self, key: K) -> None:
        cache_key = self.cache_key_fn(key)
        if self.primed.pop(cache_key, _ABSENT) is _ABSENT:
            del self.cache_map[cache_key]  # a KeyError for a key never cached, as the default's
        else:
            self.cache_map.pop(cache_key, None)

    def clear(self) -> None:
        self.primed.clear()
        self.cache_map.clear()

    def prime(self, values: dict[K, V]) -> None:
        """Each value for its key, unless the key is cached already (a key loaded meanwhile keeps its
        own future, as with `prime_many`)."""
        key_of, stored, primed = self.cache_key_fn, self.cache_map, self.primed
        for key, value in values.items():
            cache_key = key_of(key)
            if cache_key not in stored:
                primed.setdefault(cache_key, value)


_ABSENT: Any = object()


def one_each(fetch: Callable[[list[K]], Awaitable[Rows]], key: Column) -> DataLoader[K, Any]:
    """A loader of the row whose `key` column(s) equal each key (None when there is none); the keys of
    one tick cost one `fetch`."""

    async def batch(keys: list[K]) -> list[Any]:
        return by_key(await fetch(keys), keys, key)

    return DataLoader(load_fn=batch, cache_map=PrimedCache())


def all_each(fetch: Callable[[list[K]], Awaitable[Rows]], key: Column) -> DataLoader[K, list[Any]]:
    """A loader of every row whose `key` column(s) equal each key, in the order `fetch` returns them."""

    async def batch(keys: list[K]) -> list[list[Any]]:
        return grouped(await fetch(keys), keys, key)

    return DataLoader(load_fn=batch, cache_map=PrimedCache())


async def load_each(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """`loader.load_many(keys)`, batched with every other load of the tick as ever, without its gather:
    each key's future awaited in turn. The first wait lasts until the batch is answered, which answers
    every key of it at once, so the rest are settled already and cost no callback, no scheduled handle
    and no wake-up each (two hundred committees of an `_entities` page). A key whose value is an
    exception raises it (the first such key in order)."""
    futures = list(map(loader.load, keys))
    return [await future for future in futures]


async def load_all(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """`loader.load_many(keys)` for keys that are the whole of the request's batch (an `_entities`
    page; not the keys of one parent among several, which the loader must batch together): the keys the
    loader has not seen are fetched in one call of its batch function and put into its cache, without
    the callback and the gather slot per key that `load_many` costs (on 1,000 standards, a tenth of the
    request); keys it has seen, or is fetching, answer from its cache as `load` would. A key whose value
    is an exception raises it, as `load_many` does; the cache keeps it failed, as the loader's does."""
    cache = loader.cache_map if loader.cache else None
    unique = list(dict.fromkeys(keys))
    # strawberry's own cache, still empty (an `_entities` page is the request's first use of the
    # loader): no key to look up in it one by one.
    empty = isinstance(cache, DefaultCache) and not cache.cache_map and not getattr(cache, "primed", None)
    unseen = unique if cache is None or empty else [k for k in unique if cache.get(k) is None]
    if loader.max_batch_size and len(unseen) > loader.max_batch_size:
        return await loader.load_many(keys)  # its batches, as the loader was told to make them
    fetched = list(await loader.load_fn(unseen)) if unseen else []
    values: dict[K, Any] = {}
    failed: dict[K, asyncio.Future[V]] = {}
    for key, value in zip(unseen, fetched, strict=True):  # a wrong count is a bug: an internal error
        if isinstance(value, BaseException):
            failed[key] = asyncio.get_running_loop().create_future()
            failed[key].set_exception(value)
            if cache is not None:
                cache.set(key, failed[key])
        else:
            values[key] = value
    if isinstance(cache, PrimedCache):
        cache.prime(values)  # no future per key until one is asked for (PrimedCache)
    elif isinstance(cache, DefaultCache):
        # What `prime_many` does, without its per-key look-ups and property reads (a third of this
        # function's cost on 1,000 keys); a key loaded meanwhile keeps its own future.
        loop = asyncio.get_running_loop()
        key_of, stored = cache.cache_key_fn, cache.cache_map
        for key, value in values.items():
            future = loop.create_future()
            future.set_result(value)
            stored.setdefault(key_of(key), future)
    else:
        loader.prime_many(values)
    if not failed and len(unseen) == len(keys):  # every key new, once each: the values as fetched
        return fetched  # type: ignore[return-value]
    found: list[V] = []
    for key in keys:
        found.append(values[key] if key in values else await (failed.get(key) or cache.get(key)))  # type: ignore[union-attr,arg-type]
    return found


class PerArgument(Generic[P, K, V]):
    """One loader per value of an argument that is not part of the key (a date, a page): the standards of
    one page asking for the same `activeOn` share one query, another date gets a loader of its own."""

    def __init__(self, make: Callable[[P], DataLoader[K, V]]) -> None:
        self._make = make
        self._loaders: dict[P, DataLoader[K, V]] = {}

    def __call__(self, argument: P) -> DataLoader[K, V]:
        if argument not in self._loaders:
            self._loaders[argument] = self._make(argument)
        return self._loaders[argument]
