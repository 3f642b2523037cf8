"""Subgraph benchmark: what each of our subgraphs costs per request for a real shape, distinct requests.

The shape is bench/gateway.py's "standard + credit equivalences + crosswalk", sent as our gateway's
query plan sends it (printed by its planner over schema/supergraph.graphql):

1. registry: `{ standard(code: "X") { code title __typename equivalentEarlierVersions } }`
2. credits:  `_entities` of `{__typename: "Standard", code, equivalentEarlierVersions}` (the @requires
   the registry's answer supplies) with `creditEquivalences { credits institution { name creditSystem } }`
3. mapping:  `_entities` of `{__typename: "Standard", code}` with `crosswalk(first: 5) { confidence
   item { scheme code } }`

Every request is for a different standard (as real traffic is, so no cache of one body helps), taken
from the full RENEC list, over a throw-away database with every migration, the official files (RENEC,
the crosswalk sources) and the sample (the credit bank's rules). All three apps run in this process and
are called as the gateway calls them (signed, as a registrar of the sample's university, JSON through
orjson) through a bare ASGI call (bench/asgi_call.py), one request at a time, with the garbage
collector settled as `qf serve` settles it, so the process's CPU clock around each call is that
subgraph's CPU for it (PostgreSQL's own CPU is not counted: it is another process).

    python bench/subgraphs.py [--requests 300] [--database URL]   # QF_DATABASE_URL's server, else embedded

`--database` names a database of your own, loaded on the first run and kept, so checkouts compare over
the same data.

Target (issue 16): CPU per request of each subgraph at least halved.

Figures (issue 16, branch sg-cost), CPU ms per request, 300 distinct standards, three rounds run
alternately in checkouts of db89b68 (where this bench was added: before the subgraph work), of main
(e5f5d2f) and of the branch, over one kept database (2 shared cores, load average ~2-3):

    python bench/subgraphs.py --database postgresql://postgres@127.0.0.1:5432/qf_sg_cost_subgraphs

| subgraph  | db89b68     | main        | sg-cost     | sg-cost against db89b68 / main |
|-----------|-------------|-------------|-------------|--------------------------------|
| registry  | 1.73 - 1.79 | 1.95 - 2.10 | 0.85 - 0.90 | -49% to -53% / -55% to -57%    |
| credits   | 4.47 - 4.71 | 1.13 - 1.24 | 0.77 - 0.83 | -82% / -31% to -33%            |
| mapping   | 3.53 - 3.66 | 2.50 - 2.72 | 1.81 - 1.95 | -46% to -49% / -26% to -29%    |

The same with the bench as it was before these figures (`git show 77f3454:bench/subgraphs.py`: the
standard library's JSON in the client, the collector not settled), two rounds:

| subgraph  | db89b68     | main        | sg-cost     | sg-cost against db89b68 |
|-----------|-------------|-------------|-------------|-------------------------|
| registry  | 1.79 - 1.82 | 2.01 - 2.03 | 0.87 - 0.90 | -50% to -52%            |
| credits   | 2.35 - 2.47 | 1.09 - 1.12 | 0.82 - 0.86 | -65%                    |
| mapping   | 4.14 - 4.27 | 2.31 - 2.32 | 1.90 - 1.96 | -53% to -55%            |

The registry's request carries its standard's code as a literal, so each was validated anew:
validation is now kept per document shape (services/common/validation.py) and parsed documents per
text (services/common/parsing.py); every request also saves the session reset round trip after its
queries (services/common/db.py). Registry and credits are halved; mapping is at the line (-46% to
-55% depending on the harness), not clear of it: a third of its request is the crosswalk walk itself
(services/mapping/graph.py `reach`, networkx), outside this work.

Then, on main with the crosswalk walk over plain tuples (services/mapping/graph.py `steps`) and the
registry's `_entities` work (branch ent-5x), three rounds alternating with a checkout of db89b68 carrying
this bench file, over the same kept database (quiet machine, load average ~1.5):

| subgraph  | db89b68     | main        | change                 |
|-----------|-------------|-------------|------------------------|
| registry  | 1.86 - 2.05 | 0.94 - 0.95 | -49% to -54% (median -50%) |
| credits   | 4.77 - 5.00 | 0.92 - 0.94 | -81%                   |
| mapping   | 3.75 - 3.98 | 1.55 - 1.58 | -59%                   |
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.asgi_call import call_app  # noqa: E402
from bench.throwaway import throwaway_database  # noqa: E402
from gateway.signing import Caller  # noqa: E402
from qf.database import load_data, migrate_all  # noqa: E402
from qf.servers import _settle_garbage_collector  # noqa: E402
from qf.settings import SystemSettings  # noqa: E402
from services.common.db import Database, resolve_database_url  # noqa: E402
from services.credits.app import create_credits_app  # noqa: E402
from services.mapping.app import create_mapping_app  # noqa: E402
from services.registry.app import create_registry_app  # noqa: E402

DATA = Path(os.environ.get("QF_SHARED_DATA", ROOT.parent / "shared" / "data"))
CALLER = Caller(role="registrar", scope="mx-ut-ejemplo", subject="person:bench")
REGISTRY = "query {{ standard(code: {code}) {{ code title __typename equivalentEarlierVersions }} }}"
CREDITS = (
    "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Standard "
    "{ creditEquivalences { credits institution { name creditSystem } } } } }"
)
MAPPING = (
    "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Standard "
    "{ crosswalk(first: 5) { confidence item { scheme code } } } } }"
)
SUBGRAPHS = ("registry", "credits", "mapping")


async def measure(url: str, settings: SystemSettings, requests: int) -> dict[str, list[tuple[float, float]]]:
    secret = settings.require_secret()
    registry_db = await Database.connect(url, "registry")
    try:
        rows = await registry_db.fetch("SELECT code FROM standards WHERE status = 'published' ORDER BY code")
    finally:
        await registry_db.close()
    codes = [r["code"] for r in rows]
    random.Random(16).shuffle(codes)
    apps = {
        "registry": create_registry_app(settings, url),
        "credits": create_credits_app(settings, url, follow_feed=False),
        "mapping": create_mapping_app(settings, url),
    }
    costs: dict[str, list[tuple[float, float]]] = {name: [] for name in SUBGRAPHS}

    async def timed(name: str, work: Callable[[], Any]) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        answer = await work()
        costs[name].append(((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000))
        return answer

    async def call(app: Any, secret: bytes, query: str, variables: dict[str, Any] | None = None) -> Any:
        return await call_app(app, secret, CALLER, query, variables)

    async def one(code: str) -> None:
        registry = apps["registry"]
        data = await timed("registry", lambda: call(registry, secret, REGISTRY.format(code=json.dumps(code))))
        standard = data["standard"]
        credits_rep = {
            "__typename": "Standard",
            "code": code,
            "equivalentEarlierVersions": standard["equivalentEarlierVersions"],
        }
        await timed(
            "credits", lambda: call(apps["credits"], secret, CREDITS, {"representations": [credits_rep]})
        )
        mapping_rep = {"__typename": "Standard", "code": code}
        await timed(
            "mapping", lambda: call(apps["mapping"], secret, MAPPING, {"representations": [mapping_rep]})
        )

    async with (
        apps["registry"].router.lifespan_context(apps["registry"]),
        apps["credits"].router.lifespan_context(apps["credits"]),
        apps["mapping"].router.lifespan_context(apps["mapping"]),
    ):
        warmup, measured = codes[: min(30, len(codes) // 4)], codes[30 : 30 + requests]
        for code in warmup:
            await one(code)
        _settle_garbage_collector()  # as `qf serve` does once its servers listen
        for costs_of in costs.values():
            costs_of.clear()
        for code in measured:
            await one(code)
    return costs


async def has_standards(url: str) -> bool:
    """Whether `url` already holds the registry's standards (a database kept from an earlier run)."""
    db = await Database.connect(url, "registry")
    try:
        return bool(await db.fetchval("SELECT to_regclass('standards') IS NOT NULL"))
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="distinct standards measured (default 300)")
    parser.add_argument(
        "--database",
        help="a database of your own to load once and keep (loaded when it has no standards yet), so runs "
        "of two checkouts compare over the same data; default: a throw-away one",
    )
    args = parser.parse_args()
    server = os.environ.get("QF_DATABASE_URL") or resolve_database_url(
        SystemSettings(internal_secret="bench", curp_salt="bench", data_dir=ROOT / ".qf-data-bench")
    )
    async with contextlib.AsyncExitStack() as stack:
        if args.database:
            url = args.database
        else:
            _, url = await stack.enter_async_context(throwaway_database(server, "subgraphs"))
        started = time.perf_counter()
        settings = SystemSettings(internal_secret="bench", curp_salt="bench", database_url=url)
        if not await has_standards(url):
            await migrate_all(url)
            await load_data(url, settings, DATA, sample=True)
        loaded = time.perf_counter() - started
        costs = await measure(url, settings, args.requests)
    requests = len(costs["registry"])
    print(f"\ndata loaded in {loaded:.0f} s; {requests} requests, each for a different standard")
    print("shape: standard + credit equivalences + crosswalk, as our gateway's plan sends it; in process\n")
    print(f"{'subgraph':10} {'CPU ms/request':>15} {'p50 ms':>8} {'p95 ms':>8}")
    total = 0.0
    for name in SUBGRAPHS:
        cpu = statistics.fmean(c for c, _ in costs[name])
        walls = sorted(w for _, w in costs[name])
        p50, p95 = statistics.median(walls), walls[int(0.95 * (len(walls) - 1))]
        total += cpu
        print(f"{name:10} {cpu:15.2f} {p50:8.2f} {p95:8.2f}")
    print(f"{'all three':10} {total:15.2f}")


if __name__ == "__main__":
    asyncio.run(main())
