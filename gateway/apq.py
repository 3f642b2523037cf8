"""Automatic persisted queries: clients send a query's SHA-256 instead of its text.

The protocol is Apollo's, version 1, as its client implements it and Apollo Server answers it
(https://www.apollographql.com/docs/react/api/link/persisted-queries/#protocol and
https://www.apollographql.com/docs/apollo-server/performance/apq/):

- The request carries `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}`.
- Hash without `query`: the stored text when the hash is known; otherwise the error
  `PersistedQueryNotFound` (`extensions.code` `PERSISTED_QUERY_NOT_FOUND`), which tells the client
  to send the hash again with the full text. Like Apollo Server, that answer is HTTP 200 and
  uncacheable, since the very next request will succeed.
- Hash with `query`: the hash must be the SHA-256 of the text's UTF-8 bytes (else
  `provided sha does not match query`, `BAD_USER_INPUT`); the pair is then stored.
- Any other version is refused with `BAD_USER_INPUT`.

Stored queries live in a bounded cache of the process (`gateway.cache`). Gateway processes on one
machine (`--workers N`) also share them through a folder (`shared`): one file per hash, written
atomically and believed only when its text hashes to its name, so a query registered through one
process is served by the others. After a restart without that folder, or on another machine behind the
same load balancer, a client simply registers its query again. This is a
cache, not an allow-list: anyone may register a query, and every query still passes validation and the
limits. A text is registered (`remember`) only once the gateway accepted it, so a refused query never
takes room here.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from gateway.cache import BoundedCache
from gateway.errors import QueryRefused

VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_NOT_FOUND_HEADERS = {"cache-control": "private, no-cache, must-revalidate"}


def _bad(message: str) -> QueryRefused:
    return QueryRefused(message, "BAD_USER_INPUT")


class PersistedQueries:
    """Query texts by SHA-256, bounded in entries and in total characters, so a client registering
    many large queries cannot make the gateway hold more than `max_chars` of text."""

    def __init__(
        self, max_entries: int = 10_000, max_chars: int = 8 * 1024 * 1024, shared: Path | None = None
    ) -> None:
        self._queries: BoundedCache[str, str] = BoundedCache(max_entries, max_chars)
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.shared = shared
        if shared is not None:
            shared.mkdir(parents=True, exist_ok=True)

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, sha256_hash: object) -> bool:
        return sha256_hash in self._queries

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str:
        """The query text to run for a request's `query` and `extensions`, or `QueryRefused`."""
        if extensions is not None and not isinstance(extensions, dict):
            raise _bad("`extensions` must be a JSON object.")
        sha256_hash = _hash_of(extensions)
        if sha256_hash is None:
            if isinstance(query, str) and query.strip():
                return query
            raise _bad('Send {"query": "...", "variables": {...}}, or a persistedQuery extension.')
        if query is None:
            stored = self._queries.get(sha256_hash)
            if stored is None and self.shared is not None:
                stored = self._read_shared(sha256_hash)
            if stored is None:
                # The exact message is the protocol: clients match it to retry with the text.
                raise QueryRefused(
                    "PersistedQueryNotFound",
                    "PERSISTED_QUERY_NOT_FOUND",
                    status=200,
                    headers=_NOT_FOUND_HEADERS,
                )
            return stored
        if not isinstance(query, str):
            raise _bad("`query` must be a string.")
        if hashlib.sha256(query.encode()).hexdigest() != sha256_hash:
            raise _bad("provided sha does not match query")
        return query

    def remember(self, query: str, extensions: dict[str, Any] | None) -> None:
        """Register the text of an accepted request that carried its hash (`resolve` checked both)."""
        sha256_hash = _hash_of(extensions)
        if sha256_hash is not None and sha256_hash not in self._queries:
            self._queries.put(sha256_hash, query, len(query))
            if self.shared is not None:
                self._write_shared(sha256_hash, query)

    # -- the folder shared by the gateway processes of one machine -------------------------------------

    def _read_shared(self, sha256_hash: str) -> str | None:
        """Another process's registration, kept here once read. A file whose text does not hash to its
        name (damaged, or written by hand) is ignored: the folder is a cache, never an authority."""
        assert self.shared is not None
        try:
            with open(self.shared / sha256_hash, "rb") as file:
                data = file.read(self.max_chars * 4 + 1)  # UTF-8: at most four bytes per character
        except OSError:
            return None
        if len(data) > self.max_chars * 4 or hashlib.sha256(data).hexdigest() != sha256_hash:
            return None
        query = data.decode()
        self._queries.put(sha256_hash, query, len(query))
        return query

    def _write_shared(self, sha256_hash: str, query: str) -> None:
        """Writes the text atomically (a reader sees all of it or no file), then keeps the folder within
        `max_entries` files, dropping the least recently written. A full or read-only disk costs only
        the sharing: the query is still served by this process."""
        assert self.shared is not None
        target = self.shared / sha256_hash
        if target.exists() or len(query) > self.max_chars:
            return
        try:
            fd, temporary = tempfile.mkstemp(dir=self.shared, prefix=".incoming-")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(query.encode())
            os.replace(temporary, target)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            return
        try:
            stored = sorted(
                (e for e in os.scandir(self.shared) if not e.name.startswith(".") and e.name != sha256_hash),
                key=lambda entry: entry.stat().st_mtime_ns,
            )
            for entry in stored[: max(0, len(stored) + 1 - self.max_entries)]:
                os.unlink(entry.path)
        except OSError:
            return


def _hash_of(extensions: dict[str, Any] | None) -> str | None:
    """The persisted query hash of a request's extensions, None without one; refuses a malformed one."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise _bad("`extensions.persistedQuery` must be an object with `version` and `sha256Hash`.")
    version = persisted.get("version")
    if version != VERSION or isinstance(version, bool):
        raise _bad(f"Unsupported persisted query version {version!r}; this gateway speaks version 1.")
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not _SHA256.fullmatch(sha256_hash.lower()):
        raise _bad("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.")
    return sha256_hash.lower()
