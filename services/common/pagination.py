"""Relay cursor connections with keyset pagination.

A cursor is the sort key of the row it points at, as JSON, base64url-encoded and followed by a short
checksum (an HMAC under a fixed key in this file). The checksum is not a secret and does not stop anyone
from making a cursor: it catches damaged and hand-edited ones, so they get a clear `BAD_USER_INPUT`
instead of a page from nowhere. Forging is harmless by design: a cursor's values are checked for count,
type and range and reach SQL only as bound parameters. Pages are read with one extra row to learn
whether another page follows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from services.common.errors import BadUserInput
from services.common.inputs import BIGINT_MAX, unstorable

T = TypeVar("T")

# The MAC catches damaged and hand-edited cursors, so clients get a clear error. It is not a
# secret: cursor values only ever reach SQL as bound parameters, so a forged one can do no more
# than start a page elsewhere. A fixed key keeps cursors valid across processes and restarts.
_CURSOR_KEY = b"qf-cursor-v1"


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{_mac(payload)}"


def _mac(payload: str) -> str:
    return hmac.new(_CURSOR_KEY, payload.encode(), hashlib.sha256).hexdigest()[:16]


def decode_cursor(cursor: str, arity: int, *, kinds: tuple[type, ...] | None = None) -> list[Any]:
    """The sort key a cursor holds: `arity` values, each of its type in `kinds` when given (a forged
    cursor with a string where SQL expects a bigint is a bad cursor, not a database error)."""
    invalid = BadUserInput(
        "The cursor is not one this API issued; use a cursor from pageInfo or edges.",
        argument="after",
    )
    payload, _, mac = cursor.partition(".")
    if not hmac.compare_digest(_mac(payload).encode(), mac.encode()):
        raise invalid
    try:
        key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError as exc:
        raise invalid from exc
    if not isinstance(key, list) or len(key) != arity or not all(map(_storable, key)):
        raise invalid
    if kinds is not None and [type(value) for value in key] != list(kinds):
        raise invalid
    return key


def _storable(value: Any) -> bool:
    """Whether a cursor's sort-key value can reach SQL: anyone can forge a cursor (the MAC key is not a
    secret), so a NUL, a nested value or an integer past bigint must not get that far."""
    if isinstance(value, str):
        return unstorable(value) is None
    if isinstance(value, int):
        return -BIGINT_MAX - 1 <= value <= BIGINT_MAX
    return value is None or isinstance(value, float)


def page_size(first: int | None, maximum: int, default: int = 20) -> int:
    if first is None:
        return min(default, maximum)
    if first < 0:
        raise BadUserInput("`first` cannot be negative.", argument="first")
    if first > maximum:
        raise BadUserInput(
            f"`first` is {first}; at most {maximum} items can be asked for at once. "
            "Page through the rest with `after`.",
            argument="first",
            maximum=maximum,
        )
    return first


# Every subgraph pages the same way, so PageInfo is one shared type in the supergraph.
@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    """A page of results. `totalCount` counts every match, not just this page."""

    edges: list[Edge[T]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def make_page(
    rows: Sequence[Any],
    size: int,
    *,
    cursor_of: Callable[[Any], Sequence[Any]],
    node_of: Callable[[Any], T],
    after: str | None,
) -> tuple[list[Edge[T]], PageInfo]:
    """Edges and page info from `size + 1` fetched rows."""
    has_next = len(rows) > size
    edges = [Edge(node=node_of(row), cursor=encode_cursor(cursor_of(row))) for row in rows[:size]]
    info = PageInfo(
        has_next_page=has_next,
        has_previous_page=bool(after),
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return edges, info


C = TypeVar("C", bound=Connection[Any])


@dataclass(frozen=True)
class Page:
    """A page a client asked for with `first` and `after`, bounded and decoded: the keyset a resolver
    reads after (`after`, None for the first page) and how many rows it reads (`limit`, one more than
    the page, to learn whether another follows); `connection` turns the rows read into the answer.
    """

    size: int
    after: tuple[Any, ...] | None
    cursor: str | None

    @classmethod
    def of(
        cls,
        first: int | None,
        after: str | None,
        maximum: int,
        *,
        kinds: tuple[type, ...] | None = None,
        arity: int | None = None,
        default: int = 20,
    ) -> Page:
        """`kinds` are the types of the sort key's values, in order (one per column of the keyset); a key
        whose types depend on the ordering gives only its `arity`."""
        size = page_size(first, maximum, default)
        length = len(kinds) if kinds is not None else arity
        assert length is not None, "a page needs the kinds or the arity of its sort key"
        key = tuple(decode_cursor(after, length, kinds=kinds)) if after else None
        return cls(size=size, after=key, cursor=after)

    @property
    def limit(self) -> int:
        return self.size + 1

    def after_or(self, *empty: Any) -> tuple[Any, ...]:
        """The keyset to read after, or `empty` (a None per column, as SQL parameters) on the first page."""
        return self.after if self.after is not None else empty

    def connection(
        self,
        rows: Sequence[Any],
        *,
        key: Callable[[Any], Sequence[Any]],
        node: Callable[[Any], T],
        count: Callable[[], Awaitable[int]],
        kind: Callable[..., C] = Connection,
        **extra: Any,
    ) -> C:
        """The page's connection (`kind`, with `extra` fields, for a connection that adds some): an edge
        per row up to the page's size, each with the cursor of its sort `key`."""
        edges, info = make_page(rows, self.size, cursor_of=key, node_of=node, after=self.cursor)
        return kind(edges=edges, page_info=info, _count=count, **extra)
