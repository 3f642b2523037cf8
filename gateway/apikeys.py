"""API keys: who is calling the gateway (DESIGN.md section 6).

A key reads `qf_<id>_<secret>`: a 12-hex-digit public id, then 32 random bytes in URL-safe base64.
Clients send it as `Authorization: Bearer qf_...`; no header at all means the anonymous `public`
role. Postgres (`gateway.api_keys`, see gateway/migrations/) keeps the id, the role, the scope (the
institution, committee or certification body the key acts for), the person of that body or
institution who holds it, and a SHA-256 of the secret, never the secret itself: `create_api_key`
returns the plaintext once and it cannot be recovered.

`ApiKeyAuthenticator` turns the header into a `Caller` for the internal signature. It keeps what it
read from Postgres for `cache_seconds` (30 by default), so the hot path costs one dictionary look-up
and one SHA-256, not a database round trip. Revocation does not wait for that period: at most once a
second, a request served from the cache first asks Postgres which keys were revoked lately (one small
indexed query, whatever the number of keys) and drops them, so a key revoked by `qf apikey revoke` in
any process is refused by every gateway within a second; `revoke_api_key` in the gateway's own process
also drops the key from that process's authenticators at once.

When Postgres cannot answer (down, refusing connections, too slow), a key that is not in the cache
cannot be checked: `KeyStoreUnavailable` says so and asks the caller to retry (HTTP 503), while
cached keys and anonymous calls go on working.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg

from gateway.signing import ROLES, Caller

# The key store's tables, for the "gateway" schema: whoever starts the gateway with a database applies
# them first (`qf` does, with the services' migration runner).
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Roles whose rights are limited to one institution, committee or body: a key without a scope
# would be refused by every rule that checks it, so creating one is refused instead. Such a key
# belongs to a named person of that institution or body, who is recorded as the one who acted.
SCOPED_ROLES = frozenset({"registrar", "committee", "certifier"})

log = logging.getLogger(__name__)

# What a Postgres that is down, restarting, refusing connections or too slow raises, as asyncpg or the
# socket reports it. (A pooled connection the server has just terminated can fail with asyncpg's
# InternalClientError, "another operation is in progress", before the pool notices it is gone.)
_OUTAGE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)

_KEY = re.compile(r"qf_(?P<id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{32,128})")
_PUBLIC = "public"


class KeyStore(Protocol):
    """What the key store needs of a database: an asyncpg pool has it (its tables are schema-qualified)."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def execute(self, query: str, *args: Any) -> str: ...


class AuthenticationFailed(Exception):
    """A caller the gateway cannot authenticate: `message` says why, `code` goes to `extensions.code`."""

    code = "UNAUTHENTICATED"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(AuthenticationFailed):
    """The Authorization header names no usable key (HTTP 401)."""


class KeyStoreUnavailable(AuthenticationFailed):
    """The key could not be checked because Postgres did not answer; retrying later will work (HTTP 503)."""

    code = "SERVICE_UNAVAILABLE"
    retry_after_seconds = 5


def _hash(secret: str) -> str:
    # The secret is 32 random bytes, so it cannot be guessed or found in a dictionary: a fast hash
    # is as strong as a slow one here (bcrypt and friends only help low-entropy passwords), and
    # it keeps each authentication to microseconds.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret."""

    id: str
    name: str
    role: str
    scope: str | None
    person: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def _person(person: str | None) -> str | None:
    person = " ".join((person or "").split()) or None
    if person is not None and len(person) > 200:
        raise ValueError("a person's name has at most 200 characters")
    return person


