"""`load_all` answers as `DataLoader.load_many` does, in one call of the batch function for the keys the
loader has not seen, and leaves the loader's cache as `load_many` would."""

from __future__ import annotations

import asyncio

import pytest
from strawberry.dataloader import DataLoader

from services.common.context import PrimedCache, load_all, load_each


def counting_loader() -> tuple[DataLoader[str, str | None], list[list[str]]]:
    calls: list[list[str]] = []

    async def fetch(keys: list[str]) -> list[str | Exception | None]:
        calls.append(list(keys))
        return [
            ValueError(f"no {k}") if k.startswith("bad") else None if k == "none" else k.upper() for k in keys
        ]

    return DataLoader(load_fn=fetch), calls


async def test_answers_as_load_many_in_one_call() -> None:
    loader, calls = counting_loader()
    keys = ["a", "b", "a", "none", "c"]
    assert await load_all(loader, keys) == ["A", "B", "A", None, "C"]
    assert calls == [["a", "b", "none", "c"]]  # each key once
    reference, _ = counting_loader()
    assert await reference.load_many(keys) == await load_all(loader, keys)


async def test_seen_keys_come_from_the_cache_and_primed_keys_serve_later_loads() -> None:
    loader, calls = counting_loader()
    assert await loader.load("a") == "A"
    assert await load_all(loader, ["a", "b"]) == ["A", "B"]
    assert calls == [["a"], ["b"]]
    assert await loader.load("b") == "B"
    assert calls == [["a"], ["b"]]  # b was cached by load_all


async def test_a_failed_key_raises_and_stays_failed_in_the_cache() -> None:
    loader, calls = counting_loader()
    with pytest.raises(ValueError, match="no bad"):
        await load_all(loader, ["a", "bad"])
    with pytest.raises(ValueError, match="no bad"):
        await loader.load("bad")
    assert calls == [["a", "bad"]]


async def test_a_batch_function_answering_the_wrong_count_is_an_error() -> None:
    async def short(keys: list[str]) -> list[str]:
        return keys[:-1]

    with pytest.raises(ValueError):
        await load_all(DataLoader(load_fn=short), ["a", "b"])


def primed_loader() -> tuple[DataLoader[str, str | None], list[list[str]]]:
    """`counting_loader`'s, with the cache `one_each` and `all_each` give their loaders."""
    loader, calls = counting_loader()
    return DataLoader(load_fn=loader.load_fn, cache_map=PrimedCache()), calls


async def test_a_primed_cache_answers_as_the_default_one() -> None:
    for make in (counting_loader, primed_loader):
        loader, calls = make()
        assert await load_all(loader, ["a", "b", "none", "a"]) == ["A", "B", None, "A"]
        assert await loader.load("b") == "B"
        assert await loader.load("none") is None
        assert await loader.load_many(["a", "c"]) == ["A", "C"]
        assert await load_all(loader, ["c", "d", "b"]) == ["C", "D", "B"]
        loader.prime("a", "other")  # a cached key keeps its value, as `prime` has it
        assert await loader.load("a") == "A"
        loader.clear("a")
        assert await loader.load("a") == "A"  # fetched again
        with pytest.raises(KeyError):
            loader.clear("never")
        assert calls == [["a", "b", "none"], ["c"], ["d"], ["a"]], make.__name__
        loader.clear_all()
        assert await loader.load("b") == "B"
        assert calls[-1] == ["b"]


async def test_a_primed_key_becomes_one_settled_future_on_its_first_load() -> None:
    loader, _ = primed_loader()
    await load_all(loader, ["a", "b"])
    cache = loader.cache_map
    assert isinstance(cache, PrimedCache)
    assert set(cache.primed) == {"a", "b"} and not cache.cache_map  # no future made yet
    first = loader.load("a")
    assert first is loader.load("a") and await first == "A"
    assert set(cache.primed) == {"b"} and set(cache.cache_map) == {"a"}
    cache.set("b", first)  # a future set for a primed key replaces its value
    assert await loader.load("b") == "A" and not cache.primed


async def test_load_each_answers_as_load_many_batched_with_the_tick() -> None:
    loader, calls = counting_loader()
    reference, _ = counting_loader()
    keys = ["a", "b", "a", "none"]
    other = asyncio.ensure_future(loader.load("c"))  # another load of the same tick shares the batch
    assert await load_each(loader, keys) == await reference.load_many(keys) == ["A", "B", "A", None]
    assert await other == "C"
    assert calls == [["c", "a", "b", "none"]]
    assert await load_each(loader, []) == []
    with pytest.raises(ValueError, match="no bad"):
        await load_each(loader, ["a", "bad", "d"])
