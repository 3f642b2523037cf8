"""The gateway's HTTP/1.1 client against a real server: keep-alive, stale connections, chunked
answers, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.http1 import HTTPFailure, Origin
from tests.gateway.servers import free_port, serve


async def echo(request: Request) -> Response:
    # The client's port tells connections apart; the body and a header come back to check them.
    body = await request.body()
    port = request.client.port if request.client else 0
    return PlainTextResponse(f"{port}|{request.headers.get('x-test')}|{body.decode()}")


async def chunked(request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for part in (b'{"data": ', b'{"n": 1}', b"}"):
            yield part

    return StreamingResponse(parts(), media_type="application/json")


async def closing(request: Request) -> Response:
    return PlainTextResponse("bye", headers={"connection": "close"})


APP = Starlette(
    routes=[
        Route("/echo", echo, methods=["POST"]),
        Route("/chunked", chunked, methods=["POST"]),
        Route("/closing", closing, methods=["POST"]),
    ]
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP, timeout_keep_alive=1) as url:
        yield url


async def test_requests_reuse_one_connection(base: str) -> None:
    origin = Origin(f"{base}/echo")
    status, first = await origin.post(b"one", {"X-Test": "a"})
    _, second = await origin.post(b"two", {"X-Test": "b"})
    assert status == 200
    assert first.split(b"|")[1:] == [b"a", b"one"] and second.split(b"|")[1:] == [b"b", b"two"]
    assert first.split(b"|")[0] == second.split(b"|")[0]  # the same client port: one connection
    origin.close()


async def test_concurrent_requests_open_more_connections_and_keep_them(base: str) -> None:
    origin = Origin(f"{base}/echo")
    answers = await asyncio.gather(*(origin.post(str(i).encode(), {}) for i in range(5)))
    assert sorted(a.split(b"|")[2] for _, a in answers) == [b"0", b"1", b"2", b"3", b"4"]
    assert len(origin.idle) == 5
    origin.close()


async def test_a_connection_the_server_closed_while_idle_is_replaced(base: str) -> None:
    origin = Origin(f"{base}/echo")
    _, first = await origin.post(b"x", {})
    await asyncio.sleep(1.5)  # past the server's keep-alive timeout: it closes the idle connection
    status, second = await origin.post(b"y", {})
    assert status == 200 and second.endswith(b"|y")
    assert first.split(b"|")[0] != second.split(b"|")[0]
    origin.close()


async def test_chunked_answers_are_joined(base: str) -> None:
    status, body = await Origin(f"{base}/chunked").post(b"{}", {})
    assert status == 200 and body == b'{"data": {"n": 1}}'


async def test_connection_close_is_honoured(base: str) -> None:
    origin = Origin(f"{base}/closing")
    assert (await origin.post(b"", {}))[1] == b"bye"
    assert origin.idle == []


async def test_nobody_listening_is_a_clear_failure() -> None:
    port = free_port()
    with pytest.raises(HTTPFailure, match="cannot connect") as failure:
        await Origin(f"http://127.0.0.1:{port}/graphql").post(b"{}", {})
    # The detail names the address, for the log; the reason, which clients may see, does not.
    assert f"127.0.0.1:{port}" in str(failure.value)
    assert failure.value.reason == "is unreachable"


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="only http and https"):
        Origin("ftp://example.org/graphql")
