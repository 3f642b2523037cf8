"""The credit bank subgraph as an ASGI application, following the registry's change feed while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette

from services.common.app import create_app
from services.common.db import Database
from services.common.errors import QFError
from services.common.settings import Settings
from services.credits.ledger import follow_registry
from services.credits.loaders import Loaders
from services.credits.registry_link import RegistryClient
from services.credits.schema import schema

log = logging.getLogger(__name__)


def create_credits_app(
    settings: Settings, database_url: str, *, registry: RegistryClient | None = None, follow_feed: bool = True
) -> Starlette:
    """`registry` defaults to a client of `settings.url_of("registry")`; tests pass one of their own."""
    app: Starlette

    async def start(db: Database) -> Callable[[], Awaitable[None]]:
        client = registry or RegistryClient(settings.url_of("registry"), settings.require_secret())
        app.state.registry = client
        follower = (
            asyncio.create_task(_follow(db, client, settings.registry_feed_seconds)) if follow_feed else None
        )

        async def stop() -> None:
            if follower is not None:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
            if registry is None:
                await client.close()

        return stop

    app = create_app("credits", schema, settings, database_url, loaders=Loaders, on_startup=start)
    return app


async def _follow(db: Database, registry: RegistryClient, every: float) -> None:
    """Reads the registry's change feed every `every` seconds; a failed round is logged and retried.

    The first round waits one period, so that under `qf serve` the registry has started listening.
    """
    while True:
        await asyncio.sleep(every)
        try:
            if posted := await follow_registry(db, registry):
                log.info("registry feed: %d reversal entries posted for revoked certificates", posted)
        except QFError as exc:
            log.warning("registry feed not read: %s", exc.message)
        except Exception:  # keep following: the next round may succeed
            log.exception("registry feed round failed")
