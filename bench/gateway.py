"""Gateway benchmark: our gateway against @apollo/gateway, Hive Gateway and Grafbase over the same subgraphs.

Two sections. The first ("node") measures the gateways themselves over fast Node subgraphs; the second
("real") puts our gateway, Apollo's and Hive's in front of our own Python subgraphs on real data, for the
shapes the API exists for.

Node subgraphs. Installs the peers from bench/peers/package.json (npm ci when node_modules is stale):
the Node gateways and the Grafbase gateway (Rust), whose binary ships inside the pinned npm package
`@grafbase/cli-x86_64-unknown-linux-musl` (nothing is downloaded at run time). Starts three fast Node
subgraphs (products, reviews, shipping: bench/peers/schemas.mjs), composes them with @apollo/composition
into one supergraph file that ours, Apollo's and Hive's gateways load; Grafbase composes the same
subgraphs itself from a `grafbase.toml` the bench writes (each subgraph's URL and its SDL file, asked of
the subgraph as `_service { sdl }`) and runs as `grafbase dev --config grafbase.toml --listen-address ...`.
Every gateway must return the same data for every shape, then each is measured at fixed concurrency in
interleaved rounds (ours, apollo, hive, grafbase, ours, ...) and the median over rounds is printed:

- list:        `{ products(first: 100) { upc name price } }`             one subgraph
- join N:      `{ products(first: N) { upc name reviews { id body } } }` N entities from a second one
- requires N:  `{ products(first: N) { upc shippingEstimate } }`         a @requires chain over N entities

N runs over the entity counts (--entities, default 10, 100, 1000), so that how each gateway's cost grows
per entity shows; a summary per shape gives the gateway CPU per request and per entity at each count.

Then the gateway alone: a second supergraph whose only subgraph is a canned products subgraph (it replays
stored answers), for throughput and, at concurrency 1, the latency each gateway adds to hitting that
subgraph directly, with the plan cached.

Deduplication. A gateway may share one subgraph request among identical requests in flight (ours, Hive
and Grafbase do by default, @apollo/gateway does not). The bench sends one query body over and over, which
real traffic does not, so deduplication would win races it has no part in: every gateway runs with it OFF
in the comparison (ours QF_DEDUPLICATE_SUBGRAPH_QUERIES=false, Hive deduplicateInflightRequests: false,
Grafbase `[traffic_shaping] inflight_deduplication = false`), and the rows "ours, dedup on" and
"Grafbase, dedup on" report what it saves.

CPUs. Our gateway is one process on one core (an event loop); the Node peers are one process each, and
Grafbase runs a thread per core. Each table is measured twice (--cpus): with every gateway free to use all
cores, and with every gateway, ours and the peers alike, pinned to one CPU (`taskset -c 0`, so Grafbase
also sizes its runtime for one core); subgraphs and the load generator are never pinned.

Our subgraphs. registry, credits and mapping, each its own `qf serve --service NAME` process, over a
throw-away database (created in QF_DATABASE_URL's server, else in the embedded one under .qf-data-bench,
dropped at the end) with every migration and the sample `qf serve` loads; their SDL (`_service { sdl }`)
is composed with @apollo/composition as above. The caller is a registrar of `mx-ut-ejemplo`: our gateway
gets an API key (`Authorization: Bearer`, the gateway's key store in the same database) and signs each
subgraph request for it; Apollo's and Hive's gateways cannot authenticate our keys, so they sign every
subgraph request for that same caller with the shared internal secret (bench/peers/sign.mjs, a fetcher
for Apollo and an onFetch hook for Hive), which our subgraphs require. Grafbase is not in this section:
its configuration can add static headers or RFC 9421 message signatures, not our HMAC over each body
(that would take a WebAssembly extension). Shapes:

- standard: `standard(code: "EC1121")` with its credit equivalences (credits, through @requires of
  the registry's equivalentEarlierVersions) and its crosswalk (mapping): all three subgraphs
- transcript: the sample learner's certificates (registry) and credit transcript in a programme
  (credits, @requires of every certificate's facts, nested in the registry)

    python bench/gateway.py [--seconds 5] [--rounds 3] [--connections 16] [--only node|real]
                            [--entities 10,100,1000] [--cpus all|one|both] [--profile FILE]

Targets. Gateway issue: at least 3x @apollo/gateway's throughput and at least Hive Gateway's on every
shape; under 2 ms added p50 latency for a cached plan. Performance issue (16): at least 0.8x Grafbase's
throughput on every shape, deduplication off, and gateway CPU per entity at the largest count no more
than 1.5x Grafbase's. Everything (gateways, subgraphs, the load generator) shares this machine's cores;
only one gateway is under load at once. So each table also gives the CPU time per request (from /proc) of
the gateway, of the subgraphs and of the load generator: on a saturated or shared machine throughput is
the cores divided by their sum, and the gateway's CPU per request is the figure that other work on the
machine disturbs least.
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
GRAFBASE = PEERS / "node_modules" / "@grafbase" / "cli-x86_64-unknown-linux-musl" / "grafbase"
PEER_KINDS = ("apollo", "hive", "grafbase")
LABELS = {
    "ours": "ours (Python)",
    "ours-dedup": "ours, dedup on",
    "ours-2-workers": "ours, 2 processes",
    "apollo": "@apollo/gateway",
    "hive": "Hive Gateway",
    "grafbase": "Grafbase",
    "grafbase-dedup": "Grafbase, dedup on",
    "direct": "subgraph direct",
}
LIST_QUERY = "{ products(first: 100) { upc name price } }"
# The shapes whose size is the entity count N, and what each measures.
ENTITY_SHAPES = {
    "join": ("entity join", "{ products(first: N) { upc name reviews { id body } } }"),
    "requires": ("@requires chain", "{ products(first: N) { upc shippingEstimate } }"),
}
# What the latency table sends through the canned subgraph: the smallest answer (the gateway's fixed cost)
# and the list shape (what 100 objects add).
LATENCY_QUERIES = {
    "first: 1": "{ products(first: 1) { upc name } }",
    "first: 100": LIST_QUERY,
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

    def stop(self, *names: str) -> None:
        """Stop the named processes (all of them when no name is given) and close their logs."""
        stopping = [entry for entry in self.running if not names or entry[0] in names]
        for _, process, _ in stopping:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, process, log in stopping:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()
        self.running = [entry for entry in self.running if entry not in stopping]

    def stop_all(self) -> None:
        self.stop()


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


@dataclass(frozen=True)
class Gateway:
    """One gateway to start: ours or a peer's, with or without deduplication of subgraph requests."""

    kind: str  # "ours" or one of PEER_KINDS
    dedup: bool = False
    workers: int = 1  # ours only: `qf serve --service gateway --workers N`

    @property
    def name(self) -> str:
        if self.workers > 1:
            return f"{self.kind}-{self.workers}-workers"
        return f"{self.kind}-dedup" if self.dedup else self.kind


