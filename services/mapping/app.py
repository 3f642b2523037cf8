"""The crosswalk subgraph as an ASGI application, with its graph built at start."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from starlette.applications import Starlette

from services.common.app import create_app
from services.common.db import Database
from services.common.settings import Settings
from services.mapping import routes
from services.mapping.graph import CrosswalkGraph, GraphHolder
from services.mapping.loaders import Loaders
from services.mapping.schema import schema

log = logging.getLogger(__name__)

# Where the proposals for the standards of the agreements lead: an agreement's coverage walks the routes
# onward from every one of them at once (a standard's own counterparts walk only its few).
_AGREEMENT_TARGETS = """SELECT DISTINCT e.to_scheme, e.to_code FROM edges e
    JOIN recognition_agreements a ON e.from_code = ANY(a.scope_standards)
    WHERE e.from_scheme = 'CONOCER_EC' AND e.status IN ('proposed', 'endorsed') ORDER BY 1, 2"""


def create_mapping_app(settings: Settings, database_url: str) -> Starlette:
    app: Starlette

    async def warm_routes(graph: CrosswalkGraph) -> None:
        # On a thread: the event loop keeps answering while the routes are worked out (about a second
        # on the full data for the automotive agreement, which its first coverage request would otherwise
        # wait for). A cache only:
        # if it cannot be filled (the server is stopping), requests fill it as before.
        try:
            rows = await app.state.graph.pool.fetch(_AGREEMENT_TARGETS)
            await asyncio.to_thread(routes.warm, graph, [(r["to_scheme"], r["to_code"]) for r in rows])
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.info("routes not warmed: %s", error)

    async def build_graph(db: Database) -> None:
        app.state.graph = GraphHolder(db.pool, on_new_graph=warm_routes)
        await app.state.graph.refresh()
        if app.state.graph.warming is not None:
            await app.state.graph.warming  # at start, ready before the first request

    app = create_app("mapping", schema, settings, database_url, loaders=Loaders, on_startup=build_graph)
    return app
