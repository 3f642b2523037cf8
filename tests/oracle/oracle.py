"""Apollo's composition and gateway (from npm) as a reference for ours: tests compare against them; and
graphql-http's audit of the GraphQL-over-HTTP spec.

Node is optional: `require_oracle()` skips a test when node/npm are missing, and otherwise installs the
pinned packages (package-lock.json) on first use.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
# Touched after a successful `npm ci`; the Makefile's test target uses the same stamp.
STAMP = NODE_MODULES / ".installed"
NODE_AVAILABLE: bool = shutil.which("node") is not None and shutil.which("npm") is not None
READY_TIMEOUT = 30.0


def _node_env() -> dict[str, str]:
    env = dict(os.environ)
    env["APOLLO_TELEMETRY_DISABLED"] = "1"
    # Never let a developer's Apollo credentials turn a test run into a GraphOS report.
    for name in ("APOLLO_KEY", "APOLLO_GRAPH_REF"):
        env.pop(name, None)
    return env


def _installed() -> bool:
    lock = HERE / "package-lock.json"
    return STAMP.exists() and STAMP.stat().st_mtime >= lock.stat().st_mtime


def ensure_installed() -> None:
    """Runs `npm ci` when node_modules is missing or older than package-lock.json."""
    if _installed():
        return
    # Two test processes starting at once must not run `npm ci` over each other.
    with open(HERE / ".install.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        if _installed():
            return
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=HERE,
            env=_node_env(),
            check=True,
            capture_output=True,
        )
        STAMP.touch()


def require_oracle() -> None:
    """For a test that needs Apollo: skips without Node, installs the packages otherwise."""
    if not NODE_AVAILABLE:
        pytest.skip("node and npm are not installed; the Apollo oracle is unavailable")
    ensure_installed()


def _run_compose(payload: Any) -> Any:
    ensure_installed()
    completed = subprocess.run(
        ["node", str(HERE / "compose.mjs")],
        input=json.dumps(payload).encode(),
        cwd=HERE,
        env=_node_env(),
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"compose.mjs failed: {completed.stderr.decode(errors='replace')}")
    return json.loads(completed.stdout)


def compose_with_apollo(subgraphs: Sequence[dict[str, str]]) -> dict[str, Any]:
    """`{"supergraphSdl": ...}` or `{"errors": [{"code", "message"}, ...]}` for `[{name, url, sdl}]`."""
    return _run_compose(list(subgraphs))


def compose_many_with_apollo(cases: Sequence[Sequence[dict[str, str]]]) -> list[dict[str, Any]]:
    """Like compose_with_apollo for several compositions in one node process (node starts slowly)."""
    if not cases:
        return []
    return _run_compose({"cases": [list(case) for case in cases]})["results"]


def audit_graphql_over_http(url: str) -> list[dict[str, Any]]:
    """graphql-http's server audit of `url`: one `{id, name, status, reason?, response...}` per item."""
    ensure_installed()
    completed = subprocess.run(
        ["node", str(HERE / "audit.mjs"), url],
        cwd=HERE,
        env=_node_env(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"audit.mjs failed: {completed.stderr.decode(errors='replace')}")
    return json.loads(completed.stdout)


class _ApolloGateways:
    """One Node process (gateway.mjs without arguments) that runs every Apollo gateway a test asks for.

    Node and @apollo/gateway take about a second to load; a gateway inside the running process starts in
    milliseconds. Requests and answers are JSON lines; a thread reads the answers so a wait can time out.
    The process ends with the test session: its stdin closes when this process exits, however it exits.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()  # one request at a time, from whichever thread asks
        self.process: subprocess.Popen[bytes] | None = None
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.log = tempfile.NamedTemporaryFile(prefix="qf-oracle-", suffix=".log")  # noqa: SIM115
        self.next_id = 0

    def _running(self) -> subprocess.Popen[bytes]:
        if self.process is None or self.process.poll() is not None:
            ensure_installed()
            self.process = subprocess.Popen(
                ["node", str(HERE / "gateway.mjs")],
                cwd=HERE,
                env=_node_env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,  # a file, never a pipe: a chatty gateway can never block on it
            )
            self.answers = queue.Queue()
            threading.Thread(target=self._read, args=(self.process, self.answers), daemon=True).start()
        return self.process

    @staticmethod
    def _read(process: subprocess.Popen[bytes], answers: queue.Queue[dict[str, Any] | None]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            answers.put(json.loads(line))
        answers.put(None)  # the process ended

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            process = self._running()
            self.next_id += 1
            request_id = self.next_id
            assert process.stdin is not None
            process.stdin.write(json.dumps({"id": request_id, **request}).encode() + b"\n")
            process.stdin.flush()
            deadline = time.monotonic() + READY_TIMEOUT
            while True:
                try:
                    answer = self.answers.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    message = f"Apollo gateways did not answer in {READY_TIMEOUT:.0f} s: {self._tail()}"
                    raise RuntimeError(message) from None
                if answer is None:
                    raise RuntimeError(f"Apollo gateways exited ({process.wait()}): {self._tail()}")
                if answer.get("id") == request_id:
                    if "error" in answer:
                        raise RuntimeError(f"Apollo gateway: {answer['error']}")
                    return answer

    def _tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def start(self, supergraph_sdl: str, secret: str | None) -> str:
        return self._ask({"start": supergraph_sdl, **({"secret": secret} if secret else {})})["url"]

    def stop(self, url: str) -> None:
        self._ask({"stop": url})


_GATEWAYS = _ApolloGateways()


@contextlib.contextmanager
def apollo_gateway(supergraph_sdl: str, secret: str | None = None) -> Iterator[str]:
    """Runs @apollo/gateway over the supergraph; yields its URL (`http://127.0.0.1:PORT/graphql`).

    With `secret`, its subgraph requests are signed as ours are, so it can front our real subgraphs.
    Every gateway runs in the same Node process, on a port of its own.
    """
    url = _GATEWAYS.start(supergraph_sdl, secret)
    try:
        yield url
    finally:
        _GATEWAYS.stop(url)
