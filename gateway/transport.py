"""Requests to subgraphs: pooled keep-alive connections, signed with the caller's identity.

aiohttp's client, not httpx: on the gateway's hot path httpx cost about ten times the time of the
request itself (two socket writes per request and a pool scan per connection); aiohttp writes a
request at once and keeps idle connections in a plain list.

When an internal secret is configured every request carries the signed caller header of DESIGN.md
section 6 (our subgraphs refuse anything else); in front of other people's subgraphs
(`--supergraph` without a secret) requests go unsigned.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from gateway.executor import SubgraphFailure, Transport
from services.common.signing import Caller, sign

HEADERS = {"content-type": "application/json", "accept": "application/json"}


class SubgraphClient:
    def __init__(self, urls: dict[str, str], secret: bytes | None, timeout: float = 10.0) -> None:
        self.urls = urls
        self.targets = {name: _target(url) for name, url in urls.items()}
        self.secret = secret
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop (aiohttp binds a session to its loop).
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=200, limit_per_host=100, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                json_serialize=lambda value: orjson.dumps(value).decode(),
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def transport(self, caller: Caller) -> Transport:
        async def send(subgraph: str, body: bytes) -> dict[str, Any]:
            headers = HEADERS
            if self.secret is not None or caller.request_id:
                headers = {**HEADERS, "x-request-id": caller.request_id}
                if self.secret is not None:
                    headers.update(sign(self.secret, caller, target=self.targets[subgraph], body=body))
            try:
                async with self.session.post(self.urls[subgraph], data=body, headers=headers) as response:
                    content = await response.read()
                    status = response.status
            except TimeoutError:
                raise SubgraphFailure(f"no answer within {self.timeout:g} s", "GATEWAY_TIMEOUT") from None
            except (aiohttp.ClientError, OSError) as exc:
                raise SubgraphFailure(str(exc) or type(exc).__name__, "SUBREQUEST_HTTP_ERROR") from None
            try:
                payload = orjson.loads(content)
            except orjson.JSONDecodeError:
                payload = None
            if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
                raise SubgraphFailure(f"HTTP {status} without a GraphQL response", "SUBREQUEST_HTTP_ERROR")
            return payload

        return send


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
