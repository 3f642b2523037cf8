"""Automatic persisted queries (gateway/apq.py), Apollo's protocol version 1."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from gateway.apq import PersistedQueries, QueryRefused
from gateway.errors import RequestRefused

QUERY = '{ standards(first: 5, filter: {search: "pintura automotriz línea"}) { totalCount } }'


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def ext(sha256_hash: str, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256_hash}}


def register(store: PersistedQueries, query: str, extensions: Any) -> str:
    """What the gateway does with a request it accepts: resolve, run, then remember."""
    resolved = store.resolve(query, extensions)
    store.remember(resolved, extensions)
    return resolved


def refused(store: PersistedQueries, query: Any, extensions: Any) -> QueryRefused:
    with pytest.raises(QueryRefused) as caught:
        store.resolve(query, extensions)
    return caught.value


def test_a_plain_query_passes_through() -> None:
    store = PersistedQueries()
    assert store.resolve(QUERY, None) == QUERY
    assert store.resolve(QUERY, {"tracing": True}) == QUERY
    assert len(store) == 0


@pytest.mark.parametrize("query", [None, "", "   "])
def test_no_query_and_no_hash_is_a_bad_request(query: str | None) -> None:
    error = refused(PersistedQueries(), query, None)
    assert (error.code, error.status) == ("BAD_USER_INPUT", 400)


def test_an_unknown_hash_asks_for_the_text_as_apollo_clients_expect() -> None:
    error = refused(PersistedQueries(), None, ext(sha(QUERY)))
    assert error.formatted == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }
    assert error.status == 200
    assert error.headers == {"cache-control": "private, no-cache, must-revalidate"}


def test_the_missing_hash_path_then_the_happy_path() -> None:
    store = PersistedQueries()
    refused(store, None, ext(sha(QUERY)))
    assert store.resolve(QUERY, ext(sha(QUERY))) == QUERY
    assert sha(QUERY) not in store  # not before the gateway accepted it
    assert register(store, QUERY, ext(sha(QUERY))) == QUERY
    assert store.resolve(None, ext(sha(QUERY))) == QUERY
    assert store.resolve(None, ext(sha(QUERY).upper())) == QUERY
    assert register(store, QUERY, ext(sha(QUERY))) == QUERY
    assert len(store) == 1


def test_a_hash_that_does_not_match_is_refused_and_not_stored() -> None:
    store = PersistedQueries()
    other = sha("{ __typename }")
    error = refused(store, QUERY, ext(other))
    assert error.message == "provided sha does not match query"
    assert (error.code, error.status) == ("BAD_USER_INPUT", 400)
    assert other not in store
    refused(store, None, ext(other))


@pytest.mark.parametrize("version", [2, 0, "1", True, None])
def test_other_versions_are_refused(version: Any) -> None:
    error = refused(PersistedQueries(), QUERY, ext(sha(QUERY), version))
    assert error.code == "BAD_USER_INPUT" and "version" in error.message


@pytest.mark.parametrize(
    "extensions",
    [
        "persistedQuery",
        {"persistedQuery": "abc"},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}},
        {"persistedQuery": {"version": 1, "sha256Hash": 12}},
    ],
)
def test_malformed_extensions_are_refused(extensions: Any) -> None:
    assert refused(PersistedQueries(), QUERY, extensions).code == "BAD_USER_INPUT"


def test_a_non_string_query_is_refused() -> None:
    assert refused(PersistedQueries(), 42, ext(sha("42"))).code == "BAD_USER_INPUT"


def test_the_least_recently_used_query_goes_first() -> None:
    store = PersistedQueries(max_entries=2)
    a, b, c = "{ a }", "{ b }", "{ c }"
    for query in (a, b):
        register(store, query, ext(sha(query)))
    store.resolve(None, ext(sha(a)))  # a is now the most recent
    register(store, c, ext(sha(c)))
    assert sha(a) in store and sha(c) in store and sha(b) not in store
    assert refused(store, None, ext(sha(b))).code == "PERSISTED_QUERY_NOT_FOUND"


def test_stored_text_is_bounded_in_characters_too() -> None:
    store = PersistedQueries(max_entries=100, max_chars=1000)
    queries = [f"{{ q{n} {'x ' * 200}}}" for n in range(5)]
    for query in queries:
        assert register(store, query, ext(sha(query))) == query
    assert len(store) == 2 and sum(len(q) for q in queries[-2:]) <= 1000
    huge = "{ " + "y " * 600 + "}"
    assert register(store, huge, ext(sha(huge))) == huge  # run once, never kept
    assert sha(huge) not in store and len(store) == 2


def test_the_refusal_is_a_request_refusal_told_as_one_graphql_error() -> None:
    error = refused(PersistedQueries(), None, ext(sha(QUERY)))
    assert isinstance(error, RequestRefused)  # the server frames it as every refused request
    expected = {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    assert error.errors == [error.formatted] == [expected]


def test_processes_sharing_a_folder_serve_each_others_registrations(tmp_path: Any) -> None:
    """`--workers N`: a query registered through one gateway process is served by another."""
    first, second = PersistedQueries(shared=tmp_path), PersistedQueries(shared=tmp_path)
    register(first, QUERY, ext(sha(QUERY)))
    assert second.resolve(None, ext(sha(QUERY))) == QUERY
    assert refused(PersistedQueries(), None, ext(sha(QUERY))).code == "PERSISTED_QUERY_NOT_FOUND"


def test_a_shared_file_that_does_not_hash_to_its_name_is_ignored(tmp_path: Any) -> None:
    (tmp_path / sha(QUERY)).write_text("{ __typename }")
    store = PersistedQueries(shared=tmp_path)
    assert refused(store, None, ext(sha(QUERY))).code == "PERSISTED_QUERY_NOT_FOUND"


def test_the_shared_folder_keeps_at_most_max_entries(tmp_path: Any) -> None:
    store = PersistedQueries(max_entries=3, shared=tmp_path)
    queries = [f"{{ q{i}: __typename }}" for i in range(6)]
    for query in queries:
        register(store, query, ext(sha(query)))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == 3 and not any(name.startswith(".") for name in kept)
    assert sha(queries[-1]) in kept
