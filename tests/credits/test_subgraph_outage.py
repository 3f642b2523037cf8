"""Through the gateway with one subgraph stopped: an outage costs only the fields that subgraph adds to the
registry's entities (issue 13), never the standard or the learner the registry gave.

Each test runs the three real subgraphs over HTTP and our gateway composed from them, then stops the
credit bank or the crosswalk and asks again. Before issue 13 `creditEquivalences`, `levelEquivalents`,
`crosswalk`, `counterparts` and `creditTranscript` were non-null, so one missing answer nulled the whole
standard (a `Standard!` root field: `data` was null).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from gateway.apikeys import create_api_key
from gateway.server import create_gateway_app
from gateway.sources import live_supergraph
from qf.database import migrate_gateway
from qf.settings import SystemSettings
from services.common.db import Database
from services.common.migrations import migrate_service
from services.credits.app import create_credits_app
from services.credits.registry_link import RegistryClient
from services.mapping.app import create_mapping_app
from services.registry import rules as registry_rules
from services.registry.app import create_registry_app
from services.registry.sample import SAMPLE_CURP
from tests.gateway.servers import serve

CREDIT_FIELDS = {"creditEquivalences"}
MAPPING_FIELDS = {"industry", "levelEquivalents", "crosswalk", "counterparts"}
STANDARD = """{
  standard(code: "EC1121") {
    code title level
    creditEquivalences { credits institution { id } }
    industry { scheme code }
    levelEquivalents { item { scheme code } }
    crosswalk(first: 3) { item { scheme code } }
    counterparts(first: 3) { confidence }
  }
}"""
TRANSCRIPT = """query ($h: String!) {
  learner(holderRef: $h) {
    certificates { folio standardCode }
    creditTranscript(programId: "mx-ut-ejemplo-tsu-auto", asOf: "2025-12-01") { recognizedCredits }
  }
}"""


@pytest.fixture(scope="module")
async def mapping_url(make_database: Callable[[], Any]) -> str:
    """The crosswalk with its sample, as `qf serve` loads it."""
    from services.mapping.sources.sample import sample_datasets
    from services.mapping.store import write_dataset

    url = await make_database()
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            for dataset in sample_datasets():
                await write_dataset(conn, dataset)
    finally:
        await db.close()
    return url


@pytest.fixture(scope="module")
async def admin_key(bank_url: str) -> str:
    await migrate_gateway(bank_url)
    db = await Database.connect(bank_url, "gateway")
    try:
        return await create_api_key(db, "admin", "subgraph outage tests")
    finally:
        await db.close()


@pytest.fixture(scope="module")
def registry_base(bank_url: str, settings: SystemSettings) -> Iterator[str]:
    with serve(create_registry_app(settings, bank_url)) as base:
        yield base


@pytest.fixture(scope="module")
async def registry_link(registry_base: str, settings: SystemSettings) -> AsyncIterator[RegistryClient]:
    client = RegistryClient(f"{registry_base}/graphql", settings.require_secret())
    yield client
    await client.close()


@contextlib.contextmanager
def stack(
    settings: SystemSettings, bank_url: str, mapping_url: str, registry_base: str, registry: RegistryClient
) -> Iterator[tuple[str, dict[str, contextlib.ExitStack]]]:
    """The gateway's URL over the registry and, each on a stack of its own so a test can stop it, the
    credit bank and the crosswalk. The gateway composes the supergraph once, while all three run."""
    secret = settings.require_secret()
    with contextlib.ExitStack() as credits, contextlib.ExitStack() as mapping:
        urls = {
            "registry": f"{registry_base}/graphql",
            "credits": credits.enter_context(
                serve(create_credits_app(settings, bank_url, registry=registry, follow_feed=False))
            )
            + "/graphql",
            "mapping": mapping.enter_context(serve(create_mapping_app(settings, mapping_url))) + "/graphql",
        }
        app = create_gateway_app(
            settings, live_supergraph(urls, secret), database_url=bank_url, secret=secret
        )
        with serve(app) as gateway:
            yield f"{gateway}/graphql", {"credits": credits, "mapping": mapping}


async def post(url: str, query: str, key: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            url, json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {key}"}
        )
    assert answer.status_code == 200, answer.text
    return answer.json()


def lost_fields(answer: dict[str, Any], subgraph: str) -> set[str]:
    """The fields the errors say the stopped subgraph cost, each error naming it and coded."""
    fields = set()
    for error in answer["errors"]:
        assert error["extensions"]["serviceName"] == subgraph, error
        assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR", error
        assert "unreachable" in error["message"], error
        fields.add(error["path"][-1])
    return fields


@pytest.mark.parametrize(("stopped", "lost"), [("credits", CREDIT_FIELDS), ("mapping", MAPPING_FIELDS)])
async def test_a_stopped_subgraph_costs_only_the_fields_it_adds_to_a_standard(
    settings: SystemSettings,
    bank_url: str,
    mapping_url: str,
    registry_base: str,
    registry_link: RegistryClient,
    admin_key: str,
    stopped: str,
    lost: set[str],
) -> None:
    with stack(settings, bank_url, mapping_url, registry_base, registry_link) as (url, subgraphs):
        before = await post(url, STANDARD, admin_key)
        assert "errors" not in before, before["errors"]
        whole = before["data"]["standard"]
        assert whole["creditEquivalences"] and whole["industry"] and whole["levelEquivalents"]

        subgraphs[stopped].close()
        after = await post(url, STANDARD, admin_key)

    assert lost_fields(after, stopped) == lost
    standard = after["data"]["standard"]
    assert {field for field, value in standard.items() if value is None} == lost
    # Everything else is as it was: the registry's own fields and the other subgraph's.
    assert {k: v for k, v in standard.items() if k not in lost} == {
        k: v for k, v in whole.items() if k not in lost
    }


async def test_a_stopped_credit_bank_costs_only_the_learners_transcript(
    settings: SystemSettings,
    bank_url: str,
    mapping_url: str,
    registry_base: str,
    registry_link: RegistryClient,
    admin_key: str,
) -> None:
    holder = {"h": registry_rules.holder_ref(settings.require_curp_salt(), SAMPLE_CURP)}
    with stack(settings, bank_url, mapping_url, registry_base, registry_link) as (url, subgraphs):
        before = await post(url, TRANSCRIPT, admin_key, holder)
        assert "errors" not in before, before["errors"]
        assert before["data"]["learner"]["creditTranscript"]["recognizedCredits"] > 0

        subgraphs["credits"].close()
        after = await post(url, TRANSCRIPT, admin_key, holder)

    assert lost_fields(after, "credits") == {"creditTranscript"}
    learner = after["data"]["learner"]
    assert learner["creditTranscript"] is None
    assert learner["certificates"] == before["data"]["learner"]["certificates"]
