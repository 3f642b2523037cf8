"""A subgraph refuses an unsigned request before reading its body, and reads a signed body only up to
`QF_SUBGRAPH_MAX_BODY_BYTES` (413 past it): against the registry served by uvicorn on a real socket,
and in process where the test can count the chunks the app pulled."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.signing import Caller, sign
from services.common.settings import Settings
from tests.gateway.servers import serve

MIB = 1024 * 1024
HUGE = 100 * MIB
LIMIT = 256 * 1024  # the app under test reads at most this much
# The acceptance bar is 50 ms; the margin absorbs a loaded two-core test machine.
REFUSED_WITHIN = 0.25

QUERY = json.dumps({"query": "{ levelDescriptors { level } }"}).encode()


@pytest.fixture(scope="module")
def small_limit(settings: Settings) -> Settings:
    return settings.model_copy(update={"subgraph_max_body_bytes": LIMIT})


@pytest.fixture(scope="module")
def registry_server(registry_url: str, small_limit: Settings) -> Iterator[tuple[str, int]]:
    """The registry behind uvicorn on a free port: (host, port)."""
    from services.registry.app import create_registry_app

    with serve(create_registry_app(small_limit, registry_url)) as url:
        parts = urlsplit(url)
        yield parts.hostname or "127.0.0.1", parts.port or 80


def chunks(total: int, size: int = MIB) -> Iterator[bytes]:
    """`total` bytes of body, made one chunk at a time (never held whole)."""
    block = b"x" * size
    for _ in range(total // size):
        yield block


async def post_raw(
    address: tuple[str, int], headers: dict[str, str], body: Iterator[bytes]
) -> tuple[int, dict[str, Any], float]:
    """POST over a socket, streaming `body` until the server answers: (status, JSON, seconds to answer).

    The body is written while the answer is awaited, as a client that reads as it writes does; the time
    runs from the first byte of the request to the end of the answer's head.
    """
    reader, writer = await asyncio.open_connection(*address)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    async def write_body() -> None:
        with contextlib.suppress(ConnectionError):
            for chunk in body:
                writer.write(chunk)
                await writer.drain()

    started = time.perf_counter()
    writer.write(f"POST /graphql HTTP/1.1\r\nhost: subgraph\r\n{head}\r\n".encode("latin-1"))
    sending = asyncio.ensure_future(write_body())
    try:
        raw_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        elapsed = time.perf_counter() - started
        lines = raw_head.decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
        payload = json.loads(await asyncio.wait_for(reader.readexactly(int(fields["content-length"])), 10))
        return int(lines[0].split()[1]), payload, elapsed
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        writer.close()


def signed_headers(settings: Settings, body: bytes | None, **extra: str) -> dict[str, str]:
    """Signature headers for `body` (None: a signature over something else, for bodies never read)."""
    return {
        **sign(settings.require_secret(), Caller(), body=body if body is not None else b"other"),
        "content-type": "application/json",
        **extra,
    }


async def test_unsigned_huge_post_is_refused_before_its_body(registry_server: tuple[str, int]) -> None:
    headers = {"content-type": "application/json", "content-length": str(HUGE)}
    status, payload, elapsed = await post_raw(registry_server, headers, chunks(HUGE))
    assert status == 401
    assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert elapsed < REFUSED_WITHIN, f"refused after {elapsed * 1000:.0f} ms"


async def test_unsigned_chunked_post_is_refused_before_its_body(registry_server: tuple[str, int]) -> None:
    def chunked() -> Iterator[bytes]:
        for chunk in chunks(HUGE):
            yield b"%x\r\n%s\r\n" % (len(chunk), chunk)

    headers = {"content-type": "application/json", "transfer-encoding": "chunked"}
    status, payload, elapsed = await post_raw(registry_server, headers, chunked())
    assert status == 401
    assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert elapsed < REFUSED_WITHIN, f"refused after {elapsed * 1000:.0f} ms"


async def test_stale_signature_is_refused_before_the_body(
    registry_server: tuple[str, int], settings: Settings
) -> None:
    headers = {
        **sign(settings.require_secret(), Caller(), body=b"", now=time.time() - 3600),
        "content-length": str(HUGE),
    }
    status, payload, elapsed = await post_raw(registry_server, headers, chunks(HUGE))
    assert status == 401
    assert "expired" in payload["errors"][0]["message"]
    assert elapsed < REFUSED_WITHIN


async def test_signed_but_oversized_body_is_413(registry_server: tuple[str, int], settings: Settings) -> None:
    headers = signed_headers(settings, None, **{"content-length": str(HUGE)})
    status, payload, elapsed = await post_raw(registry_server, headers, chunks(HUGE))
    assert status == 413
    error = payload["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": "body", "max": LIMIT, "actual": HUGE}
    assert "QF_SUBGRAPH_MAX_BODY_BYTES" in error["message"]
    assert elapsed < REFUSED_WITHIN


async def test_signed_chunked_body_is_cut_at_the_limit(
    registry_server: tuple[str, int], settings: Settings
) -> None:
    """Without a Content-Length the body is read as it comes, and refused once past the limit."""

    def chunked() -> Iterator[bytes]:
        for chunk in chunks(HUGE, 64 * 1024):
            yield b"%x\r\n%s\r\n" % (len(chunk), chunk)

    headers = signed_headers(settings, None, **{"transfer-encoding": "chunked"})
    status, payload, _ = await post_raw(registry_server, headers, chunked())
    assert status == 413
    extensions = payload["errors"][0]["extensions"]
    assert extensions["max"] == LIMIT
    # The server hands the body over as it reads the socket, so the refusal comes within one read of it.
    assert LIMIT < extensions["actual"] < LIMIT + MIB


async def test_signed_body_within_the_limit_is_answered(
    registry_server: tuple[str, int], settings: Settings
) -> None:
    # A real query padded with whitespace to just under the limit.
    body = QUERY[:-1] + b" " * (LIMIT - len(QUERY)) + b"}"
    assert len(body) == LIMIT
    headers = signed_headers(settings, body, **{"content-length": str(len(body))})
    status, payload, _ = await post_raw(registry_server, headers, iter([body]))
    assert status == 200, payload
    assert len(payload["data"]["levelDescriptors"]) == 5


# --- in process: what the app pulls of the body ----------------------------------------------


@pytest.fixture(scope="module")
async def limited_app(registry_url: str, small_limit: Settings) -> AsyncIterator[Any]:
    from services.registry.app import create_registry_app

    app = create_registry_app(small_limit, registry_url)
    async with app.router.lifespan_context(app):
        yield app


class CountingBody:
    """A 100 MiB request body made chunk by chunk, counting how many chunks were asked for."""

    def __init__(self) -> None:
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in chunks(HUGE):
            self.pulled += 1
            yield chunk


async def post_in_process(app: Any, headers: dict[str, str], body: CountingBody) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        return await client.post("/graphql", content=body, headers=headers)


async def test_unsigned_body_is_never_pulled(limited_app: Any) -> None:
    body = CountingBody()
    started = time.perf_counter()
    response = await post_in_process(limited_app, {"content-type": "application/json"}, body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body.pulled == 0
    assert elapsed < REFUSED_WITHIN


async def test_signed_body_is_pulled_only_up_to_the_limit(limited_app: Any, settings: Settings) -> None:
    body = CountingBody()
    response = await post_in_process(limited_app, signed_headers(settings, None), body)
    assert response.status_code == 413
    assert body.pulled == 1  # one 1 MiB chunk is already past the 256 KiB limit


async def call_asgi(app: Any, headers: dict[str, str], query_string: bytes = b"") -> tuple[int, dict]:
    """One request straight through the ASGI interface, with headers no HTTP server would pass on."""
    messages = [{"type": "http.request", "body": QUERY, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": query_string,
        "root_path": "",
        "headers": [(k.encode("latin-1"), v.encode("utf-8")) for k, v in headers.items()],
        "server": ("registry", 80),
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.mark.parametrize("length", ["abc", "-1", "1e9", "١٢", " 12", "9" * 19, "9" * 5000])
async def test_content_length_that_is_not_a_number_is_400(
    limited_app: Any, settings: Settings, length: str
) -> None:
    """uvicorn refuses most of these itself; the app does too, whatever server it runs in."""
    status, payload = await call_asgi(
        limited_app, signed_headers(settings, QUERY, **{"content-length": length})
    )
    assert status == 400
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_raw_bytes_in_the_query_string_are_401_not_500(limited_app: Any, settings: Settings) -> None:
    status, payload = await call_asgi(limited_app, signed_headers(settings, QUERY), b"x=\xff\xfe")
    assert status == 401
    assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
