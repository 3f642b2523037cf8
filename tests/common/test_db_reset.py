"""A connection goes back to the pool without asyncpg's session reset only after one of `Database`'s
single statements; a transaction's or a raw connection's session is reset as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from services.common.db import Database


async def test_single_statements_skip_the_reset_and_everything_else_is_reset(
    make_database: Callable[..., Any],
) -> None:
    db = await Database.connect(await make_database(), "public", min_size=1, max_size=1)
    try:
        before = await db.fetchval("SELECT pg_backend_pid()")
        assert await db.fetchval("SELECT 1") == 1
        await db.execute("SELECT 1")
        assert (await db.fetchrow("SELECT 2 AS two"))["two"] == 2  # type: ignore[index]
        assert await db.fetchval("SELECT pg_backend_pid()") == before  # one connection all along
        # Not vacuous: a single statement's connection really is not reset (which is why these helpers
        # must never change the session; this one does, to show it).
        await db.execute("SET application_name = 'kept'")
        assert await db.fetchval("SHOW application_name") == "kept"

        # A session setting changed in a transaction outlives it: the release resets it.
        async with db.transaction() as conn:
            await conn.execute("SET application_name = 'changed'")
        assert await db.fetchval("SHOW application_name") != "changed"

        # So does a raw connection's session lock.
        async with db.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(4242)")
        held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242"
        assert await db.fetchval(held) == 0

        # A statement that fails leaves the connection to the full reset too, and it is still usable.
        with pytest.raises(asyncpg.DivisionByZeroError):
            await db.fetchval("SELECT 1/0")
        assert await db.fetchval("SELECT 3") == 3
        assert await db.fetchval("SELECT pg_backend_pid()") == before
    finally:
        await db.close()
