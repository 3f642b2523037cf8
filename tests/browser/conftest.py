"""Fixtures for tests in a real browser: Debian's chromium driven by Playwright; our gateway over the
synthetic subgraphs (no Node, no PostgreSQL), each on a thread of this process; and, for the portal, the
whole system over PostgreSQL (portal_stack.py).

Playwright's own browser downloads are never used: the tests drive the system's chromium, and skip only
when there is none (`.ci/run` installs it with apt).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from gateway.settings import GatewaySettings
from qf.settings import SystemSettings
from tests.browser.portal_stack import PortalStack, portal_stack
from tests.gateway.servers import serve, synthetic_gateway
from tests.gateway.synthetic import app

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("no chromium binary (/usr/bin/chromium): `apt-get install chromium` to run browser tests")
    return path


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
def synthetic_base() -> Iterator[str]:
    with serve(app(), lifespan="off") as base:
        yield base


@pytest.fixture(scope="session")
def gateway_with(synthetic_base: str) -> Callable[[GatewaySettings], AbstractContextManager[str]]:
    """Our gateway with these settings over the `single_key` scenario: a context manager of its base URL."""
    return lambda settings: synthetic_gateway(settings, synthetic_base)


@pytest.fixture(scope="session")
async def portal(make_database: Callable[[], Any], settings: SystemSettings) -> AsyncIterator[PortalStack]:
    """The real subgraphs over a database of their own and the gateway serving portal/ (portal_stack.py)."""
    async with portal_stack(await make_database(), settings) as stack:
        yield stack
