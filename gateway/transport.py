"""Requests to subgraphs: pooled keep-alive connections, signed with the caller's identity.

When an internal secret is configured every request carries the signed caller header of DESIGN.md
section 6 (our subgraphs refuse anything else); in front of other people's subgraphs
(`--supergraph` without a secret) requests go unsigned.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from gateway.executor import SubgraphFailure, Transport
from services.common.signing import Caller, sign


class SubgraphClient:
    def __init__(self, urls: dict[str, str], secret: bytes | None, timeout: float = 10.0) -> None:
        self.urls = urls
        self.targets = {name: _target(url) for name, url in urls.items()}
        self.secret = secret
        self.timeout = timeout
        limits = httpx.Limits(max_keepalive_connections=100, max_connections=200, keepalive_expiry=30)
        self.client = httpx.AsyncClient(timeout=timeout, limits=limits)

    async def close(self) -> None:
        await self.client.aclose()

    def transport(self, caller: Caller) -> Transport:
        async def send(subgraph: str, body: bytes) -> dict[str, Any]:
            headers = {"content-type": "application/json", "accept": "application/json"}
            if self.secret is not None:
                headers.update(sign(self.secret, caller, target=self.targets[subgraph], body=body))
            if caller.request_id:
                headers["x-request-id"] = caller.request_id
            try:
                response = await self.client.post(self.urls[subgraph], content=body, headers=headers)
            except httpx.TimeoutException:
                raise SubgraphFailure(f"no answer within {self.timeout:g} s", "GATEWAY_TIMEOUT") from None
            except httpx.HTTPError as exc:
                raise SubgraphFailure(str(exc) or type(exc).__name__, "SUBREQUEST_HTTP_ERROR") from None
            try:
                payload = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                payload = None
            if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
                raise SubgraphFailure(
                    f"HTTP {response.status_code} without a GraphQL response", "SUBREQUEST_HTTP_ERROR"
                )
            return payload

        return send


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
