"""An embedded PostgreSQL (the `pgserver` package bundles a real server) for machines with none.

The server listens on a Unix socket inside the data folder and is shared by every process that asks
for the same folder; `pgserver` stops it when the last of them exits.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE = "qf"


def start_embedded(data_dir: Path, database: str = DATABASE) -> str:
    """Start (or join) the embedded server in `data_dir` and return an asyncpg URL to `database`."""
    import pgserver  # imported lazily: a configured QF_DATABASE_URL never needs it

    folder = (Path(data_dir) / "pg").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(folder, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in the embedded server at %s", database, folder)
    return server.get_uri(database)
