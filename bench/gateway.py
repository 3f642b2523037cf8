"""Gateway benchmark: our gateway against @apollo/gateway and Hive Gateway over the same subgraphs.

Installs the peers from bench/peers/package.json (npm ci when node_modules is stale), starts three fast
Node subgraphs (products, reviews, shipping: bench/peers/schemas.mjs), composes them with
@apollo/composition into one supergraph file that all three gateways load, checks that every gateway
returns the same data for every shape, then measures at fixed concurrency in interleaved rounds
(ours, apollo, hive, ours, apollo, hive, ...) and prints the median over rounds:

- list:     `{ products(first: 100) { upc name price } }`               one subgraph
- join:     `{ products(first: 100) { upc name reviews { id body } } }` 100 entities from a second one
- requires: `{ products(first: 100) { upc shippingEstimate } }`         a @requires chain

Then the gateway alone: a second supergraph whose only subgraph is a canned products subgraph (it replays
stored answers), for throughput and, at concurrency 1, the latency each gateway adds to hitting that
subgraph directly, with the plan cached.

    python bench/gateway.py [--seconds 5] [--rounds 3] [--connections 16] [--profile FILE]

Targets (gateway issue): at least 3x @apollo/gateway's throughput and at least Hive Gateway's on every
shape; under 2 ms added p50 latency for a cached plan. Everything (gateways, subgraphs, the load
generator) shares this machine's cores, one gateway process each; only one gateway is under load at once.
So each table also gives the CPU time per request (from /proc) of the gateway, of the subgraphs and of
the load generator: on a saturated machine throughput is the cores divided by their sum, and the share
the gateway does not control (subgraphs, load generator) bounds the ratio any gateway can reach.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
STAMP = PEERS / "node_modules" / ".bench-installed"
GATEWAYS = ("ours", "apollo", "hive")
LABELS = {
    "ours": "ours (Python)",
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


def ours_env() -> dict[str, str]:
    # No database and no internal secret: every caller is public and subgraph requests go unsigned,
    # as in front of anybody's subgraphs.
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    env.update(QF_LOG_LEVEL="WARNING", QF_ENVIRONMENT="production")
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
    processes: Processes, supergraph: Path, suffix: str, profile: Path | None = None
) -> dict[str, Target]:
    """Our gateway, Apollo's and Hive's over `supergraph`, each returned once it answers."""
    targets = {}
    for gateway in GATEWAYS:
        port = free_port()
        name = f"{gateway}-{suffix}"
        if gateway == "ours":
            python = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else [])]
            argv = [*python, "-m", "services.cli", "serve", "--service", "gateway"]
            argv += ["--supergraph", str(supergraph), "--port", str(port)]
            process = processes.start(name, argv, ours_env())
        else:
            process = processes.start(
                name, ["node", f"{gateway}-gateway.mjs", str(supergraph), str(port)], node_env(), PEERS
            )
        targets[gateway] = Target(f"http://127.0.0.1:{port}/graphql", process.pid)
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


def fetch(url: str, query: str) -> tuple[int, Any]:
    answer = httpx.post(url, json={"query": query}, timeout=30, trust_env=False)
    try:
        return answer.status_code, answer.json()
    except ValueError:
        return answer.status_code, answer.text


def verify(targets: dict[str, Target], queries: dict[str, str]) -> None:
    """Every gateway must answer every query with the same data and no errors before anything is timed."""
    for shape, query in queries.items():
        answers = {gateway: fetch(target.url, query) for gateway, target in targets.items()}
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
        products = reference[1].get("products") if reference else None
        if not products or any(None in p.values() or [] in p.values() for p in products):
            raise BenchError(f"the {shape} shape came back incomplete: {json.dumps(products)[:1000]}")


def load(
    target: Target, subgraphs: list[int], body_file: Path, connections: int, seconds: float, warmup: float
) -> Result:
    groups = [*subgraphs, *([target.group] if target.group is not None else [])]
    cpu_before, children_before = cpu_seconds(groups), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        ["node", "loadgen.mjs", target.url, str(body_file), str(connections), str(seconds), str(warmup)],
        cwd=PEERS,
        env=node_env(),
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
        lines.append(
            f"  {shape:<18} >= 3x apollo: {'yes' if ours >= 3 * apollo else 'NO'} ({ours / apollo:.2f}x)"
            f"   >= hive: {'yes' if ours >= hive else 'NO'} ({ours / hive:.2f}x)"
        )
    for query, results in latency.items():
        added = results["ours"].p50 - results["direct"].p50
        lines.append(f"  added p50 ({query:<10}) < 2 ms: {'yes' if added < 2 else 'NO'} ({added:.2f} ms)")
    return lines


def emit(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)


def run(args: argparse.Namespace) -> None:
    install_peers()
    total = (len(SHAPES) + 1) * len(GATEWAYS) + len(LATENCY_QUERIES) * (len(GATEWAYS) + 1)
    estimate = total * args.rounds * (args.seconds + WARMUP_SECONDS + 0.3)
    emit(
        [
            f"gateway bench: {args.connections} connections, {args.rounds} interleaved rounds of "
            f"{args.seconds:g} s (after {WARMUP_SECONDS:g} s warm-up) per gateway and shape; medians over "
            f"rounds; about {estimate / 60:.1f} min of load.",
            "All gateways (one process each), the Node subgraphs and the load generator (Node, one process) "
            f"share this machine's {os.cpu_count()} cores; only one target is under load at a time.",
        ]
    )
    # Other work on the machine skews every figure; the load average before and after says how much.
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="qf-gateway-bench-") as tmp:
        work = Path(tmp)
        processes = Processes(work)
        try:
            subgraphs = {
                name: start_subgraph(processes, name) for name in ("products", "reviews", "shipping")
            }
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

            emit(verdicts(shapes, latency))
            emit([f"\nload average (1 min) before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}"])
        finally:
            processes.stop_all()
    if args.profile:
        print(f"\nprofile of our gateway (all shapes): {args.profile}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="measured seconds per run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per shape (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrency for throughput (default 16)")
    parser.add_argument(
        "--profile", type=Path, help="run our gateway under cProfile and write its stats here on exit"
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
