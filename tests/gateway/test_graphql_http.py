"""The gateway's HTTP surface by the GraphQL-over-HTTP spec (gateway/graphql_http.py): graphql-http's
audit with no warning and no error, and the choices the audit does not see (JSON-only POSTs, media
type negotiation, GET, persisted queries over GET).

The gateway runs in this process over the synthetic `mutations` scenario (a Query and a Mutation type),
composed by our composition, its subgraphs served by the session's synthetic server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.graphql_http import RequestRefused, check_content_type, prefers_graphql_response
from gateway.server import create_gateway_app
from qf.settings import SystemSettings
from tests.gateway.servers import serve
from tests.gateway.synthetic import subgraph_list

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def supergraph(synthetic_url: str) -> str:
    subgraphs = subgraph_list("mutations", synthetic_url)
    return compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in subgraphs])


@pytest.fixture(scope="module")
def url(supergraph: str, settings: SystemSettings) -> Iterator[str]:
    async def load() -> str:
        return supergraph

    app = create_gateway_app(settings, load, database_url=None, secret=settings.require_secret())
    with serve(app) as base:
        yield f"{base}/graphql"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


def test_the_graphql_over_http_audit_passes_without_warnings(url: str) -> None:
    from tests.oracle.oracle import audit_graphql_over_http, require_oracle

    require_oracle()
    results = audit_graphql_over_http(url)
    assert len(results) > 50, results  # the audit ran in full
    failing = [r for r in results if r["status"] in ("warn", "error")]
    report = "\n".join(
        f"- [{r['status']}] {r['name']} ({r['id']}): {r['reason']}\n"
        f"    answered {r['responseStatus']} {r['responseType']}: {r['responseBody']}"
        for r in failing
    )
    assert not failing, f"{len(failing)} of {len(results)} audit items fail:\n{report}"


# Content types: only JSON runs, which is also what stops "simple" cross-site POSTs.


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        'application/json; charset="utf-8"',
        f"{GRAPHQL_RESPONSE}; charset=utf-8",
    ],
)
def test_json_bodies_are_accepted(http: httpx.Client, url: str, content_type: str) -> None:
    answer = http.post(url, content=b'{"query": "{ __typename }"}', headers={"content-type": content_type})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin1",
        "application/jsonp",
    ],
)
def test_other_bodies_are_refused_with_415(http: httpx.Client, url: str, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    # A mutation, as a cross-site form would send it: it must not run.
    body = b'{"query": "mutation { resetStore }"}'
    answer = http.post(url, content=body, headers=headers)
    assert answer.status_code == 415
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/json" in error["message"] or "UTF-8" in error["message"]


def test_content_type_check_on_its_own() -> None:
    check_content_type("application/json;charset=utf8")
    with pytest.raises(RequestRefused) as refused:
        check_content_type("")
    assert refused.value.status == 415 and "had none" in refused.value.error["message"]


# The answer's media type, and the status of a request error in each.


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/*", False),
        (GRAPHQL_RESPONSE, True),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", True),
        (f"application/json, {GRAPHQL_RESPONSE}", True),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", False),
        (f"{GRAPHQL_RESPONSE};q=0, */*", False),
        (f"{GRAPHQL_RESPONSE};q=0.8, */*;q=0.1", True),
        (f"{GRAPHQL_RESPONSE};q=abc", False),
        ("text/html", False),
    ],
)
def test_graphql_response_json_when_the_client_prefers_it(accept: str | None, expected: bool) -> None:
    assert prefers_graphql_response(accept) is expected


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{", None, "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Boolean!) { __typename @include(if: $n) }", {"n": "x"}, "BAD_USER_INPUT"),
    ],
)
@pytest.mark.parametrize(
    ("accept", "status"), [(GRAPHQL_RESPONSE, 400), ("application/json", 200), ("*/*", 200)]
)
def test_request_errors_are_400_for_the_new_media_type_and_200_for_json(
    http: httpx.Client, url: str, query: str, variables: dict | None, code: str, accept: str, status: int
) -> None:
    answer = http.post(url, json={"query": query, "variables": variables}, headers={"accept": accept})
    assert answer.status_code == status, answer.text
    media_type = GRAPHQL_RESPONSE if accept == GRAPHQL_RESPONSE else "application/json"
    assert answer.headers["content-type"] == f"{media_type}; charset=utf-8"
    result = answer.json()
    assert "data" not in result and result["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_an_executed_operation_is_200_in_either_media_type(http: httpx.Client, url: str, accept: str) -> None:
    answer = http.post(url, json={"query": "mutation { resetStore }"}, headers={"accept": accept})
    assert answer.status_code == 200 and answer.json() == {"data": {"resetStore": True}}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{ not json",
        b"[1, 2]",
        b'{"query": 0}',
        b'{"query": "{ __typename }", "operationName": 1}',
        b'{"query": "{ __typename }", "variables": 0}',
        b'{"query": "{ __typename }", "variables": "{}"}',
        b'{"query": "{ __typename }", "extensions": false}',
        b'{"qeury": "{ __typename }"}',
    ],
)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_malformed_requests_are_400_whatever_the_client_accepts(
    http: httpx.Client, url: str, body: bytes, accept: str
) -> None:
    answer = http.post(url, content=body, headers={"content-type": "application/json", "accept": accept})
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_null_parameters_are_absent_parameters(http: httpx.Client, url: str) -> None:
    body = {"query": "{ __typename }", "operationName": None, "variables": None, "extensions": None}
    assert http.post(url, json=body).json() == {"data": {"__typename": "Query"}}


# GET: queries only, with variables and persisted queries in the URL.


def test_get_runs_queries_with_json_variables(http: httpx.Client, url: str) -> None:
    query = "query Kind($name: String!) { __type(name: $name) { name } }"
    params = {"query": query, "variables": json.dumps({"name": "Query"}), "operationName": "Kind"}
    answer = http.get(url, params=params, headers={"accept": GRAPHQL_RESPONSE})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert answer.json() == {"data": {"__type": {"name": "Query"}}}
    bad = http.get(url, params={"query": query, "variables": "{oops"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_get_refuses_mutations_with_405_and_says_what_is_allowed(http: httpx.Client, url: str) -> None:
    answer = http.get(url, params={"query": "mutation { resetStore }"})
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_persisted_queries_over_get(http: httpx.Client, url: str) -> None:
    query = "query Persisted { __typename }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    unknown = http.get(url, params={"extensions": extensions})
    # Apollo's protocol: 200, uncacheable, and the client sends the text next.
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "no-cache" in unknown.headers["cache-control"]
    registered = http.get(url, params={"query": query, "extensions": extensions})
    assert registered.json() == {"data": {"__typename": "Query"}}
    by_hash = http.get(url, params={"extensions": extensions})
    assert by_hash.status_code == 200 and by_hash.json() == {"data": {"__typename": "Query"}}


def test_a_browser_gets_graphiql_in_development(http: httpx.Client, url: str) -> None:
    answer = http.get(url, headers={"accept": "text/html,application/xhtml+xml"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "graphiql" in answer.text.lower()


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_unauthenticated_is_401_in_either_media_type(http: httpx.Client, url: str, accept: str) -> None:
    answer = http.post(
        url,
        json={"query": "{ __typename }"},
        headers={"accept": accept, "authorization": "Bearer qf_000000000000_" + "x" * 43},
    )
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
