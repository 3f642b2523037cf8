"""Servers for gateway tests: an ASGI app on a thread, the extension subgraph as a process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _socket() -> socket.socket:
    # IPPROTO_TCP spelled out so asyncio sets TCP_NODELAY (no 40 ms delayed-ACK stalls).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def serve(app: Any, **config: Any) -> Iterator[str]:
    """The app on a free port in a thread, until the block ends; yields its base URL."""
    sock = _socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def extension_process() -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.gateway.extension_subgraph", str(port)], cwd=ROOT, env=os.environ.copy()
    )
    url = f"http://127.0.0.1:{port}/ext/extension"
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(url, json={"query": "{ __typename }"}, timeout=1)
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the extension subgraph did not start")
            time.sleep(0.05)
        yield url, process
    finally:
        process.kill()
        process.wait()


@contextlib.contextmanager
def synthetic_gateway(settings: Any, synthetic_base: str, scenario: str = "single_key") -> Iterator[str]:
    """Our gateway (no database, unsigned) over a synthetic scenario composed by our own composition,
    on a thread: the cheapest whole gateway, needing neither Node nor PostgreSQL. Yields its base URL."""
    from gateway.composition import SubgraphSource, compose
    from gateway.server import create_gateway_app
    from tests.gateway.synthetic import subgraph_list

    sources = [SubgraphSource(s["name"], s["url"], s["sdl"]) for s in subgraph_list(scenario, synthetic_base)]
    supergraph = compose(sources)

    async def load() -> str:
        return supergraph

    with serve(create_gateway_app(settings, load, database_url=None, secret=None)) as base:
        yield base
