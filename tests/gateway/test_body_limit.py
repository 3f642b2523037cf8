"""Request bodies are bounded while they are read (gateway/graphql_http.py `read_body`): a 200 MiB chunked
upload is refused after about the limit, fast, and the gateway's memory stays flat.

The gateway runs as its own process (`qf serve --service gateway` over the checked-in supergraph), so
its resident memory can be read from /proc; no subgraph is needed, since a body is refused before any
GraphQL work. The checks of what a header claims run in process, through ASGI, where a test can make
the header and the body disagree (an HTTP/1.1 server frames the body by the header before the app sees it).
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from gateway.server import create_gateway_app
from gateway.sources import file_supergraph
from qf.settings import SystemSettings
from tests.gateway.conftest import our_gateway_process

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"
LIMIT = 256 * 1024
JSON = {"content-type": "application/json"}


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[str, int]]:
    with our_gateway_process(SUPERGRAPH.read_text(), {"QF_MAX_BODY_BYTES": str(LIMIT)}) as (url, process):
        yield url, process.pid


def padded_query(size: int) -> bytes:
    """A valid request of exactly `size` bytes: `{ __typename }` and a long comment."""
    body = orjson.dumps({"query": "{ __typename } #"})
    return body[:-2] + b"x" * (size - len(body)) + b'"}'


def test_a_200_mib_chunked_upload_is_refused_at_the_limit_and_memory_stays_flat(
    gateway: tuple[str, int],
) -> None:
    url, pid = gateway
    httpx.post(url, content=padded_query(LIMIT), headers=JSON)  # everything a request allocates, once
    before = resident_kib(pid)
    sent = 0

    def upload() -> Iterator[bytes]:
        # 200 MiB, one 64 KiB chunk at a time: never held by the test either.
        nonlocal sent
        chunk = b" " * 65536
        for _ in range(200 * 16):
            sent += len(chunk)
            yield chunk

    started = time.monotonic()
    answer = httpx.post(url, content=upload(), headers=JSON, timeout=30)
    took = time.monotonic() - started
    assert answer.status_code == 413, answer.text
    error = answer.json()["errors"][0]
    assert error["extensions"]["limit"] == "body" and error["extensions"]["max"] == LIMIT
    assert error["extensions"]["actual"] > LIMIT and "at least" in error["message"]
    assert answer.headers["connection"] == "close"  # the rest is never read
    # The gateway stopped reading: the client could not push the 200 MiB (only what socket buffers hold).
    assert sent < 64 * 2**20, f"the client sent {sent / 2**20:.0f} MiB before the refusal"
    assert took < 5, f"refused after {took:.1f} s"
    grown = resident_kib(pid) - before
    assert grown < 16 * 1024, f"the gateway grew by {grown} KiB"
    # And it goes on serving.
    assert httpx.post(url, json={"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}


def test_a_body_at_the_limit_is_read_whole_even_chunked(gateway: tuple[str, int]) -> None:
    url, _ = gateway
    body = padded_query(LIMIT)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    for content in (body, chunks()):
        answer = httpx.post(url, content=content, headers=JSON)
        assert answer.status_code == 200 and answer.json() == {"data": {"__typename": "Query"}}
    over = httpx.post(url, content=padded_query(LIMIT + 1), headers=JSON)
    assert over.status_code == 413 and over.json()["errors"][0]["extensions"]["actual"] == LIMIT + 1


def test_a_content_length_over_the_limit_is_refused_before_the_body_arrives(gateway: tuple[str, int]) -> None:
    url, _ = gateway
    port = httpx.URL(url).port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        # Claims 10 GiB and sends none of it: the answer cannot have waited for the body.
        sock.sendall(
            b"POST /graphql HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n"
            b"content-length: 10737418240\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):  # the gateway closes the connection after its answer
            received += chunk
    answer = received.decode()
    assert answer.startswith("HTTP/1.1 413 "), answer
    assert '"actual":10737418240' in answer and "connection: close" in answer


@pytest.fixture(scope="module")
async def in_process(settings: SystemSettings) -> AsyncIterator[httpx.AsyncClient]:
    limited = settings.model_copy(update={"max_body_bytes": 1024})
    app = create_gateway_app(limited, file_supergraph(SUPERGRAPH), database_url=None, secret=None)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client,
    ):
        yield client


async def test_a_lying_content_length_does_not_stop_the_count(in_process: httpx.AsyncClient) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }'
        yield b" " * 4096
        yield b'"}'

    answer = await in_process.post("/graphql", content=body(), headers={**JSON, "content-length": "30"})
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["actual"] > 1024


@pytest.mark.parametrize("declared", ["abc", "-1", "1e3", "12 34", "", b"\xb2"])
async def test_a_content_length_that_is_not_a_number_is_refused(
    in_process: httpx.AsyncClient, declared: str
) -> None:
    answer = await in_process.post("/graphql", content=b"{}", headers={**JSON, "content-length": declared})
    assert answer.status_code == 413
    error = answer.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": "body", "max": 1024}
    assert "Content-Length" in error["message"]
