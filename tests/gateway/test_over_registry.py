"""The gateway over the real registry subgraph and a synthetic subgraph that extends `Standard`.

Everything runs over HTTP as in production: the registry (sample data, real PostgreSQL) and the
gateway in this process's threads, the extension subgraph as its own process so a test can kill it.
The gateway composes the supergraph from the live subgraphs, as `qf serve` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.apikeys import create_api_key
from gateway.server import create_gateway_app
from gateway.sources import live_supergraph
from qf.database import migrate_gateway
from qf.settings import SystemSettings
from services.common.db import Database
from services.registry.app import create_registry_app
from tests.gateway.servers import extension_process, serve

ROOT = Path(__file__).resolve().parents[2]
STANDARD = "EC0217.01"


@pytest.fixture(scope="module")
def registry_base(registry_url: str, settings: SystemSettings) -> Iterator[str]:
    with serve(create_registry_app(settings, registry_url)) as base:
        yield base


@pytest.fixture(scope="module")
async def gateway_db_url(make_database: Callable[[], Any]) -> str:
    url = await make_database()
    await migrate_gateway(url)
    return url


@contextlib.contextmanager
def gateway(
    settings: SystemSettings, db_url: str, registry: str, extension: str, **options: Any
) -> Iterator[str]:
    urls = {"registry": f"{registry}/graphql", "extension": extension}
    secret = settings.require_secret()
    app = create_gateway_app(
        settings, live_supergraph(urls, secret), database_url=db_url, secret=secret, **options
    )
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def stack(settings: SystemSettings, gateway_db_url: str, registry_base: str) -> Iterator[str]:
    limited = settings.model_copy(update={"max_aliases": 5})
    with (
        extension_process() as (extension, _),
        gateway(limited, gateway_db_url, registry_base, extension) as base,
    ):
        yield base


async def post(base: str, query: str, variables: dict | None = None, **options: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(f"{base}/graphql", json={"query": query, "variables": variables}, **options)


async def test_one_query_joins_the_registry_and_an_extending_subgraph(stack: str) -> None:
    query = """query($code: String!) {
      standard(code: $code) { code title level demandIndex levelBand committee { name } }
    }"""
    answer = (await post(stack, query, {"code": STANDARD})).json()
    assert "errors" not in answer, answer
    standard = answer["data"]["standard"]
    assert standard["code"] == STANDARD and standard["title"]
    assert standard["demandIndex"] == len(STANDARD)
    assert standard["levelBand"] == ("basic" if standard["level"] <= 2 else "advanced")
    assert standard["committee"]["name"]


async def test_a_query_that_starts_in_the_extension_reaches_the_registry(stack: str) -> None:
    answer = (await post(stack, "{ trending { code title demandIndex } }")).json()
    assert "errors" not in answer, answer
    assert [s["code"] for s in answer["data"]["trending"]] == [STANDARD, "EC0301"]
    assert all(s["title"] for s in answer["data"]["trending"])


async def test_the_plan_is_shown_in_development(stack: str) -> None:
    query = '{ standard(code: "EC0301") { title levelBand } }'
    answer = (await post(stack, query, headers={"x-qf-query-plan": "1"})).json()
    plan = answer["extensions"]["queryPlan"]
    assert [step["subgraph"] for step in plan] == ["registry", "extension"]
    assert plan[1]["dependsOn"] == [0] and "_entities" in plan[1]["operation"]


async def test_subgraphs_refuse_calls_that_bypass_the_gateway(registry_base: str) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{registry_base}/graphql", json={"query": "{ __typename }"})
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_public_caller_cannot_run_registry_mutations(stack: str) -> None:
    mutation = 'mutation { withdrawStandard(code: "EC0301", withdrawnOn: "2026-01-01") { code } }'
    answer = (await post(stack, mutation)).json()
    assert answer["data"] is None
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["serviceName"] == "registry"
    assert error["path"] == ["withdrawStandard"]


async def test_api_keys_carry_their_role_to_the_subgraphs(stack: str, gateway_db_url: str) -> None:
    db = await Database.connect(gateway_db_url, "gateway")
    try:
        key = await create_api_key(db, "admin", "gateway tests")
    finally:
        await db.close()
    # An admin passes the role check and meets the registry's own rule: the code does not exist.
    mutation = 'mutation { withdrawStandard(code: "EC9999.99", withdrawnOn: "2026-01-01") { code } }'
    answer = (await post(stack, mutation, headers={"authorization": f"Bearer {key}"})).json()
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_unknown_api_key_is_refused(stack: str) -> None:
    answer = await post(stack, "{ __typename }", headers={"authorization": "Bearer qf_abc_nope"})
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_federation_internals_are_not_open_to_clients(stack: str) -> None:
    answer = await post(
        stack, '{ _entities(representations: [{__typename: "Standard", code: "EC0301"}]) { __typename } }'
    )
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    introspection = (await post(stack, '{ __type(name: "Standard") { fields { name } } }')).json()
    names = {f["name"] for f in introspection["data"]["__type"]["fields"]}
    assert {"title", "demandIndex", "levelBand"} <= names
    schema = (await post(stack, "{ __schema { queryType { fields { name } } } }")).json()
    roots = {f["name"] for f in schema["data"]["__schema"]["queryType"]["fields"]}
    assert "trending" in roots and "standard" in roots and "_entities" not in roots


async def test_persisted_queries(stack: str) -> None:
    query = '{ standard(code: "EC0301") { code } }'
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with httpx.AsyncClient() as client:
        unknown = await client.post(f"{stack}/graphql", json={"extensions": extensions})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        registered = await client.post(f"{stack}/graphql", json={"query": query, "extensions": extensions})
        assert registered.json()["data"]["standard"]["code"] == "EC0301"
        by_hash = await client.post(f"{stack}/graphql", json={"extensions": extensions})
        assert by_hash.json() == registered.json()


async def test_limits_are_refused_with_a_clear_error(stack: str) -> None:
    aliases = " ".join(f'a{i}: standard(code: "EC0301") {{ code }}' for i in range(6))
    # A request error: 400 in the spec's media type, 200 for a legacy application/json client.
    for accept, status in (("application/graphql-response+json", 400), ("application/json", 200)):
        answer = await post(stack, f"{{ {aliases} }}", headers={"accept": accept})
        assert answer.status_code == status
        assert answer.headers["content-type"].startswith(accept)
        assert "data" not in answer.json()
        error = answer.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": "aliases", "max": 5, "actual": 6}


async def test_health_readiness_and_metrics(stack: str) -> None:
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{stack}/healthz")).status_code == 200
        ready = await client.get(f"{stack}/readyz")
        assert ready.status_code == 200
        assert ready.json()["subgraphs"] == {"extension": "ready", "registry": "ready"}
        await post(stack, "{ trending { code title } }")
        await post(stack, "{ trending { code title } }")
        metrics = (await client.get(f"{stack}/metrics")).text
    assert 'qf_gateway_plan_cache_total{result="hit"}' in metrics
    assert 'qf_gateway_subgraph_fetches_total{outcome="ok",subgraph="registry"}' in metrics
    assert "qf_gateway_request_duration_seconds_bucket" in metrics


async def test_identical_queries_in_flight_reach_a_subgraph_once(stack: str) -> None:
    async def written() -> int:
        return (await post(stack, "{ slowNotesWritten }")).json()["data"]["slowNotesWritten"]

    before = await written()
    query = '{ standard(code: "EC0301") { code slowNote(seconds: 1) } }'
    answers = [answer.json() for answer in await asyncio.gather(*(post(stack, query) for _ in range(5)))]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["data"]["standard"]["slowNote"] == "EC0301 after 1 s"
    assert await written() == before + 1


async def test_a_subgraph_killed_mid_request_costs_only_its_fields(
    settings: SystemSettings, gateway_db_url: str, registry_base: str
) -> None:
    with (
        extension_process() as (extension, process),
        gateway(settings, gateway_db_url, registry_base, extension) as base,
    ):
        query = '{ standard(code: "EC0301") { code title slowNote(seconds: 5) } }'
        pending = asyncio.ensure_future(post(base, query))
        await asyncio.sleep(1.0)  # the registry has answered; the extension is sleeping on slowNote
        process.send_signal(signal.SIGKILL)
        answer = (await pending).json()
        assert answer["data"]["standard"]["title"]
        assert answer["data"]["standard"]["slowNote"] is None
        assert [e["extensions"]["serviceName"] for e in answer["errors"]] == ["extension"]
        assert "extension" in answer["errors"][0]["message"]
        # The gateway keeps serving what the registry has, and says the extension is gone.
        again = (await post(base, '{ standard(code: "EC0301") { title } }')).json()
        assert again["data"]["standard"]["title"] and "errors" not in again
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{base}/readyz")
        assert ready.status_code == 503 and ready.json()["subgraphs"]["extension"] == "unavailable"


async def test_a_slow_subgraph_times_out_and_costs_only_its_fields(
    settings: SystemSettings, gateway_db_url: str, registry_base: str
) -> None:
    with (
        extension_process() as (extension, _),
        gateway(settings, gateway_db_url, registry_base, extension, subgraph_timeout=0.5) as base,
    ):
        answer = (await post(base, '{ standard(code: "EC0301") { title slowNote(seconds: 2) } }')).json()
    assert answer["data"]["standard"]["title"]
    assert answer["data"]["standard"]["slowNote"] is None
    error = answer["errors"][0]
    assert (
        error["extensions"]["code"] == "GATEWAY_TIMEOUT" and error["extensions"]["serviceName"] == "extension"
    )
