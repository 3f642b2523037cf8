"""The mapping subgraph over the full official data, imported once per test session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.db import Database
from services.common.migrations import migrate_service
from services.common.settings import Settings
from services.mapping.importer import import_all
from services.mapping.store import WriteSummary
from tests.conftest import GraphQLClient


@pytest.fixture(scope="session")
async def full_import(make_database: Callable[[], Any], shared_data: Path) -> tuple[str, list[WriteSummary]]:
    """A database with every official dataset imported: its URL and the import's summaries."""
    url = await make_database()
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            summaries = await import_all(conn, shared_data)
    finally:
        await db.close()
    return url, summaries


@pytest.fixture(scope="session")
async def mapping_db(full_import: tuple[str, list[WriteSummary]]) -> AsyncIterator[Database]:
    db = await Database.connect(full_import[0], "mapping")
    yield db
    await db.close()


@pytest.fixture(scope="session")
async def mapping(
    full_import: tuple[str, list[WriteSummary]], settings: Settings
) -> AsyncIterator[GraphQLClient]:
    from services.mapping.app import create_mapping_app

    app = create_mapping_app(settings, full_import[0])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mapping") as http:
            yield GraphQLClient(http, settings.require_secret())
