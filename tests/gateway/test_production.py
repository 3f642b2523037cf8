"""Production defaults (`QF_ENVIRONMENT=production`): introspection and GraphiQL off unless
`QF_INTROSPECTION=true`, and `/metrics` moved off the public port to `QF_METRICS_PORT`.

Gateways run in this process over the synthetic `mutations` scenario, and, for the metrics port that
`qf serve` adds, as the `qf serve --service gateway` process itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.server import create_gateway_app
from gateway.settings import GatewaySettings
from qf.settings import SystemSettings
from tests.gateway.conftest import our_gateway_process
from tests.gateway.servers import free_port, serve
from tests.gateway.synthetic import subgraph_list

GRAPHQL_RESPONSE = "application/graphql-response+json"
INTROSPECTION = ["{ __schema { queryType { name } } }", '{ __type(name: "Cart") { fields { name } } }']


@pytest.fixture(scope="module")
def supergraph(synthetic_url: str) -> str:
    subgraphs = subgraph_list("mutations", synthetic_url)
    return compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in subgraphs])


@contextlib.contextmanager
def gateway(settings: SystemSettings, supergraph: str, **changes: object) -> Iterator[str]:
    async def load() -> str:
        return supergraph

    configured = settings.model_copy(update=changes)
    app = create_gateway_app(configured, load, database_url=None, secret=settings.require_secret())
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def production(settings: SystemSettings, supergraph: str) -> Iterator[str]:
    with gateway(settings, supergraph, environment="production") as base:
        yield base


@pytest.mark.parametrize(
    ("environment", "introspection", "enabled"),
    [
        ("development", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_introspection_is_on_in_development_and_off_in_production_by_default(
    environment: str, introspection: bool | None, enabled: bool
) -> None:
    settings = GatewaySettings(environment=environment, introspection=introspection)  # type: ignore[arg-type]
    assert settings.introspection_enabled is enabled


def test_production_reads_qf_introspection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QF_ENVIRONMENT", "production")
    assert SystemSettings().introspection_enabled is False
    monkeypatch.setenv("QF_INTROSPECTION", "true")
    assert SystemSettings().introspection_enabled is True


@pytest.mark.parametrize("query", INTROSPECTION)
def test_introspection_is_refused_with_a_code_in_production(production: str, query: str) -> None:
    for accept, status in ((GRAPHQL_RESPONSE, 400), ("application/json", 200)):
        answer = httpx.post(f"{production}/graphql", json={"query": query}, headers={"accept": accept})
        assert answer.status_code == status
        result = answer.json()
        assert "data" not in result
        [error] = result["errors"]  # one per introspection field, none for what it selects
        assert error["extensions"]["code"] == "INTROSPECTION_DISABLED"
        assert "disabled" in error["message"]


def test_introspection_cannot_hide_in_a_fragment_or_an_alias(production: str) -> None:
    query = "query { cart { id } ...F } fragment F on Query { s: __schema { types { name } } }"
    result = httpx.post(f"{production}/graphql", json={"query": query}).json()
    assert [e["extensions"]["code"] for e in result["errors"]] == ["INTROSPECTION_DISABLED"]


def test_typename_is_always_allowed(production: str) -> None:
    answer = httpx.post(f"{production}/graphql", json={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}


def test_validation_does_not_suggest_field_names_in_production(
    settings: SystemSettings, supergraph: str, production: str
) -> None:
    query = {"query": "{ carts { id } }"}
    hidden = httpx.post(f"{production}/graphql", json=query).json()["errors"][0]["message"]
    assert "carts" in hidden and "Did you mean" not in hidden
    with gateway(settings, supergraph) as development:
        shown = httpx.post(f"{development}/graphql", json=query).json()["errors"][0]["message"]
    assert "Did you mean" in shown and "cart" in shown


def test_no_graphiql_in_production(production: str) -> None:
    answer = httpx.get(f"{production}/graphql", headers={"accept": "text/html"})
    assert answer.status_code == 400 and not answer.headers["content-type"].startswith("text/html")
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_qf_introspection_turns_both_back_on(settings: SystemSettings, supergraph: str) -> None:
    with gateway(settings, supergraph, environment="production", introspection=True) as base:
        for query in INTROSPECTION:
            result = httpx.post(f"{base}/graphql", json={"query": query}).json()
            assert "errors" not in result, result
        page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_metrics_are_not_on_the_public_port_in_production(production: str) -> None:
    assert httpx.get(f"{production}/metrics").status_code == 404


def test_qf_serve_serves_metrics_on_their_own_port_in_production(supergraph: str) -> None:
    port = free_port()
    env = {"QF_ENVIRONMENT": "production", "QF_METRICS_PORT": str(port)}
    with our_gateway_process(supergraph, env) as (url, _):
        assert httpx.post(url, json={"query": "{ __typename }"}).status_code == 200
        assert httpx.get(url.replace("/graphql", "/metrics")).status_code == 404
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert metrics.status_code == 200
        # The same counters the gateway keeps: the query just sent is there.
        assert 'qf_gateway_requests_total{operation_type="query",outcome="ok"} 1.0' in metrics.text
        assert httpx.get(f"http://127.0.0.1:{port}/graphql").status_code == 404
