"""The internal request signature: unit tests of gateway/signing.py, then the subgraph app's
401 for everything the gateway did not sign."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.signing import (
    CALLER_HEADER,
    DEFAULT_MAX_AGE,
    SIGNATURE_HEADER,
    Caller,
    InvalidSignature,
    _mac,
    read_signature,
    sign,
    verify,
)
from services.common.settings import Settings

SECRET = b"unit-test-secret"
BODY = b'{"query": "{ levelDescriptors { level } }"}'
NOW = 1_750_000_000.0


def signed(caller: Caller | None = None, **kwargs: Any) -> dict[str, str]:
    return sign(SECRET, caller or Caller(role="registrar", subject="person:1", scope="UNI-1"), body=BODY,
                now=NOW, **kwargs)


def check(headers: dict[str, str], **overrides: Any) -> Caller:
    arguments: dict[str, Any] = {"method": "POST", "target": "/graphql", "body": BODY, "now": NOW}
    arguments.update(overrides)
    secret = arguments.pop("secret", SECRET)
    return verify(secret, headers, **arguments)


# --- unit ------------------------------------------------------------------------------------


def test_round_trip() -> None:
    caller = Caller(role="certifier", subject="person:7", scope="ECE-00001")
    headers = signed(caller)
    assert set(headers) == {CALLER_HEADER, SIGNATURE_HEADER}
    assert check(headers) == caller
    assert check(headers, now=NOW + 29) == caller
    assert check(headers, now=NOW - 29) == caller


def test_round_trip_with_query_string_and_get() -> None:
    headers = sign(SECRET, Caller(), method="get", target="/graphql?query=%7B%7D", now=NOW)
    assert check(headers, method="GET", target="/graphql?query=%7B%7D", body=b"").role == "public"


def test_caller_header_is_base64_json_without_padding() -> None:
    caller = Caller(role="admin", subject="ñandú", scope=None)
    encoded = caller.encode()
    assert "=" not in encoded
    assert Caller.decode(encoded) == caller


@pytest.mark.parametrize(
    "override",
    [
        {"body": BODY + b" "},
        {"body": b""},
        {"target": "/graphql?x=1"},
        {"target": "/other"},
        {"method": "GET"},
        {"secret": b"another-secret"},
        {"now": NOW + 31},
        {"now": NOW - 31},
    ],
)
def test_anything_changed_is_refused(override: dict[str, Any]) -> None:
    with pytest.raises(InvalidSignature):
        check(signed(), **override)


def test_expired_says_so() -> None:
    with pytest.raises(InvalidSignature, match="expired"):
        check(signed(), now=NOW + 3600)
    with pytest.raises(InvalidSignature, match="expired"):
        check(signed(), now=NOW + 11, max_age=10)


def test_default_window_is_thirty_seconds() -> None:
    assert DEFAULT_MAX_AGE == 30
    assert Settings.model_fields["signature_max_age_seconds"].default == 30


@pytest.mark.parametrize("max_age", [5, 30, 120])
def test_window_bounds_the_past_and_the_future_alike(max_age: int) -> None:
    """A signature is good from `max_age` seconds before the subgraph's clock to `max_age` after it."""
    headers = signed()
    assert check(headers, now=NOW + max_age, max_age=max_age).role == "registrar"  # signed max_age ago
    assert check(headers, now=NOW - max_age, max_age=max_age).role == "registrar"  # max_age ahead
    with pytest.raises(InvalidSignature, match="expired"):
        check(headers, now=NOW + max_age + 0.5, max_age=max_age)
    with pytest.raises(InvalidSignature, match="from the future"):
        check(headers, now=NOW - max_age - 0.5, max_age=max_age)


