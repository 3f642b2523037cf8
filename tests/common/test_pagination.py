"""Cursor encoding, forgery detection, page sizes and page assembly (services/common/pagination.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from services.common.errors import BadUserInput
from services.common.pagination import (
    _mac,
    decode_cursor,
    encode_cursor,
    make_page,
    page_size,
)


@pytest.mark.parametrize(
    "key",
    [
        ["EC0217.01"],
        ["Impartición de cursos", "EC0217.01"],
        [3, "EC0301"],
        [-0.10000000149011612, "EC0630"],
        [None, None],
        [12345678901234],
        ["ñandú \u00a0 \"comillas\" .punto.", "x"],
    ],
)
def test_round_trip(key: list[Any]) -> None:
    cursor = encode_cursor(key)
    assert decode_cursor(cursor, len(key)) == key


def test_cursor_is_url_safe_text() -> None:
    cursor = encode_cursor(["ñ" * 50, "EC0001"])
    assert cursor.isascii()
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor


def test_tuple_keys_encode_like_lists() -> None:
    assert encode_cursor(("a", 1)) == encode_cursor(["a", 1])


def forge(key: Any, mac_of: str | None = None) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    return f"{payload}.{_mac(mac_of if mac_of is not None else payload)}"


def test_wrong_arity_is_refused() -> None:
    cursor = encode_cursor(["a", "b"])
    for arity in (1, 3):
        with pytest.raises(BadUserInput):
            decode_cursor(cursor, arity)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        ".",
        "garbage",
        "garbage.0123456789abcdef",
        forge(["EC0002"], mac_of=base64.urlsafe_b64encode(b'["EC0001"]').decode().rstrip("=")),
        encode_cursor(["EC0001"]) + "0",
        encode_cursor(["EC0001"])[:-1],
        encode_cursor(["EC0001"]).replace(".", ""),
        "x" + encode_cursor(["EC0001"]),
    ],
)
def test_forged_or_damaged_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        decode_cursor(cursor, 1)
    assert caught.value.code == "BAD_USER_INPUT"
    assert caught.value.extensions == {"argument": "after"}


def test_tampered_payload_is_refused() -> None:
    payload, _, mac = encode_cursor(["EC0001"]).partition(".")
    other = base64.urlsafe_b64encode(b'["EC9999"]').decode().rstrip("=")
    with pytest.raises(BadUserInput):
        decode_cursor(f"{other}.{mac}", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    with pytest.raises(BadUserInput):
        decode_cursor(f"{flipped}.{mac}", 1)


@pytest.mark.parametrize(
    "cursor",
    [
        "ñandú.ñandú",
        "WyJFQzAwMDEiXQ.ü",
        encode_cursor(["EC0001"]) + "é",
    ],
)
def test_non_ascii_cursors_are_refused(cursor: str) -> None:
    """A client may send any string: the answer is BAD_USER_INPUT, not a TypeError."""
    with pytest.raises(BadUserInput):
        decode_cursor(cursor, 1)


@pytest.mark.parametrize(
    "payload",
    [
        "!!!",  # not base64
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode().rstrip("="),  # not UTF-8
        base64.urlsafe_b64encode(b"{not json").decode().rstrip("="),
        base64.urlsafe_b64encode(b'{"a": 1}').decode().rstrip("="),  # not a list
        base64.urlsafe_b64encode(b'"EC0001"').decode().rstrip("="),
    ],
)
def test_correctly_signed_nonsense_is_refused(payload: str) -> None:
    with pytest.raises(BadUserInput):
        decode_cursor(f"{payload}.{_mac(payload)}", 1)


# --- page sizes ------------------------------------------------------------------------------


def test_page_size_defaults() -> None:
    assert page_size(None, 100) == 20
    assert page_size(None, 10) == 10
    assert page_size(None, 500, default=100) == 100


@pytest.mark.parametrize("first", [0, 1, 99, 100])
def test_page_size_within_limits(first: int) -> None:
    assert page_size(first, 100) == first


def test_page_size_over_the_maximum() -> None:
    with pytest.raises(BadUserInput) as caught:
        page_size(101, 100)
    assert caught.value.extensions == {"argument": "first", "maximum": 100}
    assert "100" in caught.value.message


@pytest.mark.parametrize("first", [-1, -100])
def test_negative_page_size(first: int) -> None:
    with pytest.raises(BadUserInput) as caught:
        page_size(first, 100)
    assert caught.value.extensions == {"argument": "first"}


# --- page assembly ---------------------------------------------------------------------------


ROWS = [{"code": f"EC000{i}", "n": i} for i in range(1, 6)]


def test_page_with_more_to_come() -> None:
    edges, info = make_page(
        ROWS, 4, cursor_of=lambda r: [r["code"]], node_of=lambda r: r["n"], after=None
    )
    assert [e.node for e in edges] == [1, 2, 3, 4]
    assert info.has_next_page is True
    assert info.has_previous_page is False
    assert info.start_cursor == edges[0].cursor
    assert info.end_cursor == edges[-1].cursor
    assert decode_cursor(info.end_cursor, 1) == ["EC0004"]


def test_last_page() -> None:
    after = encode_cursor(["EC0000"])
    edges, info = make_page(ROWS, 5, cursor_of=lambda r: [r["code"]], node_of=lambda r: r["n"], after=after)
    assert len(edges) == 5
    assert info.has_next_page is False
    assert info.has_previous_page is True


def test_empty_page() -> None:
    edges, info = make_page([], 5, cursor_of=lambda r: [r], node_of=lambda r: r, after=None)
    assert edges == []
    assert info.start_cursor is None and info.end_cursor is None
    assert info.has_next_page is False
