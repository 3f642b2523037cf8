"""Operation limits (gateway/limits.py): depth, aliases and cost, with fragments expanded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from graphql import build_schema, get_introspection_query, parse, validate

from gateway.limits import Limits, check_body_size, check_operation, measure_operation
from gateway.server import create_gateway_app
from gateway.sources import file_supergraph
from qf.settings import SystemSettings
from tests.gateway.servers import serve

SCHEMA = build_schema(
    """
    type Query {
      standard(code: String!): Standard
      standards(first: Int = 20, after: String): StandardConnection!
      sectors: [Sector!]!
      search(text: String!, limit: Int): [SearchHit!]!
    }
    type Mutation { publish(code: String!): Standard }
    type Standard {
      code: String!
      title: String!
      tags: [String!]!
      elements: [Element!]!
      committee: Committee
      related(first: Int): [Standard!]!
    }
    type Element { code: String! title: String! }
    type Committee { name: String! standards(first: Int = 20): StandardConnection! }
    type StandardConnection {
      totalCount: Int!
      edges: [StandardEdge!]!
      nodes: [Standard!]!
      pageInfo: PageInfo!
    }
    type StandardEdge { cursor: String! node: Standard! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    type Sector { code: String! title: String! }
    union SearchHit = Standard | Committee
    """
)
LIMITS = Limits()
JSON = {"content-type": "application/json"}


def measure(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> Any:
    result = measure_operation(parse(query), name, SCHEMA, variables)
    assert result is not None
    return result


def check(query: str, variables: dict[str, Any] | None = None, limits: Limits = LIMITS) -> list[Any]:
    return check_operation(parse(query), None, SCHEMA, variables or {}, limits)


# Depth


def test_depth_counts_levels_of_fields() -> None:
    assert measure('{ standard(code: "x") { code } }').depth == 2
    assert measure("{ standards { edges { node { code } } } }").depth == 4
    assert measure("{ __typename }").depth == 1


def test_fragments_count_as_if_written_out() -> None:
    inline = measure("{ standards { edges { node { committee { name } } } } }")
    spread = measure(
        """{ standards { ...Page } }
        fragment Page on StandardConnection { edges { node { ...Std } } }
        fragment Std on Standard { committee { name } }"""
    )
    typed = measure("{ standards { edges { node { ... on Standard { committee { name } } } } } }")
    assert inline == spread == typed
    assert inline.depth == 5


def test_too_deep_is_refused_with_numbers_a_person_can_use() -> None:
    nested = "committee { standards(first: 1) { nodes { " * 5 + "code" + " } } }" * 5
    query = f'{{ standard(code: "x") {{ {nested} }} }}'
    (error,) = check(query)
    assert error.extensions == {"code": "BAD_USER_INPUT", "limit": "depth", "max": 15, "actual": 17}
    assert error.message.startswith("Query depth 17 exceeds the limit of 15; ")
    assert check(query, limits=Limits(max_depth=17)) == []


# Aliases


def test_aliases_are_counted_once_per_place_a_fragment_is_spread() -> None:
    query = """{ a: standard(code: "a") { ...Names } b: standard(code: "b") { ...Names } }
        fragment Names on Standard { t: title c: code }"""
    assert measure(query).aliases == 6


def test_too_many_aliases_are_refused() -> None:
    fields = " ".join(f's{n}: standard(code: "EC{n:04d}") {{ code }}' for n in range(31))
    (error,) = check(f"{{ {fields} }}")
    assert error.extensions == {"code": "BAD_USER_INPUT", "limit": "aliases", "max": 30, "actual": 31}
    assert "31 aliases, over the limit of 30" in error.message


# Cost


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ('{ standard(code: "x") { code title } }', None, 3),
        # The docstring's example: a connection hands its page size to its edges.
        ("{ standards(first: 50) { edges { node { code } } } }", None, 102),
        # Without `first`, the argument's schema default (20).
        ("{ standards { totalCount nodes { code } } }", None, 1 + 1 + (1 + 20)),
        # A list with no page-size argument: default_list_size (10).
        ("{ sectors { code title } }", None, 1 + 10 * 2),
        # A list of scalars costs 1 like any leaf.
        ('{ standard(code: "x") { tags } }', None, 2),
        # `limit` counts like `first`; union members are added (an upper bound).
        ('{ search(text: "a", limit: 3) { ... on Standard { code } ... on Committee { name } } }', None, 7),
        # Variables, with their operation default when not sent.
        ("query($n: Int) { standards(first: $n) { nodes { code } } }", {"n": 5}, 1 + 1 + 5),
        ("query($n: Int = 7) { standards(first: $n) { nodes { code } } }", None, 1 + 1 + 7),
        ("query($n: Int = 7) { standards(first: $n) { nodes { code } } }", {"n": 2}, 1 + 1 + 2),
        ("{ standards(first: 0) { nodes { code } } }", None, 2),
        # Lists under lists multiply; lists that are not a connection's own start again at 10.
        (
            "{ standards(first: 5) { nodes { elements { code } related(first: 2) { code } } } }",
            None,
            1 + 1 + 5 * ((1 + 10 * 1) + (1 + 2 * 1)),
        ),
        ('mutation { publish(code: "x") { code committee { name } } }', None, 1 + 1 + 2),
    ],
)
def test_cost(query: str, variables: dict[str, Any] | None, cost: int) -> None:
    assert measure(query, variables).cost == cost


def test_over_budget_is_refused_with_its_cost() -> None:
    query = "{ standards(first: 100) { edges { node { related(first: 100) { code } } } } }"
    (error,) = check(query, {}, Limits(max_cost=5000))
    assert error.extensions == {"code": "BAD_USER_INPUT", "limit": "cost", "max": 5000, "actual": 10202}
    assert error.message.startswith("Query cost 10202 exceeds the budget of 5000; ")
    assert check(query, {}, Limits(max_cost=10202)) == []


def test_a_page_size_from_variables_is_priced_as_sent() -> None:
    query = "query($n: Int!) { standards(first: $n) { nodes { related(first: $n) { code } } } }"
    assert check(query, {"n": 10}) == []
    assert [e.extensions["limit"] for e in check(query, {"n": 500})] == ["cost"]


def test_every_exceeded_limit_is_reported() -> None:
    nested = "committee { standards(first: 100) { nodes { " * 6 + "code" + " } } }" * 6
    aliased = " ".join(f'a{n}: standard(code: "x") {{ {nested} }}' for n in range(31))
    limits = [e.extensions["limit"] for e in check(f"{{ {aliased} }}")]
    assert limits == ["depth", "aliases", "cost"]


# Introspection


ALL_OPTIONS = {
    "specified_by_url": True,
    "directive_is_repeatable": True,
    "schema_description": True,
    "input_value_deprecation": True,
    "one_of": True,
}


@pytest.mark.parametrize("options", [{}, ALL_OPTIONS], ids=["default", "every-option"])
def test_graphiqls_introspection_query_fits_the_defaults(options: dict[str, Any]) -> None:
    query = get_introspection_query(**options)
    assert check(query) == []
    result = measure(query)
    assert result.depth == 1 and 200 < result.cost < 300
    # Its depth does not count, so a stricter depth limit keeps GraphiQL working.
    assert check(query, limits=Limits(max_depth=3)) == []


def test_introspection_inside_a_query_counts_one_level() -> None:
    query = (
        '{ standard(code: "x") { code } __type(name: "Standard") { fields { type { ofType { name } } } } }'
    )
    assert measure(query).depth == 2


def test_nested_introspection_is_left_to_the_standard_validation_rule() -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    assert check(query) == []
    assert any("introspection" in e.message.lower() for e in validate(SCHEMA, parse(query)))


# Hostile and odd documents


def test_fragment_cycles_end() -> None:
    query = """{ ...A }
        fragment A on Query { standard(code: "x") { code } ...B }
        fragment B on Query { ...A }"""
    assert measure(query).cost == 2


def test_a_fragment_bomb_is_checked_quickly_and_priced_in_full() -> None:
    fragments = ['fragment F0 on Query { standard(code: "x") { code } }']
    fragments += [f"fragment F{k} on Query {{ ...F{k - 1} ...F{k - 1} }}" for k in range(1, 41)]
    query = "{ ...F40 }\n" + "\n".join(fragments)
    started = time.perf_counter()
    errors = check(query)
    assert time.perf_counter() - started < 0.5
    assert [e.extensions["actual"] for e in errors if e.extensions["limit"] == "cost"] == [2 * 2**40]


def test_a_fragment_chain_past_the_walks_cap_is_refused_not_crashed() -> None:
    fragments = [
        f"fragment F{k} on Standard {{ committee {{ standards {{ nodes {{ ...F{k + 1} }} }} }} }}"
        for k in range(600)
    ]
    fragments.append("fragment F600 on Standard { code }")
    query = '{ standard(code: "x") { ...F0 } }\n' + "\n".join(fragments)
    errors = check(query)
    depth = [e for e in errors if e.extensions["limit"] == "depth"]
    assert depth and depth[0].extensions["actual"] > 200
    assert "nests more than 200 levels" in depth[0].message


def test_unknown_fields_and_operations_do_not_break_the_check() -> None:
    assert measure("{ nope { deeper { still } } }").depth == 3
    assert check_operation(parse("query A { sectors { code } }"), "B", SCHEMA, {}, LIMITS) == []
    assert measure("query A { sectors { code } } query B { __typename }", name="B").cost == 1


# Body size and settings


def test_body_size() -> None:
    assert check_body_size(256 * 1024, LIMITS) is None
    error = check_body_size(256 * 1024 + 1, LIMITS)
    assert error is not None
    assert error.extensions == {"code": "BAD_USER_INPUT", "limit": "body", "max": 262144, "actual": 262145}


def padded_query(size: int) -> bytes:
    """A valid request body of exactly `size` bytes: `{ __typename }` and a long comment."""
    body = orjson.dumps({"query": "{ __typename } #"})
    return body[:-2] + b"x" * (size - len(body)) + b'"}'


def test_the_default_body_limit_holds_over_http(settings: SystemSettings) -> None:
    """The gateway with its default settings, behind a real HTTP server: a body of 256 KiB is read and
    answered; one byte more is refused by its Content-Length; and a 64 MiB upload without one is refused
    once past the limit, the rest of it never read (the client cannot even send it: the server stopped
    reading and closed the connection)."""
    supergraph = file_supergraph(Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql")
    app = create_gateway_app(settings, supergraph, database_url=None, secret=None)
    limit = 262144
    with serve(app) as base, httpx.Client(base_url=base, headers=JSON, timeout=30) as client:
        at_limit = client.post("/graphql", content=padded_query(limit))
        assert (at_limit.status_code, at_limit.json()) == (200, {"data": {"__typename": "Query"}})

        over = client.post("/graphql", content=padded_query(limit + 1))
        assert over.status_code == 413
        assert over.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT", "limit": "body", "max": limit, "actual": limit + 1
        }

        sent = 0
        total = 64 * 2**20

        def upload() -> Iterator[bytes]:
            nonlocal sent
            chunk = b" " * 65536
            while sent < total:
                sent += len(chunk)
                yield chunk

        streamed = client.post("/graphql", content=upload())
        assert streamed.status_code == 413, streamed.text
        error = streamed.json()["errors"][0]
        assert error["extensions"]["max"] == limit and limit < error["extensions"]["actual"] < total
        assert streamed.headers["connection"] == "close"
        assert sent < total / 2, f"the client sent {sent / 2**20:.0f} MiB before the refusal"


def test_limits_follow_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Limits.from_settings(SystemSettings()) == Limits()
    monkeypatch.setenv("QF_MAX_DEPTH", "8")
    monkeypatch.setenv("QF_MAX_COST", "900")
    monkeypatch.setenv("QF_MAX_ALIASES", "4")
    monkeypatch.setenv("QF_MAX_BODY_BYTES", "65536")
    assert Limits.from_settings(SystemSettings()) == Limits(
        max_body_bytes=65536, max_depth=8, max_aliases=4, max_cost=900
    )
