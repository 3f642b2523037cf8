"""The internal request signature (DESIGN.md section 6).

The gateway authenticates the caller, then tells the subgraph who it is in `X-QF-Caller` (base64url
JSON: role, subject, scope, request id) and proves it in `X-QF-Signature`:

    X-QF-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>

The HMAC covers the timestamp, method, path with query string, the caller header and a SHA-256 of
the body, so a captured signature cannot be replayed with another query, another caller or after
`max_age` seconds. Subgraphs reject every request without a valid signature (401).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import asdict, dataclass, field

CALLER_HEADER = "x-qf-caller"
SIGNATURE_HEADER = "x-qf-signature"

ROLES = ("public", "registrar", "committee", "certifier", "taskforce", "admin")


@dataclass(frozen=True)
class Caller:
    """Who the gateway says is asking: a role, an identity and the institution or body it acts for."""

    role: str = "public"
    subject: str | None = None
    scope: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def encode(self) -> str:
        raw = json.dumps(asdict(self), separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Caller:
        padded = value + "=" * (-len(value) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(data, dict):
            raise ValueError("the caller header is not a JSON object")
        caller = cls(**{k: data.get(k) for k in ("role", "subject", "scope", "request_id")})
        if caller.role not in ROLES:
            raise ValueError(f"unknown role {caller.role!r}")
        return caller


class InvalidSignature(Exception):
    pass


def _mac(secret: bytes, timestamp: int, method: str, target: str, caller: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    message = f"{timestamp}\n{method.upper()}\n{target}\n{caller}\n{digest}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign(
    secret: bytes,
    caller: Caller,
    *,
    method: str = "POST",
    target: str = "/graphql",
    body: bytes = b"",
    now: float | None = None,
) -> dict[str, str]:
    """Headers that make a subgraph accept this request as coming from the gateway.

    `target` is the path with its query string, exactly as sent.
    """
    timestamp = int(now if now is not None else time.time())
    encoded = caller.encode()
    mac = _mac(secret, timestamp, method, target, encoded, body)
    return {CALLER_HEADER: encoded, SIGNATURE_HEADER: f"t={timestamp},v1={mac}"}


def verify(
    secret: bytes,
    headers: dict[str, str],
    *,
    method: str,
    target: str,
    body: bytes,
    max_age: int = 300,
    now: float | None = None,
) -> Caller:
    """The signed caller, or `InvalidSignature` saying why not."""
    encoded = headers.get(CALLER_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not encoded or not signature:
        raise InvalidSignature("missing internal signature")
    try:
        parts = dict(item.split("=", 1) for item in signature.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError) as exc:
        raise InvalidSignature("malformed internal signature") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > max_age:
        raise InvalidSignature("expired internal signature")
    expected = _mac(secret, timestamp, method, target, encoded, body)
    if not hmac.compare_digest(expected, given):
        raise InvalidSignature("invalid internal signature")
    try:
        return Caller.decode(encoded)
    except (ValueError, TypeError) as exc:
        raise InvalidSignature("malformed caller header") from exc
