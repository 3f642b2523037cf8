"""A small HTTP/1.1 client for the one thing the gateway does: POST JSON to a subgraph, keep-alive.

General clients cost the gateway more than the requests themselves (httpx about ten times, aiohttp
several): headers and body in separate writes, a scan of the pool per request, per-request objects.
Here a request is one write on an idle connection, and the response is parsed by httptools (the
parser uvicorn uses) in an asyncio protocol. TLS is asyncio's. A connection the server has closed
while idle is detected when it fails before any byte of the answer, and the request is sent once more
on a new connection, as browsers and Go's client do for idempotent requests; GraphQL over POST
repeats safely only when the server never saw the request, which is what that condition means.
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

import httptools


class HTTPFailure(Exception):
    """No HTTP answer: the connection failed or the answer did not parse.

    `str()` is the detail for operators' logs (it may name the host and the OS error); `reason` is
    what may be told to clients ("is unreachable"), with no address in it.
    """

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[bytes] | None = None
        self.chunks: list[bytes] = []
        self.received = False
        self.closed = False
        self.reusable = True

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HTTPFailure(f"the answer is not HTTP: {exc}", "answered something that is not HTTP"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        detail = f"connection closed{f': {exc}' if exc else ''}"
        self._fail(HTTPFailure(detail, "closed the connection before answering"))

    # httptools callbacks

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.reusable = self.parser.should_keep_alive()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(b"".join(self.chunks))

    # use

    def _fail(self, exc: Exception) -> None:
        self.reusable = False
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.chunks = []
        self.received = False
        self.transport.write(request)
        body = await self.waiter
        return self.parser.get_status_code(), body

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()


class Origin:
    """Keep-alive connections to one URL, and POSTs to it."""

    def __init__(self, url: str, max_idle: int = 100) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"{url}: only http and https subgraph URLs are supported")
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = self.port == (443 if self.ssl else 80)
        authority = self.host if default_port else f"{self.host}:{self.port}"
        self.head = f"POST {self.target} HTTP/1.1\r\nHost: {authority}\r\n".encode()
        self.idle: list[_Connection] = []
        self.max_idle = max_idle

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = b"".join((self.head, f"{extra}Content-Length: {len(body)}\r\n\r\n".encode("latin-1"), body))
        while self.idle:
            connection = self.idle.pop()
            if connection.closed or not connection.reusable:
                continue
            try:
                return await self._exchange(connection, request)
            except HTTPFailure:
                if connection.received:
                    raise  # the server answered something: never send the request twice
        return await self._exchange(await self._connect(), request)

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await loop.create_connection(_Connection, self.host, self.port, ssl=self.ssl)
        except OSError as exc:
            detail = f"cannot connect to {self.host}:{self.port}: {exc.strerror or exc}"
            raise HTTPFailure(detail, "is unreachable") from None
        return connection

    async def _exchange(self, connection: _Connection, request: bytes) -> tuple[int, bytes]:
        try:
            answer = await connection.exchange(request)
        except BaseException:
            connection.close()  # cancelled or failed mid-answer: the connection's state is unknown
            raise
        if connection.reusable and not connection.closed and len(self.idle) < self.max_idle:
            self.idle.append(connection)
        else:
            connection.close()
        return answer

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()
