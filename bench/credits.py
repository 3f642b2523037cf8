"""Credit bank benchmark: explained transcripts in process, and the ledger under 32 concurrent clients.

Everything runs in a throw-away database (created on QF_DATABASE_URL's server, or on the embedded one in
.qf-data-bench, and dropped at the end) holding the registry and credit samples, plus three bench
programmes at two invented institutions with approved rules for 20 of the registry's real standards
(exempted courses that overlap, so DUPLICATE_COURSE occurs; a rule out of its window; a retired rule; a
proposed one; a cap that some learners reach). It prints:

1. `creditTranscript` latency for one learner with 20 certificates: the credits subgraph answering the
   gateway's `_entities` call for a `Learner` whose representation carries the certificate facts that
   `@requires` sends, through `schema.execute` in process (no HTTP), p50/p95/p99 over 1,000 learners
   (target p95 under 15 ms), next to two peers on the same learners: the resolver's own SQL reads plus
   `transcript.compute` without GraphQL, and `transcript.compute` alone (what GraphQL and SQL cost).
   The certificates are synthetic (built here, not issued: the transcript trusts `@requires` facts),
   with varied dates and a few revoked, expired, partial, too old or of a standard without a rule.
2. Transcripts per second for 10,000 distinct learners: `_entities` with 100 learners per call (as the
   gateway batches them) and with one per call, against `transcript.compute` alone.
3. Ledger postings per second with 32 concurrent clients for 12 s: each client takes a holder at an
   institution, deposits half of the holder's real certificates (each deposit verified with a registry
   running as its own process, `qf serve --service registry`, over HTTP on a local socket), applies
   credits to each programme, deposits the rest and applies again; mixed in: same-key replays (in turn
   and in flight), different-key duplicates (which must be refused with CONFLICT), and two applications
   on one holder at once. Then a consistency check in SQL over the whole ledger (target: at least 500
   postings per second, zero anomalies). The peer is the floor cost of the same rows without any of the
   ledger's locks, keys, checks or registry calls: one INSERT per posting from 32 clients, and a single
   INSERT ... SELECT of all of them. Under it, the CPU each process spent per posting (this one, the
   registry, the database's backends), which bounds what the machine's cores can reach.

The loop is uvloop and the garbage collector is set as `qf serve` sets it, as in the servers.

    python bench/credits.py     # QF_DATABASE_URL's server, or embedded PostgreSQL in .qf-data-bench

Sizes: BENCH_CALLS (1000), BENCH_LEARNERS (10000), BENCH_HOLDERS (1000), BENCH_LEDGER_SECONDS (12),
BENCH_CLIENTS (32), BENCH_IN_FLIGHT (4, transcript requests in flight for the throughput table).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import throwaway_database  # noqa: E402
from gateway.signing import Caller  # noqa: E402
from services.common.context import Context  # noqa: E402
from services.common.db import Database, resolve_database_url  # noqa: E402
from services.common.errors import Conflict  # noqa: E402
from services.common.migrations import migrate_service  # noqa: E402
from services.common.settings import Settings  # noqa: E402
from services.credits import catalog, ledger, transcript  # noqa: E402
from services.credits.loaders import Loaders  # noqa: E402
from services.credits.registry_link import RegistryClient, certificate_from_graphql  # noqa: E402
from services.credits.sample import load_sample as load_credits_sample  # noqa: E402
from services.credits.schema import schema  # noqa: E402
from services.registry import rules as registry_rules  # noqa: E402
from services.registry.sample import load_sample as load_registry_sample  # noqa: E402

CALLS = int(os.environ.get("BENCH_CALLS", "1000"))
WARMUP = 100
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "10000"))
CERTIFICATES_PER_LEARNER = 20
BATCH = 100
IN_FLIGHT = int(os.environ.get("BENCH_IN_FLIGHT", "4"))
HOLDERS = int(os.environ.get("BENCH_HOLDERS", "1000"))
CERTIFICATES_PER_HOLDER = 4
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
LEDGER_SECONDS = float(os.environ.get("BENCH_LEDGER_SECONDS", "12"))
SECRET = "bench-internal-secret"
SALT = "bench-curp-salt"
TODAY = date.today()
TARGET_P95_MS = 15.0
TARGET_POSTINGS = 500
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

UNI, COLLEGE = "bench-uni", "bench-college"
TSU, SHORT, AAS = "bench-uni-tsu", "bench-uni-short", "bench-college-aas"
PROGRAMMES = {UNI: [TSU, SHORT], COLLEGE: [AAS]}
ADMIN = Caller(role="admin", subject="bench:admin")
# The one standard of the registry's sample left without an approved rule (it gets a proposed one).
NO_RULE_CODE = "EC1279"
# The registry sample's certification bodies that have an evaluator, and that evaluator (the certifying
# person is another: the registry refuses a certificate whose evaluator certifies it too).
ISSUERS = {"ECE-00009": "EV-SAMPLE-1", "ECE-00001": "EV-SAMPLE-2"}

TRANSCRIPT = """query Transcripts($representations: [_Any!]!, $program: ID!) {
  _entities(representations: $representations) {
    ... on Learner {
      creditTranscript(programId: $program) {
        recognizedCredits creditsStillNeeded capApplied
        lines { folio status credits reason reasonEn exemptedCourses { code } }
      }
    }
  }
}"""


# --- figures -------------------------------------------------------------------------------------------


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference else "-"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- the bench catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    institution: str
    program: str | None
    code: str
    credits: int
    courses: list[tuple[str, int]]
    valid_from: date = date(2018, 1, 1)
    valid_to: date | None = None
    status: str = "approved"
    retired_on: date | None = None


def bench_rules(codes: list[str]) -> list[RuleRow]:
    """Rules for every code but NO_RULE_CODE at both institutions.

    At the university, pairs of standards share a one-credit course (the second of a pair a learner holds
    is docked: DUPLICATE_COURSE), even-numbered rules belong to the TSU programme and odd ones to every
    programme; one rule's window has closed (RULE_NOT_IN_FORCE) and one standard has a retired rule
    beside its current one. At the college, triples share a course.
    """
    rows: list[RuleRow] = []
    ruled = [c for c in codes if c != NO_RULE_CODE]
    for i, code in enumerate(ruled):
        credits = 3 + i % 4
        rows.append(
            RuleRow(
                UNI,
                TSU if i % 2 == 0 else None,
                code,
                credits,
                [(f"BU-{i:02d}", credits - 1), (f"BU-S{i // 2:02d}", 1)],
                valid_to=date(2024, 12, 31) if i == 7 else None,
            )
        )
        if i == 3:
            rows.append(
                RuleRow(
                    UNI,
                    None,
                    code,
                    2,
                    [(f"BU-OLD-{i:02d}", 2)],
                    valid_from=date(2015, 1, 1),
                    status="retired",
                    retired_on=date(2017, 12, 31),
                )
            )
        credits = 2 + i % 3
        rows.append(
            RuleRow(COLLEGE, None, code, credits, [(f"BC-{i:02d}", credits - 1), (f"BC-S{i // 3:02d}", 1)])
        )
    rows.append(RuleRow(UNI, None, NO_RULE_CODE, 4, [], status="proposed"))
    return rows


async def load_bench_catalogue(db: Database, codes: list[str]) -> int:
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO institutions (id, name_es, name_en, country, credit_system) "
            "VALUES ($1, $2, $3, $4, $5)",
            [
                (UNI, "Universidad de Banco de Pruebas", "Bench University", "MX", "SATCA"),
                (COLLEGE, "Bench Community College", "Bench Community College", "US", "US_SEMESTER"),
            ],
        )
        # (id, institution, award level, total, recognition cap, residency, max certificate age)
        await conn.executemany(
            """INSERT INTO programs (id, institution_id, name_es, award_level, total_credits, recognition_cap,
                   residency_credits, max_certificate_age_years)
               VALUES ($1, $2, $1, $3, $4, $5, $6, $7)""",
            [
                (TSU, UNI, "SHORT_CYCLE", 120, 45, 60, 10),  # cap 45 (recognition cap)
                (SHORT, UNI, "POST_SECONDARY_CERTIFICATE", 40, 10, 10, None),  # cap 10
                (AAS, COLLEGE, "SHORT_CYCLE", 60, 20, 48, 10),  # cap 12 (residency)
            ],
        )
        rules = bench_rules(codes)
        await conn.executemany(
            """INSERT INTO equivalence_rules (institution_id, program_id, base_code, versions, credits,
                   credit_level, exempted_courses, valid_from, valid_to, status, evidence, proposed_by,
                   approved_by, approved_on, retired_by, retired_on, retirement_reason)
               VALUES ($1, $2, $3, $4, $5, 'VOCATIONAL', $6, $7, $8, $9, 'Bench: curriculum comparison.',
                   'bench:proposer', $10, $11, $12, $13, $14)""",
            [
                (
                    r.institution,
                    r.program,
                    transcript.base_code(r.code),
                    [r.code],
                    r.credits,
                    [
                        {"code": c, "title": f"Curso {c}", "titleEn": None, "credits": str(n)}
                        for c, n in r.courses
                    ],
                    r.valid_from,
                    r.valid_to,
                    r.status,
                    None if r.status == "proposed" else "bench:approver",
                    None if r.status == "proposed" else r.valid_from,
                    "bench:approver" if r.retired_on else None,
                    r.retired_on,
                    "Replaced by the current rule." if r.retired_on else None,
                )
                for r in rules
            ],
        )
    return len(rules)


# --- 1 and 2: transcripts ------------------------------------------------------------------------------


def synthetic_learners(codes: list[str], count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Learner representations as the gateway builds them for @requires: 20 certificates' facts each.

    Drawn from the registry's standards plus a later version recorded as equivalent to EC0217.01 and a
    standard no institution has a rule for; issued over the last 12 years (the TSU accepts 10); 4 %
    revoked, 4 % expired, 4 % certifying only some elements.
    """
    pool = [*codes, "EC0217.02", "EC9001"]
    serial = 0
    learners = []
    for n in range(count):
        certificates = []
        for code in rng.sample(pool, CERTIFICATES_PER_LEARNER):
            serial += 1
            issued = TODAY - timedelta(days=rng.randint(30, 12 * 365))
            fact: dict[str, Any] = {
                "folio": f"{code.split('.')[0]}-{issued.year}-{serial:07d}",
                "standardCode": code,
                "scope": "WHOLE",
                "issuedOn": issued.isoformat(),
                "expiresOn": None,
                "status": "VALID",
                "revokedOn": None,
                "standard": {"equivalentEarlierVersions": ["EC0217.01"] if code == "EC0217.02" else []},
            }
            roll = rng.random()
            if roll < 0.04:
                fact["status"] = "REVOKED"
                fact["revokedOn"] = min(TODAY, issued + timedelta(days=rng.randint(30, 900))).isoformat()
            elif roll < 0.08:
                fact["expiresOn"] = max(issued, TODAY - timedelta(days=rng.randint(1, 700))).isoformat()
            elif roll < 0.12:
                fact["scope"] = "ELEMENTS"
            certificates.append(fact)
        learners.append(
            {"__typename": "Learner", "holderRef": f"bench-{n:06d}", "certificates": certificates}
        )
    return learners


