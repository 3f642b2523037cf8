"""JSON of the subgraphs' GraphQL bodies through orjson, with the standard library as the fallback.

An `_entities` request carries a thousand representations and its answer a thousand objects; the
standard library's encoder and decoder were an eighth of such a request's CPU. orjson (already a
dependency: the gateway uses it) does the same work several times faster. Where orjson refuses what the
standard library takes (a NaN literal, a lone surrogate escape, an integer past 64 bits) the standard
library answers, so every body reads as it did before, and what follows (RefuseUnstorableText, the
scalars' own checks) still sees, and refuses, exactly the same values.
"""

from __future__ import annotations

import json

import orjson


def decode(data: str | bytes) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def encode(data: object) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError: what orjson cannot write, json may
        return json.dumps(data, separators=(",", ":")).encode()
