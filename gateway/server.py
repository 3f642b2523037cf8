"""The public endpoint: one `/graphql` in front of every subgraph.

Per request: authenticate the caller (API key or public), resolve a persisted query, check the
limits, plan (cached) and execute through the subgraphs, each request signed with the caller's
identity. `/healthz` says the process is up, `/readyz` that every subgraph answers, `/metrics`
serves Prometheus counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.apikeys import AnonymousOnly, ApiKeyAuthenticator
from gateway.apq import PersistedQueries, QueryRefused
from gateway.cors import cors_middleware
from gateway.engine import Engine, GatewayError
from gateway.graphiql import GraphiQL
from gateway.limits import Limits, check_body_size
from gateway.metrics import GatewayMetrics
from gateway.sources import SupergraphLoader
from gateway.supergraph import Supergraph
from gateway.transport import SubgraphClient
from services.common.db import Database
from services.common.errors import QFError
from services.common.settings import Settings
from services.common.signing import Caller

PLAN_HEADER = "x-qf-query-plan"


def _json(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def _refusal(message: str, code: str, status: int = 400, **extensions: Any) -> Response:
    return _json({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}, status)


def create_gateway_app(
    settings: Settings,
    load_supergraph: SupergraphLoader,
    *,
    database_url: str | None,
    secret: bytes | None,
    subgraph_timeout: float | None = None,
) -> Starlette:
    """A gateway over the supergraph `load_supergraph` returns when the app starts.

    With a database, callers authenticate with API keys from its `gateway` schema; without one
    (a gateway in front of somebody else's subgraphs) every caller is `public`.
    """
    development = settings.environment == "development"
    limits = Limits.from_settings(settings)
    persisted = PersistedQueries()
    metrics = GatewayMetrics()
    ide = GraphiQL()

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
        db = await Database.connect(database_url, "gateway") if database_url else None
        app.state.authenticator = ApiKeyAuthenticator(db) if db else AnonymousOnly()
        app.state.engine = Engine(supergraph, limits)
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
        response, operation_type, outcome = await answer(request)
        metrics.observe_request(operation_type, outcome, time.perf_counter() - started)
        return response

    async def answer(request: Request) -> tuple[Response, str | None, str]:
        """The response, the operation's type (when known) and the outcome: ok, error or refused."""
        if request.method == "GET":
            if "text/html" in request.headers.get("accept", "") and not request.query_params:
                return ide.page(request), None, "ok"
            try:
                payload: Any = {
                    key: orjson.loads(request.query_params[key]) if key in request.query_params else None
                    for key in ("variables", "extensions")
                }
            except orjson.JSONDecodeError:
                return _refusal("variables and extensions must be JSON.", "BAD_USER_INPUT"), None, "refused"
            payload["query"] = request.query_params.get("query")
            payload["operationName"] = request.query_params.get("operationName")
        else:
            body = await request.body()
            too_big = check_body_size(len(body), limits)
            if too_big is not None:
                return _json({"errors": [too_big.formatted]}, 413), None, "refused"
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                return _refusal("The request body is not JSON.", "BAD_USER_INPUT"), None, "refused"
        if not isinstance(payload, dict):
            return (
                _refusal('Send a JSON object: {"query": "...", "variables": {...}}.', "BAD_USER_INPUT"),
                None,
                "refused",
            )
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            return _refusal("variables must be a JSON object.", "BAD_USER_INPUT"), None, "refused"
        try:
            query = persisted.resolve(payload.get("query"), payload.get("extensions"))
        except QueryRefused as refused:
            body = orjson.dumps({"errors": [refused.formatted]})
            return Response(body, refused.status, refused.headers, "application/json"), None, "refused"
        try:
            caller = await request.app.state.authenticator.authenticate(request.headers.get("authorization"))
        except QFError as exc:
            return _refusal(str(exc), exc.code, 401), None, "refused"
        request_id = request.headers.get("x-request-id")
        if request_id:
            caller = Caller(caller.role, caller.subject, caller.scope, request_id[:100])

        engine: Engine = request.app.state.engine
        operation_name = payload.get("operationName")
        try:
            prepared, coerced = engine.prepare(query, operation_name, variables)
        except GatewayError as exc:
            return _json({"errors": exc.errors}, 400), None, "refused"
        kind = prepared.operation_type
        if request.method == "GET" and kind != "query":
            message = "Only queries can be sent with GET; use POST for mutations."
            return _refusal(message, "BAD_REQUEST", 405), kind, "refused"
        persisted.remember(query, payload.get("extensions"))
        transport = request.app.state.subgraphs.transport(caller, query=kind == "query")
        result = await engine.execute(prepared, variables, coerced, transport, metrics.observe_fetch)
        if development and request.headers.get(PLAN_HEADER):
            result.setdefault("extensions", {})["queryPlan"] = prepared.plan.describe()
        return _json(result), kind, "error" if "errors" in result else "ok"

    async def metrics_route(request: Request) -> Response:
        body, content_type = metrics.render(request.headers.get("accept"))
        return Response(body, media_type=content_type)

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

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_route),
            *ide.routes(),
        ],
        middleware=cors_middleware(settings),
        lifespan=lifespan,
    )