@dataclass
class TranscriptBench:
    db: Database
    settings: Settings
    program: transcript.Program
    rules: list[transcript.Rule]

    def context(self) -> Context[Loaders]:
        return Context(db=self.db, caller=ADMIN, settings=self.settings, loaders=Loaders(self.db, ADMIN))

    async def graphql(self, representations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = await schema.execute(
            TRANSCRIPT,
            variable_values={"representations": representations, "program": self.program.id},
            context_value=self.context(),
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data["_entities"]

    async def sql_and_compute(self, learner: dict[str, Any]) -> transcript.Transcript:
        """What the resolver does without GraphQL: its two reads, then the computation."""
        (row,) = await catalog.programs_by_id(self.db, [self.program.id])
        certificates = [certificate_from_graphql(f) for f in learner["certificates"]]
        bases = sorted({transcript.base_code(c.standard_code) for c in certificates})
        rules = await catalog.rules_at(self.db, [(row["institution_id"], base) for base in bases])
        return transcript.compute(
            catalog.program_of(row), [catalog.rule_of(r) for r in rules], certificates, TODAY
        )

    def compute(self, learner: dict[str, Any]) -> transcript.Transcript:
        certificates = [certificate_from_graphql(f) for f in learner["certificates"]]
        return transcript.compute(self.program, self.rules, certificates, TODAY)


def fresh(items: Any) -> Any:
    """A new copy of request variables, as each request body decodes: `_entities` consumes its
    representations (strawberry pops their `__typename`)."""
    return json.loads(json.dumps(items))


async def latencies(work: Callable[[Any], Awaitable[Any]], items: list[Any]) -> list[float]:
    for item in fresh(items[:WARMUP]):
        await work(item)
    samples = []
    for item in fresh(items):
        started = time.perf_counter()
        await work(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def in_flight(work: Callable[[Any], Awaitable[Any]], items: list[Any], width: int) -> float:
    """Seconds to run `work` over every item with `width` calls in flight."""
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            await work(item)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(width)))
    return time.perf_counter() - started


async def bench_transcripts(bench: TranscriptBench, learners: list[dict[str, Any]]) -> None:
    sample = learners[:CALLS]

    async def ours(learner: dict[str, Any]) -> None:
        await bench.graphql([learner])

    async def alone(learner: dict[str, Any]) -> None:
        bench.compute(learner)

    gc.collect()
    rows = [
        ("ours: _entities -> Learner.creditTranscript", await latencies(ours, sample)),
        ("  peer: the resolver's 2 SQL reads + compute", await latencies(bench.sql_and_compute, sample)),
        ("  peer: transcript.compute alone", await latencies(alone, sample)),
    ]
    agree = 0
    for learner in sample[:200]:
        (answer,) = await bench.graphql(fresh([learner]))
        expected = bench.compute(learner)
        got = answer["creditTranscript"]
        agree += got["recognizedCredits"] == float(expected.recognized_credits) and [
            line["status"] for line in got["lines"]
        ] == [line.status.value for line in expected.lines]

    print(
        f"\n1. creditTranscript, one learner with {CERTIFICATES_PER_LEARNER} certificates per call, "
        f"in process (schema.execute, no HTTP)\n   {CALLS:,} distinct learners after {WARMUP} warm-up calls; "
        f"programme {TSU} (cap {transcript.fmt(bench.program.cap[0])})"
    )
    print(f"   {'':<50} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p50 vs ours':>12}")
    reference = p50(rows[0][1])
    for label, samples in rows:
        print(
            f"   {label:<50} {p50(samples):8.2f} {pct(samples, 0.95):8.2f} {pct(samples, 0.99):8.2f} "
            f"{ratio(p50(samples), reference):>12}"
        )
    graphql_share = reference - p50(rows[1][1])
    print(
        f"   GraphQL costs {graphql_share:.2f} ms of the {reference:.2f} ms p50 (ours is "
        f"{ratio(reference, p50(rows[2][1]))} compute alone); answers agree with compute: {agree}/200"
    )
    ours_p95 = pct(rows[0][1], 0.95)
    print(f"   target p95 < {TARGET_P95_MS:.0f} ms: {verdict(ours_p95 < TARGET_P95_MS)} ({ours_p95:.2f} ms)")

    # The workload, so the figures can be read: what the 10,000 transcripts' lines say.
    statuses: Counter[str] = Counter()
    capped = 0
    for learner in learners:
        result = bench.compute(learner)
        statuses.update(line.status.value for line in result.lines)
        capped += result.recognized_credits >= result.cap
    total = sum(statuses.values())
    print(
        f"   lines of all {len(learners):,} learners: "
        + ", ".join(f"{s} {n / total:.0%}" for s, n in statuses.most_common())
        + f"; learners at the cap: {capped / len(learners):.0%}"
    )

    batches = [learners[i : i + BATCH] for i in range(0, len(learners), BATCH)]
    gc.collect()
    batched = await in_flight(bench.graphql, fresh(batches), IN_FLIGHT)
    single = await in_flight(ours, fresh(learners), IN_FLIGHT)
    started = time.perf_counter()
    for learner in learners:
        bench.compute(learner)
    computed = time.perf_counter() - started
    print(
        f"\n2. transcripts per second, {len(learners):,} distinct learners x {CERTIFICATES_PER_LEARNER} "
        f"certificates, in process, {IN_FLIGHT} requests in flight"
    )
    print(f"   {'':<50} {'seconds':>8} {'per second':>11} {'vs batched':>11}")
    rate = len(learners) / batched
    for label, seconds in (
        (f"ours: _entities, {BATCH} learners per call", batched),
        ("ours: _entities, 1 learner per call", single),
        ("  peer: transcript.compute alone (one at a time)", computed),
    ):
        print(
            f"   {label:<50} {seconds:8.2f} {len(learners) / seconds:11,.0f} "
            f"{ratio(len(learners) / seconds, rate):>11}"
        )


# --- 3: the ledger -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def registry_process(url: str) -> Iterator[tuple[str, int]]:
    """`qf serve --service registry` on a free port, as its own process; yields its GraphQL URL and pid."""
    port = free_port()
    env = {
        **os.environ,
        "QF_DATABASE_URL": url,
        "QF_INTERNAL_SECRET": SECRET,
        "QF_CURP_SALT": SALT,
        "QF_LOG_LEVEL": "WARNING",
        "QF_ENVIRONMENT": "production",
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "qf", "serve", "--service", "registry", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"the registry did not start:\n{log.read().decode(errors='replace')}")
                time.sleep(0.1)
            yield f"{base}/graphql", process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            said = [line for line in log.read().decode(errors="replace").splitlines() if line.strip()]
            if said:
                print(f"   the registry process logged {len(said)} lines, the first ones:")
                for line in said[:10]:
                    print(f"     {line}")


# The CURP each certificate was issued to: the learner hands it to the registrar with the folio, and a
# registrar's deposit carries it (the registry banks a certificate only for its holder).
CURP_OF: dict[str, str] = {}


async def issue_certificates(url: str, rng: random.Random) -> dict[str, list[str]]:
    """HOLDERS holders with CERTIFICATES_PER_HOLDER real certificates each, issued by the registry's rules."""
    db = await Database.connect(url, "registry", max_size=8)
    try:
        accredited = await db.fetch(
            "SELECT body_id, standard_code FROM accreditations WHERE body_id = ANY($1::text[])", list(ISSUERS)
        )
        bodies: dict[str, str] = {}
        for row in sorted(accredited, key=lambda r: r["body_id"], reverse=True):
            bodies.setdefault(row["standard_code"], row["body_id"])  # ECE-00009 where both are
        codes = sorted(bodies)
        orders = [
            (holder, code, TODAY - timedelta(days=rng.randint(60, 11 * 365)))
            for holder in range(HOLDERS)
            for code in rng.sample(codes, CERTIFICATES_PER_HOLDER)
        ]
        salt = SALT.encode()
        held: dict[str, list[str]] = defaultdict(list)
        gate = asyncio.Semaphore(8)

        async def issue(n: int, holder: int, code: str, issued_on: date) -> None:
            curp = f"BEAX{holder:06d}HDFRRN0{holder % 10}"
            body = bodies[code]
            async with gate:
                folio = await registry_rules.issue_certificate(
                    db,
                    registry_rules.Issue(
                        standard_code=code,
                        body_id=body,
                        evaluator_id=ISSUERS[body],
                        holder_curp=curp,
                        holder_name="Persona De Prueba",
                        issued_on=issued_on,
                        idempotency_key=f"bench-issue-{n:08d}",
                    ),
                    Caller(role="certifier", subject=f"bench:certifier-{body}", scope=body),
                    salt,
                )
            held[registry_rules.holder_ref(salt, curp)].append(folio)
            CURP_OF[folio] = curp

        await asyncio.gather(*(issue(n, *order) for n, order in enumerate(orders)))
        return dict(held)
    finally:
        await db.close()


@dataclass
class Tally:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)  # outcomes the contract forbids
    reported: int = 0  # entries the answers say were posted (first answers only)
    complete: set[tuple[str, str]] = field(default_factory=set)  # (holder, institution) flows finished


