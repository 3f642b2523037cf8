"""Crosswalk benchmark: the full import, the in-memory graph, and 4-hop crosswalks from 1,000 standards.

Prints, on the full official data (../shared/data):

- the time of `import_all` into an empty mapping schema (target under 60 s) and of a second, no-op run;
- the graph build time (target under 5 s) and the memory the graph holds (tracemalloc, the build's
  peak and what stays);
- p50/p95 of a 4-hop crosswalk (minimum confidence 0.05) from 1,000 random standards, in process
  (target p95 under 10 ms), next to two peers measured in the same run on the same starts:
  - PostgreSQL: the same walk (both directions, 4 hops) as a recursive CTE, what a service without an
    in-memory graph would run (on fewer starts, each stopped at 10 s: walks through a sector or a level
    with hundreds of standards multiply into millions of rows);
  - networkx: `single_source_dijkstra` on -log(confidence), the library's own best-path search
    (without the hop limit or the no-siblings rule, so it explores more).

    python bench/mapping.py            # embedded PostgreSQL in .qf-data-bench, or QF_DATABASE_URL
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import asyncpg
import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.common.db import Database, resolve_database_url  # noqa: E402
from services.common.migrations import migrate_service  # noqa: E402
from services.common.settings import Settings  # noqa: E402
from services.mapping.graph import CrosswalkGraph, load_graph  # noqa: E402
from services.mapping.importer import import_all  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
STARTS = int(os.environ.get("BENCH_STARTS", "1000"))
SQL_STARTS = int(os.environ.get("BENCH_SQL_STARTS", "20"))
SQL_TIMEOUT_MS = 10_000  # a walk still running then is counted at this figure
HOPS = 4
MIN_CONFIDENCE = 0.05

# Both directions of every endorsed edge, 4 hops, best confidence per item: the walk without the graph.
SQL_WALK = """
WITH RECURSIVE arcs AS (
    SELECT from_scheme AS a_scheme, from_code AS a_code, to_scheme AS b_scheme, to_code AS b_code, confidence
    FROM edges WHERE status = 'endorsed'
    UNION ALL
    SELECT to_scheme, to_code, from_scheme, from_code, confidence FROM edges WHERE status = 'endorsed'
), walk (scheme, code, confidence, hops) AS (
    SELECT $1::text, $2::text, 1.0::double precision, 0
    UNION ALL
    SELECT a.b_scheme, a.b_code, w.confidence * a.confidence, w.hops + 1
    FROM walk w JOIN arcs a ON (a.a_scheme, a.a_code) = (w.scheme, w.code)
    WHERE w.hops < $3 AND w.confidence * a.confidence >= $4
)
SELECT scheme, code, max(confidence) FROM walk GROUP BY scheme, code
"""


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(label: str, samples: list[float], reference: float | None = None) -> str:
    p50, p95 = percentiles(samples)
    ratio = f"{p95 / reference:8.1f}x" if reference else f"{'1.0x':>9}"
    return f"  {label:<44} {p50:9.2f} {p95:9.2f} {ratio}"


async def main() -> None:
    settings = Settings(internal_secret="bench", curp_salt="bench", data_dir=ROOT / ".qf-data-bench")
    url = resolve_database_url(settings)
    # An empty mapping schema, so the first import is a full one.
    admin = await Database.connect(url, "public")
    await admin.execute("DROP SCHEMA IF EXISTS mapping CASCADE")
    await admin.close()
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    async with db.pool.acquire() as conn:
        started = time.perf_counter()
        summaries = await import_all(conn, DATA)
        first_import = time.perf_counter() - started
        started = time.perf_counter()
        await import_all(conn, DATA)
        second_import = time.perf_counter() - started
        items = sum(s.items[k] for s in summaries for k in s.items if k.endswith("inserted"))
        edges = await conn.fetchval("SELECT count(*) FROM edges")

        started = time.perf_counter()
        graph = await load_graph(conn)
        build = time.perf_counter() - started
        # Memory on a second build: tracing every allocation slows the build several times over.
        del graph
        tracemalloc.start()
        graph = await load_graph(conn)
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        standards = [
            r["code"] for r in await conn.fetch("SELECT code FROM items WHERE scheme = 'CONOCER_EC'")
        ]
        starts = [("CONOCER_EC", code) for code in random.Random(7).choices(standards, k=STARTS)]
        # Plus programmes, whose crosswalks fan out much further than a standard's.
        programmes = [r["code"] for r in await conn.fetch("SELECT code FROM items WHERE scheme = 'CIP_2020'")]
        programme_starts = [("CIP_2020", code) for code in random.Random(8).choices(programmes, k=STARTS)]

        def walk_all(graph: CrosswalkGraph, nodes: list[tuple[str, str]]) -> tuple[list[float], int]:
            samples, reached = [], 0
            for node in nodes:
                t = time.perf_counter()
                reached += len(graph.reach(node, HOPS, MIN_CONFIDENCE))
                samples.append((time.perf_counter() - t) * 1000)
            return samples, reached

        ours, reached = walk_all(graph, starts)
        ours_cip, reached_cip = walk_all(graph, programme_starts)

        weighted = nx.DiGraph()
        for a, b, data in graph.graph.edges(data=True):
            weighted.add_edge(a, b, weight=-math.log(data["arc"].weight))
        dijkstra = []
        for node in starts:
            t = time.perf_counter()
            nx.single_source_dijkstra_path_length(weighted, node, cutoff=-math.log(MIN_CONFIDENCE))
            dijkstra.append((time.perf_counter() - t) * 1000)

        sql = []
        await conn.execute(f"SET statement_timeout = {SQL_TIMEOUT_MS}")
        for node in starts[:SQL_STARTS]:
            t = time.perf_counter()
            try:
                await conn.fetch(SQL_WALK, node[0], node[1], HOPS, MIN_CONFIDENCE)
                sql.append((time.perf_counter() - t) * 1000)
            except asyncpg.QueryCanceledError:
                sql.append(float(SQL_TIMEOUT_MS))
        await conn.execute("RESET statement_timeout")
    await db.close()

    print(f"crosswalk bench on {DATA}")
    print(f"  full import: {first_import:.1f} s for {items:,} items and {edges:,} edges (target < 60 s)")
    print(f"  second import (nothing to change): {second_import:.1f} s")
    print(
        f"  graph build: {build:.2f} s (target < 5 s); {graph.graph.number_of_nodes():,} items, "
        f"{graph.graph.number_of_edges():,} arcs; memory held {held / 2**20:.0f} MiB, "
        f"peak {peak / 2**20:.0f} MiB"
    )
    print(f"\n4-hop crosswalk, minimum confidence {MIN_CONFIDENCE}, in process (ms)")
    print(f"  {'':<44} {'p50':>9} {'p95':>9} {'p95 ratio':>9}")
    reference = percentiles(ours)[1]
    print(row(f"ours, from {STARTS} standards ({reached / STARTS:.0f} items each)", ours))
    print(row("  peer: networkx dijkstra, same starts", dijkstra, reference))
    print(row(f"  peer: PostgreSQL recursive CTE, {SQL_STARTS} starts (10 s cap)", sql, reference))
    print(row(f"ours, from {STARTS} CIP programmes ({reached_cip / STARTS:.0f} items each)", ours_cip))
    p95 = percentiles(ours)[1]
    print(f"\nTarget: p95 under 10 ms from standards: {'yes' if p95 < 10 else 'NO'} ({p95:.2f} ms)")


if __name__ == "__main__":
    asyncio.run(main())
