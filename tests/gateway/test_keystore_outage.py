"""While PostgreSQL cannot answer, a key that is not cached gets a coded 503 to retry on a connection that
stays open; cached keys and public calls go on working (gateway/apikeys.py `KeyStoreUnavailable`).

The outage is real: the gateway's keys live in a throw-away database on the test server, which the test
closes to connections (`ALLOW_CONNECTIONS false`, its backends terminated) and opens again; and a table
lock another connection holds makes the store too slow.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import orjson
import pytest

from gateway.apikeys import ApiKeyAuthenticator, KeyStoreUnavailable, create_api_key
from gateway.composition import SubgraphSource, compose
from gateway.server import create_gateway_app
from qf.database import migrate_gateway
from qf.settings import SystemSettings
from services.common.db import Database
from tests.gateway.servers import serve
from tests.gateway.synthetic import subgraph_list


@pytest.fixture(scope="module")
async def store(make_database: Callable[[], Any]) -> tuple[str, str, str]:
    """The key store's URL, and two admin keys."""
    url = await make_database()
    await migrate_gateway(url)
    db = await Database.connect(url, "gateway")
    try:
        return url, await create_api_key(db, "admin", "cached"), await create_api_key(db, "admin", "uncached")
    finally:
        await db.close()


@pytest.fixture(scope="module")
def gateway(
    store: tuple[str, str, str], settings: SystemSettings, synthetic_url: str
) -> Iterator[tuple[str, int]]:
    subgraphs = subgraph_list("mutations", synthetic_url)
    supergraph = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in subgraphs])

    async def load() -> str:
        return supergraph

    app = create_gateway_app(settings, load, database_url=store[0], secret=settings.require_secret())
    with serve(app) as base:
        split = urlsplit(base)
        yield split.hostname or "127.0.0.1", split.port or 80


class KeepAlive:
    """One HTTP/1.1 connection, kept open across requests, as a client pool keeps it."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address, timeout=15)
        self.pending = b""

    def post(self, query: str, key: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
        body = orjson.dumps({"query": query})
        head = "POST /graphql HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n"
        head += f"content-length: {len(body)}\r\n" + (f"authorization: Bearer {key}\r\n" if key else "")
        self.sock.sendall(head.encode() + b"\r\n" + body)
        while b"\r\n\r\n" not in self.pending:
            self.pending += self._receive()
        raw_head, self.pending = self.pending.split(b"\r\n\r\n", 1)
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        length = int(headers["content-length"])
        while len(self.pending) < length:
            self.pending += self._receive()
        payload, self.pending = self.pending[:length], self.pending[length:]
        return int(status_line.split()[1]), headers, orjson.loads(payload)

    def _receive(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the gateway closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


@contextlib.asynccontextmanager
async def closed_to_connections(server_url: str, database_url: str) -> AsyncIterator[None]:
    """The database refuses new connections and loses its open ones, until the block ends."""
    name = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            """SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE datname = $1 AND pid <> pg_backend_pid()""",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


PUBLIC_QUERY = "{ __typename }"


async def test_an_unreachable_key_store_is_a_coded_503_on_a_connection_that_stays_open(
    gateway: tuple[str, int], store: tuple[str, str, str], server_url: str
) -> None:
    url, cached, uncached = store
    client = KeepAlive(gateway)
    try:
        status, _, answer = client.post(PUBLIC_QUERY, cached)  # read once: cached from now on
        assert (status, answer) == (200, {"data": {"__typename": "Query"}})

        async with closed_to_connections(server_url, url):
            started = time.monotonic()
            status, headers, answer = client.post(PUBLIC_QUERY, uncached)
            assert time.monotonic() - started < 3, "the refusal waited for a timeout"
            assert status == 503, answer
            assert headers["content-type"].startswith("application/json")
            assert headers["retry-after"] == "5" and "close" not in headers.get("connection", "")
            error = answer["errors"][0]
            assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
            assert "retry" in error["message"].lower()
            # The same connection goes on: public calls and the cached key work during the outage.
            assert client.post(PUBLIC_QUERY)[0::2] == (200, {"data": {"__typename": "Query"}})
            assert client.post(PUBLIC_QUERY, cached)[0] == 200
            assert client.post(PUBLIC_QUERY, uncached)[0] == 503  # still out: not cached as unknown

        # Back: the pool reconnects and the key is checked.
        assert client.post(PUBLIC_QUERY, uncached)[0::2] == (200, {"data": {"__typename": "Query"}})
    finally:
        client.close()


async def test_a_key_store_too_slow_to_answer_is_unavailable_after_the_timeout(
    store: tuple[str, str, str],
) -> None:
    url, _, uncached = store
    db = await Database.connect(url, "gateway")
    locker = await asyncpg.connect(url)
    try:
        authenticator = ApiKeyAuthenticator(db, timeout_seconds=0.5)
        async with locker.transaction():
            await locker.execute("LOCK TABLE gateway.api_keys IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            with pytest.raises(KeyStoreUnavailable) as caught:
                await authenticator.authenticate(f"Bearer {uncached}")
            assert 0.4 < time.monotonic() - started < 3
        assert caught.value.code == "SERVICE_UNAVAILABLE"
        assert (await authenticator.authenticate(f"Bearer {uncached}")).role == "admin"
    finally:
        await locker.close()
        await db.close()
