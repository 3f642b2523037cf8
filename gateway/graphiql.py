"""GraphiQL served by the gateway itself: our small page and the pinned build it runs on.

Nothing comes from a CDN, so the IDE works offline and under a Content-Security-Policy that lets the
page talk to its own origin only. The build (GraphiQL's UMD bundle with React 18) is vendored in
static/graphiql/vendor/ by static/graphiql/fetch.sh. Assets are served under /graphiql/<digest>/, the
digest being of their content: a new build gets new URLs, so browsers may cache each for a year.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "static" / "graphiql"

# Served name -> (file under STATIC, media type), in the order the page loads the scripts.
ASSETS = {
    "graphiql.min.css": ("vendor/graphiql.min.css", "text/css; charset=utf-8"),
    "react.production.min.js": ("vendor/react.production.min.js", "text/javascript; charset=utf-8"),
    "react-dom.production.min.js": ("vendor/react-dom.production.min.js", "text/javascript; charset=utf-8"),
    "graphiql.min.js": ("vendor/graphiql.min.js", "text/javascript; charset=utf-8"),
    "boot.js": ("boot.js", "text/javascript; charset=utf-8"),
}
SCRIPTS = [name for name, (_, media_type) in ASSETS.items() if media_type.startswith("text/javascript")]

IMMUTABLE = "public, max-age=31536000, immutable"
# The only inline code on the page; the policy names it by hash instead of allowing inline styles.
PAGE_STYLE = "html,body{height:100%;margin:0}#graphiql{height:100vh}"


@dataclass
class _Asset:
    body: bytes
    media_type: str
    gzipped: bytes | None = field(default=None, repr=False)


class GraphiQL:
    """The page (served by the GraphQL route for browsers) and the routes of its assets."""

    def __init__(self, directory: Path = STATIC) -> None:
        try:
            self._assets = {
                name: _Asset((directory / path).read_bytes(), media_type)
                for name, (path, media_type) in ASSETS.items()
            }
        except FileNotFoundError as missing:
            raise RuntimeError(
                f"GraphiQL's assets are incomplete ({missing.filename} is missing): reinstall the package, "
                "or run gateway/static/graphiql/fetch.sh in a checkout."
            ) from missing
        content = hashlib.sha256()
        for name, asset in self._assets.items():
            content.update(name.encode() + b"\0" + asset.body)
        self.digest = content.hexdigest()[:16]
        style_hash = base64.b64encode(hashlib.sha256(PAGE_STYLE.encode()).digest()).decode()
        self._policy = "; ".join(
            [
                "default-src 'none'",
                "script-src 'self'",
                f"style-src 'self' 'sha256-{style_hash}'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ]
        )

    def routes(self) -> list[Route]:
        return [Route("/graphiql/{digest}/{name}", self.asset, methods=["GET"])]

    def page(self, request: Request) -> Response:
        """The IDE, talking to the URL it was served from (the GraphQL endpoint)."""
        base = html.escape(f"{request.scope.get('root_path', '')}/graphiql/{self.digest}")
        endpoint = html.escape(request.url.path)
        scripts = "\n".join(f'<script defer src="{base}/{name}"></script>' for name in SCRIPTS)
        page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{base}/graphiql.min.css">
<style>{PAGE_STYLE}</style>
{scripts}
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript. Without it, POST queries to this URL as JSON:
{{"query": "{{ __typename }}"}}</noscript>
</body>
</html>
"""
        headers = {
            "Content-Security-Policy": self._policy,
            # Small and names the current build: always revalidated, so an upgrade is seen at once.
            "Cache-Control": "no-cache",
            # The same URL answers JSON to other clients.
            "Vary": "Accept",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        return HTMLResponse(page, headers=headers)

    async def asset(self, request: Request) -> Response:
        asset = self._assets.get(request.path_params["name"])
        if asset is None or request.path_params["digest"] != self.digest:
            # An old build's URL (after an upgrade) or a made-up one: nothing to cache.
            return PlainTextResponse("Not found.", 404, headers={"Cache-Control": "no-store"})
        headers = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
        if "gzip" not in request.headers.get("accept-encoding", ""):
            return Response(asset.body, headers=headers, media_type=asset.media_type)
        if asset.gzipped is None:
            # Compressed once, on first use, off the event loop (the bundle is about 1 MB).
            asset.gzipped = await asyncio.to_thread(gzip.compress, asset.body, 6)
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, headers=headers, media_type=asset.media_type)
