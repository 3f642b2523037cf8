"""`qf serve --service gateway --workers 2`: two gateway processes behind one port agree on what a client
registered and on what an operator revoked (issue 16).

The subgraphs run on threads of this process over a database of their own; the gateway is the real
command, run as an operator runs it. Each request opens a new connection, so the kernel hands requests
to both workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.apikeys import create_api_key, revoke_api_key
from qf.database import migrate_all
from qf.settings import SystemSettings
from services.credits.app import create_credits_app
from services.mapping.app import create_mapping_app
from services.registry.app import create_registry_app
from tests.conftest import TEST_SECRET
from tests.gateway.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
QUERY = "{ standards(first: 1) { totalCount } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}
REQUESTS = 24


@contextlib.contextmanager
def subgraphs(url: str, settings: SystemSettings) -> Iterator[dict[str, str]]:
    with contextlib.ExitStack() as stack:
        bases = {
            "registry": stack.enter_context(serve(create_registry_app(settings, url))),
            "credits": stack.enter_context(serve(create_credits_app(settings, url, follow_feed=False))),
            "mapping": stack.enter_context(serve(create_mapping_app(settings, url))),
        }
        yield bases


def workers_of(pid: int) -> list[int]:
    """The processes `pid` spawned to serve (multiprocessing's resource tracker is not one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
            if ppid == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


@contextlib.contextmanager
def gateway_workers(database: str, bases: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    env.update(
        QF_DATABASE_URL=database,
        QF_INTERNAL_SECRET=TEST_SECRET,
        QF_CURP_SALT="test-curp-salt",
        QF_DATA_DIR=str(tmp_path / "data"),
        QF_REGISTRY_URL=f"{bases['registry']}/graphql",
        QF_CREDITS_PORT=bases["credits"].rsplit(":", 1)[1],
        QF_MAPPING_PORT=bases["mapping"].rsplit(":", 1)[1],
        PYTHONPATH=str(ROOT),
    )
    log_path = tmp_path / "gateway.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qf",
                "serve",
                "--service",
                "gateway",
                "--workers",
                "2",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(workers_of(process.pid)) < 2 or not _healthy(base):
            assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        yield f"{base}/graphql", process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(base: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    return False


def post(url: str, body: dict[str, Any], key: str) -> httpx.Response:
    """One request on a connection of its own (`connection: close`), so it may reach either worker."""
    headers = {"authorization": f"Bearer {key}", "connection": "close"}
    return httpx.post(url, json=body, headers=headers, timeout=30)


async def key_store(database: str) -> asyncpg.Connection:
    return await asyncpg.connect(database)


@pytest.fixture
async def database(make_database: Callable[[], Any]) -> str:
    url = await make_database()
    await migrate_all(url)
    return url


async def test_two_workers_share_persisted_queries_and_revocations(
    database: str, settings: SystemSettings, tmp_path: Path
) -> None:
    conn = await key_store(database)
    try:
        key = await create_api_key(conn, "admin", "workers test admin")
        with subgraphs(database, settings) as bases, gateway_workers(database, bases, tmp_path) as (url, pid):
            workers = workers_of(pid)
            assert len(workers) == 2, workers

            registered = await asyncio.to_thread(post, url, {"query": QUERY, "extensions": PERSISTED}, key)
            assert registered.json() == {"data": {"standards": {"totalCount": 0}}}, registered.text
            answers = [
                await asyncio.to_thread(post, url, {"extensions": PERSISTED}, key) for _ in range(REQUESTS)
            ]
            assert all(a.json() == registered.json() for a in answers), [a.text for a in answers]

            assert await revoke_api_key(conn, key.split("_")[1])
            await asyncio.sleep(1.5)  # another process's revocation applies within a second
            refused = [await asyncio.to_thread(post, url, {"query": QUERY}, key) for _ in range(REQUESTS)]
            assert all(r.status_code == 401 for r in refused), [(r.status_code, r.text) for r in refused]
            assert workers_of(pid) == workers  # no worker died on the way
    finally:
        await conn.close()


def test_workers_go_only_with_the_gateway_and_are_bounded(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    env["QF_DATA_DIR"] = str(tmp_path / "data")
    for args, said in (
        (["--service", "registry", "--workers", "2"], "--workers goes with --service gateway"),
        (["--service", "gateway", "--workers", "0"], "--workers must be between 1 and 64"),
        (["--service", "gateway", "--workers", "100000"], "--workers must be between 1 and 64"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "qf", "serve", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert run.returncode == 2 and said in run.stderr, (args, run.stderr)
    assert not (tmp_path / "data").exists()  # refused before anything was created
