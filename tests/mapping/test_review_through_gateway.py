"""Through the gateway, as the task force works (issue 12, acceptance 4): proposals listed in the review
queue, reviewed in bulk with Mexico's key and then the US's, coverage moving from proposed to endorsed to
mutual, and the CSV export saying so; a standard's counterparts joined with the registry's standard."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gateway.apikeys import create_api_key
from gateway.server import create_gateway_app
from gateway.sources import live_supergraph
from qf.database import migrate_gateway
from qf.settings import SystemSettings
from services.common.db import Database
from services.mapping.app import create_mapping_app
from services.mapping.store import WriteSummary
from services.registry.app import create_registry_app
from tests.gateway.servers import serve

# Its tests write to the crosswalk's database: a copy of the import of its own (tests/conftest.py).
pytestmark = pytest.mark.own_import

AGREEMENT_ID = "MX-US-AUTO-GATEWAY-TEST"
# Standards of the registry's sample too, so the gateway joins their titles.
PROPOSALS = {"EC0631": "mecánico de vehículos", "EC0761": "pintor de vehículos"}

QUEUE = """
query ($id: ID!) {
  mappingProposals(filter: {agreementId: $id, status: PROPOSED}, first: 50) {
    totalCount edges { node { id confidence from { code } to { label } evidence { matchedLabel } } }
  }
}"""
REVIEW = """
mutation ($decisions: [ReviewDecisionInput!]!) {
  reviewMappings(decisions: $decisions) { id status reviews { party decision } mutual }
}"""
AGREEMENT = """
query ($id: ID!) {
  recognitionAgreement(id: $id) {
    coverage { inScope withProposedCounterpart withEndorsedCounterpart mutual }
    export(format: CSV)
  }
}"""
STANDARD = """
query {
  standard(code: "EC0631") {
    title
    counterparts(first: 3) { confidence status item { scheme code } proposal { mutual } }
  }
}"""


@pytest.fixture(scope="module")
async def keys(make_database: Callable[[], Any]) -> tuple[str, dict[str, str]]:
    url = await make_database()
    await migrate_gateway(url)
    db = await Database.connect(url, "gateway")
    try:
        made = {
            party: await create_api_key(db, "taskforce", f"{party} task force", party)
            for party in ("MX", "US")
        }
    finally:
        await db.close()
    return url, made


@pytest.fixture(scope="module")
async def proposals(mapping_db: Database) -> None:
    """Proposals as the proposer writes them, and the task force's agreement over their standards."""
    for standard, label in PROPOSALS.items():
        await mapping_db.execute(
            """INSERT INTO edges (from_scheme, from_code, to_scheme, to_code, relation, confidence, method,
                   source, from_version, to_version, status, proposed_by, evidence)
               SELECT 'CONOCER_EC', $1, 'ESCO', code, 'closeMatch', 0.6, 'text_match',
                   'qf-proposer: ESCO v1.0 (es) labels', '2025-11', 'v1.0', 'proposed', 'qf-proposer',
                   jsonb_build_object('matchedLabel', $2::text, 'dataset', 'ESCO v1.0 (es)')
               FROM items WHERE scheme = 'ESCO' AND label_es LIKE $2 || '%'""",
            standard,
            label,
        )
    await mapping_db.execute(
        """INSERT INTO recognition_agreements (id, title_es, parties, scope_standards, counterpart_scheme)
           VALUES ($1, 'Acuerdo de prueba a través de la pasarela', ARRAY['MX', 'US'], $2, 'SOC_2018')""",
        AGREEMENT_ID,
        sorted(PROPOSALS),
    )


@pytest.fixture(scope="module")
def gateway_base(
    settings: SystemSettings,
    registry_url: str,
    full_import: tuple[str, list[WriteSummary]],
    keys: tuple[str, dict[str, str]],
    proposals: None,
) -> Iterator[str]:
    secret = settings.require_secret()
    with (
        serve(create_registry_app(settings, registry_url)) as registry,
        serve(create_mapping_app(settings, full_import[0])) as mapping,
    ):
        urls = {"registry": f"{registry}/graphql", "mapping": f"{mapping}/graphql"}
        app = create_gateway_app(settings, live_supergraph(urls, secret), database_url=keys[0], secret=secret)
        with serve(app) as base:
            yield base


async def post(base: str, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


async def agreement(base: str) -> tuple[dict, list[dict[str, str]]]:
    data = (await post(base, AGREEMENT, {"id": AGREEMENT_ID}))["recognitionAgreement"]
    return data["coverage"], list(csv.DictReader(io.StringIO(data["export"])))


async def test_the_task_force_reviews_in_bulk_through_the_gateway(
    gateway_base: str, keys: tuple[str, dict[str, str]]
) -> None:
    mx, us = keys[1]["MX"], keys[1]["US"]
    queue = (await post(gateway_base, QUEUE, {"id": AGREEMENT_ID}, mx))["mappingProposals"]
    assert queue["totalCount"] == 2
    assert {e["node"]["from"]["code"] for e in queue["edges"]} == set(PROPOSALS)
    coverage, rows = await agreement(gateway_base)
    assert coverage == {"inScope": 2, "withProposedCounterpart": 2, "withEndorsedCounterpart": 0, "mutual": 0}
    assert {r["status"] for r in rows} == {"proposed"}

    decisions = [{"id": e["node"]["id"], "decision": "ENDORSE"} for e in queue["edges"]]
    endorsed = (await post(gateway_base, REVIEW, {"decisions": decisions}, mx))["reviewMappings"]
    assert [(e["status"], e["mutual"]) for e in endorsed] == [("ENDORSED", False)] * 2
    coverage, rows = await agreement(gateway_base)
    assert (coverage["withEndorsedCounterpart"], coverage["mutual"]) == (2, 0)
    assert {(r["mxReview"], r["usReview"], r["mutual"]) for r in rows} == {("endorsed", "pending", "False")}

    mutual = (await post(gateway_base, REVIEW, {"decisions": decisions}, us))["reviewMappings"]
    assert [e["mutual"] for e in mutual] == [True, True]
    assert mutual[0]["reviews"] == [
        {"party": "MX", "decision": "ENDORSED"},
        {"party": "US", "decision": "ENDORSED"},
    ]
    coverage, rows = await agreement(gateway_base)
    assert coverage == {"inScope": 2, "withProposedCounterpart": 2, "withEndorsedCounterpart": 2, "mutual": 2}
    assert {(r["mxReview"], r["usReview"], r["mutual"]) for r in rows} == {("endorsed", "endorsed", "True")}
    assert {r["standardCode"] for r in rows} == set(PROPOSALS)

    # The registry's standard with the crosswalk's counterparts, in one query.
    standard = (await post(gateway_base, STANDARD))["standard"]
    assert standard["title"].startswith("Mantenimiento")
    assert standard["counterparts"] and standard["counterparts"][0]["status"] == "ENDORSED"
    assert standard["counterparts"][0]["proposal"]["mutual"] is True


async def test_reviewing_needs_a_task_force_key(gateway_base: str) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            f"{gateway_base}/graphql",
            json={"query": REVIEW, "variables": {"decisions": [{"id": "1", "decision": "ENDORSE"}]}},
        )
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