async def create_api_key(
    db: KeyStore, role: str, name: str, scope: str | None = None, *, person: str | None = None
) -> str:
    """Store a new key and return it in full; this is the only time the secret exists in clear."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise ValueError("give the key a name that says who holds it")
    scope = (scope or "").strip() or None
    if role in SCOPED_ROLES and scope is None:
        raise ValueError(f"a {role} key acts for one institution, committee or body: give its id as scope")
    person = _person(person)
    if role in SCOPED_ROLES and person is None:
        raise ValueError(
            f"a {role} key belongs to a named person of {scope}, recorded as the one who acts: "
            "give the person's name"
        )
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    await db.execute(
        "INSERT INTO gateway.api_keys (id, name, role, scope, person, secret_hash) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        key_id,
        name,
        role,
        scope,
        person,
        _hash(secret),
    )
    return f"qf_{key_id}_{secret}"


async def set_api_key_person(db: KeyStore, key_id: str, person: str) -> bool:
    """Name the person who holds an existing key; False when no active key has that id."""
    named = _person(person)
    if named is None:
        raise ValueError("give the person's name")
    status = await db.execute(
        "UPDATE gateway.api_keys SET person = $2 WHERE id = $1 AND revoked_at IS NULL", key_id, named
    )
    for authenticator in list(_AUTHENTICATORS):
        authenticator.forget(key_id)
    return status == "UPDATE 1"


async def revoke_api_key(db: KeyStore, key_id: str) -> bool:
    """Revoke a key; False when no active key has that id.

    This process's authenticators refuse it from their next request; other processes' within a second.
    """
    status = await db.execute(
        "UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", key_id
    )
    for authenticator in list(_AUTHENTICATORS):
        authenticator.forget(key_id)
    return status == "UPDATE 1"


async def list_api_keys(db: KeyStore) -> list[ApiKey]:
    """Every key, oldest first, revoked ones included."""
    rows = await db.fetch(
        """SELECT id, name, role, scope, person, created_at, revoked_at, last_used_at
           FROM gateway.api_keys ORDER BY created_at, id"""
    )
    return [ApiKey(**dict(row)) for row in rows]


@dataclass(frozen=True)
class _Stored:
    role: str
    scope: str | None
    person: str | None
    secret_hash: str
    revoked_at: datetime | None


# The live authenticators of this process, so that `revoke_api_key` called here applies at once.
_AUTHENTICATORS: weakref.WeakSet[ApiKeyAuthenticator] = weakref.WeakSet()


class ApiKeyAuthenticator:
    """Maps an `Authorization` header to a `Caller`, or raises `Unauthenticated`.

    Look-ups are cached per key id for `cache_seconds`, unknown ids included (so a client retrying
    a wrong key does not reach Postgres on every request); at most `max_entries` ids are kept. Before
    a cached key is trusted, keys revoked since are dropped (checked at most every
    `revocation_check_seconds`).
    """

    def __init__(
        self,
        db: KeyStore,
        cache_seconds: float = 30,
        *,
        max_entries: int = 10_000,
        timeout_seconds: float = 5,
        revocation_check_seconds: float = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        # asyncpg would wait up to 60 s for a connection to an unreachable server; a caller should not.
        self.timeout_seconds = timeout_seconds
        self.max_entries = max_entries
        self.revocation_check_seconds = revocation_check_seconds
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, _Stored | None]] = OrderedDict()
        self._revocations_checked_at = float("-inf")
        self._revocation_lock = asyncio.Lock()
        _AUTHENTICATORS.add(self)

    async def authenticate(self, authorization_header: str | None) -> Caller:
        if authorization_header is None or not authorization_header.strip():
            return Caller(role=_PUBLIC)
        scheme, _, token = authorization_header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Send the API key as `Authorization: Bearer <key>`, or no Authorization header "
                "at all to call as the public."
            )
        match = _KEY.fullmatch(token.strip())
        if match is None:
            raise Unauthenticated(
                "That is not a qf API key (they look like qf_<id>_<secret>); check that it was copied whole."
            )
        key_id = match["id"]
        stored, fresh = await self._lookup(key_id)
        # Compare even when the id is unknown, so the answer takes as long either way.
        expected = stored.secret_hash if stored else "0" * 64
        if not hmac.compare_digest(expected, _hash(match["secret"])) or stored is None:
            raise Unauthenticated("Unknown API key; ask an administrator of the gateway for one.")
        if stored.revoked_at is not None:
            raise Unauthenticated(
                f"API key {key_id} was revoked on {stored.revoked_at:%Y-%m-%d}; ask an administrator "
                "for a new one."
            )
        if fresh:
            # Once per key and cache period, not per request: "when was this key last used" is
            # answered to within `cache_seconds`. A bookkeeping write, so an outage does not refuse the call.
            try:
                await asyncio.wait_for(
                    self.db.execute("UPDATE gateway.api_keys SET last_used_at = now() WHERE id = $1", key_id),
                    self.timeout_seconds,
                )
            except _OUTAGE as exc:
                log.warning("could not record the use of API key %s: %r", key_id, exc)
        return Caller(role=stored.role, subject=f"apikey:{key_id}", scope=stored.scope, person=stored.person)

    def forget(self, key_id: str) -> None:
        """Drop a cached key, so a revocation made in this process applies at once."""
        self._cache.pop(key_id, None)

    async def _lookup(self, key_id: str) -> tuple[_Stored | None, bool]:
        """The stored key (None when unknown), and whether it was just read from Postgres."""
        now = self._clock()
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now and cached[1] is not None and cached[1].revoked_at is None:
            await self._drop_revoked()
            cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now:
            return cached[1], False
        try:
            row = await asyncio.wait_for(
                self.db.fetchrow(
                    "SELECT role, scope, person, secret_hash, revoked_at FROM gateway.api_keys WHERE id = $1",
                    key_id,
                ),
                self.timeout_seconds,
            )
        except _OUTAGE as exc:
            log.error("API key store unavailable, key %s not checked: %r", key_id, exc)
            raise KeyStoreUnavailable(
                "The gateway cannot reach its API key store right now, so your key could not be checked; "
                f"retry in {KeyStoreUnavailable.retry_after_seconds} seconds. Calls without a key still work."
            ) from None
        stored = _Stored(**dict(row)) if row is not None else None
        self._cache[key_id] = (now + self.cache_seconds, stored)
        self._cache.move_to_end(key_id)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return stored, True

    async def _drop_revoked(self) -> None:
        """Marks the cached keys revoked since they were read, in any process; at most once a period.

        Looks back over the cache period (and a minute more for slow commits): every cached entry was
        read within it, so any revocation it missed is in that window. Concurrent requests share one
        check. If Postgres does not answer, the cache is trusted until the next period, as it is for
        the keys themselves during an outage.
        """
        async with self._revocation_lock:
            now = self._clock()
            if now - self._revocations_checked_at < self.revocation_check_seconds:
                return
            self._revocations_checked_at = now
            try:
                rows = await asyncio.wait_for(
                    self.db.fetch(
                        "SELECT id, revoked_at FROM gateway.api_keys "
                        "WHERE revoked_at > now() - make_interval(secs => $1)",
                        self.cache_seconds + 60,
                    ),
                    min(self.timeout_seconds, self.revocation_check_seconds),
                )
            except _OUTAGE as exc:
                log.warning("could not check for revoked API keys: %r", exc)
                return
            for row in rows:
                cached = self._cache.get(row["id"])
                if cached is not None and cached[1] is not None and cached[1].revoked_at is None:
                    self._cache[row["id"]] = (cached[0], replace(cached[1], revoked_at=row["revoked_at"]))


class AnonymousOnly:
    """The authenticator of a gateway without a database (`--supergraph FILE`): public calls only."""

    async def authenticate(self, authorization_header: str | None) -> Caller:
        if authorization_header is None or not authorization_header.strip():
            return Caller(role=_PUBLIC)
        raise Unauthenticated(
            "This gateway runs without an API key store and accepts anonymous calls only; "
            "leave out the Authorization header."
        )
