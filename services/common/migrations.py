"""Ordered SQL migrations, one Postgres schema per service.

Each service keeps `NNN_name.sql` files in its `migrations/` folder. They run in order, each in its own
transaction, and are recorded in `<schema>.schema_migrations` with a checksum so an edited, already
applied file is refused rather than silently skipped. A session-level advisory lock makes concurrent
runs (two processes starting at once) wait for each other; re-running applies nothing new. Another
folder of the same kind (the gateway's key store, `gateway.apikeys.MIGRATIONS`) is passed in by whoever
runs it: `migrate_folder(url, "gateway", folder)`.

yoyo-migrations, the maintained SQL-file runner, drives psycopg synchronously; this runner is the few
lines it would save, on the asyncpg connection the services already have.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from services.common.settings import SERVICES

log = logging.getLogger(__name__)
_SERVICES_DIR = Path(__file__).resolve().parent.parent

# Any constant works, as long as every process uses the same one.
_LOCK_ID = 0x71F_4D16


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def migrations_in(folder: Path) -> list[Migration]:
    """The `NNN_name.sql` files of `folder`, in order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"no migrations folder at {folder}")
    files = sorted(p for p in folder.glob("*.sql") if re.match(r"^\d{3}_", p.name))
    return [Migration(version=p.stem, path=p) for p in files]


def service_migrations(service: str) -> list[Migration]:
    if service not in SERVICES:
        raise ValueError(f"{service!r} is not one of the services {', '.join(SERVICES)}")
    return migrations_in(_SERVICES_DIR / service / "migrations")


async def migrate(conn: asyncpg.Connection, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply what is missing to `schema`; returns the versions applied by this call."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations (
                    version text PRIMARY KEY,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {
            r["version"]: r["checksum"]
            for r in await conn.fetch(f'SELECT version, checksum FROM "{schema}".schema_migrations')
        }
        for migration in migrations:
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise RuntimeError(
                        f"migration {schema}/{migration.version} changed after it was applied; "
                        "add a new migration instead of editing an applied one"
                    )
                continue
            async with conn.transaction():
                await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
                await conn.execute(migration.sql)
                await conn.execute(
                    f'INSERT INTO "{schema}".schema_migrations (version, checksum) VALUES ($1, $2)',
                    migration.version,
                    migration.checksum,
                )
            # Debug only: `qf migrate` and `qf serve` say once per service what they applied.
            log.debug("applied migration %s/%s", schema, migration.version)
            applied_now.append(migration.version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
    return applied_now


async def pending(conn: asyncpg.Connection, schema: str, migrations: list[Migration]) -> list[str]:
    """Versions not yet applied (the readiness probe wants none)."""
    table = await conn.fetchval("SELECT to_regclass($1)", f'"{schema}".schema_migrations')
    done: set[str] = set()
    if table is not None:
        done = {r[0] for r in await conn.fetch(f'SELECT version FROM "{schema}".schema_migrations')}
    return [m.version for m in migrations if m.version not in done]


async def migrate_folder(url: str, schema: str, folder: Path) -> list[str]:
    """Apply what is missing of `folder`'s migrations to `schema` of the database at `url`."""
    return await _migrate_url(url, schema, migrations_in(folder))


async def migrate_service(url: str, service: str) -> list[str]:
    return await _migrate_url(url, service, service_migrations(service))


async def _migrate_url(url: str, schema: str, migrations: list[Migration]) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await migrate(conn, schema, migrations)
    finally:
        await conn.close()
