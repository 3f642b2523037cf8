"""The registry over the full RENEC list (../shared/data): search, grid and facets on real data."""

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

SEARCH = """query($s: String!, $first: Int) {
  standards(filter: {search: $s}, first: $first) { totalCount edges { node { code } } }
}"""


@pytest.fixture(scope="module")
async def full(make_database: Any, settings: Settings) -> AsyncIterator[GraphQLClient]:
    url = await make_database()
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    try:
        await import_renec(db, SHARED_DATA / "conocer_renec_avala")
    finally:
        await db.close()
    app = create_registry_app(settings, url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield GraphQLClient(http, settings.require_secret())


async def codes_for(client: GraphQLClient, text: str) -> set[str]:
    data = await client.data(SEARCH, {"s": text, "first": 100})
    return {e["node"]["code"] for e in data["standards"]["edges"]}


async def test_automotriz_finds_the_automotive_committees_standards(full: GraphQLClient) -> None:
    found = await codes_for(full, "automotriz")
    assert {"EC0241", "EC0520", "EC1279"} <= found  # titles without the word; their committee has it
    assert {"EC0630", "EC0761", "EC1121"} <= found


async def test_accents_and_case_do_not_matter(full: GraphQLClient) -> None:
    variants = ["automotriz", "AUTOMOTRIZ", "Automotríz"]
    results = [await codes_for(full, v) for v in variants]
    assert results[0] == results[1] == results[2]
    assert await codes_for(full, "capacitacion") == await codes_for(full, "CAPACITACIÓN")


async def test_pintura_automotriz(full: GraphQLClient) -> None:
    found = await codes_for(full, "pintura automotriz")
    assert {"EC0630", "EC0761"} <= found
    ranked = (await full.data(SEARCH, {"s": "pintura automotriz", "first": 2}))["standards"]["edges"]
    assert {e["node"]["code"] for e in ranked} == {"EC0630", "EC0761"}


async def test_full_list_grid_and_facets(full: GraphQLClient) -> None:
    data = await full.data(
        """{ frameworkGrid { total levelTotals { level standardCount } rows { sector { code } total } }
             standards(first: 1) { totalCount facets { levels { level count } sectors { count } } } }"""
    )
    grid = data["frameworkGrid"]
    assert grid["total"] == 1477
    assert [c["standardCount"] for c in grid["levelTotals"]] == [33, 626, 506, 261, 51]
    assert len(grid["rows"]) == 20 and all(r["total"] > 0 for r in grid["rows"])
    facets = data["standards"]["facets"]
    assert [f["count"] for f in facets["levels"]] == [33, 626, 506, 261, 51]
    assert sum(f["count"] for f in facets["sectors"]) == data["standards"]["totalCount"] == 1477

