"""The mapping subgraph over the full official data (`full_import`, in tests/conftest.py).

`mapping_db` and `mapping` work on the module's `full_import`: the session's shared import, or a copy
of the module's own when the module is marked `pytest.mark.own_import` because its tests write.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from services.common.db import Database
from services.common.settings import Settings
from services.mapping.store import WriteSummary
from tests.conftest import GraphQLClient

Import = tuple[str, list[WriteSummary]]


@contextlib.asynccontextmanager
async def _database(url: str) -> AsyncIterator[Database]:
    db = await Database.connect(url, "mapping")
    try:
        yield db
    finally:
        await db.close()


@contextlib.asynccontextmanager
async def _client(url: str, settings: Settings) -> AsyncIterator[GraphQLClient]:
    """Signed calls to the mapping subgraph's app over the database at `url`, in process."""
    from services.mapping.app import create_mapping_app

    app = create_mapping_app(settings, url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mapping") as http:
            yield GraphQLClient(http, settings.require_secret())


@pytest.fixture(scope="session")
async def shared_mapping_db(shared_full_import: Import) -> AsyncIterator[Database]:
    async with _database(shared_full_import[0]) as db:
        yield db


@pytest.fixture(scope="session")
async def shared_mapping(shared_full_import: Import, settings: Settings) -> AsyncIterator[GraphQLClient]:
    async with _client(shared_full_import[0], settings) as client:
        yield client


@pytest.fixture(scope="module")
async def mapping_db(
    full_import: Import, shared_full_import: Import, shared_mapping_db: Database
) -> AsyncIterator[Database]:
    if full_import is shared_full_import:
        yield shared_mapping_db
        return
    async with _database(full_import[0]) as db:
        yield db


@pytest.fixture(scope="module")
async def mapping(
    full_import: Import, shared_full_import: Import, shared_mapping: GraphQLClient, settings: Settings
) -> AsyncIterator[GraphQLClient]:
    if full_import is shared_full_import:
        yield shared_mapping
        return
    async with _client(full_import[0], settings) as client:
        yield client