class LedgerClient:
    """One of the concurrent clients: a registrar of one institution working through holders."""

    def __init__(
        self, number: int, db: Database, registry: RegistryClient, tally: Tally, rng: random.Random
    ) -> None:
        self.number = number
        self.db = db
        self.registry = registry
        self.tally = tally
        self.rng = rng

    def caller(self, institution: str, colleague: bool = False) -> Caller:
        who = self.number + (1000 if colleague else 0)
        return Caller(role="registrar", subject=f"{institution}:client-{who}", scope=institution)

    async def timed(self, kind: str, work: Awaitable[dict[str, Any]]) -> dict[str, Any] | None:
        started = time.perf_counter()
        try:
            result = await work
        except Conflict:
            self.tally.latency[kind].append((time.perf_counter() - started) * 1000)
            raise
        except Exception as exc:  # counted and shown; the flow goes on with the next holder
            self.tally.failures[f"{kind}: {type(exc).__name__}"] += 1
            return None
        self.tally.latency[kind].append((time.perf_counter() - started) * 1000)
        if not result["replayed"]:
            self.tally.reported += len(result["entries"])
        return result

    async def deposit(self, folio: str, institution: str, key: str, colleague: bool = False) -> Any:
        caller = self.caller(institution, colleague)
        return await self.timed(
            "deposit",
            ledger.deposit_certificate(
                self.db, self.registry, caller, folio, institution, key, CURP_OF[folio]
            ),
        )

    async def apply(
        self, holder: str, program: str, institution: str, key: str, colleague: bool = False
    ) -> Any:
        caller = self.caller(institution, colleague)
        return await self.timed("apply", ledger.apply_credits(self.db, caller, holder, program, key))

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.tally.wrong.append(what)

    async def refused(self, attempt: Awaitable[Any]) -> bool:
        try:
            await attempt
        except Conflict:
            return True
        return False

    async def bank(self, folio: str, institution: str) -> bool:
        key = f"dep-{folio}"
        roll = self.rng.random()
        if roll < 0.05:  # the same key twice at once: one posting, two identical answers
            first, second = await asyncio.gather(
                self.deposit(folio, institution, key), self.deposit(folio, institution, key, colleague=True)
            )
            if first is None or second is None:
                return False
            self.tally.outcomes["deposit: same key twice at once"] += 1
            self.expect(
                sorted([first["replayed"], second["replayed"]]) == [False, True]
                and first["entries"] == second["entries"],
                f"in-flight replay of {key} at {institution}: {first} / {second}",
            )
            return True
        if roll < 0.085:  # two keys at once for one certificate: one posting, one CONFLICT
            outcomes = await asyncio.gather(
                self.deposit(folio, institution, key),
                self.deposit(folio, institution, f"{key}-again", colleague=True),
                return_exceptions=True,
            )
            if any(o is None or not isinstance(o, dict | Conflict) for o in outcomes):
                return False  # a request failed (counted): nothing to judge
            refused = [o for o in outcomes if isinstance(o, Conflict)]
            posted = [o for o in outcomes if isinstance(o, dict)]
            self.tally.outcomes["deposit: two keys at once (one CONFLICT)"] += 1
            self.expect(len(refused) == 1 and len(posted) == 1, f"racing keys for {folio}: {outcomes}")
            return bool(posted)
        result = await self.deposit(folio, institution, key)
        if result is None:
            return False
        self.expect(not result["replayed"] and len(result["entries"]) == 1, f"deposit {key}: {result}")
        if roll < 0.165:  # the client retries with the same key: the first answer, nothing posted
            again = await self.deposit(folio, institution, key)
            self.tally.outcomes["deposit: same key again"] += 1
            self.expect(
                again is not None and again["replayed"] and again["entries"] == result["entries"],
                f"replay of {key}: {again}",
            )
        elif roll < 0.2:  # the same certificate again under a new key: refused
            self.tally.outcomes["deposit: new key, same certificate (CONFLICT)"] += 1
            self.expect(
                await self.refused(self.deposit(folio, institution, f"{key}-dup")),
                f"second deposit of {folio} at {institution} was not refused",
            )
        else:
            self.tally.outcomes["deposit"] += 1
        return True

    async def credit(self, holder: str, program: str, institution: str, key: str) -> bool:
        roll = self.rng.random()
        if roll < 0.25:  # two registrars apply for the same holder at once (different keys)
            results = await asyncio.gather(
                self.apply(holder, program, institution, f"{key}-a"),
                self.apply(holder, program, institution, f"{key}-b", colleague=True),
            )
            self.tally.outcomes["apply: two at once on one holder"] += 1
            return all(r is not None for r in results)
        result = await self.apply(holder, program, institution, key)
        if result is None:
            return False
        if roll < 0.35:
            again = await self.apply(holder, program, institution, key)
            self.tally.outcomes["apply: same key again"] += 1
            self.expect(
                again is not None and again["replayed"] and again["entries"] == result["entries"],
                f"replay of {key}: {again}",
            )
        else:
            self.tally.outcomes["apply"] += 1
        return True

    async def flow(self, holder: str, folios: list[str], institution: str) -> None:
        half = len(folios) // 2
        ok = True
        for round_, batch in enumerate((folios[:half], folios[half:])):
            for folio in batch:
                ok &= await self.bank(folio, institution)
            for program in PROGRAMMES[institution]:
                ok &= await self.credit(holder, program, institution, f"app-{holder}-{program}-{round_}")
        if ok:
            self.tally.complete.add((holder, institution))

    async def run(self, jobs: Iterator[tuple[str, list[str], str]], deadline: float) -> None:
        for holder, folios, institution in jobs:
            if time.monotonic() >= deadline:
                return
            await self.flow(holder, folios, institution)


