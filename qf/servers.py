"""The processes `qf serve` runs: each subgraph's app, the gateway's, and the servers that run them in one
event loop, started together and stopped in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.sources import SupergraphLoader, live_supergraph
from qf.database import migrate_gateway
from qf.settings import SystemSettings
from services.common.db import resolve_database_url
from services.common.settings import SERVICES

PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"


class _Server(uvicorn.Server):
    # Several servers share one process; `serve_all` handles the signals for all of them.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Unlogged(HttpToolsProtocol):
    """HTTP without access-log lines: uvicorn's access logger is one for every server in the process,
    so a subgraph's (the gateway's signed internal calls) are turned off per connection instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


@dataclass(frozen=True)
class Listener:
    app: Any
    port: int
    public: bool = False  # the gateway's ports: their requests are access-logged, subgraphs' never are


async def serve_all(
    listeners: list[Listener],
    settings: SystemSettings,
    when_ready: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run the servers in one loop; `when_ready` runs once every one of them listens.

    They stop in the reverse of their order (the gateway first, the registry last), each once the one
    before has finished, so nothing is left calling a subgraph that has gone; a second Ctrl-C stops
    them all at once. Run it under `uvloop.run`: uvicorn installs uvloop only when it owns the loop.
    """
    level = settings.log_level.lower()
    if len(listeners) > 1 and level in ("debug", "info"):
        level = "warning"  # one "Uvicorn running on ..." per server says nothing `when_ready` will not
    servers = [
        _Server(
            uvicorn.Config(
                x.app,
                host=settings.host,
                port=x.port,
                log_level=level,
                http="auto" if x.public else _Unlogged,
            )
        )
        for x in listeners
    ]
    # uvicorn set its access logger to `level` too; the public listeners' requests stay in the log.
    logging.getLogger("uvicorn.access").setLevel(settings.log_level)
    tasks: list[asyncio.Future[None]] = []
    stopping: asyncio.Future[None] | None = None
    loop = asyncio.get_running_loop()

    async def stop_in_order() -> None:
        for server, task in reversed(list(zip(servers, tasks, strict=True))):
            server.should_exit = True
            await asyncio.wait([task])

    def stop() -> None:
        nonlocal stopping
        if stopping is None:
            stopping = asyncio.ensure_future(stop_in_order())
            return
        for server in servers:  # asked twice: now
            server.should_exit = server.force_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)

    async def watch() -> None:
        while not all(s.started for s in servers):
            if any(s.should_exit for s in servers):
                stop()  # one failed to start (uvicorn gave up on it): take the others down too
                return
            await asyncio.sleep(0.05)
        _settle_garbage_collector()
        if when_ready is not None:
            await when_ready()

    tasks.extend(asyncio.ensure_future(s.serve()) for s in servers)
    watcher = asyncio.ensure_future(watch())
    try:
        await asyncio.gather(*tasks)
        if stopping is not None:
            await stopping
    finally:
        watcher.cancel()


def _settle_garbage_collector() -> None:
    """Once the servers listen: what they built at start (schemas, supergraph, caches) leaves the cyclic
    collector's sight, and the youngest generation may grow larger before a collection.

    A request allocates thousands of short-lived dicts and lists (parsed subgraph answers, the shaped
    response), which reference counting frees; with the default threshold of 700 the collector still
    ran every few hundred of them and walked the long-lived objects too. On the gateway bench's
    @requires shape the gateway's CPU per request fell from 0.92 to 0.65 ms, and p99 latency by half.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def subgraph_urls(settings: SystemSettings) -> dict[str, str]:
    return {service: settings.url_of(service) for service in SERVICES}


async def wait_for_subgraphs(settings: SystemSettings) -> tuple[str | None, str | None]:
    """The supergraph composed from the running subgraphs, waiting for them as long as it takes (saying
    so); Ctrl-C or SIGTERM ends the wait: (the signal's name, None)."""
    load = live_supergraph(subgraph_urls(settings), settings.require_secret(), wait_seconds=None)
    task = asyncio.ensure_future(load())
    loop = asyncio.get_running_loop()
    stopped: list[str] = []

    def stop(sig: signal.Signals) -> None:
        stopped.append(sig.name)
        task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)
    try:
        return None, await task
    except asyncio.CancelledError:
        return stopped[0] if stopped else "a signal", None
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def ready(supergraph: str) -> SupergraphLoader:
    """A loader of a supergraph already composed."""

    async def load() -> str:
        return supergraph

    return load


def metrics_listeners(gateway: Any, settings: SystemSettings) -> list[Listener]:
    """In production the gateway's /metrics is served on QF_METRICS_PORT, off the public port."""
    if not settings.metrics_on_own_port:
        return []
    from gateway.server import create_metrics_app

    return [Listener(create_metrics_app(gateway.state.metrics), settings.metrics_port)]


def gateway_app(settings: SystemSettings, supergraph: SupergraphLoader, *, own_database: bool = True) -> Any:
    """The gateway; over our own subgraphs its API keys live in our database, while a gateway over a
    supergraph file needs none (it uses QF_DATABASE_URL if set, else every caller is public)."""
    from gateway.server import create_gateway_app

    secret = settings.internal_secret.get_secret_value().encode() if settings.internal_secret else None
    # The reference portal (portal/) unless QF_PORTAL_DIR names another; an installed package has none.
    portal = settings.portal_dir or (PORTAL_DIR if PORTAL_DIR.is_dir() else None)
    database_url = settings.database_url
    if own_database:
        database_url = resolve_database_url(settings)
        asyncio.run(migrate_gateway(database_url))
    return create_gateway_app(
        settings, supergraph, database_url=database_url, secret=secret, portal_dir=portal
    )


def service_app(service: str, settings: SystemSettings, url: str) -> Any:
    """One subgraph's app over the database at `url`."""
    if service == "registry":
        from services.registry.app import create_registry_app

        return create_registry_app(settings, url)
    if service == "credits":
        from services.credits.app import create_credits_app

        return create_credits_app(settings, url)
    if service == "mapping":
        from services.mapping.app import create_mapping_app

        return create_mapping_app(settings, url)
    raise ValueError(service)