def grafbase_config(work: Path, name: str, subgraphs: dict[str, tuple[str, Path]], dedup: bool) -> Path:
    """The grafbase.toml from which `grafbase dev` composes and serves these subgraphs (URL, SDL file)."""
    lines = ["[traffic_shaping]", f"inflight_deduplication = {str(dedup).lower()}"]
    for subgraph, (url, sdl) in subgraphs.items():
        # A TOML basic string escapes as JSON does.
        lines += [
            "",
            f"[subgraphs.{subgraph}]",
            f"url = {json.dumps(url)}",
            f"schema_path = {json.dumps(str(sdl))}",
        ]
    path = work / f"{name}.grafbase.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_gateways(
    processes: Processes,
    gateways: list[Gateway],
    supergraph: Path,
    suffix: str,
    *,
    subgraphs: dict[str, tuple[str, Path]] | None = None,
    pin: str | None = None,
    profile: Path | None = None,
    ours_settings: dict[str, str] | None = None,
    env_peers: dict[str, str] | None = None,
    authorization: str | None = None,
) -> dict[str, Target]:
    """Each gateway over `supergraph` (Grafbase over `subgraphs`: URL and SDL file), returned once it
    answers. `pin` is a CPU list for `taskset -c`, applied to every gateway alike."""
    targets = {}
    taskset = ["taskset", "-c", pin] if pin else []
    for gateway in gateways:
        port = free_port()
        name = f"{gateway.name}-{suffix}"
        if gateway.kind == "ours":
            python = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else [])]
            argv = [*taskset, *python, "-m", "qf", "serve", "--service", "gateway"]
            argv += ["--supergraph", str(supergraph), "--port", str(port)]
            if gateway.workers > 1:
                argv += ["--workers", str(gateway.workers)]
            # In production /metrics has a port of its own: one per gateway, as several run here at once.
            settings = {**(ours_settings or {}), "deduplicate_subgraph_queries": str(gateway.dedup).lower()}
            env = {**ours_env(**settings), "QF_METRICS_PORT": str(free_port())}
            process = processes.start(name, argv, env)
        elif gateway.kind == "grafbase":
            if subgraphs is None:
                raise BenchError("Grafbase needs the subgraphs' URLs and SDL files")
            if not GRAFBASE.exists():
                raise BenchError(f"no Grafbase binary at {GRAFBASE} (x86-64 Linux only)")
            config = grafbase_config(processes.logs, name, subgraphs, gateway.dedup)
            argv = [*taskset, str(GRAFBASE), "dev", "--config", str(config)]
            argv += ["--listen-address", f"127.0.0.1:{port}"]
            process = processes.start(name, argv, env_peers or node_env(), processes.logs)
        else:
            argv = [*taskset, "node", f"{gateway.kind}-gateway.mjs", str(supergraph), str(port)]
            env = {**(env_peers or node_env()), "BENCH_DEDUPLICATE": str(gateway.dedup).lower()}
            process = processes.start(name, argv, env, PEERS)
        targets[gateway.name] = Target(f"http://127.0.0.1:{port}/graphql", process.pid, authorization)
        wait_ready(processes, name, process, targets[gateway.name].url)
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
    peers = [peer for peer in PEER_KINDS if peer in results]
    grafbase = results.get("grafbase")
    lines = [
        f"\n{title}",
        f"  {'':<18} {'':>8} {'':>8} {'':>8} "
        + " ".join(f"{'':>11}" for _ in peers)
        + "   CPU ms per request"
        + ("            gateway CPU" if grafbase else ""),
        f"  {'gateway':<18} {'RPS':>8} {'p50 ms':>8} {'p99 ms':>8} "
        + " ".join(f"{'vs ' + peer:>11}" for peer in peers)
        + f"   {'gateway':>7} {'subgraphs':>9} {'loadgen':>7}"
        + (f"   {'vs grafbase':>11}" if grafbase else ""),
    ]
    for gateway, r in results.items():
        lines.append(
            f"  {LABELS[gateway]:<18} {r.rps:>8.0f} {r.p50:>8.2f} {r.p99:>8.2f} "
            + " ".join(f"{r.rps / results[peer].rps:>10.2f}x" for peer in peers)
            + f"   {r.cpu.gateway:>7.3f} {r.cpu.subgraphs:>9.3f} {r.cpu.loadgen:>7.3f}"
            + (f"   {r.cpu.gateway / grafbase.cpu.gateway:>10.2f}x" if grafbase else "")
            + (f"   ({r.errors} failed requests)" if r.errors else "")
        )
    return lines


