"""CORS at the gateway (gateway/cors.py): `QF_CORS_ORIGINS` parsed and checked, preflights for the headers
GraphQL clients send, `Vary: Origin` wherever the answer depends on it, never credentials, and nothing
but /graphql readable cross-origin. Against our gateway served over the synthetic subgraphs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from qf.settings import SystemSettings
from tests.gateway.servers import synthetic_gateway

QUERY = {"query": '{ product(id: "p1") { name } }'}
CLIENT_HEADERS = "content-type, authorization, x-request-id, apollo-require-preflight"


def _preflight(
    base: str, origin: str, headers: str = CLIENT_HEADERS, path: str = "/graphql"
) -> httpx.Response:
    return httpx.options(
        f"{base}{path}",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": headers,
        },
    )


def _varies_on_origin(response: httpx.Response) -> bool:
    return "origin" in [v.strip().lower() for v in ",".join(response.headers.get_list("vary")).split(",")]


@pytest.fixture(scope="module")
def development(synthetic_url: str) -> Iterator[str]:
    with synthetic_gateway(GatewaySettings(environment="development"), synthetic_url) as base:
        yield base


@pytest.fixture(scope="module")
def production(synthetic_url: str) -> Iterator[str]:
    with synthetic_gateway(GatewaySettings(environment="production"), synthetic_url) as base:
        yield base


@pytest.fixture(scope="module")
def configured(synthetic_url: str) -> Iterator[str]:
    origins = ["https://portal.example.edu", "http://localhost:3000"]
    configured = GatewaySettings(environment="production", cors_origins=origins)
    with synthetic_gateway(configured, synthetic_url) as base:
        yield base


@pytest.fixture(scope="module")
def wildcard(synthetic_url: str) -> Iterator[str]:
    configured = GatewaySettings(environment="production", cors_origins=["*"])
    with synthetic_gateway(configured, synthetic_url) as base:
        yield base


# --- the setting


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (
            "https://portal.example.edu, http://localhost:3000",
            ["https://portal.example.edu", "http://localhost:3000"],
        ),
        ('["https://a.example.mx", "http://[::1]:8080"]', ["https://a.example.mx", "http://[::1]:8080"]),
        ("HTTPS://Portal.Example.EDU", ["https://portal.example.edu"]),
        ("*", ["*"]),
        ("", []),
        (" , ", []),
    ],
)
def test_origins_come_comma_separated_or_as_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, parsed: list[str]
) -> None:
    monkeypatch.setenv("QF_CORS_ORIGINS", raw)
    assert SystemSettings().cors_origins == parsed


def test_unset_origins_are_left_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QF_CORS_ORIGINS", raising=False)
    assert SystemSettings().cors_origins is None


@pytest.mark.parametrize(
    "raw",
    [
        "https://portal.example.edu/",  # a browser's Origin never ends with a slash: it would never match
        "https://portal.example.edu/graphql",
        "portal.example.edu",
        "ftp://portal.example.edu",
        "https://*.example.edu",
        "*, https://portal.example.edu",
        "https://portal.example.edu:99999999",
        '["https://a.example.mx", 3]',
        "[not json",
    ],
)
def test_what_is_not_an_origin_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("QF_CORS_ORIGINS", raw)
    with pytest.raises(ValidationError, match="cors_origins"):
        SystemSettings()


# --- development: any page on this machine


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "http://127.0.0.1:5173", "https://localhost", "http://[::1]:8080"]
)
def test_development_allows_local_pages_with_the_headers_clients_send(development: str, origin: str) -> None:
    response = _preflight(development, origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].lower().split(",")}
    assert {"content-type", "authorization", "x-request-id", "apollo-require-preflight"} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers
    assert _varies_on_origin(response)


@pytest.mark.parametrize(
    "origin", ["http://localhost.evil.example:3000", "http://evil.example", "null", "http://127.0.0.2:80"]
)
def test_development_refuses_other_origins(development: str, origin: str) -> None:
    response = _preflight(development, origin)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_a_header_no_client_needs_fails_the_preflight(development: str) -> None:
    response = _preflight(development, "http://localhost:3000", headers="content-type, x-forwarded-for")
    # A browser sends the request only after a preflight with an ok status that lists every header.
    assert response.status_code == 400
    assert "x-forwarded-for" not in response.headers["access-control-allow-headers"].lower()


def test_an_allowed_page_reads_the_answer_and_every_answer_varies_on_origin(development: str) -> None:
    allowed = httpx.post(f"{development}/graphql", json=QUERY, headers={"origin": "http://localhost:3000"})
    assert allowed.json() == {"data": {"product": {"name": "Hammer"}}}
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    refused = httpx.post(f"{development}/graphql", json=QUERY, headers={"origin": "https://evil.example"})
    no_origin = httpx.post(f"{development}/graphql", json=QUERY)
    for response in (refused, no_origin):
        # Answered (the browser hides it from the page), without the header, and marked so that a cache
        # never hands this copy to an allowed page or the allowed copy to another one.
        assert "access-control-allow-origin" not in response.headers
        assert _varies_on_origin(response)
    assert _varies_on_origin(allowed)


@pytest.mark.parametrize("path", ["/metrics", "/healthz", "/readyz"])
def test_only_the_graphql_endpoint_is_shared(development: str, path: str) -> None:
    response = httpx.get(f"{development}{path}", headers={"origin": "http://localhost:3000"})
    preflight = _preflight(development, "http://localhost:3000", path=path)
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in preflight.headers


# --- production


def test_production_allows_no_origin_by_default(production: str) -> None:
    preflight = _preflight(production, "http://localhost:3000")
    assert preflight.status_code == 405  # no CORS at all: OPTIONS is not a method of /graphql
    assert "access-control-allow-origin" not in preflight.headers
    response = httpx.post(f"{production}/graphql", json=QUERY, headers={"origin": "http://localhost:3000"})
    assert response.json() == {"data": {"product": {"name": "Hammer"}}}
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origin", ["https://portal.example.edu", "http://localhost:3000"])
def test_configured_origins_are_allowed(configured: str, origin: str) -> None:
    response = _preflight(configured, origin)
    assert (response.status_code, response.headers.get("access-control-allow-origin")) == (200, origin)


# Each differs from a configured origin only in its scheme, an added port, or its port number.
@pytest.mark.parametrize(
    "origin", ["http://portal.example.edu", "https://portal.example.edu:8443", "http://localhost:3001"]
)
def test_origins_near_the_configured_ones_are_refused(configured: str, origin: str) -> None:
    response = _preflight(configured, origin)
    assert response.status_code == 400 and "access-control-allow-origin" not in response.headers


def test_a_wildcard_never_comes_with_credentials(wildcard: str) -> None:
    preflight = _preflight(wildcard, "https://anyone.example")
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    # A cookie is what makes Starlette echo the origin with credentials when they are allowed: they never are.
    response = httpx.post(
        f"{wildcard}/graphql", json=QUERY, headers={"origin": "https://anyone.example", "cookie": "session=1"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "access-control-allow-credentials" not in preflight.headers
