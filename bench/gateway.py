"""Gateway benchmark: our gateway against @apollo/gateway and Hive Gateway over the same subgraphs.

Two sections. The first ("node") measures the gateways themselves over fast Node subgraphs; the second
("real") puts the same three gateways in front of our own Python subgraphs on real data, for the shapes
the API exists for.

Node subgraphs. Installs the peers from bench/peers/package.json (npm ci when node_modules is stale),
starts three fast Node subgraphs (products, reviews, shipping: bench/peers/schemas.mjs), composes them
with @apollo/composition into one supergraph file that all three gateways load, checks that every gateway
returns the same data for every shape, then measures at fixed concurrency in interleaved rounds
(ours, apollo, hive, ours, apollo, hive, ...) and prints the median over rounds:

- list:     `{ products(first: 100) { upc name price } }`               one subgraph
- join:     `{ products(first: 100) { upc name reviews { id body } } }` 100 entities from a second one
- requires: `{ products(first: 100) { upc shippingEstimate } }`         a @requires chain

Then the gateway alone: a second supergraph whose only subgraph is a canned products subgraph (it replays
stored answers), for throughput and, at concurrency 1, the latency each gateway adds to hitting that
subgraph directly, with the plan cached.

Our subgraphs. registry, credits and mapping, each its own `qf serve --service NAME` process, over a
throw-away database (created in QF_DATABASE_URL's server, else in the embedded one under .qf-data-bench,
dropped at the end) with every migration and the sample `qf serve` loads; their SDL (`_service { sdl }`)
is composed with @apollo/composition as above. The caller is a registrar of `mx-ut-ejemplo`: our gateway
gets an API key (`Authorization: Bearer`, the gateway's key store in the same database) and signs each
subgraph request for it; Apollo's and Hive's gateways cannot authenticate our keys, so they sign every
subgraph request for that same caller with the shared internal secret (bench/peers/sign.mjs, a fetcher
for Apollo and an onFetch hook for Hive), which our subgraphs require. Shapes:

- standard: `standard(code: "EC1121")` with its credit equivalences (credits, through @requires of
  the registry's equivalentEarlierVersions) and its crosswalk (mapping): all three subgraphs
- transcript: the sample learner's certificates (registry) and credit transcript in a programme
  (credits, @requires of every certificate's facts, nested in the registry)

Every load sends one query as one caller, so the in-flight deduplication of identical subgraph requests
applies where a gateway does it: ours and Hive's by default, @apollo/gateway not. The subgraphs' CPU per
request shows how much it saves, and a fourth row, our gateway with it off
(QF_DEDUPLICATE_SUBGRAPH_QUERIES=false), compares like with like against Apollo.

    python bench/gateway.py [--seconds 5] [--rounds 3] [--connections 16] [--only node|real]
                            [--profile FILE]

Targets (gateway issue): at least 3x @apollo/gateway's throughput and at least Hive Gateway's on every
shape; under 2 ms added p50 latency for a cached plan. Everything (gateways, subgraphs, the load
generator) shares this machine's cores, one gateway process each; only one gateway is under load at once.
So each table also gives the CPU time per request (from /proc) of the gateway, of the subgraphs and of
the load generator: on a saturated machine throughput is the cores divided by their sum, and the share
the gateway does not control (subgraphs, load generator) bounds the ratio any gateway can reach.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the real section imports services/ and gateway/
PEERS = ROOT / "bench" / "peers"
STAMP = PEERS / "node_modules" / ".bench-installed"
GATEWAYS = ("ours", "apollo", "hive")
LABELS = {
    "ours": "ours (Python)",
    "ours-nodedup": "ours, no dedup",
    "apollo": "@apollo/gateway",
    "hive": "Hive Gateway",
    "direct": "subgraph direct",
}
SHAPES = {
    "list": ("single-subgraph list", "{ products(first: 100) { upc name price } }"),
    "join": ("entity join, 100 entities", "{ products(first: 100) { upc name reviews { id body } } }"),
    "requires": ("@requires chain", "{ products(first: 100) { upc shippingEstimate } }"),
}
# What the latency table sends through the canned subgraph: the smallest answer (the gateway's fixed cost)
# and the list shape (what 100 objects add).
LATENCY_QUERIES = {
    "first: 1": "{ products(first: 1) { upc name } }",
    "first: 100": SHAPES["list"][1],
}
# Our subgraphs, and who calls them: a registrar of the sample's university may read the sample learner's
# certificates and transcript.
REAL_SUBGRAPHS = ("registry", "credits", "mapping")
REAL_ROLE, REAL_SCOPE = "registrar", "mx-ut-ejemplo"
REAL_STANDARD = "EC1121"  # in all three samples: the registry's, the credit bank's rules, the crosswalk
REAL_PROGRAM, REAL_AS_OF = "mx-ut-ejemplo-tsu-auto", "2025-12-01"
REAL_SHAPES = {
    "standard": (
        "standard + credit equivalences + crosswalk (3 subgraphs)",
        f'{{ standard(code: "{REAL_STANDARD}") {{ code title creditEquivalences {{ credits '
        "institution { name creditSystem } } crosswalk(first: 5) { confidence item { scheme code } } } }",
    ),
    "transcript": (
        "learner transcript (registry + credits, nested @requires)",
        '{ learner(holderRef: "HOLDER_REF") { certificates { folio standardCode } '
        f'creditTranscript(programId: "{REAL_PROGRAM}", asOf: "{REAL_AS_OF}") {{ recognizedCredits '
        "creditsStillNeeded lines { folio status credits reason } } } }",
    ),
}
WARMUP_SECONDS = 0.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    pass


@dataclass
class Cpu:
    """CPU milliseconds per request, over a whole run including its warm-up."""

    gateway: float
    subgraphs: float
    loadgen: float


@dataclass
class Result:
    rps: float
    p50: float
    p99: float
    errors: int
    cpu: Cpu


@dataclass
class Target:
    url: str
    group: int | None  # the process group whose CPU time counts as the gateway's; None: no gateway
    authorization: str | None = None  # the Authorization header of every request sent to it


@dataclass
class Processes:
    """Every process the bench starts, each in its own session so that stopping it stops its children."""

    logs: Path
    running: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(
        self, name: str, argv: list[str], env: dict[str, str], cwd: Path = ROOT
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process, log))
        return process

    def groups(self, *names: str) -> list[int]:
        # Each process leads its own session, so its pid is also its process group's id.
        return [process.pid for name, process, _ in self.running if name in names]

    def log_tail(self, name: str, lines: int = 20) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop_all(self) -> None:
        for _, process, _ in self.running:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, process, log in self.running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()
        self.running.clear()


def cpu_seconds(groups: list[int]) -> dict[int, float]:
    """User plus system CPU seconds so far of every live process in each process group."""
    totals = dict.fromkeys(groups, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we listed /proc
            continue
        # The command name may hold spaces and parentheses: the fields that follow start after the last ")".
        fields = text[text.rindex(")") + 2 :].split()
        group = int(fields[2])
        if group in totals:
            totals[group] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return totals


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_env() -> dict[str, str]:
    # Offline and quiet: no Apollo or Hive key can reach a peer, and Apollo's telemetry is off.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APOLLO_", "HIVE_", "QF_"))}
    env.update(APOLLO_TELEMETRY_DISABLED="1", NODE_ENV="production")
    return env


def ours_env(**settings: str) -> dict[str, str]:
    # By default no database and no internal secret: every caller is public and subgraph requests go
    # unsigned, as in front of anybody's subgraphs. `settings` are QF_* variables to set.
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    env.update(QF_LOG_LEVEL="WARNING", QF_ENVIRONMENT="production")
    env.update({f"QF_{name.upper()}": value for name, value in settings.items()})
    return env


def install_peers() -> None:
    lock = PEERS / "package-lock.json"
    newest = max(p.stat().st_mtime for p in (PEERS / "package.json", lock) if p.exists())
    if STAMP.exists() and STAMP.stat().st_mtime >= newest:
        return
    # npm ci installs exactly the lock; a package.json edited since needs npm install to update the lock.
    in_sync = lock.exists() and lock.stat().st_mtime >= (PEERS / "package.json").stat().st_mtime
    command = ["npm", "ci" if in_sync else "install", "--no-audit", "--no-fund"]
    print(f"installing the peers: {' '.join(command)} in {PEERS}", flush=True)
    result = subprocess.run(command, cwd=PEERS, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    STAMP.touch()


def wait_ready(processes: Processes, name: str, process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 90
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(f"{name} exited with {process.returncode}:\n{processes.log_tail(name)}")
            try:
                answer = client.post(url, json={"query": "{ __typename }"})
                if answer.status_code == 200 and "data" in answer.json():
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
    raise BenchError(f"{name} did not answer at {url} within 90 s:\n{processes.log_tail(name)}")


def compose(work: Path, name: str, subgraphs: dict[str, str]) -> Path:
    args = [f"{subgraph}={url}" for subgraph, url in subgraphs.items()]
    result = subprocess.run(
        ["node", "compose.mjs", *args], cwd=PEERS, env=node_env(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"composition failed:\n{result.stderr}")
    path = work / f"{name}.graphql"
    path.write_text(result.stdout, encoding="utf-8")
    return path


def start_gateways(
    processes: Processes,
    supergraph: Path,
    suffix: str,
    profile: Path | None = None,
    *,
    env_ours: dict[str, str] | None = None,
    env_peers: dict[str, str] | None = None,
    authorization: str | None = None,
) -> dict[str, Target]:
    """Our gateway, Apollo's and Hive's over `supergraph`, each returned once it answers."""
    targets = {}
    for gateway in GATEWAYS:
        port = free_port()
        name = f"{gateway}-{suffix}"
        if gateway == "ours":
            python = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else [])]
            argv = [*python, "-m", "qf", "serve", "--service", "gateway"]
            argv += ["--supergraph", str(supergraph), "--port", str(port)]
            # In production /metrics has a port of its own: one per gateway, as several run here at once.
            env = {**(env_ours or ours_env()), "QF_METRICS_PORT": str(free_port())}
            process = processes.start(name, argv, env)
        else:
            argv = ["node", f"{gateway}-gateway.mjs", str(supergraph), str(port)]
            process = processes.start(name, argv, env_peers or node_env(), PEERS)
        targets[gateway] = Target(f"http://127.0.0.1:{port}/graphql", process.pid, authorization)
        wait_ready(processes, name, process, targets[gateway].url)
    return targets


def start_subgraph(processes: Processes, name: str, canned: bool = False) -> str:
    port = free_port()
    label = f"{name}-canned" if canned else name
    argv = ["node", "subgraph.mjs", name, str(port), *(["--canned"] if canned else [])]
    process = processes.start(label, argv, node_env(), PEERS)
    url = f"http://127.0.0.1:{port}/graphql"
    wait_ready(processes, label, process, url)
    return url


def fetch(target: Target, query: str) -> tuple[int, Any]:
    headers = {"Authorization": target.authorization} if target.authorization else {}
    answer = httpx.post(target.url, json={"query": query}, headers=headers, timeout=30, trust_env=False)
    try:
        return answer.status_code, answer.json()
    except ValueError:
        return answer.status_code, answer.text


def products_complete(data: dict[str, Any]) -> bool:
    products = data.get("products")
    return bool(products) and not any(None in p.values() or [] in p.values() for p in products)


def verify(
    targets: dict[str, Target],
    queries: dict[str, str],
    complete: Callable[[dict[str, Any]], bool] = products_complete,
) -> None:
    """Every gateway must answer every query with the same data and no errors before anything is timed."""
    for shape, query in queries.items():
        answers = {gateway: fetch(target, query) for gateway, target in targets.items()}
        reference = None
        for gateway, (status, body) in answers.items():
            if status != 200 or not isinstance(body, dict) or body.get("errors") or not body.get("data"):
                raise BenchError(f"{gateway} failed the {shape} shape: HTTP {status}: {str(body)[:2000]}")
            reference = reference or (gateway, body["data"])
            if body["data"] != reference[1]:
                raise BenchError(
                    f"{gateway} and {reference[0]} disagree on the {shape} shape:\n"
                    f"{reference[0]}: {json.dumps(reference[1])[:1000]}\n"
                    f"{gateway}: {json.dumps(body['data'])[:1000]}"
                )
        if reference is None or not complete(reference[1]):
            data = reference[1] if reference else None
            raise BenchError(f"the {shape} shape came back incomplete: {json.dumps(data)[:1000]}")


def load(
    target: Target, subgraphs: list[int], body_file: Path, connections: int, seconds: float, warmup: float
) -> Result:
    groups = [*subgraphs, *([target.group] if target.group is not None else [])]
    env = node_env()
    if target.authorization:
        env["BENCH_AUTHORIZATION"] = target.authorization
    cpu_before, children_before = cpu_seconds(groups), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        ["node", "loadgen.mjs", target.url, str(body_file), str(connections), str(seconds), str(warmup)],
        cwd=PEERS,
        env=env,
        capture_output=True,
        text=True,
    )
    cpu_after, children_after = cpu_seconds(groups), resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise BenchError(f"the load generator failed against {target.url}:\n{result.stderr}")
    figures = json.loads(result.stdout)
    if not figures["requests"]:
        raise BenchError(f"no successful request against {target.url} ({figures['errors']} errors)")

    def per_request(seconds: float) -> float:
        return 1000 * seconds / figures["sent"]

    used = {group: cpu_after[group] - cpu_before[group] for group in groups}
    # The load generator is the only child that ends during the run, so the children's total grows by its.
    loadgen = sum(getattr(children_after, f) - getattr(children_before, f) for f in ("ru_utime", "ru_stime"))
    cpu = Cpu(
        per_request(used[target.group]) if target.group is not None else 0.0,
        per_request(sum(used[group] for group in subgraphs)),
        per_request(loadgen),
    )
    return Result(figures["rps"], figures["p50"], figures["p99"], figures["errors"], cpu)


def interleaved(
    targets: dict[str, Target],
    subgraphs: list[int],
    body_file: Path,
    connections: int,
    args: argparse.Namespace,
) -> dict[str, Result]:
    """Round after round over every target in turn; each figure is the median over rounds."""
    samples: dict[str, list[Result]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, target in targets.items():
            samples[name].append(
                load(target, subgraphs, body_file, connections, args.seconds, WARMUP_SECONDS)
            )

    def median(of: list[Any], figure: str) -> float:
        return statistics.median(getattr(item, figure) for item in of)

    return {
        name: Result(
            median(results, "rps"),
            median(results, "p50"),
            median(results, "p99"),
            sum(r.errors for r in results),
            Cpu(*(median([r.cpu for r in results], f.name) for f in fields(Cpu))),
        )
        for name, results in samples.items()
    }


def body_file(work: Path, name: str, query: str) -> Path:
    path = work / f"{name}.json"
    path.write_text(json.dumps({"query": query}), encoding="utf-8")
    return path


def throughput_table(title: str, results: dict[str, Result]) -> list[str]:
    apollo, hive = results["apollo"].rps, results["hive"].rps
    lines = [
        f"\n{title}",
        f"  {'':<16} {'':>8} {'':>8} {'':>8} {'':>10} {'':>8}   CPU ms per request",
        f"  {'gateway':<16} {'RPS':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs apollo':>10} {'vs hive':>8}"
        f"   {'gateway':>7} {'subgraphs':>9} {'loadgen':>7}",
    ]
    for gateway, r in results.items():
        lines.append(
            f"  {LABELS[gateway]:<16} {r.rps:>8.0f} {r.p50:>8.2f} {r.p99:>8.2f} "
            f"{r.rps / apollo:>9.2f}x {r.rps / hive:>7.2f}x"
            f"   {r.cpu.gateway:>7.3f} {r.cpu.subgraphs:>9.3f} {r.cpu.loadgen:>7.3f}"
            + (f"   ({r.errors} failed requests)" if r.errors else "")
        )
    return lines


def latency_table(title: str, results: dict[str, Result]) -> list[str]:
    direct = results["direct"].p50
    lines = [f"\n{title}", f"  {'target':<16} {'p50 ms':>8} {'p99 ms':>8} {'added p50 ms':>13}"]
    for target, r in results.items():
        added = "" if target == "direct" else f"{r.p50 - direct:>13.2f}"
        lines.append(f"  {LABELS[target]:<16} {r.p50:>8.2f} {r.p99:>8.2f} {added}")
    return lines


def verdicts(shapes: dict[str, dict[str, Result]], latency: dict[str, dict[str, Result]]) -> list[str]:
    lines = ["\nTargets"]
    for shape, results in shapes.items():
        ours, apollo, hive = (results[g].rps for g in GATEWAYS)
        nodedup = results.get("ours-nodedup")
        lines.append(
            f"  {shape:<22} >= 3x apollo: {'yes' if ours >= 3 * apollo else 'NO'} ({ours / apollo:.2f}x)"
            f"   >= hive: {'yes' if ours >= hive else 'NO'} ({ours / hive:.2f}x)"
            + (f"   (no dedup: {nodedup.rps / apollo:.2f}x apollo)" if nodedup else "")
        )
    for query, results in latency.items():
        added = results["ours"].p50 - results["direct"].p50
        lines.append(f"  added p50 ({query:<10}) < 2 ms: {'yes' if added < 2 else 'NO'} ({added:.2f} ms)")
    return lines


def emit(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)


def run_node(
    args: argparse.Namespace, work: Path
) -> tuple[dict[str, dict[str, Result]], dict[str, dict[str, Result]]]:
    """The gateways over the fast Node subgraphs: the shapes, the gateway alone, the added latency."""
    processes = Processes(work)
    try:
        subgraphs = {name: start_subgraph(processes, name) for name in ("products", "reviews", "shipping")}
        canned = start_subgraph(processes, "products", canned=True)
        full = start_gateways(processes, compose(work, "supergraph", subgraphs), "full", args.profile)
        only = start_gateways(processes, compose(work, "canned", {"products": canned}), "canned")
        direct = {"direct": Target(canned, None), **only}
        full_groups = processes.groups(*subgraphs)
        canned_groups = processes.groups("products-canned")

        verify(full, {shape: query for shape, (_, query) in SHAPES.items()})
        verify(direct, LATENCY_QUERIES)
        print("all gateways return the same data for every shape; measuring ...", flush=True)

        shapes = {}
        for shape, (title, query) in SHAPES.items():
            body = body_file(work, shape, query)
            shapes[shape] = interleaved(full, full_groups, body, args.connections, args)
            emit(throughput_table(f"{title}: {query}  ({args.connections} connections)", shapes[shape]))

        body = body_file(work, "canned-list", SHAPES["list"][1])
        shapes["gateway only"] = interleaved(only, canned_groups, body, args.connections, args)
        title = f"gateway only (canned subgraph): {SHAPES['list'][1]}  ({args.connections} connections)"
        emit(throughput_table(title, shapes["gateway only"]))

        latency = {}
        for name, query in LATENCY_QUERIES.items():
            body = body_file(work, f"latency-{len(latency)}", query)
            latency[name] = interleaved(direct, canned_groups, body, 1, args)
            emit(latency_table(f"added latency, 1 connection, cached plan: {query}", latency[name]))
        return shapes, latency
    finally:
        processes.stop_all()


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """A new, empty database in QF_DATABASE_URL's server (else the embedded one), dropped at the end."""
    import asyncpg

    from services.common.embedded import start_embedded

    server = os.environ.get("QF_DATABASE_URL") or start_embedded(ROOT / ".qf-data-bench", "postgres")
    name = f"qf_gateway_bench_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(server)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def prepare_real_data(url: str, secret: str, salt: str) -> str:
    """Every migration and the sample `qf serve` loads; returns an API key of the bench's caller."""
    from gateway.apikeys import create_api_key
    from qf.database import load_data, migrate_all
    from qf.settings import SystemSettings
    from services.common.db import Database

    await migrate_all(url)
    settings = SystemSettings(database_url=url, internal_secret=secret, curp_salt=salt)
    await load_data(url, settings, None)
    db = await Database.connect(url, "gateway")
    try:
        return await create_api_key(db, REAL_ROLE, "gateway bench", REAL_SCOPE, person="Bench Registrar")
    finally:
        await db.close()


