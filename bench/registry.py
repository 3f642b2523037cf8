"""Registry benchmark: `_entities` for 1,000 standards and `standards(filter: {search})` over real queries.

Runs in-process (httpx over ASGI, signed like the gateway) against the full RENEC import, and measures
two peers in the same run so the figures read as ratios rather than absolutes:

- the SQL floor: the same reads straight through asyncpg, no GraphQL (what our layer costs);
- the naive subgraph: one query per entity key, and `ILIKE '%word%'` search without the index
  (what the common approach costs).

    python bench/registry.py            # embedded PostgreSQL in .qf-data-bench, or QF_DATABASE_URL

Targets (issue 2): `_entities`(1,000) p50 under 50 ms; search p95 under 20 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.signing import Caller, sign  # noqa: E402
from services.common.db import Database, resolve_database_url  # noqa: E402
from services.common.migrations import migrate_service  # noqa: E402
from services.common.settings import Settings  # noqa: E402
from services.registry.app import create_registry_app  # noqa: E402
from services.registry.importer import import_renec  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "conocer_renec_avala"
SEARCHES = [
    "automotriz",
    "pintura automotriz",
    "capacitación",
    "mantenimiento",
    "soldadura",
    "atención a clientes",
    "cursos de formación",
    "seguridad",
    "salud",
    "turismo",
    "construcción",
    "evaluación de la competencia",
    "electricidad",
    "alimentos",
    "educación",
    "EC0217",
]
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


async def timed(work: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    await work()  # warm caches and prepared statements
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main() -> None:
    settings = Settings(
        internal_secret="bench", curp_salt="bench", data_dir=ROOT / ".qf-data-bench"
    )
    url = resolve_database_url(settings)
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    started = time.perf_counter()
    summary = await import_renec(db, DATA)
    import_seconds = time.perf_counter() - started
    codes = [r["code"] for r in await db.fetch("SELECT code FROM standards ORDER BY code LIMIT 1000")]

    app = create_registry_app(settings, url)
    secret = settings.require_secret()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:

            async def graphql(query: str, variables: dict) -> None:
                body = json.dumps({"query": query, "variables": variables}).encode()
                headers = sign(secret, Caller(role="public"), body=body)
                answer = await http.post(
                    "/graphql", content=body, headers={**headers, "content-type": "application/json"}
                )
                payload = answer.json()
                assert not payload.get("errors"), payload["errors"]

            entities_query = (
                "query($r: [_Any!]!) { _entities(representations: $r) "
                "{ ... on Standard { code title level } } }"
            )
            representations = [{"__typename": "Standard", "code": c} for c in codes]
            rows: list[tuple[str, list[float]]] = []
            rows.append(
                (
                    "_entities 1,000 Standard (ours)",
                    await timed(lambda: graphql(entities_query, {"r": representations}), RUNS),
                )
            )
            rows.append(
                (
                    "  peer: SQL floor, one query",
                    await timed(
                        lambda: db.fetch(
                            "SELECT code, title_es, level FROM standards WHERE code = ANY($1)", codes
                        ),
                        RUNS,
                    ),
                )
            )

            async def one_by_one() -> None:
                for code in codes:
                    await db.fetchrow("SELECT code, title_es, level FROM standards WHERE code = $1", code)

            rows.append(("  peer: naive, one query per key", await timed(one_by_one, max(5, RUNS // 4))))

            search_query = (
                "query($s: String!) { standards(first: 20, filter: {search: $s}) "
                "{ totalCount edges { node { code title level } } } }"
            )
            ours: list[float] = []
            floor: list[float] = []
            naive: list[float] = []
            for text in SEARCHES:
                ours += await timed(lambda t=text: graphql(search_query, {"s": t}), RUNS // 4)
                floor += await timed(
                    lambda t=text: db.fetch(
                        "SELECT code, title_es, level, ts_rank_cd(search, q) AS r "
                        "FROM standards, websearch_to_tsquery('spanish', fold($1)) q "
                        "WHERE search @@ q ORDER BY r DESC, code LIMIT 21",
                        t,
                    ),
                    RUNS // 4,
                )
                words = [f"%{w}%" for w in text.split()]
                naive += await timed(
                    lambda w=words: db.fetch(
                        "SELECT code, title_es, level FROM standards "
                        "WHERE (SELECT bool_and(fold(title_es || ' ' || coalesce(committee_name, '')) "
                        "       LIKE fold(x)) FROM unnest($1::text[]) x) ORDER BY code LIMIT 21",
                        w,
                    ),
                    RUNS // 4,
                )
            rows.append((f"search, {len(SEARCHES)} real queries (ours)", ours))
            rows.append(("  peer: SQL floor, same full-text query", floor))
            rows.append(("  peer: naive LIKE '%word%' scan", naive))
    await db.close()

    kind = "first load" if summary.changed else "re-run, nothing changed"
    print(f"\nRENEC import: {import_seconds:.2f} s ({kind})")
    print(f"runs per case: {RUNS}; in-process over ASGI; PostgreSQL at {url.split('@')[-1]}\n")
    print(f"{'case':44} {'p50 ms':>9} {'p95 ms':>9} {'p50 vs ours':>12}")
    reference = None
    for name, samples in rows:
        p50, p95 = percentiles(samples)
        if not name.startswith(" "):
            reference = p50
        ratio = f"{p50 / reference:.2f}x" if reference else ""
        print(f"{name:44} {p50:9.2f} {p95:9.2f} {ratio:>12}")
    print("\ntargets: _entities(1,000) p50 < 50 ms; search p95 < 20 ms")


if __name__ == "__main__":
    asyncio.run(main())
