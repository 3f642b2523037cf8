"""Ordered SQL migrations, one Postgres schema per service.

Each service keeps `NNN_name.sql` files in its `migrations/` folder. They run in order, each in its own
transaction, and are recorded in `<schema>.schema_migrations` with a checksum so an edited, already
applied file is refused rather than silently skipped. A session-level advisory lock makes concurrent
runs (two processes starting at once) wait for each other; re-running applies nothing new. The gateway
keeps its own (API keys) in `gateway/migrations/`, applied to the `gateway` schema the same way.

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

log = logging.getLogger(__name__)

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


def service_migrations(service: str) -> list[Migration]:
    services = Path(__file__).resolve().parent.parent
    # The gateway is not a subgraph but keeps its API keys in Postgres the same way.
    home = services.parent / "gateway" if service == "gateway" else services / service
    folder = home / "migrations"
    files = sorted(p for p in folder.glob("*.sql") if re.match(r"^\d{3}_", p.name))
    return [Migration(version=p.stem, path=p) for p in files]


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


async def migrate_service(url: str, service: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await migrate(conn, service, service_migrations(service))
    finally:
        await conn.close()