def wait_subgraph(processes: Processes, name: str, process: subprocess.Popen[bytes], base: str) -> None:
    """Our subgraphs answer only signed GraphQL requests: wait for their readiness route instead."""
    deadline = time.monotonic() + 90
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(f"{name} exited with {process.returncode}:\n{processes.log_tail(name)}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{base}/readyz").status_code == 200:
                    return
            time.sleep(0.1)
    raise BenchError(f"{name} was not ready at {base}/readyz within 90 s:\n{processes.log_tail(name)}")


def subgraph_sdl(url: str, secret: str) -> str:
    """A subgraph's `_service { sdl }`, asked as the gateway asks it: signed."""
    from gateway.signing import Caller, sign

    body = json.dumps({"query": "{ _service { sdl } }"}).encode()
    headers = {"Content-Type": "application/json", **sign(secret.encode(), Caller(), body=body)}
    answer = httpx.post(url, content=body, headers=headers, timeout=30, trust_env=False)
    try:
        return answer.json()["data"]["_service"]["sdl"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"no SDL from {url}: HTTP {answer.status_code}: {answer.text[:1000]}") from exc


def real_complete(data: dict[str, Any]) -> bool:
    """Each real shape must come back with every part filled in, not just without errors."""
    if "standard" in data:
        standard = data["standard"] or {}
        rules = standard.get("creditEquivalences")
        return bool(rules and standard.get("crosswalk") and all(r["institution"] for r in rules))
    learner = data.get("learner") or {}
    transcript = learner.get("creditTranscript") or {}
    return len(learner.get("certificates") or []) == 3 and bool(transcript.get("lines"))


