"""The Starlette application every subgraph runs: `/graphql`, `/healthz`, `/readyz`.

Everything but the two health routes sits behind the internal signature check, `_entities` and
`_service` included: subgraphs take requests from the gateway only.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from services.common import migrations
from services.common.context import Context
from services.common.db import Database
from services.common.settings import Settings
from services.common.signing import InvalidSignature, verify

log = logging.getLogger(__name__)

PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})


class SignatureMiddleware:
    """Rejects unsigned requests with 401; passes the signed caller on in `scope["state"]`."""

    def __init__(self, app: ASGIApp, secret: bytes, max_age: int) -> None:
        self.app = app
        self.secret = secret
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        target = scope["path"] + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
        try:
            caller = verify(
                self.secret,
                headers,
                method=scope["method"],
                target=target,
                body=body,
                max_age=self.max_age,
            )
        except InvalidSignature as exc:
            response = JSONResponse(
                {
                    "errors": [
                        {
                            "message": f"Unauthenticated: {exc}. Subgraphs answer the gateway "
                            "only; send your request to the gateway.",
                            "extensions": {"code": "UNAUTHENTICATED"},
                        }
                    ]
                },
                status_code=401,
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class GraphQLEndpoint(GraphQL):
    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        ide = "graphiql" if settings.environment == "development" else None
        super().__init__(schema, graphql_ide=ide)
        self.settings = settings

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            db=request.app.state.db,
            caller=request.state.caller,
            settings=self.settings,
            request=request,
        )


def create_app(
    service: str,
    schema: strawberry.Schema,
    settings: Settings,
    database_url: str,
    *,
    on_startup: Callable[[Database], Awaitable[Callable[[], Awaitable[None]] | None]] | None = None,
) -> Starlette:
    """A subgraph application for `service`, whose tables live in the Postgres schema of that name.

    `on_startup` runs once the pool is open and may return a clean-up to run at shutdown.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = await Database.connect(
            database_url, service, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        app.state.db = db
        cleanup = await on_startup(db) if on_startup is not None else None
        try:
            yield
        finally:
            if cleanup is not None:
                await cleanup()
            await db.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "service": service})

    async def readyz(request: Request) -> Response:
        db: Database = request.app.state.db
        try:
            async with db.pool.acquire(timeout=2) as conn:
                missing = await migrations.pending(conn, service, migrations.service_migrations(service))
        except Exception as exc:  # any failure to reach the database means "not ready"
            log.warning("readiness check failed: %s", exc)
            return JSONResponse(
                {"status": "unavailable", "service": service, "reason": "database unreachable"},
                status_code=503,
            )
        if missing:
            return JSONResponse(
                {"status": "unavailable", "service": service, "pendingMigrations": missing},
                status_code=503,
            )
        return JSONResponse({"status": "ready", "service": service})

    graphql = GraphQLEndpoint(schema, settings)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(
        SignatureMiddleware,
        secret=settings.require_secret(),
        max_age=settings.signature_max_age_seconds,
    )
    return app
