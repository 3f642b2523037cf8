"""The public endpoint: one `/graphql` in front of the subgraphs.

This is the gateway's first stage, in front of a single subgraph (the registry): it takes the
client's operation, refuses the federation internals (`_entities`, `_service`) that only a gateway
may call, signs the request with the internal secret as the caller's role and forwards it.
Composition and query planning across several subgraphs replace the forwarding in `execute`
when the credits and mapping subgraphs arrive (issue 3); the server, signing and health checks stay.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from services.common.settings import Settings
from services.common.signing import Caller, sign

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
INTERNAL_FIELDS = frozenset({"_entities", "_service"})


def _error(message: str, code: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def _internal_fields(query: str) -> list[str]:
    """Root fields of the operation that belong to the federation protocol, not to clients."""
    try:
        document = parse(query)
    except GraphQLError:
        return []  # the subgraph reports syntax errors with their positions
    return sorted(
        {
            selection.name.value
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
            for selection in definition.selection_set.selections
            if isinstance(selection, FieldNode) and selection.name.value in INTERNAL_FIELDS
        }
    )


def create_gateway_app(settings: Settings) -> Starlette:
    secret = settings.require_secret()
    registry_url = settings.url_of("registry")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        limits = httpx.Limits(max_keepalive_connections=20, max_connections=100)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            app.state.client = client
            yield

    async def graphql(request: Request) -> Response:
        if request.method == "GET":
            if "text/html" in request.headers.get("accept", "") and "query" not in request.query_params:
                return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
            payload: Any = {
                "query": request.query_params.get("query"),
                "operationName": request.query_params.get("operationName"),
                "variables": json.loads(request.query_params.get("variables") or "null"),
            }
            if payload["query"] and not payload["query"].lstrip().startswith(("{", "query")):
                return _error(
                    "Only queries can be sent with GET; use POST for mutations.", "BAD_REQUEST", 405
                )
        else:
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                return _error(f"The request body is over {MAX_BODY_BYTES} bytes.", "BAD_USER_INPUT", 413)
            try:
                payload = json.loads(body)
            except ValueError:
                return _error("The request body is not JSON.", "BAD_USER_INPUT", 400)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return _error('Send {"query": "...", "variables": {...}}.', "BAD_USER_INPUT", 400)
        internal = _internal_fields(payload["query"])
        if internal:
            return _error(
                f"{', '.join(internal)} is part of the federation protocol and not open to clients.",
                "GRAPHQL_VALIDATION_FAILED",
            )
        return await execute(request.app.state.client, payload)

    async def execute(client: httpx.AsyncClient, payload: dict[str, Any]) -> Response:
        body = json.dumps(payload).encode()
        headers = sign(secret, Caller(role="public"), body=body)
        try:
            upstream = await client.post(
                registry_url, content=body, headers={**headers, "content-type": "application/json"}
            )
        except httpx.HTTPError as exc:
            log.warning("registry unreachable: %s", exc)
            return _error(
                "The registry service is unreachable; try again shortly.", "SERVICE_UNAVAILABLE", 502
            )
        return Response(upstream.content, status_code=upstream.status_code, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "service": "gateway"})

    async def readyz(request: Request) -> Response:
        ready_url = registry_url.rsplit("/graphql", 1)[0] + "/readyz"
        try:
            answer = await request.app.state.client.get(ready_url, timeout=3)
            ok = answer.status_code == 200
        except httpx.HTTPError:
            ok = False
        status = {"registry": "ready" if ok else "unavailable"}
        return JSONResponse(
            {"status": "ready" if ok else "unavailable", "subgraphs": status}, status_code=200 if ok else 503
        )

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
