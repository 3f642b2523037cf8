"""A registry over the full RENEC list, shared by the test modules that need real data."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.common.db import Database
from services.common.migrations import migrate_service
from services.common.settings import Settings
from services.registry.app import create_registry_app
from services.registry.importer import import_renec
from tests.conftest import SHARED_DATA, GraphQLClient


# Per module, not per session: the app's pool is closed once a module is done with it, so a long
# session does not keep connections of the shared test server busy.
@pytest.fixture(scope="module")
async def full_registry_app(make_database: Any, settings: Settings) -> AsyncIterator[Any]:
    """The registry app over a database with `qf import renec` of the full folder, and no sample."""
    url = await make_database()
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    try:
        await import_renec(db, SHARED_DATA / "conocer_renec_avala")
    finally:
        await db.close()
    app = create_registry_app(settings, url)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def full_registry(full_registry_app: Any, settings: Settings) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=full_registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
        yield GraphQLClient(http, settings.require_secret())
