"""The operator's day (issue 13): `qf` run as a process against a throw-away database on the test server,
as an operator would run it, and what it prints."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_until_up(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    """Runs `qf serve ARGS` until it says it is up, stops it with Ctrl-C; returns what it printed."""
    ports = {f"QF_{name}_PORT": str(free_port()) for name in ("GATEWAY", "REGISTRY", "CREDITS", "MAPPING")}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", *args],
        cwd=ROOT,
        env={**env, **ports, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            if re.search(r"qf is up .*/graphql", line):
                break
        assert any("qf is up" in line for line in seen), "qf serve did not come up:\n" + "".join(seen)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    return "".join(seen) + rest


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


async def snapshot(url: str) -> dict[str, Any]:
    """What the official data says, in a few fingerprints."""
    (row,) = await fetch(
        url,
        """SELECT
             (SELECT md5(string_agg(concat_ws('|', code, title_es, level, sector_code, status, source), ','
                                    ORDER BY code)) FROM registry.standards) AS standards,
             (SELECT md5(string_agg(concat_ws('|', scheme, code, label_es, label_en, description), ','
                                    ORDER BY scheme, code)) FROM mapping.items) AS items,
             (SELECT count(*) FROM mapping.edges) AS edges,
             (SELECT count(*) FROM registry.certificates) AS certificates,
             (SELECT count(*) FROM registry.evaluators) AS evaluators,
             (SELECT count(*) FROM credits.institutions) AS institutions""",
    )
    return dict(row)


async def test_the_sample_goes_only_where_asked(env: dict[str, str], database: str) -> None:
    """Issue 13: plain `qf serve` after a full import wrote the sample over official rows, and
    `qf serve --data DIR` loaded the illustrative credit institutions next to official data."""
    serve_until_up("--data", str(SHARED), env=env)
    official = await snapshot(database)
    assert official["institutions"] == 0 and official["certificates"] == 0
    assert official["standards"] is not None and official["edges"] > 30_000

    printed = serve_until_up(env=env)
    assert "holds data of its own (registry, crosswalk): the sample is not loaded" in printed, printed
    assert await snapshot(database) == official

    # Asked for, the sample comes next to the official data and still never writes over it.
    serve_until_up("--sample", env=env)
    mixed = await snapshot(database)
    assert mixed["institutions"] == 3 and mixed["certificates"] == 3
    assert {k: mixed[k] for k in ("standards", "items", "edges")} == {
        k: official[k] for k in ("standards", "items", "edges")
    }
    illustrative = await fetch(database, "SELECT bool_and(illustrative) AS all FROM credits.institutions")
    assert illustrative[0]["all"]
