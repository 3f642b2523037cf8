"""The crosswalk subgraph as an ASGI application, with its graph built at start."""

from __future__ import annotations

from starlette.applications import Starlette

from services.common.app import create_app
from services.common.db import Database
from services.common.settings import Settings
from services.mapping.graph import GraphHolder
from services.mapping.loaders import Loaders
from services.mapping.schema import schema


def create_mapping_app(settings: Settings, database_url: str) -> Starlette:
    app: Starlette

    async def build_graph(db: Database) -> None:
        app.state.graph = GraphHolder(db.pool)
        await app.state.graph.refresh()

    app = create_app("mapping", schema, settings, database_url, loaders=Loaders, on_startup=build_graph)
    return app