def test_headers_are_judged_without_the_body() -> None:
    """`read_signature` needs no body: a subgraph refuses before reading one."""
    headers = signed()
    read = read_signature(headers, now=NOW)
    assert read.timestamp == int(NOW)
    assert read.verify(SECRET, method="POST", target="/graphql", body=BODY).role == "registrar"
    with pytest.raises(InvalidSignature, match="invalid"):
        read.verify(SECRET, method="POST", target="/graphql", body=BODY + b" ")
    with pytest.raises(InvalidSignature, match="missing"):
        read_signature({CALLER_HEADER: Caller().encode()}, now=NOW)
    with pytest.raises(InvalidSignature, match="expired"):
        read_signature(headers, now=NOW + 31)


def test_caller_swapped_under_a_valid_signature_is_refused() -> None:
    headers = signed(Caller(role="public"))
    headers[CALLER_HEADER] = Caller(role="admin").encode()
    with pytest.raises(InvalidSignature, match="invalid"):
        check(headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {CALLER_HEADER: Caller().encode()},
        {SIGNATURE_HEADER: "t=1,v1=00"},
        {CALLER_HEADER: Caller().encode(), SIGNATURE_HEADER: "garbage"},
        {CALLER_HEADER: Caller().encode(), SIGNATURE_HEADER: "t=abc,v1=00"},
        {CALLER_HEADER: Caller().encode(), SIGNATURE_HEADER: f"t={int(NOW)}"},
        {CALLER_HEADER: Caller().encode(), SIGNATURE_HEADER: f"v1={'0' * 64}"},
        {CALLER_HEADER: "", SIGNATURE_HEADER: ""},
    ],
)
def test_missing_or_broken_headers_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature):
        check(headers)


def _signature(timestamp: str, mac: str) -> dict[str, str]:
    return {CALLER_HEADER: Caller().encode(), SIGNATURE_HEADER: f"t={timestamp},v1={mac}"}


@pytest.mark.parametrize(
    "headers",
    [
        _signature(f" {int(NOW)}", "0" * 64),  # int() would take these; the format does not
        _signature(f"{int(NOW)} ", "0" * 64),
        _signature("1_750_000_000", "0" * 64),
        _signature("١٧٥٠٠٠٠٠٠٠", "0" * 64),  # Arabic-Indic digits
        _signature("-1", "0" * 64),
        _signature("9" * 5000, "0" * 64),
        _signature(str(int(NOW)), "0" * 63),
        _signature(str(int(NOW)), "A" * 64),
        _signature(str(int(NOW)), "g" * 64),
        {**_signature(str(int(NOW)), "0" * 64), SIGNATURE_HEADER: f"t={int(NOW)},v1={'0' * 64},v2=1"},
        {**_signature(str(int(NOW)), "0" * 64), SIGNATURE_HEADER: f"t={int(NOW)},t=1,v1={'0' * 64}"},
    ],
)
def test_malformed_signature_header_says_so(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature, match="malformed internal signature"):
        check(headers)


def mac_signed(encoded_caller: str) -> dict[str, str]:
    """Headers with a correct MAC over an arbitrary caller header, as a buggy or hostile signer could send."""
    timestamp = int(NOW)
    mac = _mac(SECRET, timestamp, "POST", "/graphql", encoded_caller, BODY)
    return {CALLER_HEADER: encoded_caller, SIGNATURE_HEADER: f"t={timestamp},v1={mac}"}


def encode_raw(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_unknown_role_is_refused() -> None:
    headers = signed(Caller(role="root"))
    with pytest.raises(InvalidSignature, match="malformed caller"):
        check(headers)


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"null",
        b'"admin"',
        b"42",
        json.dumps({"subject": "x"}).encode(),
        json.dumps({"role": ["admin"]}).encode(),
    ],
)
def test_malformed_caller_under_a_valid_mac_is_refused(raw: bytes) -> None:
    """Whatever the caller header holds, `verify` answers InvalidSignature, never another exception."""
    with pytest.raises(InvalidSignature):
        check(mac_signed(encode_raw(raw)))


def test_caller_that_is_not_base64_is_refused() -> None:
    with pytest.raises(InvalidSignature):
        check(mac_signed("!!!not base64!!!"))


