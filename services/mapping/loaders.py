"""The crosswalk's DataLoaders, built once per request: a page of results with their paths costs one query
for the items and one for the edges, however many there are."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import strawberry

from gateway.signing import Caller
from services.common.context import Context, all_each, one_each
from services.common.db import Database

Key = tuple[str, str]  # (scheme, code)


class Loaders:
    def __init__(self, db: Database, caller: Caller) -> None:
        self.item = one_each(lambda keys: items(db, keys), ("scheme", "code"))
        self.children = all_each(lambda keys: children(db, keys), ("scheme", "parent"))
        self.edge = one_each(lambda ids: edges(db, ids), "id")
        self.reviews = all_each(lambda ids: reviews(db, ids), "edge_id")
        self.agreement = one_each(lambda ids: agreements(db, ids), "id")


async def items(db: Database, keys: Sequence[Key]) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT i.* FROM items i
           JOIN unnest($1::text[], $2::text[]) AS k (scheme, code) USING (scheme, code)""",
        [k[0] for k in keys],
        [k[1] for k in keys],
    )


async def children(db: Database, keys: Sequence[Key]) -> list[asyncpg.Record]:
    """The items whose parent is each (scheme, code), in code order."""
    return await db.fetch(
        """SELECT i.* FROM items i
           JOIN unnest($1::text[], $2::text[]) AS k (scheme, parent) USING (scheme, parent)
           ORDER BY i.code""",
        [k[0] for k in keys],
        [k[1] for k in keys],
    )


async def edges(db: Database, ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM edges WHERE id = ANY($1::bigint[])", list(ids))


async def reviews(db: Database, edge_ids: Sequence[int]) -> list[asyncpg.Record]:
    """Each party's review of the edges, MX first."""
    return await db.fetch(
        "SELECT * FROM edge_reviews WHERE edge_id = ANY($1::bigint[]) ORDER BY party", list(edge_ids)
    )


async def agreements(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM recognition_agreements WHERE id = ANY($1::text[])", list(ids))


MappingContext = Context[Loaders]
Info = strawberry.Info[MappingContext, None]