def run_real(args: argparse.Namespace, work: Path, profile: Path | None) -> dict[str, dict[str, Result]]:
    """The gateways over our own registry, credits and mapping subgraphs, on the `qf serve` sample."""
    from services.registry.rules import holder_ref
    from services.registry.sample import SAMPLE_CURP

    secret, salt = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with throwaway_database() as url:
        key = asyncio.run(prepare_real_data(url, secret, salt))
        ref = holder_ref(salt.encode(), SAMPLE_CURP)
        queries = {
            shape: (title, query.replace("HOLDER_REF", ref)) for shape, (title, query) in REAL_SHAPES.items()
        }
        processes = Processes(work)
        try:
            ports = {name: free_port() for name in REAL_SUBGRAPHS}
            urls = {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
            env = ours_env(
                database_url=url,
                internal_secret=secret,
                curp_salt=salt,
                registry_url=urls["registry"],
                **{f"{name}_port": str(port) for name, port in ports.items()},
            )
            for name in REAL_SUBGRAPHS:
                argv = [sys.executable, "-m", "qf", "serve", "--service", name]
                process = processes.start(name, [*argv, "--port", str(ports[name])], env)
                wait_subgraph(processes, name, process, urls[name].removesuffix("/graphql"))
            sdl_files = {}
            for name in REAL_SUBGRAPHS:
                sdl_files[name] = work / f"{name}.sdl.graphql"
                sdl_files[name].write_text(subgraph_sdl(urls[name], secret), encoding="utf-8")
            supergraph = compose(work, "real", {f"{n}@{sdl_files[n]}": urls[n] for n in REAL_SUBGRAPHS})
            key_id = key.split("_")[1]
            peers = node_env()
            peers.update(
                BENCH_INTERNAL_SECRET=secret,
                BENCH_CALLER_ROLE=REAL_ROLE,
                BENCH_CALLER_SCOPE=REAL_SCOPE,
                BENCH_CALLER_SUBJECT=f"apikey:{key_id}",
            )
            authorization = f"Bearer {key}"
            targets = start_gateways(
                processes,
                supergraph,
                "real",
                profile,
                env_ours=ours_env(database_url=url, internal_secret=secret),
                env_peers=peers,
                authorization=authorization,
            )
            # And ours with the deduplication of identical subgraph requests off, as @apollo/gateway runs.
            port = free_port()
            argv = [sys.executable, "-m", "qf", "serve", "--service", "gateway"]
            argv += ["--supergraph", str(supergraph), "--port", str(port)]
            env = ours_env(database_url=url, internal_secret=secret, deduplicate_subgraph_queries="false")
            process = processes.start("ours-nodedup-real", argv, env)
            nodedup = Target(f"http://127.0.0.1:{port}/graphql", process.pid, authorization)
            wait_ready(processes, "ours-nodedup-real", process, nodedup.url)
            targets = {"ours": targets["ours"], "ours-nodedup": nodedup, **targets}
            groups = processes.groups(*REAL_SUBGRAPHS)

            verify(targets, {shape: query for shape, (_, query) in queries.items()}, real_complete)
            print(
                "over our subgraphs too, all gateways return the same data for every shape; measuring ...",
                flush=True,
            )
            shapes = {}
            for shape, (title, query) in queries.items():
                body = body_file(work, f"real-{shape}", query)
                shapes[shape] = interleaved(targets, groups, body, args.connections, args)
                title = f"our subgraphs, {title}: {query}  ({args.connections} connections)"
                emit(throughput_table(title, shapes[shape]))
            return shapes
        finally:
            processes.stop_all()


def run(args: argparse.Namespace) -> None:
    install_peers()
    node, real = args.only in (None, "node"), args.only in (None, "real")
    total = 0
    if node:
        total += (len(SHAPES) + 1) * len(GATEWAYS) + len(LATENCY_QUERIES) * (len(GATEWAYS) + 1)
    if real:
        total += len(REAL_SHAPES) * (len(GATEWAYS) + 1)
    estimate = total * args.rounds * (args.seconds + WARMUP_SECONDS + 0.3)
    parts = [("the Node subgraphs", node), ("our Python subgraphs with PostgreSQL", real)]
    subgraphs = " and ".join(part for part, wanted in parts if wanted)
    emit(
        [
            f"gateway bench: {args.connections} connections, {args.rounds} interleaved rounds of "
            f"{args.seconds:g} s (after {WARMUP_SECONDS:g} s warm-up) per gateway and shape; medians over "
            f"rounds; about {estimate / 60:.1f} min of load.",
            f"All gateways (one process each), {subgraphs} and the load generator (Node, one process) "
            f"share this machine's {os.cpu_count()} cores; only one target is under load at a time.",
        ]
    )
    # Other work on the machine skews every figure; the load average before and after says how much.
    load_before = os.getloadavg()[0]
    shapes: dict[str, dict[str, Result]] = {}
    latency: dict[str, dict[str, Result]] = {}
    with tempfile.TemporaryDirectory(prefix="qf-gateway-bench-") as tmp:
        work = Path(tmp)
        if node:
            shapes, latency = run_node(args, work)
        if real:
            emit(
                [
                    "\nOver our own subgraphs (registry, credits, mapping: one Python process each, the "
                    "sample data in PostgreSQL),",
                    f"as a {REAL_ROLE} of {REAL_SCOPE}: our gateway by API key, the peers signing for "
                    "that caller with the internal secret.",
                    "One query from one caller throughout: ours and Hive deduplicate identical subgraph "
                    "requests in flight, Apollo does not; 'ours, no dedup' is ours with that off.",
                ]
            )
            real_shapes = run_real(args, work, None if node else args.profile)
            shapes.update({f"real: {shape}": results for shape, results in real_shapes.items()})
        emit(verdicts(shapes, latency))
        emit([f"\nload average (1 min) before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}"])
    if args.profile:
        print(f"\nprofile of our gateway (all shapes): {args.profile}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="measured seconds per run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per shape (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrency for throughput (default 16)")
    parser.add_argument(
        "--only",
        choices=("node", "real"),
        help="run one section: the Node subgraphs, or our real subgraphs (default: both)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="run our gateway under cProfile and write its stats here on exit (the Node section's "
        "unless --only real)",
    )
    args = parser.parse_args()
    # A plain `kill` must stop the children too: SIGTERM becomes an exit that runs the cleanup.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run(args)
    except BenchError as exc:
        print(f"gateway bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
