"""Through the gateway: one query joins a registry standard with what the crosswalk adds to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.server import create_gateway_app
from gateway.sources import live_supergraph
from qf.settings import SystemSettings
from services.mapping.app import create_mapping_app
from services.mapping.store import WriteSummary
from services.registry.app import create_registry_app
from tests.gateway.servers import serve

QUERY = """
query ($code: String!) {
  standard(code: $code) {
    code title level
    industry { scheme code label }
    levelEquivalents { item { scheme code } confidence }
    crosswalk(toSchemes: [NAICS_2022], first: 3) {
      confidence item { code labelEn } path { relation to { scheme code } edge { source } }
    }
  }
}"""


@pytest.fixture(scope="module")
def gateway_base(
    settings: SystemSettings, registry_url: str, full_import: tuple[str, list[WriteSummary]]
) -> Iterator[str]:
    secret = settings.require_secret()
    with (
        serve(create_registry_app(settings, registry_url)) as registry,
        serve(create_mapping_app(settings, full_import[0])) as mapping,
    ):
        urls = {"registry": f"{registry}/graphql", "mapping": f"{mapping}/graphql"}
        app = create_gateway_app(settings, live_supergraph(urls, secret), database_url=None, secret=secret)
        with serve(app) as base:
            yield base


async def post(base: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(f"{base}/graphql", json={"query": query, "variables": variables})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_standard_with_its_industry_levels_and_crosswalk(gateway_base: str) -> None:
    answer = await post(gateway_base, QUERY, {"code": "EC0217.01"})
    assert "errors" not in answer, answer["errors"]
    standard = answer["data"]["standard"]
    assert standard["title"].startswith("Impartición de cursos")  # from the registry
    assert standard["industry"] == {"scheme": "SCIAN_2023", "code": "61", "label": "Servicios educativos"}
    levels = {(r["item"]["scheme"], r["item"]["code"]): r["confidence"] for r in standard["levelEquivalents"]}
    assert levels[("CONOCER_LEVEL", str(standard["level"]))] == 1.0
    assert ("EQF", "4") in levels and ("NVQ", "3") in levels
    [naics] = standard["crosswalk"]
    assert naics["item"] == {"code": "61", "labelEn": "Educational Services"}
    assert [step["to"]["scheme"] for step in naics["path"]] == ["SCIAN_2023", "NAICS_2022"]