def entity_table(title: str, by_count: dict[int, dict[str, Result]]) -> list[str]:
    """How each gateway's CPU grows with the entity count: per request, per entity, and against Grafbase's;
    then what each entity adds between the smallest and the largest count (the fixed cost taken out)."""
    counts = sorted(by_count)
    gateways = list(by_count[counts[0]])
    first, last = counts[0], counts[-1]
    marginal = last > first
    lines = [
        f"\n{title}: gateway CPU per request, ms (per entity, us), and its ratio to Grafbase's",
        f"  {'gateway':<18} "
        + " ".join(f"{f'{count:,} entities':>28}" for count in counts)
        + (f"   {f'us per entity added, {first:,} to {last:,}':>34}" if marginal else ""),
    ]

    def added(gateway: str) -> float:
        cpu = [by_count[count][gateway].cpu.gateway for count in (first, last)]
        return 1000 * (cpu[1] - cpu[0]) / (last - first)

    for gateway in gateways:
        cells = []
        for count in counts:
            results = by_count[count]
            cpu = results[gateway].cpu.gateway
            ratio = f"{cpu / results['grafbase'].cpu.gateway:.2f}x" if "grafbase" in results else ""
            cells.append(f"{cpu:>9.3f} ({1000 * cpu / count:>7.2f}) {ratio:>7}")
        if marginal:
            ratio = f"{added(gateway) / added('grafbase'):.2f}x" if "grafbase" in gateways else ""
            cells.append(f"{added(gateway):>29.2f} {ratio:>7}")
        lines.append(f"  {LABELS[gateway]:<18} " + " ".join(f"{cell:>28}" for cell in cells))
    return lines