# --- through the app -------------------------------------------------------------------------


@pytest.fixture
async def http(registry_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield client


def graphql_body(query: str) -> bytes:
    return json.dumps({"query": query, "variables": {}}).encode()


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Traceback" not in response.text


async def test_signed_request_is_answered(http: httpx.AsyncClient, settings: Settings) -> None:
    body = graphql_body("{ levelDescriptors { level } }")
    headers = sign(settings.require_secret(), Caller(), body=body)
    headers["content-type"] = "application/json"
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 200
    assert len(response.json()["data"]["levelDescriptors"]) == 5


async def test_post_without_signature_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=graphql_body("{ levelDescriptors { level } }"),
        headers={"content-type": "application/json"},
    )
    assert_unauthenticated(response)


async def test_get_without_signature_is_401(http: httpx.AsyncClient) -> None:
    assert_unauthenticated(await http.get("/graphql", params={"query": "{ levelDescriptors { level } }"}))
    assert_unauthenticated(await http.get("/graphql", headers={"accept": "text/html"}))


@pytest.mark.parametrize(
    "query",
    [
        "{ _service { sdl } }",
        '{ _entities(representations: [{__typename: "Standard", code: "EC0217.01"}]) '
        "{ ... on Standard { code } } }",
    ],
)
async def test_federation_fields_need_a_signature(http: httpx.AsyncClient, query: str) -> None:
    headers = {"content-type": "application/json"}
    response = await http.post("/graphql", content=graphql_body(query), headers=headers)
    assert_unauthenticated(response)


async def test_replay_with_another_body_is_401(http: httpx.AsyncClient, settings: Settings) -> None:
    original = graphql_body("{ levelDescriptors { level } }")
    headers = {**sign(settings.require_secret(), Caller(), body=original), "content-type": "application/json"}
    assert (await http.post("/graphql", content=original, headers=headers)).status_code == 200
    other = graphql_body('{ certificate(folio: "x") { folio } }')
    assert_unauthenticated(await http.post("/graphql", content=other, headers=headers))


async def test_signature_for_another_caller_is_401(http: httpx.AsyncClient, settings: Settings) -> None:
    body = graphql_body("{ levelDescriptors { level } }")
    headers = sign(settings.require_secret(), Caller(), body=body)
    headers[CALLER_HEADER] = Caller(role="admin").encode()
    assert_unauthenticated(await http.post("/graphql", content=body, headers=headers))


@pytest.mark.parametrize("wrong", ["secret", "time"])
async def test_wrong_secret_or_old_signature_is_401(
    http: httpx.AsyncClient, settings: Settings, wrong: str
) -> None:
    body = graphql_body("{ levelDescriptors { level } }")
    if wrong == "secret":
        headers = sign(b"not-the-secret", Caller(), body=body)
    else:  # an hour old
        headers = sign(settings.require_secret(), Caller(), body=body, now=time.time() - 3600)
    assert_unauthenticated(await http.post("/graphql", content=body, headers=headers))


async def test_unknown_role_is_401(http: httpx.AsyncClient, settings: Settings) -> None:
    body = graphql_body("{ levelDescriptors { level } }")
    headers = sign(settings.require_secret(), Caller(role="superuser"), body=body)
    assert_unauthenticated(await http.post("/graphql", content=body, headers=headers))


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_routes_are_open(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["service"] == "registry"


async def test_graphiql_for_signed_browser_get(http: httpx.AsyncClient, settings: Settings) -> None:
    headers = sign(settings.require_secret(), Caller(), method="GET", target="/graphql")
    response = await http.get("/graphql", headers={**headers, "accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_signed_get_query(http: httpx.AsyncClient, settings: Settings) -> None:
    target = "/graphql?query=%7BlevelDescriptors%7Blevel%7D%7D"
    headers = sign(settings.require_secret(), Caller(), method="GET", target=target)
    response = await http.get(target, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["levelDescriptors"]) == 5
