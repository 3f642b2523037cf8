"""Idempotent bulk upserts that say what they did: the one way the importers write rows.

`upsert` COPYs the records into a temporary table of the target's columns, then one statement inserts
the new rows and updates only those whose values really change, and counts them: a second import of the
same files writes nothing, so triggers (the registry's change log) stay silent and `updated_at` keeps
its meaning. Records can be held back by a condition on the incoming row (`placed`: an edge whose item
is not there yet); they are counted as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass
class Counts:
    """What an import did to its rows. An upsert counts the first four; `withdrawn` (rows kept but marked
    as no longer listed) and `removed` (rows deleted because the source no longer has them) are the
    importer's own."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    withdrawn: int = 0
    removed: int = 0

    def add(self, other: Counts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.withdrawn += other.withdrawn
        self.removed += other.removed

    @property
    def changed(self) -> int:
        """Rows inserted, updated, withdrawn or removed: 0 means the table already matched the input."""
        return self.inserted + self.updated + self.withdrawn + self.removed


async def upsert(
    conn: asyncpg.Connection,
    table: str,
    columns: Sequence[str],
    records: Sequence[Sequence[Any]],
    *,
    key: Sequence[str],
    conflict: str | None = None,
    update: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    touch: str | None = None,
    placed: str | None = None,
    update_when: str | None = None,
) -> Counts:
    """Writes `records` (tuples in the order of `columns`, unique on `key`) into `table`.

    On a conflict every column but the key is set from the incoming row, unless `update` gives its SQL
    (the table's row is `t`, the incoming one `EXCLUDED`), or it is in `keep` (written by an insert
    only); a row is updated only when those values differ from what it has. `conflict` replaces the
    `ON CONFLICT` target (an expression index); `update={}` with every column in `keep` inserts only.
    `touch` names a timestamp column set to now() by an update. `placed` is a condition on the
    incoming row `n` that a record must meet to be written at all; `update_when`, one on the table's
    row `t` that a row must meet to be updated (else it is left as it is, and counted unchanged).
    """
    incoming = f"incoming_{table}"
    names = ", ".join(columns)
    # Only the columns written, typed as the table's: no constraint or default comes along.
    await conn.execute(
        f"""DROP TABLE IF EXISTS pg_temp.{incoming};
            CREATE TEMPORARY TABLE {incoming} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"""
    )
    await conn.copy_records_to_table(incoming, records=[tuple(r) for r in records], columns=list(columns))
    overrides = update or {}
    written = [c for c in columns if c not in key and c not in keep]
    new = ", ".join(overrides.get(c, f"EXCLUDED.{c}") for c in written)
    old = ", ".join(f"t.{c}" for c in written)
    if written:
        sets = [f"({', '.join(written)}) = ROW({new})", *([f"{touch} = now()"] if touch else [])]
        when = f"ROW({old}) IS DISTINCT FROM ROW({new})" + (f" AND {update_when}" if update_when else "")
        action = f"DO UPDATE SET {', '.join(sets)} WHERE {when}"
    else:
        action = "DO NOTHING"
    target = conflict or f"({', '.join(key)})"
    counts = await conn.fetchrow(
        f"""WITH placed AS (
                SELECT {", ".join(f"n.{c}" for c in columns)} FROM {incoming} n
                {f"WHERE {placed}" if placed else ""}
            ), written AS (
                INSERT INTO {table} AS t ({names}) SELECT * FROM placed
                ON CONFLICT {target} {action}
                RETURNING (xmax = 0) AS inserted
            )
            SELECT (SELECT count(*) FROM placed) AS placed,
                   count(*) FILTER (WHERE inserted) AS inserted,
                   count(*) FILTER (WHERE NOT inserted) AS updated
            FROM written"""
    )
    inserted, updated, placed_count = counts["inserted"], counts["updated"], counts["placed"]
    return Counts(
        inserted=inserted,
        updated=updated,
        unchanged=placed_count - inserted - updated,
        skipped=len(records) - placed_count,
    )