def latency_table(title: str, results: dict[str, Result]) -> list[str]:
    direct = results["direct"].p50
    lines = [f"\n{title}", f"  {'target':<18} {'p50 ms':>8} {'p99 ms':>8} {'added p50 ms':>13}"]
    for target, r in results.items():
        added = "" if target == "direct" else f"{r.p50 - direct:>13.2f}"
        lines.append(f"  {LABELS[target]:<18} {r.p50:>8.2f} {r.p99:>8.2f} {added}")
    return lines


def verdicts(
    shapes: dict[str, dict[str, Result]],
    entities: dict[str, dict[int, dict[str, Result]]],
    latency: dict[str, dict[str, Result]],
) -> list[str]:
    """Each target met or not, deduplication off throughout (the dedup-on rows never count)."""
    lines = ["\nTargets (deduplication off)"]
    for shape, results in shapes.items():
        ours = results["ours"].rps
        parts = []
        if "apollo" in results:
            ratio = ours / results["apollo"].rps
            parts.append(f">= 3x apollo: {'yes' if ratio >= 3 else 'NO'} ({ratio:.2f}x)")
        if "hive" in results:
            ratio = ours / results["hive"].rps
            parts.append(f">= hive: {'yes' if ratio >= 1 else 'NO'} ({ratio:.2f}x)")
        if "grafbase" in results:
            ratio = ours / results["grafbase"].rps
            parts.append(f">= 0.8x grafbase: {'yes' if ratio >= 0.8 else 'NO'} ({ratio:.2f}x)")
        lines.append(f"  {shape:<30} " + "   ".join(parts))
    for shape, by_count in entities.items():
        largest = max(by_count)
        results = by_count[largest]
        if "grafbase" in results:
            ratio = results["ours"].cpu.gateway / results["grafbase"].cpu.gateway
            lines.append(
                f"  {shape}, CPU per entity at {largest:,} <= 1.5x grafbase's: "
                f"{'yes' if ratio <= 1.5 else 'NO'} ({ratio:.2f}x)"
            )
    for query, results in latency.items():
        added = results["ours"].p50 - results["direct"].p50
        lines.append(f"  added p50 ({query:<10}) < 2 ms: {'yes' if added < 2 else 'NO'} ({added:.2f} ms)")
    return lines


def emit(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)


def node_shapes(entities: list[int]) -> dict[str, tuple[str, str]]:
    """The Node section's shapes: name -> (title, query), the entity shapes once per entity count."""
    shapes = {"list": ("single-subgraph list, 100 entities", LIST_QUERY)}
    for kind, (title, query) in ENTITY_SHAPES.items():
        for count in entities:
            shapes[f"{kind} {count}"] = (
                f"{title}, {count:,} entities",
                query.replace("first: N", f"first: {count}"),
            )
    return shapes


