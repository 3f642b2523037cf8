"""The gateway-to-subgraph wire protocol: the signed caller header (DESIGN.md section 6).

The gateway owns this protocol; a subgraph that serves it imports this one module (services/ do), which
imports nothing but the standard library. That dependency runs one way: nothing in gateway/ imports a
subgraph's code (tests/test_import_contracts.py checks both).

The gateway authenticates the caller, then tells the subgraph who it is in `X-QF-Caller` (base64url
JSON: role, subject, scope, person, request id) and proves it in `X-QF-Signature`:

    X-QF-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>

The HMAC covers the timestamp, method, path with query string, the caller header and a SHA-256 of
the body, so a captured signature cannot be replayed with another query or another caller, nor more
than `max_age` seconds after (or before: a clock running ahead) the time it names. Subgraphs reject every
request without a valid signature (401).

`read_signature` checks everything that does not need the body (both headers there, well formed, fresh),
so a subgraph refuses an unsigned request before reading a byte of its body; `verify` does that and then
checks the HMAC over the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field

CALLER_HEADER = "x-qf-caller"
SIGNATURE_HEADER = "x-qf-signature"

ROLES = ("public", "registrar", "committee", "certifier", "taskforce", "admin")

# How far a signature's time may lie from the subgraph's clock, either way, by default. Gateway and
# subgraphs sign and check within milliseconds of each other; the window only absorbs clock drift.
DEFAULT_MAX_AGE = 30

# Request ids: a random prefix per process and a counter, 32 hex digits as uuid4().hex has, unique across
# processes with overwhelming probability; one per client request, without a system call for randomness
# each time (uuid4 read os.urandom for every request).
_REQUEST_PREFIX = secrets.token_hex(8)
_REQUEST_COUNTER = itertools.count()


def _new_request_id() -> str:
    return f"{_REQUEST_PREFIX}{next(_REQUEST_COUNTER) & 0xFFFFFFFFFFFFFFFF:016x}"


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_MAC = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Caller:
    """Who the gateway says is asking: a role, an identity and the institution or body it acts for."""

    role: str = "public"
    subject: str | None = None
    scope: str | None = None
    request_id: str = field(default_factory=lambda: _new_request_id())
    # The named person of the body or institution who holds the key (None for keys not yet named):
    # what a subgraph records as who did something, where `subject` only names the key.
    person: str | None = None

    def encode(self) -> str:
        raw = json.dumps(asdict(self), separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Caller:
        padded = value + "=" * (-len(value) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(data, dict):
            raise ValueError("the caller header is not a JSON object")
        caller = cls(**{k: data.get(k) for k in ("role", "subject", "scope", "request_id", "person")})
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


@dataclass(frozen=True)
class SignatureHeaders:
    """The two headers of a request, checked as far as they can be without its body."""

    timestamp: int
    mac: str
    caller: str  # still encoded, as signed

    def verify(self, secret: bytes, *, method: str, target: str, body: bytes) -> Caller:
        """The signed caller if the HMAC covers this method, target and body; else `InvalidSignature`."""
        expected = _mac(secret, self.timestamp, method, target, self.caller, body)
        if not hmac.compare_digest(expected, self.mac):
            raise InvalidSignature("invalid internal signature")
        try:
            return Caller.decode(self.caller)
        except (ValueError, TypeError) as exc:
            raise InvalidSignature("malformed caller header") from exc


def read_signature(
    headers: dict[str, str], *, max_age: int = DEFAULT_MAX_AGE, now: float | None = None
) -> SignatureHeaders:
    """Both headers, well formed and signed within `max_age` seconds of now, past or future."""
    encoded = headers.get(CALLER_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not encoded or not signature:
        raise InvalidSignature("missing internal signature")
    # Exactly `t=<digits>,v1=<64 hex>`, in either order; anything else is refused, not guessed at.
    items = [item.partition("=") for item in signature.split(",")]
    parts = {name: value for name, _, value in items}
    timestamp, mac = parts.get("t", ""), parts.get("v1", "")
    if len(items) != 2 or not _TIMESTAMP.fullmatch(timestamp) or not _HEX_MAC.fullmatch(mac):
        raise InvalidSignature("malformed internal signature")
    signed_at = int(timestamp)
    current = time.time() if now is None else now
    if signed_at < current - max_age:
        raise InvalidSignature(f"expired internal signature (signed more than {max_age} s ago)")
    if signed_at > current + max_age:
        raise InvalidSignature(f"internal signature from the future (more than {max_age} s ahead)")
    return SignatureHeaders(signed_at, mac, encoded)


def verify(
    secret: bytes,
    headers: dict[str, str],
    *,
    method: str,
    target: str,
    body: bytes,
    max_age: int = DEFAULT_MAX_AGE,
    now: float | None = None,
) -> Caller:
    """The signed caller, or `InvalidSignature` saying why not."""
    return read_signature(headers, max_age=max_age, now=now).verify(
        secret, method=method, target=target, body=body
    )
