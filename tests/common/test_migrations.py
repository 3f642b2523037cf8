"""The migration runner (services/common/migrations.py) on fresh databases of the test server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.common.migrations import (
    Migration,
    migrate,
    migrate_folder,
    migrate_service,
    migrations_in,
    pending,
    service_migrations,
)


@pytest.fixture
async def fresh_url(make_database: Callable[[], Any]) -> str:
    url: str = await make_database()
    return url


@pytest.fixture
async def conn(fresh_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(fresh_url)
    yield connection
    await connection.close()


def write(folder: Path, name: str, sql: str) -> Migration:
    path = folder / f"{name}.sql"
    path.write_text(sql, encoding="utf-8")
    return Migration(version=name, path=path)


def test_service_migrations_are_ordered_sql_files() -> None:
    found = service_migrations("registry")
    assert found[0].version == "001_registry"
    assert [m.version for m in found] == sorted(m.version for m in found)
    assert all(m.path.suffix == ".sql" and m.path.is_file() for m in found)


def test_a_folder_that_is_no_service_is_passed_in_not_guessed(tmp_path: Path) -> None:
    # The runner knows the services' folders only; the gateway's (or anyone's) is given to it.
    with pytest.raises(ValueError, match="not one of the services"):
        service_migrations("gateway")
    with pytest.raises(FileNotFoundError, match="no migrations folder"):
        migrations_in(tmp_path / "absent")
    write(tmp_path, "002_second", "SELECT 1")
    write(tmp_path, "001_first", "SELECT 1")
    (tmp_path / "notes.sql").write_text("not a migration")
    assert [m.version for m in migrations_in(tmp_path)] == ["001_first", "002_second"]


async def test_a_folder_passed_in_is_applied_to_its_schema(fresh_url: str, tmp_path: Path) -> None:
    write(tmp_path, "001_things", "CREATE TABLE things (id int PRIMARY KEY)")
    assert await migrate_folder(fresh_url, "elsewhere", tmp_path) == ["001_things"]
    assert await migrate_folder(fresh_url, "elsewhere", tmp_path) == []
    conn = await asyncpg.connect(fresh_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('elsewhere.things')::text") == "elsewhere.things"
    finally:
        await conn.close()


async def test_second_run_applies_nothing(fresh_url: str) -> None:
    expected = [m.version for m in service_migrations("registry")]
    assert await migrate_service(fresh_url, "registry") == expected
    assert await migrate_service(fresh_url, "registry") == []
    conn = await asyncpg.connect(fresh_url)
    try:
        rows = await conn.fetch("SELECT version FROM registry.schema_migrations ORDER BY version")
        assert [r["version"] for r in rows] == expected
        assert await pending(conn, "registry", service_migrations("registry")) == []
        assert await conn.fetchval("SELECT to_regclass('registry.standards') IS NOT NULL")
    finally:
        await conn.close()


async def test_concurrent_runs_migrate_once(fresh_url: str) -> None:
    expected = [m.version for m in service_migrations("registry")]
    results = await asyncio.wait_for(
        asyncio.gather(*(migrate_service(fresh_url, "registry") for _ in range(2))), timeout=30
    )
    applied = [version for result in results for version in result]
    assert applied == expected
    assert [] in results
    conn = await asyncpg.connect(fresh_url)
    try:
        count = await conn.fetchval("SELECT count(*) FROM registry.schema_migrations")
        assert count == len(expected)
    finally:
        await conn.close()


async def test_pending_before_and_after(conn: asyncpg.Connection, tmp_path: Path) -> None:
    migrations = [write(tmp_path, "001_a", "CREATE TABLE a (x int);")]
    assert await pending(conn, "pend", migrations) == ["001_a"]
    await migrate(conn, "pend", migrations)
    assert await pending(conn, "pend", migrations) == []
    later = [*migrations, write(tmp_path, "002_b", "CREATE TABLE b (y int);")]
    assert await pending(conn, "pend", later) == ["002_b"]


async def test_migrations_run_in_their_schema_in_order(conn: asyncpg.Connection, tmp_path: Path) -> None:
    migrations = [
        write(tmp_path, "001_table", "CREATE TABLE t (x int);"),
        write(tmp_path, "002_row", "INSERT INTO t VALUES (42);"),
    ]
    assert await migrate(conn, "ordered", migrations) == ["001_table", "002_row"]
    assert await conn.fetchval("SELECT x FROM ordered.t") == 42
    assert await conn.fetchval("SELECT to_regclass('public.t')") is None


async def test_new_migration_applies_alone(conn: asyncpg.Connection, tmp_path: Path) -> None:
    first = [write(tmp_path, "001_table", "CREATE TABLE t (x int);")]
    assert await migrate(conn, "grow", first) == ["001_table"]
    second = [*first, write(tmp_path, "002_column", "ALTER TABLE t ADD COLUMN y int;")]
    assert await migrate(conn, "grow", second) == ["002_column"]
    assert await migrate(conn, "grow", second) == []


async def test_edited_applied_migration_is_refused(
    conn: asyncpg.Connection, fresh_url: str, tmp_path: Path
) -> None:
    migration = write(tmp_path, "001_table", "CREATE TABLE t (x int);")
    assert await migrate(conn, "edited", [migration]) == ["001_table"]
    migration.path.write_text("CREATE TABLE t (x bigint);", encoding="utf-8")
    extra = write(tmp_path, "002_more", "CREATE TABLE u (y int);")
    with pytest.raises(RuntimeError, match="001_table changed after it was applied"):
        await migrate(conn, "edited", [migration, extra])
    assert await conn.fetchval("SELECT to_regclass('edited.u')") is None
    assert await conn.fetchval(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'edited' AND table_name = 't'"
    ) == "integer"
    # The lock was released: another connection migrates something else at once.
    other = await asyncpg.connect(fresh_url)
    try:
        fine = write(tmp_path, "001_fine", "CREATE TABLE f (z int);")
        assert await asyncio.wait_for(migrate(other, "other", [fine]), timeout=5) == ["001_fine"]
    finally:
        await other.close()


async def test_failed_migration_leaves_no_trace(conn: asyncpg.Connection, tmp_path: Path) -> None:
    good = write(tmp_path, "001_good", "CREATE TABLE g (x int);")
    bad = write(tmp_path, "002_bad", "CREATE TABLE h (x int); SELECT * FROM no_such_table;")
    with pytest.raises(asyncpg.PostgresError):
        await migrate(conn, "failing", [good, bad])
    assert await conn.fetchval("SELECT to_regclass('failing.h')") is None
    versions = [r["version"] for r in await conn.fetch("SELECT version FROM failing.schema_migrations")]
    assert versions == ["001_good"]
    fixed = write(tmp_path, "002_bad", "CREATE TABLE h (x int);")
    assert await asyncio.wait_for(migrate(conn, "failing", [good, fixed]), timeout=5) == ["002_bad"]

