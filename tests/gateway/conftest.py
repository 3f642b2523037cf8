"""Fixtures for gateway tests over the synthetic subgraphs (tests/gateway/synthetic).

- `synthetic_url`: every scenario's subgraphs served by uvicorn in a background thread.
- `supergraph_of(scenario)`: the scenario composed by @apollo/composition, once per session.
- `gateways_of(scenario)`: @apollo/gateway and our gateway over that supergraph, as /graphql URLs. Ours
  runs in this process, served by uvicorn on a thread; Apollo's run in one Node process for the whole
  session (tests/oracle/oracle.py). Only the most recently asked scenario's pair stays up: tests are
  grouped by scenario, so each scenario's pair starts once while memory stays flat.
- `our_gateway_process(...)`: our gateway as its own `qf serve` process, for tests that read its memory.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.server import create_gateway_app
from tests.gateway.servers import free_port, serve
from tests.gateway.synthetic import SCENARIO_NAMES, app, scenarios, subgraph_list

ROOT = Path(__file__).resolve().parents[2]
OUR_GATEWAY_READY_TIMEOUT = 20.0


@pytest.fixture(scope="session")
def synthetic_url() -> Iterator[str]:
    """Base URL of the synthetic subgraphs: POST {base}/{scenario}/{subgraph} speaks GraphQL."""
    with serve(app(), lifespan="off") as base:
        yield base


@pytest.fixture(scope="session")
def supergraph_of(synthetic_url: str) -> Callable[[str], str]:
    """The scenario's supergraph SDL from @apollo/composition; all scenarios compose in one node run."""
    from tests.oracle.oracle import compose_many_with_apollo, require_oracle

    composed: dict[str, dict] = {}
    lock = threading.Lock()  # gateways boot in background threads, which ask for supergraphs too

    def get(scenario: str) -> str:
        require_oracle()
        with lock:
            if not composed:
                cases = [subgraph_list(name, synthetic_url) for name in SCENARIO_NAMES]
                composed.update(zip(SCENARIO_NAMES, compose_many_with_apollo(cases), strict=True))
        result = composed[scenario]
        if "errors" in result:
            raise AssertionError(f"scenario {scenario} does not compose: {result['errors']}")
        edit = getattr(scenarios()[scenario], "edit_supergraph", None)
        return edit(result["supergraphSdl"]) if edit else result["supergraphSdl"]

    return get


@dataclass
class _Starting:
    process: subprocess.Popen[bytes]
    base: str
    log_path: Path

    def wait_ready(self) -> str:
        """The /graphql URL once GET /healthz answers 200."""
        deadline = time.monotonic() + OUR_GATEWAY_READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log_path.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"our gateway exited ({self.process.returncode}):\n{log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return f"{self.base}/graphql"
            time.sleep(0.05)
        log = self.log_path.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"our gateway not healthy after {OUR_GATEWAY_READY_TIMEOUT:.0f} s:\n{log}")


@contextlib.contextmanager
def _start_our_gateway(supergraph_sdl: str, env: dict[str, str] | None = None) -> Iterator[_Starting]:
    """Starts `qf serve --service gateway --supergraph FILE` without waiting for it; stops it after.

    `env` adds to (or overrides) this process's environment."""
    with tempfile.TemporaryDirectory(prefix="qf-gateway-") as folder:
        supergraph = Path(folder) / "supergraph.graphql"
        supergraph.write_text(supergraph_sdl)
        port = free_port()
        # A gateway over a supergraph file needs no database: make sure it is not handed one.
        env = {**{k: v for k, v in os.environ.items() if k != "QF_DATABASE_URL"}, **(env or {})}
        env.setdefault("QF_INTERNAL_SECRET", "differential-test-secret")
        log_path = Path(folder) / "gateway.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "qf", "serve", "--service", "gateway",
                 "--supergraph", str(supergraph), "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            yield _Starting(process, f"http://127.0.0.1:{port}", log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def our_gateway_in_process(settings: Any, supergraph_sdl: str) -> Iterator[str]:
    """Our gateway over the supergraph (no database: every caller is public), served by uvicorn on a
    thread of this process; yields its /graphql URL once it listens.

    The gateway `qf serve --service gateway --supergraph FILE` builds, minus the process around it: its
    subgraph requests are signed with the settings' secret, as that command signs them with its own."""

    async def load() -> str:
        return supergraph_sdl

    app = create_gateway_app(settings, load, database_url=None, secret=settings.require_secret())
    with serve(app) as base:
        yield f"{base}/graphql"


@contextlib.contextmanager
def our_gateway_process(
    supergraph_sdl: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like `our_gateway`, with extra environment, yielding the process too (its pid, its memory)."""
    with _start_our_gateway(supergraph_sdl, env) as starting:
        yield starting.wait_ready(), starting.process


@dataclass(frozen=True)
class GatewayPair:
    apollo: str
    ours: str


class _GatewayPairs:
    """Starts each scenario's pair of gateways in the background, one scenario ahead of the tests.

    Tests run grouped by scenario, in `order`; while one scenario's operations run, the next one's
    gateways boot. Any other scenario's gateways are stopped, so at most two pairs are alive.
    """

    def __init__(self, supergraph_of: Callable[[str], str], order: list[str], settings: Any) -> None:
        self.supergraph_of = supergraph_of
        self.settings = settings
        self.order = order
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="gateways")
        self.started: dict[str, tuple[contextlib.ExitStack, Future[GatewayPair]]] = {}

    def _boot(self, scenario: str, stack: contextlib.ExitStack) -> GatewayPair:
        from tests.oracle.oracle import apollo_gateway

        sdl = self.supergraph_of(scenario)
        apollo = stack.enter_context(apollo_gateway(sdl))
        ours = stack.enter_context(our_gateway_in_process(self.settings, sdl))
        return GatewayPair(apollo=apollo, ours=ours)

    def _start(self, scenario: str) -> None:
        if scenario not in self.started:
            stack = contextlib.ExitStack()
            self.started[scenario] = (stack, self.pool.submit(self._boot, scenario, stack))

    def _stop(self, scenario: str) -> None:
        stack, future = self.started.pop(scenario)
        futures_wait([future])  # never close a stack while it is still booting
        stack.close()

    def get(self, scenario: str) -> GatewayPair:
        position = self.order.index(scenario) if scenario in self.order else len(self.order)
        upcoming = self.order[position + 1 : position + 2]
        for name in [name for name in self.started if name not in (scenario, *upcoming)]:
            self._stop(name)
        for name in (scenario, *upcoming):
            self._start(name)
        # A failed start raises here for each of the scenario's tests, without starting again.
        return self.started[scenario][1].result()

    def close(self) -> None:
        for name in list(self.started):
            self._stop(name)
        self.pool.shutdown()


@pytest.fixture(scope="session")
def gateways_of(
    request: pytest.FixtureRequest, supergraph_of: Callable[[str], str], settings: Any
) -> Iterator[Callable[[str], GatewayPair]]:
    """Both gateways (Apollo's, ours) over a scenario's supergraph, as /graphql URLs."""
    # The scenarios in the order the selected tests will ask for them, so the next can boot early.
    order: list[str] = []
    for item in request.session.items:
        scenario = getattr(item, "callspec", None) and item.callspec.params.get("scenario")
        if isinstance(scenario, str) and scenario not in order:
            order.append(scenario)
    pairs = _GatewayPairs(supergraph_of, order, settings)
    yield pairs.get
    pairs.close()
