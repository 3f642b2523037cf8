"""The Starlette application every subgraph runs: `/graphql`, `/healthz`, `/readyz`.

Everything but the two health routes sits behind the internal signature check, `_entities` and
`_service` included: subgraphs take requests from the gateway only.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from gateway.signing import Caller, InvalidSignature, read_signature
from services.common import jsonbody, migrations
from services.common.context import Context
from services.common.db import Database
from services.common.settings import Settings

log = logging.getLogger(__name__)

# Builds a service's per-request DataLoaders (see `services.common.context`).
LoadersFactory = Callable[[Database, Caller], Any]

PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")


def _refusal(status: int, message: str, code: str, **extensions: Any) -> JSONResponse:
    # Often sent before the body was read. The connection is deliberately not closed: a close with
    # unread bytes resets it, and a client still writing its body would lose this answer; the server
    # discards the rest of the body as it arrives without keeping it.
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {**extensions, "code": code}}]}, status_code=status
    )


def _too_large(size: int, limit: int, *, exact: bool) -> JSONResponse:
    said = f"{size} bytes" if exact else f"over {limit} bytes"
    return _refusal(
        413,
        f"The request body is {said}; a subgraph reads at most {limit} (QF_SUBGRAPH_MAX_BODY_BYTES).",
        "BAD_USER_INPUT",
        limit="body",
        max=limit,
        actual=size,
    )


async def read_body(receive: Receive, content_length: str | None, limit: int) -> bytes | Response | None:
    """The request body; a refusal when it is, or says it is, over `limit` bytes; None if the client left.

    A declared Content-Length is judged before anything is read, and a body without one is read only up
    to the limit. Chunks are kept in a list and joined once (no quadratic `+=`).
    """
    if content_length is not None:
        if not _CONTENT_LENGTH.fullmatch(content_length):  # digits int() takes, at most 2^63 bytes
            return _refusal(400, "The Content-Length header is not a number of bytes.", "BAD_USER_INPUT")
        if int(content_length) > limit:
            return _too_large(int(content_length), limit, exact=True)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return _too_large(size, limit, exact=False)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class SignatureMiddleware:
    """Rejects unsigned requests with 401; passes the signed caller on in `scope["state"]`.

    Headers are checked before the body is read, so an unsigned or stale request costs nothing however
    large its body; a signed one is read up to `max_body_bytes` (else 413) and its HMAC checked.
    """

    def __init__(self, app: ASGIApp, secret: bytes, max_age: int, max_body_bytes: int) -> None:
        self.app = app
        self.secret = secret
        self.max_age = max_age
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            signature = read_signature(headers, max_age=self.max_age)
        except InvalidSignature as exc:
            await _unauthenticated(exc)(scope, receive, send)
            return
        body = await read_body(receive, headers.get("content-length"), self.max_body_bytes)
        if body is None:
            return
        if isinstance(body, Response):
            await body(scope, receive, send)
            return
        # latin-1 maps every byte, so a raw non-ASCII query string fails the MAC instead of decoding.
        query = scope["query_string"].decode("latin-1")
        target = scope["path"] + (f"?{query}" if query else "")
        try:
            caller = signature.verify(self.secret, method=scope["method"], target=target, body=body)
        except InvalidSignature as exc:
            await _unauthenticated(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        delivered = False

        async def replay() -> Message:
            # The body once, as read; after it, the real channel (which reports a disconnect).
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _unauthenticated(reason: InvalidSignature) -> JSONResponse:
    return _refusal(
        401,
        f"Unauthenticated: {reason}. Subgraphs answer the gateway only; send your request to the gateway.",
        "UNAUTHENTICATED",
    )


class GraphQLEndpoint(GraphQL):
    def __init__(self, schema: strawberry.Schema, settings: Settings, loaders: LoadersFactory) -> None:
        ide = "graphiql" if settings.environment == "development" else None
        super().__init__(schema, graphql_ide=ide)
        self.settings = settings
        self.loaders = loaders

    def decode_json(self, data: str | bytes) -> object:
        return jsonbody.decode(data)

    def encode_json(self, data: object) -> bytes:
        return jsonbody.encode(data)

    async def get_context(self, request: Any, response: Any) -> Context[Any]:
        db: Database = request.app.state.db
        caller: Caller = request.state.caller
        return Context(
            db=db, caller=caller, settings=self.settings, loaders=self.loaders(db, caller), request=request
        )


def create_app(
    service: str,
    schema: strawberry.Schema,
    settings: Settings,
    database_url: str,
    *,
    loaders: LoadersFactory,
    on_startup: Callable[[Database], Awaitable[Callable[[], Awaitable[None]] | None]] | None = None,
) -> Starlette:
    """A subgraph application for `service`, whose tables live in the Postgres schema of that name.

    `loaders` builds the service's DataLoaders for each request. `on_startup` runs once the pool is
    open and may return a clean-up to run at shutdown.
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

    graphql = GraphQLEndpoint(schema, settings, loaders)
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
        max_body_bytes=settings.subgraph_max_body_bytes,
    )
    return app
