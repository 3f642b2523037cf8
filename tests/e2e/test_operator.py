"""The operator's day (issue 13): `qf` run as a process against a throw-away database on the test server,
as an operator would run it, and what it prints."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.oracle.oracle import NODE_AVAILABLE

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
RENEC_LIST = SHARED / "conocer_renec_avala" / "extracted" / "ec_standards_api.json"


def qf(
    *args: str, env: dict[str, str], cwd: Path = ROOT, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`qf ARGS` in a process of its own, this checkout's code first on the path."""
    return subprocess.run(
        [sys.executable, "-m", "qf", *args],
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


def serve_until_up(
    *args: str, env: dict[str, str], then: Callable[[str], None] | None = None, timeout: float = 300
) -> str:
    """Runs `qf serve ARGS` until it says it is up, `then(gateway URL)`, stops it with Ctrl-C; returns
    what it printed."""
    ports = {f"QF_{name}_PORT": str(free_port()) for name in ("GATEWAY", "REGISTRY", "CREDITS", "MAPPING")}
    process = subprocess.Popen(
        [sys.executable, "-m", "qf", "serve", *args],
        cwd=ROOT,
        env={**env, **ports, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    up = None
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            if up := re.search(r"qf is up .*(http://\S+/graphql)", line):
                break
        assert up, "qf serve did not come up:\n" + "".join(seen)
        if then is not None:
            then(up.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    return "".join(seen) + process.stdout.read()


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


def ask_for_a_standard(url: str) -> None:
    answer = httpx.post(url, json={"query": "{ standards(first: 1) { totalCount } }"}, timeout=30).json()
    assert answer["data"]["standards"]["totalCount"] > 1000, answer


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
    printed = serve_until_up("--data", str(SHARED), env=env)
    assert "applied migration" not in printed and printed.count("registry: applied") == 1, printed
    official = await snapshot(database)
    assert official["institutions"] == 0 and official["certificates"] == 0
    assert official["standards"] is not None and official["edges"] > 30_000

    printed = serve_until_up(env=env, then=ask_for_a_standard)
    assert "holds data of its own (registry, crosswalk): the sample is not loaded" in printed, printed
    assert await snapshot(database) == official
    # The operator's log: uvicorn's start-up said once (by qf), the client's request logged, not the
    # gateway's calls to the subgraphs, and no failed "posting" as the credit bank stops after the registry.
    assert "Uvicorn running on" not in printed and "Started server process" not in printed, printed
    assert printed.count('"POST /graphql') == 1, printed
    assert "nothing was posted" not in printed and "registry feed not read" not in printed, printed

    # Asked for, the sample comes next to the official data and still never writes over it.
    serve_until_up("--sample", env=env)
    mixed = await snapshot(database)
    assert mixed["institutions"] == 3 and mixed["certificates"] == 3
    assert {k: mixed[k] for k in ("standards", "items", "edges")} == {
        k: official[k] for k in ("standards", "items", "edges")
    }
    illustrative = await fetch(database, "SELECT bool_and(illustrative) AS all FROM credits.institutions")
    assert illustrative[0]["all"]


def postgres_processes_under(folder: Path) -> list[str]:
    """Command lines of running PostgreSQL servers whose data folder lies under `folder`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "postgres" in cmdline and str(folder) in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def processes_marked(mark: str) -> list[str]:
    """Command lines of running processes whose environment carries `mark` (inherited from the process
    given it, whoever started them in between)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if mark.encode() not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        found.append(f"{proc.name}: {cmdline}")
    return found


# A sub-session of `make test` on the embedded path that starts every kind of process the suite starts: the
# session's embedded PostgreSQL, `qf serve` (its own embedded PostgreSQL and the subgraphs and gateway it
# serves), and, where Node is installed, Apollo's gateway.
SUB_SESSION = (
    "tests/common/test_migrations.py::test_second_run_applies_nothing",
    "tests/e2e/test_serve.py::test_serve_prints_a_url_that_answers",
    "tests/oracle/test_oracle.py::test_gateway_answers",
)


def test_a_test_session_leaves_no_process_behind() -> None:
    """Issue 13: `make test` on the embedded path left a PostgreSQL server running after every run.

    Every process the sub-session starts, and every process those start, inherits a mark in its
    environment; once the session is over, none may be running (its servers stopped before their
    folders were deleted, no uvicorn or node left serving)."""
    # Not a QF_ variable: `qf` and the tests that run it hand their children everything but QF_ settings.
    mark = f"LEAK_CHECK_{secrets.token_hex(8)}=1"
    # The session's servers live in temporary folders under TMPDIR; a short one, as PostgreSQL's socket
    # path inside a data folder has at most 107 characters.
    with tempfile.TemporaryDirectory(prefix="qf-leak-") as folder:
        env = clean_env(TMPDIR=folder)
        env.pop("QF_TEST_DATABASE_URL", None)
        session = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUB_SESSION],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT), **dict([mark.split("=")])},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert session.returncode == 0, session.stdout + session.stderr
        assert ("3 passed" if NODE_AVAILABLE else "2 passed, 1 skipped") in session.stdout, session.stdout
        assert postgres_processes_under(Path(folder)) == [], session.stdout + session.stderr
    left = processes_marked(mark)
    for _ in range(50):  # a process told to stop may take a moment to go
        if not left:
            break
        time.sleep(0.1)
        left = processes_marked(mark)
    assert left == [], "\n".join(left)


def test_qf_names_its_data_folder_and_never_makes_one_to_read(tmp_path: Path) -> None:
    """Issue 13: `qf` run from another folder silently created a new empty embedded database; and
    every command warned twice about XDG_RUNTIME_DIR and logged its migrations twice."""
    data = tmp_path / "elsewhere"
    env = clean_env(QF_DATA_DIR=str(data))

    for command in (("apikey", "list"), ("propose",)):
        refused = qf(*command, env=env)
        assert refused.returncode == 1, refused.stderr
        assert f"qf: no database in {data} (QF_DATA_DIR)" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert not data.exists()

    migrated = qf("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert f"creating the embedded PostgreSQL in {data}" in migrated.stderr, migrated.stderr
    assert "Warning" not in migrated.stderr, migrated.stderr
    assert "applied migration" not in migrated.stderr
    for service in ("registry", "credits", "mapping", "gateway"):
        assert migrated.stderr.count(f"qf: {service}: applied") == 1, migrated.stderr

    listed = qf("apikey", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert f"using the embedded PostgreSQL in {data}" in listed.stderr, listed.stderr
    assert "Warning" not in listed.stderr, listed.stderr
    assert "no API keys yet" in listed.stdout
    assert postgres_processes_under(tmp_path) == []  # each command stopped the server it started


def test_a_gateway_without_its_subgraphs_says_what_it_waits_for(env: dict[str, str]) -> None:
    """Issue 13: `qf serve --service gateway` with its subgraphs down printed nothing for 60 s, then a
    75-line traceback."""
    ports = {f"QF_{name}_PORT": str(free_port()) for name in ("GATEWAY", "REGISTRY", "CREDITS", "MAPPING")}
    process = subprocess.Popen(
        [sys.executable, "-m", "qf", "serve", "--service", "gateway"],
        cwd=ROOT,
        env={**env, **ports, "QF_INTERNAL_SECRET": "operator-test", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        waiting = []
        started = time.monotonic()
        while len(waiting) < 3 and time.monotonic() - started < 30:
            line = process.stderr.readline()
            if not line:
                break
            waiting.append(line)
        assert time.monotonic() - started < 15, "the gateway was silent too long"
        for service in ("registry", "credits", "mapping"):
            url = f"http://127.0.0.1:{ports[f'QF_{service.upper()}_PORT']}/graphql"
            assert any(f"waiting for the {service} subgraph at {url}" in line for line in waiting), waiting
        time.sleep(1)
        assert process.poll() is None, "it must keep waiting"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    assert "Traceback" not in err and out == "", err
    assert err.strip().splitlines()[-1] == (
        "qf: stopped by SIGTERM before the gateway started: its subgraphs never all answered (see above)"
    )


def test_import_names_the_folders_it_takes(env: dict[str, str]) -> None:
    """Issue 13: `qf import --help` did not document the datasets; a wrong folder did not name the one
    expected."""
    from services.mapping.datasets import DATASETS

    helped = qf("import", "--help", env=env)
    assert helped.returncode == 0
    for name, (folder, _) in DATASETS.items():
        assert re.search(rf"^  {re.escape(name)} +{re.escape(folder)}/$", helped.stdout, re.M), name

    parent = qf("import", "scian", str(SHARED), env=env)
    assert parent.returncode == 2
    expected = f"`qf import scian` takes the scian_2023_mx folder itself: {SHARED / 'scian_2023_mx'}"
    assert expected in parent.stderr, parent.stderr

    one = qf("import", "all", str(SHARED / "naics"), env=env)
    assert one.returncode == 2 and f"perhaps {SHARED}" in one.stderr, one.stderr

    empty = qf("import", "soc", str(SHARED / "naics"), env=env)
    assert empty.returncode == 2 and "`qf import soc` takes soc_2018" in empty.stderr, empty.stderr
    assert "Traceback" not in empty.stderr


def readme_block(containing: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    return next(block for block in blocks if containing in block)


async def test_the_readme_gets_an_operator_started(env: dict[str, str]) -> None:
    """Issue 13: the README did not say `qf` lives in .venv/bin, gave no learner or programme to paste
    into the transcript example, and did not say where ../shared comes from."""
    from services.credits.sample import PROGRAMS
    from services.registry.sample import SAMPLE_CURP

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "the command line is `.venv/bin/qf`" in readme
    assert "`../shared` is the folder beside this checkout" in readme
    query = readme_block("creditTranscript")
    assert SAMPLE_CURP in query and PROGRAMS[0][0] in query

    def transcript(url: str) -> None:
        created = qf("apikey", "create", "--role", "admin", "--name", "README reader", env=env)
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip()
        answer = httpx.post(
            url, json={"query": query}, headers={"authorization": f"Bearer {key}"}, timeout=30
        ).json()
        assert "errors" not in answer, answer
        lines = answer["data"]["learner"]["creditTranscript"]["lines"]
        assert {line["standardCode"] for line in lines} >= {"EC1121", "EC0631"}, lines

    serve_until_up(env=env, then=transcript)
