"""An embedded PostgreSQL (the `pgserver` package bundles a real server) for machines with none.

The server listens on a Unix socket inside the data folder and is shared by every process that asks
for the same folder; `pgserver` stops it when the last of them exits, and `embedded_server` stops it
before its folder goes away (pgserver's own clean-up at exit would find no folder and leave it running).
"""

from __future__ import annotations

import atexit
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATABASE = "qf"


class NoDatabaseHere(RuntimeError):
    """A command that only reads found no embedded database in the data folder."""


def _pgserver() -> Any:
    # imported lazily: a configured QF_DATABASE_URL never needs it. Without XDG_RUNTIME_DIR, platformdirs
    # warns (twice, at pgserver's import) that it falls back to /tmp/runtime-<uid>, which is what we want.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver

    return pgserver


def _folder(data_dir: Path) -> Path:
    return (Path(data_dir) / "pg").resolve()


def start_embedded(data_dir: Path, database: str = DATABASE, *, create: bool = True) -> str:
    """Start (or join) the embedded server in `data_dir` and return an asyncpg URL to `database`.

    With `create=False` (commands that only read) a data folder without a server is refused rather than
    made: `qf` run from the wrong folder would otherwise answer from a new, empty database.
    """
    folder = _folder(data_dir)
    if not create and not (folder / "PG_VERSION").is_file():
        raise NoDatabaseHere(
            f"no database in {folder.parent} (QF_DATA_DIR): run this where `qf serve` ran, "
            "or set QF_DATA_DIR or QF_DATABASE_URL"
        )
    _, url = _start(folder, database)
    return url


def _start(folder: Path, database: str) -> tuple[Any, str]:
    pgserver = _pgserver()
    new = not (folder / "PG_VERSION").is_file()
    folder.mkdir(parents=True, exist_ok=True)
    log.info("%s the embedded PostgreSQL in %s", "creating" if new else "using", folder.parent)
    server = pgserver.get_server(folder, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in the embedded server at %s", database, folder)
    return server, server.get_uri(database)


@contextmanager
def embedded_server(data_dir: Path, database: str = DATABASE) -> Iterator[str]:
    """The embedded server for the duration of the block (the test session): stopped on leaving it,
    unless another process still uses it."""
    server, url = _start(_folder(data_dir), database)
    try:
        yield url
    finally:
        server.cleanup()
        atexit.unregister(server._cleanup)  # done: at exit there is nothing left to stop