ENTRY_COPY = (
    "holder_ref, institution_id, kind, folio, standard_code, program_id, rule_id, credits, exempted_courses, "
    "reverses, reason, certificate, posted_by, request_id"
)
STANDING = """standing AS (
    SELECT e.* FROM ledger_entries e
    WHERE e.kind = 'application' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)
)"""
CHECKS = [
    (
        "two deposits of one certificate at one institution",
        "SELECT count(*) FROM (SELECT 1 FROM ledger_entries WHERE kind = 'deposit' "
        "GROUP BY institution_id, folio HAVING count(*) > 1) x",
    ),
    (
        "(holder, programme) applied beyond its effective cap",
        """SELECT count(*) FROM (
             SELECT 1 FROM ledger_entries e JOIN programs p ON p.id = e.program_id
             WHERE e.kind IN ('application', 'reversal')
             GROUP BY e.holder_ref, e.program_id, p.recognition_cap, p.total_credits, p.residency_credits
             HAVING sum(e.credits) > least(p.recognition_cap, p.total_credits - p.residency_credits)) x""",
    ),
    (
        "certificate applied twice to one programme",
        f"WITH {STANDING} SELECT count(*) FROM (SELECT 1 FROM standing GROUP BY program_id, folio "
        "HAVING count(*) > 1) x",
    ),
    (
        "course exempted twice for one (holder, programme)",
        f"""WITH {STANDING} SELECT count(*) FROM (
              SELECT 1 FROM standing a, jsonb_array_elements(a.exempted_courses) c
              GROUP BY a.holder_ref, a.program_id, c->>'code' HAVING count(*) > 1) x""",
    ),
    (
        "application without a standing deposit of its own",
        f"""WITH {STANDING} SELECT count(*) FROM standing a WHERE NOT EXISTS (
              SELECT 1 FROM ledger_entries d
              WHERE d.kind = 'deposit' AND d.institution_id = a.institution_id AND d.folio = a.folio
                AND d.holder_ref = a.holder_ref
                AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = d.id))""",
    ),
    ("idempotency key without a result", "SELECT count(*) FROM idempotency_keys WHERE result IS NULL"),
    (
        "posting not named by exactly one key's answer",
        """WITH named AS (
             SELECT (jsonb_array_elements_text(result->'entries'))::bigint AS id, count(*) AS n
             FROM idempotency_keys GROUP BY 1)
           SELECT (SELECT count(*) FROM ledger_entries e LEFT JOIN named k ON k.id = e.id
                   WHERE coalesce(k.n, 0) <> 1)
                + (SELECT count(*) FROM named k LEFT JOIN ledger_entries e ON e.id = k.id
                   WHERE e.id IS NULL)""",
    ),
    (
        "deposit whose facts differ from the registry's",
        """SELECT count(*) FROM ledger_entries d LEFT JOIN registry.certificates c ON c.folio = d.folio
           WHERE d.kind = 'deposit' AND (c.folio IS NULL OR c.holder_ref <> d.holder_ref
                 OR c.standard_code <> d.standard_code
                 OR (d.certificate->>'issuedOn')::date <> c.issued_on)""",
    ),
]


