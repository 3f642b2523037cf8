"""The operator's day (issue 13): `qf` run as a process against a throw-away database on the test server,
as an operator would run it, and what it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
RENEC_LIST = SHARED / "conocer_renec_avala" / "extracted" / "ec_standards_api.json"


def qf(
    *args: str, env: dict[str, str], cwd: Path = ROOT, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`qf ARGS` in a process of its own, this checkout's code first on the path."""
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def clean_env(**qf_vars: str) -> dict[str, str]:
    """This shell's environment without any QF_ variable, plus `qf_vars`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    env.update(qf_vars)
    return env


@pytest.fixture
async def database(make_database: Callable[[], Any]) -> str:
    return await make_database()


@pytest.fixture
def env(database: str, tmp_path: Path) -> dict[str, str]:
    return clean_env(QF_DATABASE_URL=database, QF_DATA_DIR=str(tmp_path / "data"))


async def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


@pytest.fixture
def conocer() -> Iterator[Callable[[list[dict[str, Any]]], str]]:
    """A stand-in for CONOCER's endpoint: `publish(rows)` returns the URL that serves them."""
    served: dict[str, bytes] = {}

    class Replay(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.get(self.path, b"[]")
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(rows: list[dict[str, Any]]) -> str:
        path = f"/getEstandaresAll/{len(served)}"
        served[path] = json.dumps(rows).encode()
        return f"http://127.0.0.1:{server.server_address[1]}{path}"

    yield publish
    server.shutdown()
    server.server_close()
    thread.join()


async def test_sync_brings_the_crosswalk_up_to_date_too(
    env: dict[str, str], database: str, conocer: Callable[[list[dict[str, Any]]], str]
) -> None:
    """Issue 13: `qf sync renec` added standards to the registry but not to the crosswalk."""
    rows = json.loads(RENEC_LIST.read_text(encoding="utf-8"))[:3]
    new = {**rows[0], "codigo": "EC9990", "nivel": "4", "titulo": "Estándar nuevo de prueba de sincronía"}
    url = conocer([*rows, new])
    scian = qf("import", "scian", str(SHARED / "scian_2023_mx"), env=env)  # the sectors the links reach
    assert scian.returncode == 0, scian.stderr

    done = qf("sync", "renec", "--url", url, env=env)

    assert done.returncode == 0, done.stderr
    registry = await fetch(database, "SELECT status FROM registry.standards WHERE code = 'EC9990'")
    assert [r["status"] for r in registry] == ["published"]
    item = await fetch(
        database, "SELECT label_es FROM mapping.items WHERE scheme = 'CONOCER_EC' AND code = 'EC9990'"
    )
    assert [r["label_es"] for r in item] == [new["titulo"]]
    links = await fetch(
        database,
        "SELECT to_scheme, to_code FROM mapping.edges "
        "WHERE from_scheme = 'CONOCER_EC' AND from_code = 'EC9990' ORDER BY to_scheme",
    )
    assert [(r["to_scheme"], r["to_code"]) for r in links] == [("CONOCER_LEVEL", "4"), ("SCIAN_2023", "54")]
    assert "CONOCER_EC items: 4 inserted" in done.stdout, done.stdout

    again = qf("sync", "renec", "--url", url, env=env)
    assert again.returncode == 0, again.stderr
    assert "CONOCER_EC items: 0 inserted, 0 updated, 4 unchanged" in again.stdout, again.stdout
