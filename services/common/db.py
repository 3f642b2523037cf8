"""The asyncpg pool every service uses, and the URL it connects to.

`Database` counts the statements it sends: the metrics and the round-trip tests read the count
(`_entities` for N keys must cost one query, not N).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from services.common.settings import Settings


def resolve_database_url(settings: Settings, *, create: bool = True) -> str:
    """The configured server, or the embedded one started on demand (made only if `create`)."""
    if settings.database_url:
        return settings.database_url
    from services.common.embedded import start_embedded

    return start_embedded(settings.data_dir, create=create)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class Database:
    """A pool plus a statement counter; one per process and service."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.statements = 0

    @classmethod
    async def connect(cls, url: str, schema: str, *, min_size: int = 1, max_size: int = 10) -> Database:
        """A pool whose connections see the service's own schema first."""
        pool = await asyncpg.create_pool(
            url,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            server_settings={"search_path": f'"{schema}", public'},
        )
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        self.statements += 1
        return await self.pool.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        self.statements += 1
        return await self.pool.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        self.statements += 1
        return await self.pool.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> str:
        self.statements += 1
        return await self.pool.execute(sql, *args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection inside a transaction; statements on it are not counted."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn
