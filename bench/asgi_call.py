"""A subgraph called as the gateway calls it, without a client library or a socket (the benches')."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from gateway.signing import Caller, sign


async def call_app(
    app: Any, secret: bytes, caller: Caller, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One signed POST /graphql straight into the ASGI app: no client library, no socket; the body
    written and the answer read with orjson, as the gateway (the subgraphs' real caller) does. The
    answer's `data`; its errors raise."""
    body = orjson.dumps({"query": query, "variables": variables or {}})
    headers = {**sign(secret, caller, body=body), "content-type": "application/json"}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # never: the app has the whole body
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    payload: dict[str, Any] = orjson.loads(b"".join(chunks))
    if payload.get("errors"):
        raise RuntimeError(f"{query[:60]}...: {payload['errors'][:2]}")
    return payload["data"]
