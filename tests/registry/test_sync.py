"""`sync_renec` against a local HTTP server replaying CONOCER's getEstandaresAll answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from services.common.db import Database
from services.registry.importer import STANDARDS_FILE, import_renec
from services.registry.sync import RenecSyncError, sync_renec

RENEC = "conocer_renec_avala"
REAL_LIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / RENEC / STANDARDS_FILE

# path -> (status, content type, body)
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/error": (500, "text/plain", b"Internal Server Error"),
    "/html": (200, "text/html", b"<html><body>Mantenimiento</body></html>"),
    "/object": (200, "application/json", b'{"estandares": []}'),
    "/empty": (200, "application/json", b"[]"),
    "/short-rows": (200, "application/json", b'[{"codigo": "EC0001", "nivel": "2"}]'),
    "/scalars": (200, "application/json", b'["EC0001", "EC0002"]'),
}


class _Replay(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/getEstandaresAll":
            status, kind, body = 200, "application/json", REAL_LIST.read_bytes()
        else:
            status, kind, body = ROUTES.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def conocer() -> Iterator[str]:
    """Base URL of a server on 127.0.0.1 (a free port) standing in for conocer.gob.mx."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def db(empty_registry_db: Database) -> Database:
    return empty_registry_db


async def test_sync_loads_the_live_list(db: Database, conocer: str) -> None:
    summary = await sync_renec(db, f"{conocer}/getEstandaresAll", timeout=10)

    assert summary.standards.inserted == 1477
    assert summary.levels == {1: 33, 2: 626, 3: 506, 4: 261, 5: 51}
    assert await db.fetchval("SELECT count(*) FROM standards WHERE status = 'published'") == 1477
    assert await db.fetchval("SELECT sector_code FROM standards WHERE code = 'EC1681'") is not None
    # Without the committee list every committee is derived from the names the standards give.
    assert summary.committees.inserted == await db.fetchval("SELECT count(*) FROM committees")

    again = await sync_renec(db, f"{conocer}/getEstandaresAll", timeout=10)
    assert again.changed == 0 and again.standards.unchanged == 1477


async def test_sync_after_full_import_changes_nothing(
    db: Database, conocer: str, shared_data: Path
) -> None:
    await import_renec(db, shared_data / RENEC)
    logged = await db.fetchval("SELECT count(*) FROM change_log")

    summary = await sync_renec(db, f"{conocer}/getEstandaresAll", timeout=10)

    # The committee links the full import made from committees_complete.json are kept.
    assert summary.changed == 0, summary.render()
    assert await db.fetchval("SELECT count(*) FROM change_log") == logged
    assert await db.fetchval("SELECT committee_id FROM standards WHERE code = 'EC0089'") == "1"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/error", "answered HTTP 500"),
        ("/missing", "answered HTTP 404"),
        ("/html", "did not return JSON (text/html)"),
        ("/object", "returned a JSON dict, expected a list"),
        ("/empty", "returned an empty list"),
        ("/short-rows", "item 0 lacks titulo, comite, secProductivo"),
        ("/scalars", "item 0 is a str, not an object"),
    ],
)
async def test_bad_answers_fail_clearly_and_change_nothing(
    db: Database, conocer: str, path: str, expected: str
) -> None:
    with pytest.raises(RenecSyncError) as failure:
        await sync_renec(db, conocer + path, timeout=10)
    assert expected in str(failure.value)
    assert conocer + path in str(failure.value)
    assert await db.fetchval("SELECT count(*) FROM standards") == 0


async def test_unreachable_server_fails_clearly(db: Database) -> None:
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RenecSyncError, match="could not fetch"):
        await sync_renec(db, f"http://127.0.0.1:{port}/getEstandaresAll", timeout=5)
