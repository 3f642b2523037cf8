"""`qf serve --service gateway --workers N`: the gateway in N processes behind one listening socket.

The gateway runs on one core (one event loop), so a machine with more cores serves more with more
processes. uvicorn's supervisor (`uvicorn.supervisors.Multiprocess`) binds the socket once, starts the
workers, restarts one that dies and stops them all on Ctrl-C or SIGTERM; the kernel hands each new
connection to one of them.

What must agree across the processes is settled before they start or shared while they run:
- the supergraph: composed (or read) once here and written to a file every worker loads;
- the database: resolved (and, for our own, migrated) once here, its URL handed down, so workers never
  start an embedded server of their own;
- API keys and their revocation: in that database, which every worker re-reads within a second
  (gateway/apikeys.py);
- persisted queries: a folder shared by the workers (gateway/apq.py), removed when they stop.

Workers are started by spawning, so they learn all this from the environment (`_WORKER_SUPERGRAPH` and the
`QF_*` variables); `create_app` is the factory each one calls.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from gateway.sources import file_supergraph
from qf.servers import _settle_garbage_collector, gateway_app
from qf.settings import SystemSettings, get_settings

_WORKER_SUPERGRAPH = "QF_WORKER_SUPERGRAPH"  # set by `serve_workers` for the processes it starts


def serve_workers(
    settings: SystemSettings, supergraph: str, database_url: str | None, port: int, n: int
) -> None:
    """Serves the gateway over `supergraph` (its SDL) in `n` processes until stopped."""
    state = Path(tempfile.mkdtemp(prefix="qf-gateway-"))
    try:
        (state / "supergraph.graphql").write_text(supergraph)
        os.environ[_WORKER_SUPERGRAPH] = str(state / "supergraph.graphql")
        os.environ["QF_PERSISTED_QUERIES_DIR"] = str(state / "persisted")
        if database_url is not None:
            os.environ["QF_DATABASE_URL"] = database_url
        for name in ("internal_secret", "curp_salt"):
            secret = getattr(settings, name)
            if secret is not None:
                os.environ[f"QF_{name.upper()}"] = secret.get_secret_value()
        config = uvicorn.Config(
            "qf.workers:create_app",
            factory=True,
            host=settings.host,
            port=port,
            workers=n,
            log_level=settings.log_level.lower(),
        )
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        shutil.rmtree(state, ignore_errors=True)


def create_app() -> Any:
    """One worker's gateway, from what `serve_workers` put in the environment."""
    path = os.environ.get(_WORKER_SUPERGRAPH)
    if not path:
        raise RuntimeError("qf.workers:create_app runs in the processes `qf serve --workers` starts")
    return _SettledAfterStartup(gateway_app(get_settings(), file_supergraph(Path(path)), own_database=False))


class _SettledAfterStartup:
    """A worker's app, the garbage collector settled once the app has started (`_settle_garbage_collector`,
    as `serve_all` does for a single process): without it a worker's cost per request at 1,000 entities
    was twice a single process's."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def settle_then_send(message: Any) -> None:
            if message["type"] == "lifespan.startup.complete":
                _settle_garbage_collector()
            await send(message)

        await self.app(scope, receive, settle_then_send)
