"""The asyncpg pool every service uses, and the URL it connects to.

`Database` counts the statements it sends: the metrics and the round-trip tests read the count
(`_entities` for N keys must cost one query, not N).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
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


# Set while a connection that just ran one of `Database`'s single statements goes back to the pool.
_ONE_STATEMENT: ContextVar[bool] = ContextVar("qf_one_statement", default=False)


async def _reset_connection(conn: asyncpg.Connection) -> None:
    """What a connection goes back to the pool with (asyncpg has already rolled back any transaction).

    asyncpg's default sends `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()` on every
    release: a round trip after each query, a tenth of a small request's CPU. A connection that only ran
    one of `Database.fetch`/`fetchrow`/`fetchval`/`execute`'s statements changed nothing of its session
    (those are the services' own SELECTs and DML: no SET, LISTEN, cursor or session lock), so it goes back
    as it is; any other use of a connection (a transaction, migrations' session lock) is reset in full.
    """
    if _ONE_STATEMENT.get():
        return
    query = conn.get_reset_query()
    if query:
        await conn.execute(query)


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
            reset=_reset_connection,
        )
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self._one("fetch", sql, args)  # type: ignore[no-any-return]

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self._one("fetchrow", sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._one("fetchval", sql, args)

    async def execute(self, sql: str, *args: Any) -> str:
        return await self._one("execute", sql, args)  # type: ignore[no-any-return]

    async def _one(self, method: str, sql: str, args: tuple[Any, ...]) -> Any:
        """One statement on a connection of the pool; once it has run, the connection goes back without
        asyncpg's session reset (`_reset_connection`)."""
        self.statements += 1
        done = None
        try:
            async with self.pool.acquire() as conn:
                result = await getattr(conn, method)(sql, *args)
                done = _ONE_STATEMENT.set(True)
            return result
        finally:
            if done is not None:
                _ONE_STATEMENT.reset(done)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection inside a transaction; statements on it are not counted."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn
