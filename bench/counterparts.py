"""Counterpart benchmark: how well, how surely and how fast standards reach their US occupations.

On the full official data, in a throw-away database (created here, dropped at the end), after the same
import as `qf import all`, with the proposer's corpus loaded once. Prints:

- quality on the development gold set (tests/mapping/gold/counterparts.csv): hit@1, hit@5 and MRR on
  SOC 2018 of `Proposer.rank(code, [SOC_2018, ONET_SOC], first=10)`, overall and per sector (an O*NET
  code counts through its SOC; see services/mapping/counterparts/evaluation.py), and of the GraphQL
  `Standard.counterparts` in process when the field exists (targets: hit@5 >= 0.9, hit@1 >= 0.7);
- calibration: the gold set's top-5 candidates binned by confidence, each bin's precision next to its
  mean confidence, and the expected calibration error;
- coverage: the share of all standards whose best SOC candidate reaches a threshold, the mean confidence
  of those (the precision the proposer claims) and the precision measured at that threshold on the gold
  set (what it achieves), at several thresholds;
- timings: import, corpus load, `propose_all` over every standard (target under 60 s), p50/p95 of `rank`
  over every standard and of `Standard.counterparts` in process (target p95 under 20 ms).

    python bench/counterparts.py [--data ../shared/data] [--gold FILE] [--threshold 0.5]
    # on QF_DATABASE_URL's server, or the embedded PostgreSQL in .qf-data-bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import throwaway_database  # noqa: E402
from gateway.signing import Caller, sign  # noqa: E402
from services.common.db import Database, resolve_database_url  # noqa: E402
from services.common.migrations import migrate_service  # noqa: E402
from services.common.settings import Settings  # noqa: E402
from services.mapping.counterparts.evaluation import (  # noqa: E402
    GoldRow,
    Scores,
    calibration_bins,
    calibration_error,
    coverage,
    first_hit,
    precision_at,
    read_gold,
    score,
    soc_ranking,
)
from services.mapping.importer import import_all  # noqa: E402
from services.mapping.model import Scheme  # noqa: E402

SCHEMES = (Scheme.SOC_2018, Scheme.ONET_SOC)
FIRST = 10
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9)
MAX_MISSES_SHOWN = 40
GRAPHQL_STANDARDS = 300  # standards timed through GraphQL (plus every gold standard)
COUNTERPARTS_QUERY = (
    "query($r: [_Any!]!, $first: Int!) { _entities(representations: $r) { ... on Standard { code "
    "counterparts(schemes: [SOC_2018, ONET_SOC], first: $first) { item { scheme code } confidence } } } }"
)

Ranking = list[tuple[str, str, float]]  # (scheme, code, confidence), best first


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def gold_positions(gold: list[GoldRow], rankings: dict[str, Ranking]) -> list[int | None]:
    return [
        first_hit(soc_ranking((s, c) for s, c, _ in rankings.get(row.standard_code, [])), row.accepted)
        for row in gold
    ]


def soc_candidates(ranking: Ranking) -> list[tuple[str, float]]:
    """The (SOC occupation, confidence) of a ranking's SOC candidates, each occupation once, in order."""
    best: dict[str, float] = {}
    for scheme, code, confidence in ranking:
        for soc in soc_ranking([(scheme, code)]):
            best.setdefault(soc, confidence)
    return list(best.items())


def scores_line(label: str, s: Scores) -> str:
    return f"  {label:<34} {s.count:>5} {s.hit_at_1:>7.2f} {s.hit_at_5:>7.2f} {s.mrr:>7.2f}"


def print_quality(title: str, gold: list[GoldRow], rankings: dict[str, Ranking]) -> None:
    positions = gold_positions(gold, rankings)
    print(f"\n{title}")
    print(f"  {'':<34} {'n':>5} {'hit@1':>7} {'hit@5':>7} {'MRR':>7}")
    print(scores_line("all", score(positions)))
    by_sector: dict[str, list[int | None]] = defaultdict(list)
    for row, position in zip(gold, positions, strict=True):
        by_sector[row.sector].append(position)
    for sector in sorted(by_sector):
        print(scores_line(f"  {sector}", score(by_sector[sector])))
    overall = score(positions)
    met = overall.hit_at_5 >= 0.9 and overall.hit_at_1 >= 0.7
    print(f"  targets hit@5 >= 0.9 and hit@1 >= 0.7: {'met' if met else 'NOT met'}")
    misses = [
        f"    {row.standard_code} {row.title_es[:60]!r}: wants {'|'.join(sorted(row.accepted))}, first "
        + (", ".join(soc for soc, _ in soc_candidates(rankings.get(row.standard_code, []))[:3]) or "none")
        for row, position in zip(gold, positions, strict=True)
        if position is None or position > 5
    ]
    if misses:
        print(f"  not in the first 5 ({len(misses)}):")
        print("\n".join(misses[:MAX_MISSES_SHOWN]))
        if len(misses) > MAX_MISSES_SHOWN:
            print(f"    ... and {len(misses) - MAX_MISSES_SHOWN} more")


def print_calibration(
    gold: list[GoldRow], rankings: dict[str, Ranking], standards: list[str], threshold: float
) -> None:
    judged = [
        (confidence, soc in row.accepted)
        for row in gold
        for soc, confidence in soc_candidates(rankings.get(row.standard_code, []))[:5]
    ]
    top = [
        (candidates[0][1], candidates[0][0] in row.accepted)
        for row in gold
        if (candidates := soc_candidates(rankings.get(row.standard_code, [])))
    ]
    print("\nCalibration on the gold set (each row's first 5 SOC candidates; correct = an accepted code)")
    print(f"  {'confidence':<14} {'n':>6} {'mean conf':>10} {'precision':>10}")
    bins = calibration_bins(judged)
    for b in bins:
        print(
            f"  {b.low:.1f} - {b.high:.1f}     {b.count:>6} {b.mean_confidence:>10.2f} {b.precision:>10.2f}"
        )
    print(
        f"  expected calibration error: {calibration_error(bins):.3f} (top-5); "
        f"{calibration_error(calibration_bins(top)):.3f} (first candidate only)"
    )

    best = []
    for code in standards:
        candidates = soc_candidates(rankings.get(code, []))
        best.append(candidates[0][1] if candidates else None)
    print(f"\nCoverage of all {len(standards):,} standards (best SOC candidate at or above the threshold)")
    print(f"  {'threshold':<10} {'covered':>8} {'share':>7} {'claimed prec.':>14} {'gold prec. (n)':>15}")
    for t in sorted({*THRESHOLDS, threshold}):
        c = coverage(best, t)
        n, measured = precision_at(top, t)
        chosen = "  <- chosen" if t == threshold else ""
        print(
            f"  {t:<10.2f} {c.covered:>8,} {c.share:>7.2f} {c.mean_confidence:>14.2f} "
            f"{measured:>10.2f} ({n:>3}){chosen}"
        )


async def graphql_rankings(
    settings: Settings, url: str, codes: list[str]
) -> tuple[dict[str, Ranking], list[float]] | str:
    """Each code's `Standard.counterparts` through the mapping app in process, and the time of each
    call; or why it could not be measured."""
    from services.mapping.app import create_mapping_app

    app = create_mapping_app(settings, url)
    secret = settings.require_secret()
    rankings: dict[str, Ranking] = {}
    samples: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mapping") as http:

            async def ask(code: str) -> dict[str, Any]:
                body = json.dumps(
                    {
                        "query": COUNTERPARTS_QUERY,
                        "variables": {"r": [{"__typename": "Standard", "code": code}], "first": FIRST},
                    }
                ).encode()
                headers = sign(secret, Caller(role="public"), body=body)
                answer = await http.post(
                    "/graphql", content=body, headers={**headers, "content-type": "application/json"}
                )
                return answer.json()

            first = await ask(codes[0])  # also warms the app's caches
            if first.get("errors"):
                return "skipped: " + "; ".join(e.get("message", "?") for e in first["errors"])[:300]
            for code in codes:
                started = time.perf_counter()
                payload = await ask(code)
                samples.append((time.perf_counter() - started) * 1000)
                if payload.get("errors"):
                    return f"failed on {code}: {payload['errors'][0].get('message', '?')}"
                entity = payload["data"]["_entities"][0]
                rankings[code] = [
                    (c["item"]["scheme"], c["item"]["code"], c["confidence"]) for c in entity["counterparts"]
                ]
    return rankings, samples


JSON = "application/json"


async def print_automotive_scope(settings: Settings, url: str) -> None:
    """The task force's automotive rule (services/mapping/scope.py) on the data as imported and proposed:
    how many standards it selects, by reason, against the memorandum's 68."""
    from services.mapping.app import create_mapping_app

    app = create_mapping_app(settings, url)
    body = json.dumps({"query": "{ automotiveScope { code reasons { kind } } }"}).encode()
    headers = {**sign(settings.require_secret(), Caller(role="public"), body=body), "content-type": JSON}
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://m") as http,
    ):
        answer = (await http.post("/graphql", content=body, headers=headers)).json()
    if answer.get("errors"):
        print(f"\nAutomotive scope not measured: {answer['errors'][0].get('message')}")
        return
    scoped = answer["data"]["automotiveScope"]
    kinds: dict[str, int] = defaultdict(int)
    only: dict[str, int] = defaultdict(int)
    for standard in scoped:
        found = {r["kind"] for r in standard["reasons"]}
        for kind in found:
            kinds[kind] += 1
        if len(found) == 1:
            only[next(iter(found))] += 1
    print(f"\nAutomotive scope (services/mapping/scope.py): {len(scoped)} standards (memorandum: 68)")
    for kind in sorted(kinds):
        print(f"  {kind:<11} {kinds[kind]:>4} standards ({only[kind]} by this reason alone)")


