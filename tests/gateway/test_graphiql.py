"""GraphiQL's page and assets as the gateway serves them (gateway/graphiql.py), over HTTP: same-origin
only, under a content-addressed path cached for a year, gzipped when accepted, and the vendored build
intact. tests/browser/test_graphiql.py runs it in a real browser."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.graphiql import ASSETS, PAGE_STYLE, STATIC, GraphiQL
from gateway.server import create_gateway_app
from gateway.settings import GatewaySettings
from tests.gateway.servers import synthetic_gateway

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def base(synthetic_url: str) -> Iterator[str]:
    with synthetic_gateway(GatewaySettings(environment="development"), synthetic_url) as url:
        yield url


def _links(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', page)


def test_the_page_loads_only_from_the_gateway(base: str) -> None:
    response = httpx.get(f"{base}/graphql", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'data-endpoint="/graphql"' in page
    links = _links(page)
    assert links[0] == "data:,"  # the favicon: no request at all
    assets = links[1:]
    assert {link.rsplit("/", 1)[1] for link in assets} == set(ASSETS)
    assert all(re.fullmatch(r"/graphiql/[0-9a-f]{16}/[\w.-]+", link) for link in assets), assets
    assert "://" not in page.replace("data:,", "")
    # The policy lets the page reach its own origin only, and run no inline script.
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    style = base64.b64encode(hashlib.sha256(PAGE_STYLE.encode()).digest()).decode()
    assert f"<style>{PAGE_STYLE}</style>" in page and f"'sha256-{style}'" in policy
    assert response.headers["cache-control"] == "no-cache"
    assert "accept" in response.headers["vary"].lower()


def test_assets_are_cached_for_a_year_and_gzipped_when_accepted(base: str) -> None:
    page = httpx.get(f"{base}/graphql", headers=HTML).text
    total = 0
    for link in _links(page)[1:]:
        name = link.rsplit("/", 1)[1]
        plain = httpx.get(f"{base}{link}", headers={"accept-encoding": "identity"})
        assert plain.status_code == 200, link
        assert "content-encoding" not in plain.headers
        assert plain.content == (STATIC / ASSETS[name][0]).read_bytes()
        assert plain.headers["content-type"] == ASSETS[name][1]
        assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert plain.headers["x-content-type-options"] == "nosniff"
        with httpx.stream("GET", f"{base}{link}", headers={"accept-encoding": "gzip"}) as zipped:
            assert zipped.headers["content-encoding"] == "gzip"
            assert gzip.decompress(b"".join(zipped.iter_raw())) == plain.content
        total += len(plain.content)
    # GraphiQL 4's UMD bundle with React 18 is about 1.6 MB; a much larger build is a wrong file.
    assert 1_000_000 < total < 2_500_000


def builds(base: str) -> tuple[str, str]:
    """The build digest the page links to, and another that is not it."""
    page = httpx.get(f"{base}/graphql", headers=HTML).text
    digest = re.search(r"/graphiql/([0-9a-f]{16})/", page).group(1)
    return digest, "0" * 16 if digest != "0" * 16 else "1" * 16


@pytest.mark.parametrize(
    "path",
    ["{other}/graphiql.min.js", "{digest}/fetch.sh", "{digest}/..%2Ffetch.sh", "{digest}/x"],
    ids=["another-build", "not-served", "escaping", "made-up"],
)
def test_another_build_or_a_made_up_name_is_not_found(base: str, path: str) -> None:
    digest, other = builds(base)
    url = f"{base}/graphiql/{path.format(digest=digest, other=other)}"
    assert httpx.get(url).status_code == 404, url


def test_an_old_builds_url_is_never_cached(base: str) -> None:
    # An old build's URL after an upgrade must not stick in caches.
    _, other = builds(base)
    assert httpx.get(f"{base}/graphiql/{other}/boot.js").headers["cache-control"] == "no-store"


def test_a_query_in_the_url_is_still_answered_as_json(base: str) -> None:
    response = httpx.get(f"{base}/graphql", params={"query": "{ __typename }"}, headers=HTML)
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_behind_a_proxy_prefix_the_page_points_under_it() -> None:
    async def unused() -> str:
        raise AssertionError("the page needs no supergraph")

    app = create_gateway_app(GatewaySettings(), unused, database_url=None, secret=None)
    transport = httpx.ASGITransport(app=app, root_path="/api")
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        page = (await client.get("/api/graphql", headers=HTML)).text
        assert 'data-endpoint="/api/graphql"' in page
        asset = next(link for link in _links(page) if link.endswith("/boot.js"))
        assert asset.startswith("/api/graphiql/")
        assert (await client.get(asset)).status_code == 200


def test_the_vendored_build_is_the_one_fetch_sh_recorded() -> None:
    vendor = STATIC / "vendor"
    for line in (vendor / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    pins = dict(line.split() for line in (vendor / "VERSIONS").read_text().splitlines())
    script = (STATIC / "fetch.sh").read_text()
    assert f"GRAPHIQL={pins['graphiql']}\n" in script and f"REACT={pins['react']}\n" in script
    assert pins["react"] == pins["react-dom"]
    for name in ("LICENSE-graphiql", "LICENSE-react", "LICENSE-react-dom"):
        assert "MIT License" in (vendor / name).read_text()
    assert b"sourceMappingURL" not in (vendor / "graphiql.min.js").read_bytes()


def test_missing_assets_stop_the_gateway_with_a_way_out(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"fetch\.sh"):
        GraphiQL(tmp_path)
