"""The registry subgraph as an ASGI application."""

from __future__ import annotations

from starlette.applications import Starlette

from services.common.app import create_app
from services.common.settings import Settings
from services.registry.loaders import Loaders
from services.registry.schema import schema


def create_registry_app(settings: Settings, database_url: str) -> Starlette:
    return create_app("registry", schema, settings, database_url, loaders=Loaders)
