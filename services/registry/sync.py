"""Pulls RENEC's live standards list from CONOCER's public JSON endpoint into the registry.

The endpoint returns the same rows as `conocer_renec_avala/extracted/ec_standards_api.json`. It is the
whole list of standards in force, so a standard it stops listing is marked withdrawn.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from services.common.db import Database
from services.common.renec.standards import STANDARD_KEYS
from services.registry.importer import ImportSummary, import_standards


class RenecSyncError(RuntimeError):
    """CONOCER's answer could not be used; the registry was not changed."""


def _rows(payload: Any, url: str) -> list[dict[str, Any]]:
    """The payload as API rows; anything else is refused before it can withdraw the whole registry."""
    if not isinstance(payload, list):
        raise RenecSyncError(f"{url} returned a JSON {type(payload).__name__}, expected a list")
    if not payload:
        # An empty list from a broken backend would otherwise withdraw every standard.
        raise RenecSyncError(f"{url} returned an empty list")
    problems: list[str] = []
    for index, row in enumerate(payload):
        if not isinstance(row, dict):
            problems.append(f"item {index} is a {type(row).__name__}, not an object")
        elif missing := [key for key in STANDARD_KEYS if key not in row]:
            problems.append(f"item {index} lacks {', '.join(missing)}")
        if len(problems) >= 5:
            break
    if problems:
        raise RenecSyncError(f"{url} returned rows of the wrong shape: " + "; ".join(problems))
    return payload


async def fetch_renec(
    url: str,
    *,
    timeout: float = 60,
    client: httpx.AsyncClient | None = None,
) -> list[dict[str, Any]]:
    """The validated standards list; raises RenecSyncError on transport, status, JSON or shape errors."""
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as own:
                response = await own.get(url, headers={"accept": "application/json"})
        else:
            response = await client.get(url, headers={"accept": "application/json"}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise RenecSyncError(f"could not fetch {url}: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise RenecSyncError(
            f"{url} answered HTTP {response.status_code}: {response.text[:200]!r}"
        )
    try:
        payload = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        kind = response.headers.get("content-type", "no content type")
        raise RenecSyncError(
            f"{url} did not return JSON ({kind}): {exc}; body starts {response.text[:120]!r}"
        ) from exc
    return _rows(payload, url)


async def sync_renec(
    db: Database,
    url: str,
    *,
    timeout: float = 60,
    client: httpx.AsyncClient | None = None,
) -> ImportSummary:
    """Fetches RENEC's full standards list and upserts it (complete: unlisted standards withdrawn)."""
    rows = await fetch_renec(url, timeout=timeout, client=client)
    return await import_standards(db, rows, complete=True)
