"""A running subgraph follows edges written by another process (an import) without a restart, and
answers from the old graph, whole, while the new one is built."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from services.common.db import Database
from services.common.settings import Settings
from services.mapping.graph import CrosswalkGraph, GraphHolder
from tests.conftest import GraphQLClient

# Its tests write to the crosswalk's database: a copy of the import of its own (tests/conftest.py).
pytestmark = pytest.mark.own_import

WALK = """{ crosswalk(from: {scheme: NAICS_2022, code: "336110"}, toSchemes: [ISCED_F_2013]) {
  item { code } confidence } }"""


async def test_an_edge_written_elsewhere_is_walked_soon_after(
    mapping: GraphQLClient, mapping_db: Database
) -> None:
    assert (await mapping.data(WALK))["crosswalk"] == []
    # The module has a copy of the import of its own (pytestmark): the edge stays, seen by no other module.
    await mapping_db.execute(
        """INSERT INTO edges (from_scheme, from_code, to_scheme, to_code, relation, confidence, method,
                              source, from_version, to_version)
           VALUES ('NAICS_2022', '336110', 'ISCED_F_2013', '0716', 'relatedMatch', 0.6, 'derived',
                   'test: written by another process', '2022', '2013')"""
    )
    deadline = time.monotonic() + 10
    while True:
        results = (await mapping.data(WALK))["crosswalk"]
        if results:
            break
        assert time.monotonic() < deadline, "the graph never picked up the new edge"
        await asyncio.sleep(0.2)
    # The field itself, then its broader fields at the hierarchy discount (0.6 x 0.8, x 0.8 again).
    assert results == [
        {"item": {"code": "0716"}, "confidence": 0.6},
        {"item": {"code": "071"}, "confidence": 0.48},
        {"item": {"code": "07"}, "confidence": 0.384},
    ]


async def test_a_new_graph_is_handed_to_its_warming_once(mapping_db: Database) -> None:
    """`on_new_graph` (the mapping app warms the agreements' routes with it) runs for each graph built,
    not for a check that finds the graph unchanged."""
    warmed: list[int] = []

    async def warm(graph: CrosswalkGraph) -> None:
        warmed.append(graph.version)

    holder = GraphHolder(mapping_db.pool, on_new_graph=warm)
    await holder.refresh()
    assert holder.warming is not None
    await holder.warming
    await holder.refresh()  # the same version: nothing new to warm
    assert len(warmed) == 1 and warmed[0] == holder.graph.version
    await mapping_db.execute("UPDATE graph_version SET version = version + 1")
    await holder.refresh()
    await holder.warming
    assert warmed == [warmed[0], warmed[0] + 1]


async def test_the_app_starts_with_the_agreements_routes_worked_out(
    full_import: tuple[str, list[Any]], settings: Settings, mapping_db: Database
) -> None:
    """Before its first request, the app holds the routes onward from every proposal of an agreement's
    standards, which the agreement's coverage walks at once."""
    from services.mapping import routes
    from services.mapping.app import create_mapping_app

    targets = {
        (r["to_scheme"], r["to_code"])
        for r in await mapping_db.fetch(
            """SELECT e.to_scheme, e.to_code FROM edges e
               JOIN recognition_agreements a ON e.from_code = ANY(a.scope_standards)
               WHERE e.from_scheme = 'CONOCER_EC' AND e.status IN ('proposed', 'endorsed')"""
        )
    }
    assert targets  # the full import proposes counterparts for the illustrative agreement's standards
    app = create_mapping_app(settings, full_import[0])
    async with app.router.lifespan_context(app):
        cached = routes._onward_cache.get(app.state.graph.graph, {})
        assert targets <= cached.keys()
