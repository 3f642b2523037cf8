"""The system's database: every schema migrated, and the data `qf serve` starts with.

Each service and the gateway keep their tables in a Postgres schema of their own; one database holds them
all when `qf` runs the whole system.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from gateway.apikeys import MIGRATIONS
from qf.settings import SystemSettings, get_settings
from services.common.db import Database, resolve_database_url
from services.common.migrations import migrate_folder, migrate_service
from services.common.settings import SERVICES

log = logging.getLogger("qf")


async def migrate_gateway(url: str) -> list[str]:
    """The gateway's API keys live in Postgres too, in the "gateway" schema."""
    return await migrate_folder(url, "gateway", MIGRATIONS)


async def migrate_all(url: str) -> None:
    for service in SERVICES:
        _report(service, await migrate_service(url, service))
    _report("gateway", await migrate_gateway(url))


def _report(schema: str, applied: list[str]) -> None:
    log.info("%s: %s", schema, f"applied {', '.join(applied)}" if applied else "up to date")


async def load_data(url: str, settings: SystemSettings, data_dir: Path | None, sample: bool = False) -> None:
    """The official files under `data_dir`, and the hand-written sample: by itself only into a database
    that holds nothing else, next to other data only when asked (`sample`)."""
    from services.credits import sample as credits_sample
    from services.mapping.importer import import_all
    from services.mapping.sources import sample as mapping_sample
    from services.mapping.store import write_dataset
    from services.registry import sample as registry_sample
    from services.registry.importer import import_renec

    registry = await Database.connect(url, "registry")
    mapping = await Database.connect(url, "mapping")
    credits = await Database.connect(url, "credits")
    try:
        if data_dir is not None:
            print((await import_renec(registry, data_dir / "conocer_renec_avala")).render())
            async with mapping.pool.acquire() as conn:
                for summary in await import_all(conn, data_dir):
                    print(summary.render())
        elif not sample:
            async with mapping.pool.acquire() as conn:
                held = {
                    "registry": await registry_sample.holds_other_data(registry),
                    "crosswalk": await mapping_sample.holds_other_data(conn),
                    "credit bank": await credits_sample.holds_other_data(credits),
                }
            if any(held.values()):
                names = ", ".join(name for name, has in held.items() if has)
                print(f"the database holds data of its own ({names}): the sample is not loaded "
                      "(`qf serve --sample` adds it)", flush=True)
                return
            sample = True
        if not sample:
            return
        await credits_sample.load_sample(credits)
        await registry_sample.load_sample(registry, settings.require_curp_salt())
        async with mapping.pool.acquire() as conn:
            # The crosswalk's sample is a hand copy of official rows: it never overwrites the real ones.
            if not await mapping_sample.holds_other_data(conn):
                for dataset in mapping_sample.sample_datasets():
                    await write_dataset(conn, dataset)
                await mapping_sample.write_sample_agreement(conn)
    finally:
        await registry.close()
        await mapping.close()
        await credits.close()

async def with_registry(work: Any) -> Any:
    """`work` done with the registry's pool, its schema migrated first."""
    url = resolve_database_url(get_settings())
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    try:
        return await work(db)
    finally:
        await db.close()


async def with_mapping(work: Any, *, create: bool = True) -> Any:
    """`work` done with a connection to the crosswalk's schema, migrated first."""
    url = resolve_database_url(get_settings(), create=create)
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            return await work(conn)
    finally:
        await db.close()


async def with_gateway(work: Any, *, create: bool = True) -> Any:
    """`work` done with a pool on the gateway's key store, migrated first."""
    url = resolve_database_url(get_settings(), create=create)
    await migrate_gateway(url)
    db = await Database.connect(url, "gateway")
    try:
        return await work(db)
    finally:
        await db.close()


