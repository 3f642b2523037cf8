"""The public endpoint: one `/graphql` in front of every subgraph.

Per request: read it as GraphQL over HTTP says (gateway/graphql_http.py), authenticate the caller
(API key or public), resolve a persisted query, check the limits, plan (cached) and execute through
the subgraphs, each request signed with the caller's identity. `/healthz` says the process is up,
`/readyz` that every subgraph answers, `/metrics` serves Prometheus counters (in production on a
port of its own, `create_metrics_app`, so the public port does not expose them).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.apikeys import AnonymousOnly, ApiKeyAuthenticator, KeyStoreUnavailable, Unauthenticated
from gateway.apq import PersistedQueries
from gateway.cors import cors_middleware
from gateway.engine import Engine
from gateway.errors import GatewayError, RequestRefused
from gateway.graphiql import GraphiQL
from gateway.graphql_http import (
    GRAPHQL_RESPONSE,
    JSON,
    check_content_type,
    decode_json,
    params_of,
    params_of_query_string,
    prefers_graphql_response,
    read_body,
    wants_html,
)
from gateway.limits import Limits
from gateway.metrics import GatewayMetrics
from gateway.portal import Portal
from gateway.settings import GatewaySettings
from gateway.signing import Caller
from gateway.sources import SupergraphLoader
from gateway.supergraph import Supergraph
from gateway.transport import SubgraphClient

PLAN_HEADER = "x-qf-query-plan"
log = logging.getLogger(__name__)


class _Answer:
    """Frames the answers to one request in the media type its client accepts."""

    def __init__(self, request: Request) -> None:
        self.graphql_response = prefers_graphql_response(request.headers.get("accept"))
        self.media_type = GRAPHQL_RESPONSE if self.graphql_response else JSON

    def result(self, payload: dict[str, Any]) -> Response:
        """An executed operation: 200, with whatever `data` and `errors` it has."""
        return self.json(payload)

    def refused(self, refusal: GatewayError) -> Response:
        """A request refused before execution. One refused as such (not JSON, too big, wrong method...)
        has its own status; a well-formed one whose operation failed (parse, validation, variables,
        limits, planning) is a 400 for a client of `application/graphql-response+json`, a 200 for one
        of `application/json`."""
        if isinstance(refusal, RequestRefused):
            return self.json({"errors": refusal.errors}, refusal.status, refusal.headers)
        return self.json({"errors": refusal.errors}, 400 if self.graphql_response else 200)

    def json(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(orjson.dumps(payload), status, headers, f"{self.media_type}; charset=utf-8")


def create_gateway_app(
    settings: GatewaySettings,
    load_supergraph: SupergraphLoader,
    *,
    database_url: str | None,
    secret: bytes | None,
    subgraph_timeout: float | None = None,
    portal_dir: Path | None = None,
) -> Starlette:
    """A gateway over the supergraph `load_supergraph` returns when the app starts.

    With a database, callers authenticate with API keys from its `gateway` schema (migrated beforehand
    from `gateway.apikeys.MIGRATIONS`); without one
    (a gateway in front of somebody else's subgraphs) every caller is `public`. With `portal_dir`, the
    static pages in it are served at `/` and `/portal` (gateway/portal.py).
    """
    development = settings.environment == "development"
    introspection = settings.introspection_enabled
    limits = Limits.from_settings(settings)
    persisted = PersistedQueries(shared=settings.persisted_queries_dir)
    metrics = GatewayMetrics()
    ide = GraphiQL()
    portal = Portal(portal_dir) if portal_dir is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        supergraph = Supergraph(await load_supergraph())
        urls = {name: subgraph.url for name, subgraph in supergraph.subgraphs.items()}
        client = SubgraphClient(
            urls,
            secret,
            timeout=subgraph_timeout or settings.subgraph_timeout_seconds,
            deduplicate=settings.deduplicate_subgraph_queries,
        )
        # The key store's tables are in the "gateway" schema (gateway/migrations/, applied beforehand).
        db = await asyncpg.create_pool(database_url, min_size=1, max_size=10) if database_url else None
        app.state.authenticator = ApiKeyAuthenticator(db) if db else AnonymousOnly()
        app.state.engine = Engine(supergraph, limits, introspection=introspection)
        app.state.engine.on_plan = metrics.plan_cache
        app.state.subgraphs = client
        try:
            yield
        finally:
            await client.close()
            if db is not None:
                await db.close()

    async def graphql(request: Request) -> Response:
        started = time.perf_counter()
        framing = _Answer(request)
        try:
            response, operation_type, outcome = await answer(request, framing)
        except GatewayError as refusal:
            response, operation_type, outcome = framing.refused(refusal), None, "refused"
        except Exception:
            # Never a bare 500 from the server (text/plain, and the connection dropped): a coded error.
            log.exception("unexpected error answering a GraphQL request")
            refusal = RequestRefused(
                "The gateway failed to answer; this is a bug.", "INTERNAL_SERVER_ERROR", 500
            )
            response, operation_type, outcome = framing.refused(refusal), None, "error"
        metrics.observe_request(operation_type, outcome, time.perf_counter() - started)
        return response

    async def answer(request: Request, framing: _Answer) -> tuple[Response, str | None, str]:
        """The response, the operation's type (when known) and the outcome: ok, error or refused.
        What is refused before the operation is known raises its GatewayError."""
        if request.method == "GET":
            if introspection and wants_html(request):
                return ide.page(request), None, "ok"
            params = params_of_query_string(request)
        else:
            check_content_type(request.headers.get("content-type"))
            params = params_of(decode_json(await read_body(request, limits)))
        variables = params.variables
        query = persisted.resolve(params.query, params.extensions)
        try:
            caller = await request.app.state.authenticator.authenticate(request.headers.get("authorization"))
        except KeyStoreUnavailable as exc:
            retry = {"retry-after": str(exc.retry_after_seconds)}
            raise RequestRefused(str(exc), exc.code, 503, retry) from None
        except Unauthenticated as exc:
            raise RequestRefused(str(exc), exc.code, 401) from None
        request_id = request.headers.get("x-request-id")
        if request_id:
            caller = dataclasses.replace(caller, request_id=request_id[:100])

        engine: Engine = request.app.state.engine
        prepared, coerced = engine.prepare(query, params.operation_name, variables)
        kind = prepared.operation_type
        if request.method == "GET" and kind != "query":
            message = "Only queries can be sent with GET; use POST for mutations."
            refusal = RequestRefused(message, "BAD_REQUEST", 405, {"allow": "POST"})
            return framing.refused(refusal), kind, "refused"
        persisted.remember(query, params.extensions)
        transport = request.app.state.subgraphs.transport(caller, query=kind == "query")
        result = await engine.execute(prepared, variables, coerced, transport, metrics.observe_fetch)
        if development and request.headers.get(PLAN_HEADER):
            result.setdefault("extensions", {})["queryPlan"] = prepared.plan.describe()
        return framing.result(result), kind, "error" if "errors" in result else "ok"

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "service": "gateway"})

    async def readyz(request: Request) -> Response:
        client: SubgraphClient = request.app.state.subgraphs
        transport = client.transport(Caller(role="public"))

        async def probe(name: str) -> bool:
            try:
                answer = await asyncio.wait_for(transport(name, b'{"query":"{ __typename }"}'), 3)
            except Exception:
                return False
            return "data" in answer

        names = sorted(client.urls)
        states = await asyncio.gather(*(probe(name) for name in names))
        ok = all(states)
        subgraphs = {name: "ready" if up else "unavailable" for name, up in zip(names, states, strict=True)}
        return JSONResponse(
            {"status": "ready" if ok else "unavailable", "subgraphs": subgraphs},
            status_code=200 if ok else 503,
        )

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *(ide.routes() if introspection else ()),
        *(portal.routes() if portal is not None else ()),
    ]
    if not settings.metrics_on_own_port:
        routes.append(_metrics_route(metrics))
    app = Starlette(routes=routes, middleware=cors_middleware(settings), lifespan=lifespan)
    app.state.metrics = metrics
    return app


def create_metrics_app(metrics: GatewayMetrics) -> Starlette:
    """`/metrics` alone, for a port that Prometheus reaches and the public does not."""
    return Starlette(routes=[_metrics_route(metrics)])


def _metrics_route(metrics: GatewayMetrics) -> Route:
    async def metrics_route(request: Request) -> Response:
        body, content_type = metrics.render(request.headers.get("accept"))
        return Response(body, media_type=content_type)

    return Route("/metrics", metrics_route)
