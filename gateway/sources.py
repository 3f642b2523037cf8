"""Where the gateway's supergraph comes from: a file composed elsewhere, or the live subgraphs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import orjson

from gateway.signing import Caller, sign

log = logging.getLogger(__name__)

SupergraphLoader = Callable[[], Awaitable[str]]
SDL_QUERY = orjson.dumps({"query": "{ _service { sdl } }"})


class _Refused(ValueError):
    """The subgraph answered, but not with 200 (401: the signing secret differs)."""


def _why(exc: Exception) -> str:
    """What a waiting operator needs to know about a failed SDL request, in a few words."""
    if isinstance(exc, httpx.ConnectError):
        return "nothing listens there yet"
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__} {exc}".strip()
    if isinstance(exc, _Refused):
        return str(exc)
    return f"no SDL in its answer ({type(exc).__name__}: {exc})"


def file_supergraph(path: Path) -> SupergraphLoader:
    async def load() -> str:
        return await asyncio.to_thread(path.read_text, encoding="utf-8")

    return load


def live_supergraph(
    urls: dict[str, str],
    secret: bytes | None,
    wait_seconds: float | None = 60,
    *,
    quiet_seconds: float = 0,
    report_every: float = 30,
) -> SupergraphLoader:
    """Compose from each subgraph's `_service { sdl }`, waiting for subgraphs that are still starting
    (`wait_seconds` None: as long as it takes). A subgraph that has not answered after `quiet_seconds`
    is named in the log, and again every `report_every` seconds, so a gateway never waits in silence."""

    async def sdl_of(client: httpx.AsyncClient, name: str, url: str) -> str:
        headers = {"content-type": "application/json"}
        if secret is not None:
            target = httpx.URL(url).raw_path.decode()
            headers.update(
                sign(secret, Caller(role="admin", subject="gateway"), target=target, body=SDL_QUERY)
            )
        clock = asyncio.get_running_loop().time
        started = clock()
        reported: float | None = None
        while True:
            try:
                response = await client.post(url, content=SDL_QUERY, headers=headers)
                if response.status_code == 401:
                    raise _Refused("it refused the signature: is QF_INTERNAL_SECRET the same on both?")
                if response.status_code != 200:
                    raise _Refused(f"it answered HTTP {response.status_code}")
                sdl = response.json()["data"]["_service"]["sdl"]
                if reported is not None:
                    log.info("the %s subgraph at %s answers now", name, url)
                return sdl
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                waited = clock() - started
                if wait_seconds is not None and waited > wait_seconds:
                    raise RuntimeError(f"The {name} subgraph at {url} gave no SDL: {_why(exc)}") from exc
                if waited >= quiet_seconds and (reported is None or clock() - reported >= report_every):
                    still = f"still ({waited:.0f} s) " if reported is not None else ""
                    log.warning(
                        "%swaiting for the %s subgraph at %s (%s); retrying",
                        *(still, name, url, _why(exc)),
                    )
                    reported = clock()
                await asyncio.sleep(0.2)

    async def load() -> str:
        from gateway.composition import SubgraphSource, compose

        async with httpx.AsyncClient(timeout=10) as client:
            sdls = await asyncio.gather(*(sdl_of(client, name, url) for name, url in urls.items()))
        sources = [
            SubgraphSource(name, url, sdl) for (name, url), sdl in zip(urls.items(), sdls, strict=True)
        ]
        return compose(sources)

    return load
