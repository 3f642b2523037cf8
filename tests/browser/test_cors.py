"""Cross-origin calls from a real browser: a page served on another port POSTs JSON (a preflighted request,
with a custom header) to the gateway; the browser lets it read the answer only when the gateway allows
that page's origin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from playwright.async_api import Browser
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from gateway.settings import GatewaySettings
from tests.gateway.servers import serve

FETCH = """async (url) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {"content-type": "application/json", "x-request-id": "from-another-origin"},
      body: JSON.stringify({query: '{ product(id: "p2") { name reviewCount } }'}),
    });
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {error: String(error)};
  }
}"""


def _client_page() -> Starlette:
    async def index(_request: Any) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><title>a portal</title><link rel=icon href=data:,><p>another site</p>"
        )

    return Starlette(routes=[Route("/", index)])


@pytest.fixture(scope="module")
def portals() -> Iterator[tuple[str, str]]:
    """Two sites on other ports: the first is the one the gateway will allow."""
    with serve(_client_page()) as allowed, serve(_client_page()) as other:
        yield allowed, other


async def _fetch_from(browser: Browser, page_url: str, gateway: str) -> tuple[dict[str, Any], list[str]]:
    """What the page's fetch to the gateway gave, and the console's errors."""
    page = await browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        await page.goto(page_url)
        outcome = await page.evaluate(FETCH, f"{gateway}/graphql")
        await page.wait_for_timeout(100)  # the CORS message reaches the console just after the rejection
    finally:
        await page.close()
    return outcome, errors


def _refused(outcome: dict[str, Any], errors: list[str], origin: str) -> bool:
    return outcome.get("error", "").startswith("TypeError") and any(
        "CORS policy" in error and origin in error for error in errors
    )


async def test_a_configured_origin_reads_the_answer_and_another_is_refused(
    browser: Browser,
    gateway_with: Callable[[GatewaySettings], AbstractContextManager[str]],
    portals: tuple[str, str],
) -> None:
    allowed, other = portals
    with gateway_with(GatewaySettings(environment="production", cors_origins=[allowed])) as gateway:
        outcome, errors = await _fetch_from(browser, f"{allowed}/", gateway)
        assert outcome == {"status": 200, "body": {"data": {"product": {"name": "Rake", "reviewCount": 1}}}}
        assert errors == []

        outcome, errors = await _fetch_from(browser, f"{other}/", gateway)
        assert _refused(outcome, errors, other), (outcome, errors)


async def test_in_development_a_local_page_may_call_and_in_production_by_default_none(
    browser: Browser,
    gateway_with: Callable[[GatewaySettings], AbstractContextManager[str]],
    portals: tuple[str, str],
) -> None:
    page = portals[0]
    with gateway_with(GatewaySettings(environment="development")) as gateway:
        outcome, _ = await _fetch_from(browser, f"{page}/", gateway)
        assert outcome["status"] == 200 and outcome["body"]["data"]["product"]["name"] == "Rake"
    with gateway_with(GatewaySettings(environment="production")) as gateway:
        outcome, errors = await _fetch_from(browser, f"{page}/", gateway)
        assert _refused(outcome, errors, page), (outcome, errors)
