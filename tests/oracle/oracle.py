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
import shutil
import socket
import subprocess
import tempfile
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def apollo_gateway(supergraph_sdl: str, secret: str | None = None) -> Iterator[str]:
    """Runs @apollo/gateway over the supergraph; yields its URL (`http://127.0.0.1:PORT/graphql`).

    With `secret`, its subgraph requests are signed as ours are, so it can front our real subgraphs.
    """
    ensure_installed()
    with tempfile.TemporaryDirectory(prefix="qf-oracle-") as folder:
        supergraph = Path(folder) / "supergraph.graphql"
        supergraph.write_text(supergraph_sdl)
        # Output goes to files, not pipes: a chatty gateway can never block on a full pipe.
        out_path, err_path = Path(folder) / "stdout", Path(folder) / "stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                ["node", str(HERE / "gateway.mjs"), str(supergraph), str(_free_port())],
                cwd=HERE,
                env={**_node_env(), **({"QF_INTERNAL_SECRET": secret} if secret else {})},
                stdout=out,
                stderr=err,
            )
        try:
            yield _wait_ready(process, out_path, err_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], out_path: Path, err_path: Path) -> str:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        for line in out_path.read_text(errors="replace").splitlines():
            if line.startswith("ready "):
                return line.removeprefix("ready ").strip()
        if process.poll() is not None:
            raise RuntimeError(f"Apollo gateway exited: {err_path.read_text(errors='replace')}")
        time.sleep(0.05)
    raise RuntimeError(f"Apollo gateway not ready after {READY_TIMEOUT:.0f} s: {err_path.read_text()}")
