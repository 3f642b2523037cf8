"""Which browser pages may call /graphql from another origin (CORS), from the `cors_origins` setting.

Starlette's CORSMiddleware does the protocol (preflights, `Vary`); this module decides its
configuration and keeps it to the GraphQL endpoint: /metrics, /readyz and GraphiQL's assets are never
readable cross-origin. Credentials (cookies) are never allowed: callers authenticate with an
`Authorization` header their own code adds, which needs no credentialed mode, and "*" with credentials
would hand any site a logged-in user's answers.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.settings import GatewaySettings

# Any port on the loopback names, over http or https: the pages a developer serves while building a client.
LOCALHOST = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"
# The headers GraphQL clients send: ours, Apollo Client's and GraphiQL's; the CORS-safelisted ones need
# no listing (Starlette adds them), except that content-type: application/json is not safelisted.
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "x-request-id",
    "x-qf-query-plan",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "apollographql-client-name",
    "apollographql-client-version",
)
PATHS = frozenset({"/graphql"})
PREFLIGHT_MAX_AGE = 600


class _PathCORS:
    """Starlette's CORSMiddleware for `paths` only; any other request goes straight to the app."""

    def __init__(self, app: ASGIApp, *, paths: Collection[str], origins: list[str], pattern: str | None):
        self.app = app
        self.paths = frozenset(paths)
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_origin_regex=pattern,
            allow_methods=("GET", "POST"),
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]  # behind a proxy that mounts the gateway under a prefix
        if scope["type"] == "http" and path in self.paths:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def cors_middleware(settings: GatewaySettings) -> list[Middleware]:
    """The middleware for the configured origins; none at all when no origin is allowed."""
    if settings.cors_origins is None:
        if settings.environment != "development":
            return []
        origins, pattern = [], LOCALHOST
    elif settings.cors_origins:
        origins, pattern = settings.cors_origins, None
    else:
        return []
    return [Middleware(_PathCORS, paths=PATHS, origins=origins, pattern=pattern)]