def cpu_variants(cpus: str) -> list[tuple[str, str | None]]:
    """(table prefix, taskset CPU list) per CPU variant asked for."""
    variants = {"all": ("", None), "one": ("one CPU: ", "0")}
    return [variants[name] for name in (("all", "one") if cpus == "both" else (cpus,))]


def run_node(
    args: argparse.Namespace, work: Path
) -> tuple[
    dict[str, dict[str, Result]], dict[str, dict[int, dict[str, Result]]], dict[str, dict[str, Result]]
]:
    """The gateways over the fast Node subgraphs: the shapes at each entity count, the gateway alone, the
    added latency; with all CPUs, then pinned to one."""
    processes = Processes(work)
    shapes: dict[str, dict[str, Result]] = {}
    entities: dict[str, dict[int, dict[str, Result]]] = {}
    latency: dict[str, dict[str, Result]] = {}
    try:
        urls = {name: start_subgraph(processes, name) for name in ("products", "reviews", "shipping")}
        canned_url = start_subgraph(processes, "products", canned=True)
        full_subgraphs = sdl_files(work, "node", urls)
        canned_subgraphs = sdl_files(work, "canned", {"products": canned_url})
        supergraph, canned = (
            compose(work, "supergraph", urls),
            compose(work, "canned", {"products": canned_url}),
        )
        full_groups, canned_groups = processes.groups(*urls), processes.groups("products-canned")
        queries = node_shapes(args.entities)
        dedup_off = [Gateway("ours"), *(Gateway(peer) for peer in PEER_KINDS)]

        for prefix, pin in cpu_variants(args.cpus):
            suffix = "one-cpu" if pin else "all-cpus"
            # The dedup-on rows once, with all CPUs: what deduplication saves, not a contender.
            # So is our gateway in two processes: its CPU per request staying flat is what scaling needs.
            with_dedup = [
                dedup_off[0],
                Gateway("ours", dedup=True),
                Gateway("ours", workers=2),
                *dedup_off[1:],
                Gateway("grafbase", dedup=True),
            ]
            full = start_gateways(
                processes,
                dedup_off if pin else with_dedup,
                supergraph,
                f"full-{suffix}",
                subgraphs=full_subgraphs,
                pin=pin,
                profile=None if pin else args.profile,
            )
            only = start_gateways(
                processes, dedup_off, canned, f"canned-{suffix}", subgraphs=canned_subgraphs, pin=pin
            )
            verify(full, {shape: query for shape, (_, query) in queries.items()})
            direct = {"direct": Target(canned_url, None), **only}
            verify(direct, LATENCY_QUERIES)
            where = f"pinned to CPU {pin} (taskset -c {pin})" if pin else f"free on all {os.cpu_count()} CPUs"
            print(f"\ngateways {where}: all return the same data for every shape; measuring ...", flush=True)

            for shape, (title, query) in queries.items():
                body = body_file(work, f"{suffix}-{shape}", query)
                shapes[prefix + shape] = interleaved(full, full_groups, body, args.connections, args)
                emit(
                    throughput_table(
                        f"{prefix}{title}: {query}  ({args.connections} connections)", shapes[prefix + shape]
                    )
                )
            for kind, (title, _) in ENTITY_SHAPES.items():
                entities[prefix + title] = {
                    count: shapes[f"{prefix}{kind} {count}"] for count in args.entities
                }
                emit(entity_table(prefix + title, entities[prefix + title]))

            body = body_file(work, f"{suffix}-canned-list", LIST_QUERY)
            shapes[prefix + "gateway only"] = interleaved(only, canned_groups, body, args.connections, args)
            title = f"{prefix}gateway only (canned subgraph): {LIST_QUERY}  ({args.connections} connections)"
            emit(throughput_table(title, shapes[prefix + "gateway only"]))

            if not pin:  # one request at a time: how many CPUs a gateway may use hardly matters
                for name, query in LATENCY_QUERIES.items():
                    body = body_file(work, f"latency-{len(latency)}", query)
                    latency[name] = interleaved(direct, canned_groups, body, 1, args)
                    emit(latency_table(f"added latency, 1 connection, cached plan: {query}", latency[name]))
            processes.stop(
                *(f"{name}-{kind}-{suffix}" for kind in ("full", "canned") for name in (*full, *only))
            )
        return shapes, entities, latency
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


