"""GraphiQL in a real browser with every other host cut off: the page, its scripts and styles all come from
the gateway, the editor appears, a query over two subgraphs runs, and a header typed in the headers
editor reaches the gateway."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from urllib.parse import urlsplit

from playwright.async_api import Browser, Request, Route

from gateway.settings import GatewaySettings

QUERY = '{ product(id: "p1") { name reviews { body rating } } }'
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADER_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"  # variables: hidden
RESPONSE = ".graphiql-response .CodeMirror"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def test_graphiql_runs_a_query_with_the_network_cut_off(
    browser: Browser, gateway_with: Callable[[GatewaySettings], AbstractContextManager[str]]
) -> None:
    with gateway_with(GatewaySettings(environment="development")) as base:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        elsewhere: list[str] = []
        graphql_posts: list[Request] = []
        problems: list[str] = []

        async def only_the_gateway(route: Route) -> None:
            request = route.request
            if _origin(request.url) != base:
                elsewhere.append(request.url)
                await route.abort("blockedbyclient")
                return
            if request.method == "POST" and urlsplit(request.url).path == "/graphql":
                graphql_posts.append(request)
            await route.continue_()

        await context.route("**/*", only_the_gateway)
        page = await context.new_page()
        # Console errors include a Content-Security-Policy violation and any asset that failed to load.
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            response = await page.goto(f"{base}/graphql")
            assert response is not None and response.status == 200
            await page.wait_for_selector(QUERY_EDITOR, timeout=20_000)
            # The default query explains how to paste a key; the headers editor is open beside it.
            default = await page.eval_on_selector(QUERY_EDITOR, "e => e.CodeMirror.getValue()")
            assert "Authorization" in default and "__typename" in default
            assert await page.is_visible(HEADER_EDITOR)

            await page.eval_on_selector(QUERY_EDITOR, "(e, q) => e.CodeMirror.setValue(q)", QUERY)
            headers = '{"x-request-id": "typed-in-graphiql"}'
            await page.eval_on_selector(HEADER_EDITOR, "(e, h) => e.CodeMirror.setValue(h)", headers)
            await page.click(".graphiql-execute-button")
            await page.wait_for_function(
                "s => document.querySelector(s)?.CodeMirror.getValue().includes('Handle broke')",
                arg=RESPONSE,
                timeout=20_000,
            )
            shown = await page.eval_on_selector(RESPONSE, "e => e.CodeMirror.getValue()")
        finally:
            await context.close()

    assert '"name": "Hammer"' in shown and '"rating": 2' in shown and '"errors"' not in shown
    assert elsewhere == [], f"the page asked other hosts: {elsewhere}"
    assert problems == []
    query_post = next(post for post in graphql_posts if "reviews" in (post.post_data or ""))
    assert query_post.headers.get("x-request-id") == "typed-in-graphiql"
