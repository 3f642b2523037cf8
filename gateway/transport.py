"""Requests to subgraphs: keep-alive connections (`http1.Origin`), signed with the caller's identity.

When an internal secret is configured every request carries the signed caller header of DESIGN.md
section 6 (our subgraphs refuse anything else); in front of other people's subgraphs
(`--supergraph` without a secret) requests go unsigned.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from gateway.executor import SubgraphFailure, Transport
from gateway.http1 import HTTPFailure, Origin
from services.common.signing import Caller, sign

HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class SubgraphClient:
    def __init__(self, urls: dict[str, str], secret: bytes | None, timeout: float = 10.0) -> None:
        self.urls = urls
        self.origins = {name: Origin(url) for name, url in urls.items()}
        self.secret = secret
        self.timeout = timeout

    async def close(self) -> None:
        for origin in self.origins.values():
            origin.close()

    def transport(self, caller: Caller) -> Transport:
        async def send(subgraph: str, body: bytes) -> dict[str, Any]:
            origin = self.origins[subgraph]
            headers = {**HEADERS, "X-Request-Id": caller.request_id}
            if self.secret is not None:
                headers.update(sign(self.secret, caller, target=origin.target, body=body))
            try:
                async with asyncio.timeout(self.timeout):
                    status, content = await origin.post(body, headers)
            except TimeoutError:
                raise SubgraphFailure(f"no answer within {self.timeout:g} s", "GATEWAY_TIMEOUT") from None
            except HTTPFailure as exc:
                raise SubgraphFailure(str(exc), "SUBREQUEST_HTTP_ERROR") from None
            try:
                payload = orjson.loads(content)
            except orjson.JSONDecodeError:
                payload = None
            if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
                raise SubgraphFailure(f"HTTP {status} without a GraphQL response", "SUBREQUEST_HTTP_ERROR")
            return payload

        return send
