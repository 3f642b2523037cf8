"""Where the gateway's supergraph comes from: a file composed elsewhere, or the live subgraphs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import orjson

from services.common.signing import Caller, sign

log = logging.getLogger(__name__)

SupergraphLoader = Callable[[], Awaitable[str]]
SDL_QUERY = orjson.dumps({"query": "{ _service { sdl } }"})


def file_supergraph(path: Path) -> SupergraphLoader:
    async def load() -> str:
        return await asyncio.to_thread(path.read_text, encoding="utf-8")

    return load


def live_supergraph(urls: dict[str, str], secret: bytes | None, wait_seconds: float = 60) -> SupergraphLoader:
    """Compose from each subgraph's `_service { sdl }`, waiting for subgraphs that are still starting."""

    async def sdl_of(client: httpx.AsyncClient, name: str, url: str) -> str:
        headers = {"content-type": "application/json"}
        if secret is not None:
            target = httpx.URL(url).raw_path.decode()
            headers.update(
                sign(secret, Caller(role="admin", subject="gateway"), target=target, body=SDL_QUERY)
            )
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            try:
                response = await client.post(url, content=SDL_QUERY, headers=headers)
                return response.json()["data"]["_service"]["sdl"]
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"The {name} subgraph at {url} gave no SDL: {exc}") from exc
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