async def run(url: str, settings: Settings, data: Path, gold: list[GoldRow], threshold: float) -> None:
    # Imported here so that a branch without the proposer still gets a clear message, not a traceback.
    try:
        from services.mapping.counterparts import proposer as proposer_module
        from services.mapping.counterparts.corpus import load_corpus
    except ImportError as exc:
        sys.exit(f"the counterpart proposer is not on this branch: {exc}")
    propose_all = getattr(proposer_module, "propose_all", None)  # timed only once it exists

    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            started = time.perf_counter()
            await import_all(conn, data)
            import_seconds = time.perf_counter() - started
            started = time.perf_counter()
            corpus = await load_corpus(conn)
            proposer = proposer_module.Proposer(corpus)
            load_seconds = time.perf_counter() - started
            standards = [
                r["code"]
                for r in await conn.fetch("SELECT code FROM items WHERE scheme = 'CONOCER_EC' ORDER BY code")
            ]
            rankings: dict[str, Ranking] = {}
            rank_ms: list[float] = []
            for code in standards:
                started = time.perf_counter()
                candidates = proposer.rank(code, SCHEMES, first=FIRST)
                rank_ms.append((time.perf_counter() - started) * 1000)
                rankings[code] = [(str(c.scheme), c.code, c.confidence) for c in candidates]
            propose_seconds, summary = None, None
            if propose_all is not None:
                started = time.perf_counter()
                summary = await propose_all(conn)
                propose_seconds = time.perf_counter() - started
            proposals = await conn.fetchval(
                "SELECT count(*) FROM edges WHERE status = 'proposed' AND method = 'text_match'"
            )
    finally:
        await db.close()

    known = set(standards)
    absent = [row.standard_code for row in gold if row.standard_code not in known]
    print(
        f"counterparts bench on {data}; gold set of {len(gold)} standards in {len({r.sector for r in gold})} "
        f"sectors"
        + (f" ({len(absent)} not among the imported standards: {', '.join(absent)})" if absent else "")
    )
    print(f"  import: {import_seconds:.1f} s; corpus load and proposer build: {load_seconds:.2f} s")
    print_quality(f"Gold set, Proposer.rank(schemes=[SOC_2018, ONET_SOC], first={FIRST})", gold, rankings)
    print_calibration(gold, rankings, standards, threshold)

    sample = sorted({row.standard_code for row in gold} & known)
    rest = [code for code in standards if code not in set(sample)]
    sample += rest[:: max(1, len(rest) // GRAPHQL_STANDARDS)][:GRAPHQL_STANDARDS]
    measured = await graphql_rankings(settings, url, sample)
    if isinstance(measured, str):
        api_note = f"Standard.counterparts not measured ({measured})"
    else:
        api_rankings, api_ms = measured
        print_quality("Gold set, GraphQL Standard.counterparts in process", gold, api_rankings)
    await print_automotive_scope(settings, url)

    print("\nTimings")
    rank_p50, rank_p95 = percentiles(rank_ms)
    if propose_seconds is None:
        print("  propose_all not measured (not in services.mapping.counterparts.proposer on this branch)")
    else:
        print(
            f"  propose_all over {len(standards):,} standards: {propose_seconds:.1f} s (target < 60 s); "
            f"{proposals:,} proposal edges; summary: {summary}"
        )
    print(f"  Proposer.rank, every standard: p50 {rank_p50:.2f} ms, p95 {rank_p95:.2f} ms")
    if isinstance(measured, str):
        print(f"  {api_note}")
    else:
        api_p50, api_p95 = percentiles(api_ms)
        print(
            f"  Standard.counterparts over ASGI, {len(api_ms)} standards: p50 {api_p50:.2f} ms, "
            f"p95 {api_p95:.2f} ms (target p95 < 20 ms: {'met' if api_p95 < 20 else 'NOT met'})"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "mapping" / "gold" / "counterparts.csv")
    parser.add_argument("--threshold", type=float, default=0.5, help="coverage threshold (0..1)")
    args = parser.parse_args()
    if not 0.0 <= args.threshold <= 1.0:
        parser.error("--threshold must be between 0 and 1")
    if not args.data.is_dir():
        parser.error(f"--data: {args.data} is not a folder")
    gold = read_gold(args.gold)

    settings = Settings(
        internal_secret="bench", curp_salt="bench", data_dir=ROOT / ".qf-data-bench"
    )
    server = resolve_database_url(settings)
    async with throwaway_database(server, "counterparts") as (_, url):
        await run(url, settings, args.data, gold, args.threshold)


if __name__ == "__main__":
    asyncio.run(main())