async def recomputed_mismatches(db: Database, complete: set[tuple[str, str]]) -> int:
    """Finished flows whose applied credit differs from a fresh transcript of the same deposits.

    However the applications were split and raced, each programme should hold what one transcript of all
    the standing deposits gives (the cap and duplicate courses make the total order-independent).
    """
    entries = await db.fetch(f"SELECT {ledger.ENTRY_COLUMNS} FROM ledger_entries ORDER BY id")
    accounts: dict[tuple[str, str], list[asyncpg.Record]] = defaultdict(list)
    for entry in entries:
        accounts[(entry["holder_ref"], entry["institution_id"])].append(entry)
    programmes = {r["id"]: catalog.program_of(r) for r in await catalog.programs_by_id(db, [TSU, SHORT, AAS])}
    rules = {
        inst: [
            catalog.rule_of(r)
            for r in await db.fetch(
                f"SELECT {catalog.RULE_COLUMNS} FROM equivalence_rules WHERE institution_id = $1", inst
            )
        ]
        for inst in PROGRAMMES
    }
    mismatches = 0
    for (holder, institution), rows in accounts.items():
        if (holder, institution) not in complete:
            continue
        state = ledger.AccountState(rows)
        certificates = [certificate_from_graphql(e["certificate"]) for e in state.standing("deposit")]
        for program_id in PROGRAMMES[institution]:
            applied = sum((e["credits"] for e in state.standing("application", program_id)), Decimal(0))
            fresh = transcript.compute(programmes[program_id], rules[institution], certificates, TODAY)
            mismatches += applied != fresh.recognized_credits
    return mismatches


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process has used, from /proc (None when it is not on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def backends_cpu(db: Database) -> dict[int, float | None]:
    """CPU of each PostgreSQL backend serving the bench database (this process's and the registry's)."""
    pids = await db.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    return {r["pid"]: cpu_seconds(r["pid"]) for r in pids}


async def bench_ledger(
    db: Database, holders: dict[str, list[str]], registry_url: str, registry_pid: int
) -> None:
    rng = random.Random(11)
    tally = Tally()
    order = list(holders.items())
    rng.shuffle(order)
    # Each holder once at each institution, next to each other: one certificate is often deposited at
    # both institutions at the same moment.
    jobs = iter([(h, folios, inst) for h, folios in order for inst in (UNI, COLLEGE)])
    # The client the credit bank's app makes for itself (services/credits/app.py): httpx's default pool.
    registry = RegistryClient(registry_url, SECRET.encode())
    try:
        first_folio = next(iter(holders.values()))[0]
        await registry.certificates([(first_folio, None)], ADMIN)  # connect once before timing
        clients = [LedgerClient(n, db, registry, tally, random.Random(1000 + n)) for n in range(CLIENTS)]
        load = os.getloadavg()[0]
        pg_before = await backends_cpu(db)
        registry_before = cpu_seconds(registry_pid)
        own_before = time.process_time()
        deadline = time.monotonic() + LEDGER_SECONDS
        started = time.perf_counter()
        await asyncio.gather(*(c.run(jobs, deadline) for c in clients))
        elapsed = time.perf_counter() - started
        own_cpu = time.process_time() - own_before
        registry_after = cpu_seconds(registry_pid)
        pg_after = await backends_cpu(db)
    finally:
        await registry.close()
    registry_cpu = (
        None if registry_before is None or registry_after is None else registry_after - registry_before
    )
    pg_cpu: float | None = None
    if pg_after and all(v is not None for v in pg_after.values()):
        pg_cpu = sum(v - (pg_before.get(pid) or 0.0) for pid, v in pg_after.items() if v is not None)
    kinds = dict(await db.fetch("SELECT kind, count(*) FROM ledger_entries GROUP BY kind"))
    postings = sum(kinds.values())
    rate = postings / elapsed

    # The peers: the same rows with none of the ledger's work, one INSERT per posting from as many
    # clients, then one INSERT ... SELECT of all of them.
    rows = await db.fetch(f"SELECT {ENTRY_COPY} FROM ledger_entries ORDER BY id")
    for table in ("naive_entries", "naive_bulk"):
        await db.execute(
            f"CREATE TABLE {table} "
            "(LIKE ledger_entries INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
    insert = f"INSERT INTO naive_entries ({ENTRY_COPY}) VALUES ({', '.join(f'${i}' for i in range(1, 15))})"
    naive = await in_flight(lambda r: db.execute(insert, *r), [tuple(r) for r in rows], CLIENTS)
    started = time.perf_counter()
    await db.execute(f"INSERT INTO naive_bulk ({ENTRY_COPY}) SELECT {ENTRY_COPY} FROM ledger_entries")
    bulk = time.perf_counter() - started

    checks = [(label, await db.fetchval(sql)) for label, sql in CHECKS]
    checks.append(
        (
            "finished flow whose credit differs from a fresh transcript",
            await recomputed_mismatches(db, tally.complete),
        )
    )
    checks.append(("answer that broke the contract (replay, refusal)", len(tally.wrong)))
    checks.append(("postings reported by answers but not in the ledger", abs(tally.reported - postings)))
    anomalies = sum(n for _, n in checks)

    requests = sum(len(v) for v in tally.latency.values())
    print(
        f"\n3. ledger: {CLIENTS} concurrent clients for {elapsed:.1f} s (new holders stop at "
        f"{LEDGER_SECONDS:.0f} s); registrars of {UNI} (2 programmes) and {COLLEGE} (1)"
    )
    print(
        f"   registry verification: its own process (qf serve --service registry) over HTTP on 127.0.0.1; "
        f"{len(holders):,} holders x {CERTIFICATES_PER_HOLDER} real certificates, "
        f"{len(tally.complete):,} (holder, institution) flows finished"
    )
    print(f"   {'request':<50} {'count':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in ("deposit", "apply"):
        samples = tally.latency[kind]
        print(f"   {kind:<50} {len(samples):8,} {p50(samples):8.2f} {pct(samples, 0.95):8.2f}")
    print("   " + "; ".join(f"{name} {n:,}" for name, n in sorted(tally.outcomes.items())))
    if tally.failures:
        print(
            "   failed requests (nothing posted): " + ", ".join(f"{k} {n}" for k, n in tally.failures.items())
        )
    print(f"\n   {'':<50} {'postings':>8} {'seconds':>8} {'per second':>11} {'vs ours':>8}")
    print(
        f"   {'ours: deposits + applications (' + str(requests) + ' requests)':<50} {postings:8,} "
        f"{elapsed:8.2f} {rate:11,.0f} {'1.00x':>8}"
    )
    for label, seconds in (
        (f"  peer: naive INSERT per posting, {CLIENTS} clients", naive),
        ("  peer: one INSERT ... SELECT of the same rows", bulk),
    ):
        print(
            f"   {label:<50} {postings:8,} {seconds:8.2f} {postings / seconds:11,.0f} "
            f"{ratio(postings / seconds, rate):>8}"
        )
    print("   postings by kind: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())))
    shares = [
        (f"this process ({CLIENTS} clients + the ledger code)", own_cpu),
        ("registry process", registry_cpu),
        ("PostgreSQL backends of the bench database", pg_cpu),
    ]
    print("   CPU ms per posting (the peers' rows above are not in these figures):")
    for label, cpu in shares:
        print(f"     {label:<48} " + (f"{cpu * 1000 / postings:6.2f}" if cpu is not None else "   n/a"))
    known = sum(cpu for _, cpu in shares if cpu is not None)
    cores = os.cpu_count() or 1
    print(
        f"     {'together':<48} {known * 1000 / postings:6.2f}   ({cores} idle cores would cap this mix near "
        f"{postings * cores / known:,.0f} postings/s; load average at the start {load:.1f})"
    )
    print(f"\n   {'consistency check (SQL over the whole ledger)':<62} {'anomalies':>9}")
    for label, count in checks:
        print(f"   {label:<62} {count:9,}")
    for what in tally.wrong[:5]:
        print(f"     e.g. {what}")
    print(
        f"   target >= {TARGET_POSTINGS} postings/s with zero anomalies: "
        f"{verdict(rate >= TARGET_POSTINGS and anomalies == 0)} "
        f"({rate:,.0f} postings/s, {anomalies} anomalies)"
    )


# --- main ----------------------------------------------------------------------------------------------


def settle_garbage_collector() -> None:
    """What `qf serve` does once its servers listen (qf/servers.py), so latencies match a server's.

    Each phase below also starts from a collected heap: a request's objects that are still in flight when
    a young collection runs move to the old generation, where collections are rare, so without it one
    phase's garbage (millions of objects after 10,000 transcripts) would be traced during the next.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


async def main() -> None:
    began = time.perf_counter()
    settings = Settings(
        internal_secret=SECRET, curp_salt=SALT, data_dir=ROOT / ".qf-data-bench"
    )
    server = resolve_database_url(settings)
    async with throwaway_database(server, "credits") as (name, url):
        settings = settings.model_copy(update={"database_url": url})
        started = time.perf_counter()
        await migrate_service(url, "registry")
        await migrate_service(url, "credits")
        registry_db = await Database.connect(url, "registry")
        db = await Database.connect(url, "credits", max_size=40)
        try:
            await load_registry_sample(registry_db, SALT.encode())
            await load_credits_sample(db)
            codes = [r["code"] for r in await registry_db.fetch("SELECT code FROM standards ORDER BY code")]
            await registry_db.close()
            rule_count = await load_bench_catalogue(db, codes)
            migrated = time.perf_counter() - started
            started = time.perf_counter()
            holders = await issue_certificates(url, random.Random(5))
            issued = time.perf_counter() - started
            (program_row,) = await catalog.programs_by_id(db, [TSU])
            rules = [
                catalog.rule_of(r)
                for r in await db.fetch(
                    f"SELECT {catalog.RULE_COLUMNS} FROM equivalence_rules WHERE institution_id = $1", UNI
                )
            ]
            bench = TranscriptBench(db, settings, catalog.program_of(program_row), rules)
            learners = synthetic_learners(codes, LEARNERS, random.Random(7))

            print(
                f"credit bank bench: PostgreSQL at {server.split('@')[-1]} (throw-away database {name}), "
                f"uvloop, {os.cpu_count()} CPUs shared by everything"
            )
            print(
                f"setup {migrated:.1f} s: registry and credit samples, {rule_count} bench rules over "
                f"{len(codes) - 1} of the registry's {len(codes)} standards; "
                f"{HOLDERS * CERTIFICATES_PER_HOLDER:,} certificates issued through the registry's rules "
                f"in {issued:.1f} s"
            )
            settle_garbage_collector()
            await bench_transcripts(bench, learners)
            gc.collect()
            with registry_process(url) as (registry_url, registry_pid):
                await bench_ledger(db, holders, registry_url, registry_pid)
        finally:
            await db.close()
    print(f"\nwhole bench: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    uvloop.run(main())
