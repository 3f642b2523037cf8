"""A subgraph that fails costs only its fields, and says so where a client can use it: the errors sit at
the paths of the fields the failed fetch owed, name the subgraph and the kind of failure, and never
show an address (host, port, URL or the operating system's words); operators find those in the log.

Over HTTP as in production: two synthetic subgraphs served by uvicorn, and our gateway in front of them
with the `stock` subgraph's URL pointing at a closed port, at a subgraph slower than the timeout, or at
one that answers HTTP 502 with text instead of GraphQL.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.server import create_gateway_app
from qf.settings import SystemSettings
from tests.gateway.servers import free_port, serve
from tests.gateway.synthetic.runtime import Subgraph, create_app, link

TIMEOUT = 0.5
BOOKS = {f"b{i}": {"id": f"b{i}", "title": f"Libro {i}"} for i in range(3)}

LIBRARY = Subgraph(
    "library",
    f"""
{link("@key")}

type Query {{
  books: [Book]
}}

type Book @key(fields: "id") {{
  id: ID!
  title: String!
}}
""",
    {"Query.books": lambda _o, _i: list(BOOKS.values())},
)

STOCK_SDL = f"""
{link("@key")}

type Query {{
  weather: String
}}

type Book @key(fields: "id") {{
  id: ID!
  stock: Int!
  note: String
}}
"""


def stock(name: str, **switches: Any) -> Subgraph:
    return Subgraph(
        name,
        STOCK_SDL,
        {"Query.weather": lambda _o, _i: "soleado", "Book.__resolve_reference": lambda r: {**r, "stock": 1}},
        **switches,
    )


QUERY = "{ weather books { id title stock note } }"


@dataclass(frozen=True)
class Failure:
    code: str
    says: str  # what the public message tells of the kind of failure


FAILURES = {
    "closed_port": Failure("SUBREQUEST_HTTP_ERROR", "is unreachable"),
    "timeout": Failure("GATEWAY_TIMEOUT", f"timed out (no answer within {TIMEOUT:g} s)"),
    "not_json": Failure("SUBREQUEST_HTTP_ERROR", "answered HTTP 502 without a GraphQL response"),
}


@pytest.fixture(scope="module")
def subgraphs() -> Iterator[str]:
    app = create_app(
        {
            "ok": [LIBRARY, stock("stock")],
            "timeout": [stock("stock", delay=TIMEOUT * 4)],
            "not_json": [stock("stock", fail_status=502)],
        }
    )
    with serve(app) as base:
        yield base


def stock_url(kind: str, base: str) -> str:
    if kind == "closed_port":
        return f"http://127.0.0.1:{free_port()}/graphql"  # nobody listens there
    return f"{base}/{kind}/stock"


@contextlib.contextmanager
def gateway(settings: SystemSettings, urls: dict[str, str]) -> Iterator[str]:
    """Our gateway over the two subgraphs at `urls`, composed by our composition."""
    sdls = {"library": LIBRARY.sdl, "stock": STOCK_SDL}
    sdl = compose([SubgraphSource(name, url, sdls[name]) for name, url in urls.items()])

    async def load() -> str:
        return sdl

    app = create_gateway_app(settings, load, database_url=None, secret=None, subgraph_timeout=TIMEOUT)
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module", params=list(FAILURES))
def failing(
    request: pytest.FixtureRequest, settings: SystemSettings, subgraphs: str
) -> Iterator[tuple[str, str, str]]:
    """(kind of failure, the failing subgraph's URL, the gateway's base URL)."""
    url = stock_url(request.param, subgraphs)
    with gateway(settings, {"library": f"{subgraphs}/ok/library", "stock": url}) as base:
        yield request.param, url, base


def post(base: str, query: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/graphql", json={"query": query}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_working_stack_answers_everything(settings: SystemSettings, subgraphs: str) -> None:
    urls = {"library": f"{subgraphs}/ok/library", "stock": f"{subgraphs}/ok/stock"}
    with gateway(settings, urls) as base:
        answer = post(base, QUERY)
    assert "errors" not in answer, answer
    assert answer["data"]["weather"] == "soleado"
    assert [b["stock"] for b in answer["data"]["books"]] == [1, 1, 1]


def test_a_failing_subgraph_costs_its_fields_with_errors_at_their_paths(
    failing: tuple[str, str, str], caplog: pytest.LogCaptureFixture
) -> None:
    kind, url, base = failing
    with caplog.at_level(logging.WARNING, logger="gateway.transport"):
        answer = post(base, QUERY)
    # `stock` is non-null: without it each book is null, though the library answered.
    assert answer["data"] == {"weather": None, "books": [None, None, None]}
    failure = FAILURES[kind]
    # The root fetch: an error at its field. The entity fetch over three books: one error per field it
    # owed, at the first book, with how many books lost it.
    assert [(e["path"], e["extensions"]) for e in answer["errors"]] == [
        (["weather"], {"code": failure.code, "serviceName": "stock"}),
        (["books", 0, "stock"], {"code": failure.code, "serviceName": "stock", "objects": 3}),
        (["books", 0, "note"], {"code": failure.code, "serviceName": "stock", "objects": 3}),
    ]
    port = str(httpx.URL(url).port)
    for error in answer["errors"]:
        assert error["message"] == f'The subgraph "stock" {failure.says}.'
        for secret in ("127.0.0.1", "localhost", port, "http", "Errno", "refused"):
            assert secret not in error["message"], error
    # Operators get the detail: which URL, and what happened there.
    details = [r.getMessage() for r in caplog.records if r.name == "gateway.transport"]
    assert details and all(url in detail for detail in details), details
    if kind == "closed_port":
        assert any("cannot connect" in detail for detail in details), details


def test_readiness_names_the_failing_subgraph_and_no_address(failing: tuple[str, str, str]) -> None:
    _, url, base = failing
    ready = httpx.get(f"{base}/readyz", timeout=30)
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "subgraphs": {"library": "ready", "stock": "unavailable"},
    }
    assert "127.0.0.1" not in ready.text and str(httpx.URL(url).port) not in ready.text
