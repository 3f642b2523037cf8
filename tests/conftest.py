"""Shared fixtures: a real PostgreSQL (QF_TEST_DATABASE_URL, or an embedded server), fresh databases,
and signed GraphQL calls against in-process subgraph apps."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from gateway.signing import Caller, sign
from qf.settings import SystemSettings
from services.common.db import Database
from services.common.migrations import migrate_service

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TEST_SECRET = "test-internal-secret"
DROP_CONNECTIONS = 32
OWN_IMPORT = "own_import"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{OWN_IMPORT}: the module writes to the full import, so it gets a copy of its own"
    )


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A maintenance URL for the server the tests use."""
    configured = os.environ.get("QF_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from services.common.embedded import embedded_server

    # The server stops before its folder is deleted: the session leaves no process behind.
    with (
        tempfile.TemporaryDirectory(prefix="qf-test-pg-") as folder,
        embedded_server(Path(folder), database="postgres") as url,
    ):
        yield url


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[..., Any]]:
    """Creates throw-away databases on the test server; drops them all at the end."""
    created: list[str] = []

    async def make(template: str | None = None) -> str:
        """A new database, empty or (`template`, a database nobody is connected to) a copy of one."""
        name = f"qf_test_{secrets.token_hex(6)}"
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        finally:
            await conn.close()
        created.append(name)
        return with_database(server_url, name)

    yield make

    import asyncio

    # PostgreSQL ends every DROP DATABASE by waiting for a checkpoint, which on a server busy with other
    # writers takes seconds (one after another, a session's drops took minutes). Drops waiting at the
    # same time share the checkpoints, so they run together, a bounded number of connections at once
    # (a whole session makes some seventy databases; the server allows 400 connections).
    gate = asyncio.Semaphore(DROP_CONNECTIONS)

    async def drop(name: str) -> None:
        async with gate:
            conn = await asyncpg.connect(server_url)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

    async def drop_all() -> list[str]:
        # Every drop is tried, whatever another's fate (a server out of connections while other suites
        # run on it, say): one failure must not leave the rest of the session's databases behind.
        outcomes = await asyncio.gather(*(drop(name) for name in created), return_exceptions=True)
        pairs = zip(created, outcomes, strict=True)
        return [f"{name}: {outcome!r}" for name, outcome in pairs if isinstance(outcome, Exception)]

    failed = asyncio.run(drop_all())
    if failed:
        import warnings

        warnings.warn("test databases left behind: " + "; ".join(failed), stacklevel=1)


@pytest.fixture(scope="session")
def settings() -> SystemSettings:
    """The subgraphs' and the gateway's settings in one value, as `qf` hands them to each."""
    return SystemSettings(
        internal_secret=TEST_SECRET,
        curp_salt="test-curp-salt",
        database_url="unused",
        environment="development",
    )


@pytest.fixture(scope="session")
async def registry_url(make_database: Callable[[], Any], settings: SystemSettings) -> str:
    """A database with the registry migrated and the built-in sample loaded."""
    from services.registry.sample import load_sample

    url = await make_database()
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    try:
        await load_sample(db, settings.require_curp_salt())
    finally:
        await db.close()
    return url


@pytest.fixture
async def empty_registry_db(make_database: Callable[[], Any]) -> AsyncIterator[Database]:
    """A fresh database of its own with the registry migrated and nothing loaded."""
    url = await make_database()
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    yield db
    await db.close()


@pytest.fixture(scope="session")
async def registry_db(registry_url: str) -> AsyncIterator[Database]:
    db = await Database.connect(registry_url, "registry")
    yield db
    await db.close()


class GraphQLClient:
    """Signed GraphQL calls to one in-process subgraph app, as the gateway would make them."""

    def __init__(self, http: httpx.AsyncClient, secret: bytes) -> None:
        self.http = http
        self.secret = secret

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: str = "public",
        subject: str | None = None,
        scope: str | None = None,
        person: str | None = None,
    ) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        caller = Caller(role=role, subject=subject, scope=scope, person=person)
        headers = sign(self.secret, caller, body=body)
        response = await self.http.post(
            "/graphql", content=body, headers={**headers, "content-type": "application/json"}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, **who: Any) -> Any:
        """The response's data, failing the test on any error."""
        result = await self.post(query, variables, **who)
        assert not result.get("errors"), result["errors"]
        return result["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None, **who: Any) -> dict:
        """The response's first error, failing the test if there is none."""
        result = await self.post(query, variables, **who)
        assert result.get("errors"), f"expected an error, got {result}"
        return result["errors"][0]


@pytest.fixture(scope="session")
async def registry_app(registry_url: str, settings: SystemSettings) -> AsyncIterator[Any]:
    from services.registry.app import create_registry_app

    app = create_registry_app(settings, registry_url)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def registry(registry_app: Any, settings: SystemSettings) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
        yield GraphQLClient(http, settings.require_secret())


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real reference data is missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
async def full_import_template(make_database: Callable[..., Any], shared_data: Path) -> tuple[str, list[Any]]:
    """Every official dataset imported into a database that no test connects to, so that it can be
    copied: its name and the import's summaries. Tests use `full_import` or `copy_of_full_import`."""
    from services.mapping.importer import import_all

    url = await make_database()
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            summaries = await import_all(conn, shared_data)
    finally:
        await db.close()
    return urlsplit(url).path.lstrip("/"), summaries


@pytest.fixture(scope="session")
def copy_of_full_import(
    make_database: Callable[..., Any], full_import_template: tuple[str, list[Any]]
) -> Callable[[], Any]:
    """Makes a database of its own with every official dataset imported (a copy, made in seconds):
    `await copy_of_full_import()` is its URL and the import's summaries. For tests that write."""
    template, summaries = full_import_template

    async def copy() -> tuple[str, list[Any]]:
        return await make_database(template=template), summaries

    return copy


@pytest.fixture(scope="session")
async def shared_full_import(copy_of_full_import: Callable[[], Any]) -> tuple[str, list[Any]]:
    """A database with every official dataset imported, shared by the session's modules that only read."""
    return await copy_of_full_import()


@pytest.fixture(scope="module")
async def full_import(
    request: pytest.FixtureRequest,
    shared_full_import: tuple[str, list[Any]],
    copy_of_full_import: Callable[[], Any],
) -> tuple[str, list[Any]]:
    """A database with every official dataset imported: its URL and the import's summaries.

    Modules share one, which they only read. A module marked `own_import` (its tests write: proposals,
    reviews, edges) gets a copy of its own, so that what it writes is seen by no other module, and no
    result depends on the order modules run in."""
    if request.node.get_closest_marker(OWN_IMPORT):
        return await copy_of_full_import()
    return shared_full_import