async def prepare_real_data(url: str, secret: str, salt: str, holder: str) -> tuple[str, str]:
    """Every migration and the sample `qf serve` loads; returns an API key of the bench's caller and the
    folio of one of the certificates of `holder` (a holder reference)."""
    from gateway.apikeys import create_api_key
    from qf.database import load_data, migrate_all
    from qf.settings import SystemSettings
    from services.common.db import Database

    await migrate_all(url)
    settings = SystemSettings(database_url=url, internal_secret=secret, curp_salt=salt)
    await load_data(url, settings, None)
    registry = await Database.connect(url, "registry")
    try:
        folio = await registry.fetchval(
            "SELECT folio FROM certificates WHERE holder_ref = $1 ORDER BY folio LIMIT 1", holder
        )
    finally:
        await registry.close()
    if folio is None:
        raise BenchError("the sample holds no certificate of its learner")
    db = await Database.connect(url, "gateway")
    try:
        key = await create_api_key(db, REAL_ROLE, "gateway bench", REAL_SCOPE, person="Bench Registrar")
    finally:
        await db.close()
    return key, folio


def deposit(target: Target, folio: str, holder_curp: str) -> None:
    """The registrar deposits one of the learner's certificates at its institution, through the gateway:
    the credit bank's signed check with the registry discloses the learner to the institution, without
    which a registrar sees none of the learner's certificates (services/registry/privacy.py). The
    learner's CURP goes with the folio, as the credit bank asks of registrars (`holderCurp`)."""
    curp = f', holderCurp: "{holder_curp}"'
    mutation = (
        f'mutation {{ depositCertificate(folio: "{folio}", institutionId: "{REAL_SCOPE}"{curp}, '
        'idempotencyKey: "gateway-bench-deposit") { replayed } }'
    )
    status, body = fetch(target, mutation)
    if status != 200 or not isinstance(body, dict) or body.get("errors") or not body.get("data"):
        raise BenchError(f"the bench's deposit of {folio} failed: HTTP {status}: {str(body)[:2000]}")


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


def subgraph_sdl(url: str, secret: str | None = None) -> str:
    """A subgraph's `_service { sdl }`, asked as the gateway asks it: signed when there is a secret."""
    from gateway.signing import Caller, sign

    body = json.dumps({"query": "{ _service { sdl } }"}).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers.update(sign(secret.encode(), Caller(), body=body))
    answer = httpx.post(url, content=body, headers=headers, timeout=30, trust_env=False)
    try:
        return answer.json()["data"]["_service"]["sdl"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"no SDL from {url}: HTTP {answer.status_code}: {answer.text[:1000]}") from exc


