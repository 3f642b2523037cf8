"""The mapping subgraph over the full official data (`full_import`, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.common.db import Database
from services.common.settings import Settings
from services.mapping.store import WriteSummary
from tests.conftest import GraphQLClient


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
