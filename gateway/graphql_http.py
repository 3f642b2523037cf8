"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): reading a request's
parameters and choosing how its answer is framed. `tests/gateway/test_graphql_http.py` runs the
graphql-http audit against the gateway.

- **POST** bodies are JSON and say so: `Content-Type: application/json` (or
  `application/graphql-response+json`), UTF-8 if a charset is given; anything else is refused with
  415. This is also the gateway's CSRF defence, Apollo's convention: a browser sends a cross-site POST
  without asking the server first (a CORS preflight) only with a "simple" content type
  (`text/plain`, `application/x-www-form-urlencoded`, `multipart/form-data`), and those never run.
- **GET** runs queries only (a mutation is refused with 405), so it needs no such check: a cross-site
  GET (a link, an image, a form) can do nothing but read, and the page that caused it cannot see the
  answer without CORS. Nor can it borrow a caller's rights: keys travel in the `Authorization` header,
  which browsers never add on their own (there are no cookies to ride on), so such a read is public.
- The **body** is read as it streams in and refused (413) once it passes the limit, or at once when
  its `Content-Length` says it will; a 200 MiB upload costs the gateway at most the limit.
- The **answer** is `application/graphql-response+json` when the client's `Accept` names it (and
  prefers it to `application/json`); then a request that fails before execution (parse, validation,
  variables, limits) is a 400. Otherwise it is `application/json`, where such failures are a 200 with
  `errors`, as the spec asks for legacy clients. Requests that are not well-formed GraphQL-over-HTTP
  (not JSON, wrong parameter types, no query) are a 400 either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from gateway.errors import RequestRefused
from gateway.limits import Limits, body_refusal, check_body_size

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
BODY_TYPES = frozenset({JSON, GRAPHQL_RESPONSE})
_Q = re.compile(r"q\s*=\s*(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class GraphQLParams:
    """What one request asks: the four parameters of the spec, each of its type."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any]
    extensions: dict[str, Any] | None


def _bad(message: str) -> RequestRefused:
    return RequestRefused(message, "BAD_USER_INPUT")


def params_of(payload: Any) -> GraphQLParams:
    """The parameters of a decoded JSON body (or of a GET's query string, decoded alike)."""
    if not isinstance(payload, dict):
        raise _bad('Send a JSON object: {"query": "...", "variables": {...}}.')
    query = payload.get("query")
    if query is not None and not isinstance(query, str):
        raise _bad("`query` must be a string holding the GraphQL document.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _bad("`operationName` must be a string naming one operation of the document.")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise _bad("`variables` must be a JSON object of variable names to values.")
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _bad("`extensions` must be a JSON object.")
    return GraphQLParams(query, operation_name, variables or {}, extensions)


def params_of_query_string(request: Request) -> GraphQLParams:
    """A GET's parameters: `query` and `operationName` as text, `variables` and `extensions` as JSON."""
    found = request.query_params
    payload: dict[str, Any] = {"query": found.get("query"), "operationName": found.get("operationName")}
    for key in ("variables", "extensions"):
        if key in found:
            try:
                payload[key] = orjson.loads(found[key])
            except orjson.JSONDecodeError:
                raise _bad(f"`{key}` in the URL must be URL-encoded JSON.") from None
    return params_of(payload)


def check_content_type(header: str | None) -> None:
    """Refuses (415) a POST body that does not say it is JSON, or says it is not UTF-8."""
    media_type, _, parameters = (header or "").partition(";")
    if media_type.strip().lower() not in BODY_TYPES:
        raise RequestRefused(
            f"Send the request as JSON with `Content-Type: {JSON}`"
            + (f", not {media_type.strip()!r}." if media_type.strip() else "; this request had none."),
            "UNSUPPORTED_MEDIA_TYPE",
            415,
        )
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise RequestRefused(
                f"Send the JSON body in UTF-8 (`charset=utf-8`), not {value.strip()!r}.",
                "UNSUPPORTED_MEDIA_TYPE",
                415,
            )


async def read_body(request: Request, limits: Limits) -> bytes:
    """The body, read no further than the limit: refused (413) as soon as it is known to exceed it."""
    # The connection is closed after a refusal: the rest of an oversized body is never read.
    close = {"connection": "close"}
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdecimal():
            raise RequestRefused(
                "The Content-Length header must be the body's size in bytes.",
                "BAD_USER_INPUT",
                413,
                close,
                limit="body",
                max=limits.max_body_bytes,
            )
        too_big = check_body_size(int(declared), limits)
        if too_big is not None:
            raise RequestRefused.from_error(too_big, 413, close)
    chunks: list[bytes] = []
    size = 0
    # Counted as it arrives, whatever Content-Length said: a chunked body declares no length at all.
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise RequestRefused.from_error(body_refusal(size, limits, complete=False), 413, close)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _bad(
            "The request body is not JSON." if body.strip() else "The request body is empty."
        ) from None


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media_type, *parameters = part.split(";")
        quality = 1.0
        for parameter in parameters:
            match = _Q.fullmatch(parameter.strip())
            if match:
                try:
                    quality = min(float(match[1].strip()), 1.0)
                except ValueError:
                    quality = 0.0  # a weight that is not a number accepts nothing
        ranges.append((media_type.strip().lower(), quality))
    return ranges


def prefers_graphql_response(accept: str | None) -> bool:
    """Whether to answer `application/graphql-response+json`: the client named it, and does not prefer
    `application/json`. Wildcards (`*/*`, `application/*`) count for `application/json` only: a client
    that does not name the new type may not know it (the spec's rule for the transition)."""
    if not accept:
        return False
    named = {JSON: -1.0, GRAPHQL_RESPONSE: -1.0, "application/*": -1.0, "*/*": -1.0}
    for media_type, quality in _media_ranges(accept):
        if media_type in named:
            named[media_type] = max(named[media_type], quality)
    graphql_response = named[GRAPHQL_RESPONSE]
    # The most specific range that matches decides application/json's quality.
    json = next((q for q in (named[JSON], named["application/*"], named["*/*"]) if q >= 0), 0.0)
    return graphql_response > 0 and graphql_response >= json


def wants_html(request: Request) -> bool:
    """A browser opening the endpoint: a GET asking for HTML, with no GraphQL parameters."""
    return "text/html" in request.headers.get("accept", "") and not request.query_params