def sdl_files(
    work: Path, prefix: str, urls: dict[str, str], secret: str | None = None
) -> dict[str, tuple[str, Path]]:
    """Each subgraph's URL and its SDL, written to a file: what Grafbase and compose.mjs compose from."""
    files = {}
    for name, url in urls.items():
        path = work / f"{prefix}-{name}.sdl.graphql"
        path.write_text(subgraph_sdl(url, secret), encoding="utf-8")
        files[name] = (url, path)
    return files


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
        ref = holder_ref(salt.encode(), SAMPLE_CURP)
        key, folio = asyncio.run(prepare_real_data(url, secret, salt, ref))
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
            subgraphs = sdl_files(work, "real", urls, secret)
            supergraph = compose(work, "real", {f"{n}@{sdl}": url for n, (url, sdl) in subgraphs.items()})
            key_id = key.split("_")[1]
            peers = node_env()
            peers.update(
                BENCH_INTERNAL_SECRET=secret,
                BENCH_CALLER_ROLE=REAL_ROLE,
                BENCH_CALLER_SCOPE=REAL_SCOPE,
                BENCH_CALLER_SUBJECT=f"apikey:{key_id}",
            )
            # Grafbase cannot sign for our subgraphs (see the module's docstring).
            gateways = [Gateway("ours"), Gateway("ours", dedup=True), Gateway("apollo"), Gateway("hive")]
            targets = start_gateways(
                processes,
                gateways,
                supergraph,
                "real",
                profile=profile,
                ours_settings={"database_url": url, "internal_secret": secret},
                env_peers=peers,
                authorization=f"Bearer {key}",
            )
            deposit(targets["ours"], folio, SAMPLE_CURP)
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
    variants = len(cpu_variants(args.cpus))
    shape_count = 1 + len(ENTITY_SHAPES) * len(args.entities)
    total = 0
    if node:
        # Full set: 4 gateways, plus 2 dedup-on rows with all CPUs; canned: 4; latency: 4 and direct.
        total += shape_count * (4 * variants + (2 if args.cpus != "one" else 0)) + 4 * variants
        total += len(LATENCY_QUERIES) * 5 if args.cpus != "one" else 0
    if real:
        total += len(REAL_SHAPES) * 4
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
            "Deduplication of identical subgraph requests is off in every gateway unless a row says "
            "'dedup on'; ratios are against the peers with it off.",
        ]
    )
    # Other work on the machine skews every figure; the load average before and after says how much.
    load_before = os.getloadavg()
    shapes: dict[str, dict[str, Result]] = {}
    entities: dict[str, dict[int, dict[str, Result]]] = {}
    latency: dict[str, dict[str, Result]] = {}
    with tempfile.TemporaryDirectory(prefix="qf-gateway-bench-") as tmp:
        work = Path(tmp)
        if node:
            shapes, entities, latency = run_node(args, work)
        if real:
            emit(
                [
                    "\nOver our own subgraphs (registry, credits, mapping: one Python process each, the "
                    "sample data in PostgreSQL),",
                    f"as a {REAL_ROLE} of {REAL_SCOPE}: our gateway by API key, the peers signing for "
                    "that caller with the internal secret (Grafbase cannot: see the docstring).",
                    "One query from one caller throughout, so deduplication would share most subgraph "
                    "requests: off in every gateway but 'ours, dedup on'.",
                ]
            )
            real_shapes = run_real(args, work, None if node else args.profile)
            shapes.update({f"real: {shape}": results for shape, results in real_shapes.items()})
        emit(verdicts(shapes, entities, latency))
        load_after = os.getloadavg()
        emit(
            [
                "\nload average (1, 5, 15 min) before: "
                + ", ".join(f"{x:.2f}" for x in load_before)
                + "; after: "
                + ", ".join(f"{x:.2f}" for x in load_after)
            ]
        )
    if args.profile:
        print(f"\nprofile of our gateway (all shapes): {args.profile}", flush=True)


def entity_counts(text: str) -> list[int]:
    try:
        counts = sorted({int(part) for part in text.split(",")})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text}") from exc
    if not counts or counts[0] < 1 or counts[-1] > 1000:
        raise argparse.ArgumentTypeError(
            "entity counts go from 1 to 1000 (the subgraphs hold 1,000 products)"
        )
    return counts


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
        "--entities",
        type=entity_counts,
        default=[10, 100, 1000],
        help="entity counts of the join and @requires shapes (default 10,100,1000)",
    )
    parser.add_argument(
        "--cpus",
        choices=("all", "one", "both"),
        default="both",
        help="gateways free on every CPU, pinned to one (taskset -c 0), or both in turn (default)",
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
