"""A folder of static files (a browser portal) served beside `/graphql`, from the same origin.

The gateway knows nothing of what the folder holds: whoever starts it passes the folder (`qf serve` passes
the repository's `portal/`). Its `index.html` answers `/` and `/portal`; every other file answers
`/portal/<path>`. The files are read once, at start-up, into memory: a request can only ever name one of
them, so no path a client sends reaches the file system. Each answer carries a Content-Security-Policy
that lets the page run its own scripts and styles and talk to its own origin only.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
# A portal is a few small files; anything near this is a mistake (a build folder, a data dump).
MAX_TOTAL_BYTES = 8 * 1024 * 1024
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")

POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    # Small files, revalidated on every load (a 304 by ETag), so a new portal is seen at once.
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept-Encoding",
}


@dataclass(frozen=True)
class _File:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


class Portal:
    """The files of `directory` (its `index.html` required) and the routes that serve them."""

    def __init__(self, directory: Path) -> None:
        if not (directory / "index.html").is_file():
            raise RuntimeError(f"the portal folder {directory} has no index.html")
        self._files: dict[str, _File] = {}
        total = 0
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            media_type = MEDIA_TYPES.get(path.suffix.lower())
            # Dot-files and unknown kinds (READMEs, scripts that fetch vendored code) are not served.
            if not path.is_file() or media_type is None or any(p.startswith(".") for p in relative.parts):
                continue
            body = path.read_bytes()
            total += len(body)
            if total > MAX_TOTAL_BYTES:
                raise RuntimeError(f"the portal folder {directory} holds more than {MAX_TOTAL_BYTES} bytes")
            gzipped = gzip.compress(body, 6, mtime=0) if media_type.startswith(COMPRESSIBLE) else None
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            self._files[relative.as_posix()] = _File(body, gzipped, media_type, etag)

    @property
    def files(self) -> list[str]:
        return sorted(self._files)

    def routes(self) -> list[Route]:
        return [
            Route("/", self.index, methods=["GET", "HEAD"]),
            Route("/portal", self.index, methods=["GET", "HEAD"]),
            Route("/portal/", self.to_index, methods=["GET", "HEAD"]),
            Route("/portal/{path:path}", self.file, methods=["GET", "HEAD"]),
        ]

    async def index(self, request: Request) -> Response:
        return self._answer(request, self._files["index.html"])

    async def to_index(self, request: Request) -> Response:
        return RedirectResponse("/portal", 308)

    async def file(self, request: Request) -> Response:
        found = self._files.get(request.path_params["path"])
        if found is None:
            return PlainTextResponse("Not found.", 404, headers={"Cache-Control": "no-store", **_SAFE})
        return self._answer(request, found)

    @staticmethod
    def _answer(request: Request, file: _File) -> Response:
        headers = {**HEADERS, "ETag": file.etag}
        if file.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if file.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(file.gzipped, headers=headers, media_type=file.media_type)
        return Response(file.body, headers=headers, media_type=file.media_type)


_SAFE = {"X-Content-Type-Options": "nosniff"}
