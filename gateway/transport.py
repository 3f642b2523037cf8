"""Requests to subgraphs: keep-alive connections (`http1.Origin`), signed with the caller's identity.

When an internal secret is configured every request carries the signed caller header of DESIGN.md
section 6 (our subgraphs refuse anything else); in front of other people's subgraphs
(`--supergraph` without a secret) requests go unsigned.

Queries may be deduplicated: a subgraph request identical to one already in flight for the same caller
identity (role, subject, scope) waits for that one's answer instead of being sent again, as Apollo
Router's `deduplicate_query` and Hive Gateway do. When many clients ask the same thing at once (a portal's
landing page), the subgraphs see it once. Mutations are never shared.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from gateway.deadlines import Deadlines
from gateway.executor import SubgraphFailure, Transport
from gateway.http1 import HTTPFailure, Origin
from gateway.signing import Caller, sign

log = logging.getLogger(__name__)

HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

# (subgraph, role, subject, scope, body): who asks what of whom. The request id is left out on purpose.
InFlightKey = tuple[str, str, str | None, str | None, bytes]


class SubgraphClient:
    def __init__(
        self, urls: dict[str, str], secret: bytes | None, timeout: float = 10.0, deduplicate: bool = True
    ) -> None:
        self.urls = urls
        self.origins = {name: Origin(url) for name, url in urls.items()}
        self.secret = secret
        self.timeout = timeout
        self.deadlines = Deadlines(timeout)  # one timer for every request's timeout (gateway/deadlines.py)
        self.deduplicate = deduplicate
        self.in_flight: dict[InFlightKey, asyncio.Future[tuple[int, bytes]]] = {}

    async def close(self) -> None:
        for origin in self.origins.values():
            origin.close()

    def transport(self, caller: Caller, *, query: bool = False) -> Transport:
        """How one client request reaches the subgraphs; `query` allows sharing identical requests."""
        share = query and self.deduplicate

        async def send(subgraph: str, body: bytes) -> dict[str, Any]:
            if share:
                status, content = await self._shared(subgraph, body, caller)
            else:
                status, content = await self._post(subgraph, body, caller)
            try:
                payload = orjson.loads(content)
            except orjson.JSONDecodeError:
                payload = None
            if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
                url, start = self.urls[subgraph], content[:200]
                log.warning(
                    "subgraph %s at %s answered HTTP %s, not GraphQL: %r", subgraph, url, status, start
                )
                raise SubgraphFailure(
                    f"answered HTTP {status} without a GraphQL response", "SUBREQUEST_HTTP_ERROR"
                )
            return payload

        return send

    async def _shared(self, subgraph: str, body: bytes, caller: Caller) -> tuple[int, bytes]:
        key = (subgraph, caller.role, caller.subject, caller.scope, body)
        pending = self.in_flight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._post(subgraph, body, caller))
            self.in_flight[key] = pending
            pending.add_done_callback(lambda done: self._settled(key, done))
        # Shielded: a client that goes away cancels its own wait, not the request others wait for.
        return await asyncio.shield(pending)

    def _settled(self, key: InFlightKey, done: asyncio.Future[tuple[int, bytes]]) -> None:
        if self.in_flight.get(key) is done:
            del self.in_flight[key]
        if not done.cancelled():
            done.exception()  # retrieved, so a failure every waiter abandoned is not logged as lost

    async def _post(self, subgraph: str, body: bytes, caller: Caller) -> tuple[int, bytes]:
        origin = self.origins[subgraph]
        headers = {**HEADERS, "X-Request-Id": caller.request_id}
        if self.secret is not None:
            headers.update(sign(self.secret, caller, target=origin.target, body=body))
        deadline = self.deadlines.start()
        try:
            answer = await origin.post(body, headers)
        except asyncio.CancelledError:
            if not deadline.expired_here():
                raise
            log.warning(
                "subgraph %s at %s gave no answer within %g s", subgraph, self.urls[subgraph], self.timeout
            )
            raise SubgraphFailure(
                f"timed out (no answer within {self.timeout:g} s)", "GATEWAY_TIMEOUT"
            ) from None
        except HTTPFailure as exc:
            log.warning("subgraph %s at %s failed: %s", subgraph, self.urls[subgraph], exc)
            raise SubgraphFailure(exc.reason, "SUBREQUEST_HTTP_ERROR") from None
        finally:
            self.deadlines.end(deadline)
        if deadline.expired:
            # Answered as the deadline passed: the answer stands, and the cancellation is withdrawn
            # (as `asyncio.timeout` withdraws its own).
            deadline.task.uncancel()
        return answer
