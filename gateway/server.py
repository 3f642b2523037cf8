"""The public endpoint: one `/graphql` in front of every subgraph.

Per request: authenticate the caller (API key or public), resolve a persisted query, check the
limits, plan (cached) and execute through the subgraphs, each request signed with the caller's
identity. `/healthz` says the process is up, `/readyz` that every subgraph answers, `/metrics`
serves Prometheus counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from gateway.apikeys import AnonymousOnly, ApiKeyAuthenticator
from gateway.engine import Engine, GatewayError
from gateway.sources import SupergraphLoader
from gateway.supergraph import Supergraph
from gateway.transport import SubgraphClient
from services.common.db import Database
from services.common.errors import QFError
from services.common.settings import Settings
from services.common.signing import Caller

log = logging.getLogger(__name__)

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
    subgraph_timeout: float = 10.0,
) -> Starlette:
    """A gateway over the supergraph `load_supergraph` returns when the app starts.

    With a database, callers authenticate with API keys from its `gateway` schema; without one
    (a gateway in front of somebody else's subgraphs) every caller is `public`.
    """
    development = settings.environment == "development"

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        supergraph = Supergraph(await load_supergraph())
        urls = {name: subgraph.url for name, subgraph in supergraph.subgraphs.items()}
        client = SubgraphClient(urls, secret, timeout=subgraph_timeout)
        db = await Database.connect(database_url, "gateway") if database_url else None
        app.state.authenticator = ApiKeyAuthenticator(db) if db else AnonymousOnly()
        app.state.engine = Engine(supergraph)
        app.state.subgraphs = client
        try:
            yield
        finally:
            await client.close()
            if db is not None:
                await db.close()

    async def graphql(request: Request) -> Response:
        if request.method == "GET":
            if "query" not in request.query_params and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
            try:
                payload: Any = {
                    "query": request.query_params.get("query"),
                    "operationName": request.query_params.get("operationName"),
                    "variables": orjson.loads(request.query_params.get("variables") or "null"),
                }
            except orjson.JSONDecodeError:
                return _refusal("The variables parameter is not JSON.", "BAD_USER_INPUT")
        else:
            body = await request.body()
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                return _refusal("The request body is not JSON.", "BAD_USER_INPUT")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return _refusal('Send a JSON object: {"query": "...", "variables": {...}}.', "BAD_USER_INPUT")
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            return _refusal("variables must be a JSON object.", "BAD_USER_INPUT")
        try:
            caller = await request.app.state.authenticator.authenticate(request.headers.get("authorization"))
        except QFError as exc:
            return _refusal(str(exc), exc.code, 401)
        request_id = request.headers.get("x-request-id")
        if request_id:
            caller = Caller(caller.role, caller.subject, caller.scope, request_id[:100])

        engine: Engine = request.app.state.engine
        try:
            prepared, coerced = engine.prepare(payload["query"], payload.get("operationName"), variables)
        except GatewayError as exc:
            return _json({"errors": exc.errors}, 400)
        if request.method == "GET" and prepared.operation_type != "query":
            return _refusal("Only queries can be sent with GET; use POST for mutations.", "BAD_REQUEST", 405)
        transport = request.app.state.subgraphs.transport(caller)
        response = await engine.execute(prepared, variables, coerced, transport)
        if development and request.headers.get(PLAN_HEADER):
            response["extensions"] = {"queryPlan": prepared.plan.describe()}
        return _json(response)

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
        ],
        lifespan=lifespan,
    )
