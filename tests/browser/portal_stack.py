"""The whole system for the portal's browser tests: the three real subgraphs over a database of their own
(the registry, credit bank and mapping samples `qf serve` loads) and our gateway serving portal/, each on
a thread of this process, with API keys for the people the pages serve.

The mapping sample has no counterpart proposals (the proposer needs the official files), so the stack
adds one as a person would, through the public API: an admin proposes EC0630 (Aplicación de pintura
automotriz) -> SOC 2018 49-3021 (Automotive Body and Related Repairers), over three items typed in from
the official SOC 2018, O*NET-SOC and NCES CIP-SOC tables.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gateway.apikeys import create_api_key
from gateway.server import create_gateway_app
from gateway.sources import live_supergraph
from qf.database import migrate_all
from qf.settings import SystemSettings
from services.common.db import Database
from services.credits.app import create_credits_app
from services.credits.registry_link import RegistryClient
from services.mapping.app import create_mapping_app
from services.mapping.model import Dataset, Edge, Item, Method, Relation, Scheme
from services.registry.app import create_registry_app
from tests.gateway.servers import serve

PORTAL = Path(__file__).resolve().parents[2] / "portal"
CIP_SOC = "NCES and BLS, CIP 2020 to SOC 2018 crosswalk"
ONET = "O*NET-SOC taxonomy: each occupation's code begins with its SOC code"


@dataclass(frozen=True)
class PortalStack:
    base: str
    keys: dict[str, str]
    proposal_id: str
    folios: tuple[str, ...]  # the sample learner's certificates
    curp: str

    async def graphql(self, query: str, variables: dict | None = None, key: str | None = None) -> Any:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(
                f"{self.base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
        body = answer.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


def body_repair_chain() -> Dataset:
    """Three items and two edges of the official tables, for the proposal to lead somewhere."""
    chain = Dataset("browser tests: automotive body repair")
    chain.items = [
        Item(
            Scheme.SOC_2018,
            "49-3021",
            None,
            "Automotive Body and Related Repairers",
            depth=4,
            kind="detailed occupation",
        ),
        Item(Scheme.ONET_SOC, "49-3021.00", None, "Automotive Body and Related Repairers", kind="occupation"),
        Item(
            Scheme.CIP_2020,
            "47.0603",
            None,
            "Autobody/Collision and Repair Technology/Technician",
            parent="47.06",
            depth=3,
            kind="program",
        ),
    ]
    chain.edges = [
        Edge(
            Scheme.ONET_SOC,
            "49-3021.00",
            Scheme.SOC_2018,
            "49-3021",
            Relation.EXACT,
            1.0,
            Method.IDENTICAL_CODE,
            ONET,
        ),
        Edge(
            Scheme.CIP_2020,
            "47.0603",
            Scheme.SOC_2018,
            "49-3021",
            Relation.CLOSE,
            0.75,
            Method.OFFICIAL_CROSSWALK,
            CIP_SOC,
        ),
    ]
    return chain


async def prepare_database(url: str, settings: SystemSettings) -> dict[str, str]:
    """Migrations, the samples and the extra chain; returns API keys by who holds them."""
    from services.credits.sample import load_sample as load_credits_sample
    from services.mapping.sources.sample import sample_datasets, write_sample_agreement
    from services.mapping.store import write_dataset
    from services.registry.sample import load_sample as load_registry_sample

    await migrate_all(url)
    registry = await Database.connect(url, "registry")
    credits_db = await Database.connect(url, "credits")
    mapping = await Database.connect(url, "mapping")
    gateway = await Database.connect(url, "gateway")
    try:
        await load_registry_sample(registry, settings.require_curp_salt())
        await load_credits_sample(credits_db)
        async with mapping.pool.acquire() as conn:
            for dataset in [*sample_datasets(), body_repair_chain()]:
                await write_dataset(conn, dataset)
            await write_sample_agreement(conn)
        return {
            "admin": await create_api_key(gateway, "admin", "browser tests admin"),
            "mx": await create_api_key(gateway, "taskforce", "MX task force", scope="MX"),
            "us": await create_api_key(gateway, "taskforce", "US task force", scope="US"),
            "registrar": await create_api_key(
                gateway, "registrar", "UT Ejemplo", scope="mx-ut-ejemplo", person="Registrar of UT Ejemplo"
            ),
        }
    finally:
        for db in (registry, credits_db, mapping, gateway):
            await db.close()


PROPOSE = """mutation ($input: MappingInput!) { proposeMapping(input: $input) { id status } }"""


@contextlib.asynccontextmanager
async def running_system(
    url: str, settings: SystemSettings, portal: Path | None = None
) -> AsyncIterator[str]:
    """The registry, credit bank and mapping subgraphs over the database at `url` and our gateway (serving
    `portal` when given), each on a thread of this process, until the block ends: the gateway's base URL.

    The credit bank asks the registry over HTTP and signed, as in production; it does not follow the
    registry's feed (tests that need it read the feed themselves)."""
    secret = settings.require_secret()
    with contextlib.ExitStack() as stack:
        registry = stack.enter_context(serve(create_registry_app(settings, url)))
        link = RegistryClient(f"{registry}/graphql", secret)
        try:
            credits_app = create_credits_app(settings, url, registry=link, follow_feed=False)
            credits = stack.enter_context(serve(credits_app))
            mapping = stack.enter_context(serve(create_mapping_app(settings, url)))
            urls = {
                "registry": f"{registry}/graphql",
                "credits": f"{credits}/graphql",
                "mapping": f"{mapping}/graphql",
            }
            app = create_gateway_app(
                settings, live_supergraph(urls, secret), database_url=url, secret=secret, portal_dir=portal
            )
            yield stack.enter_context(serve(app))
        finally:
            await link.close()


@contextlib.asynccontextmanager
async def portal_stack(
    url: str, settings: SystemSettings, portal: Path = PORTAL
) -> AsyncIterator[PortalStack]:
    from services.registry.sample import SAMPLE_CURP

    keys = await prepare_database(url, settings)
    async with running_system(url, settings, portal) as base:
        partial = PortalStack(base, keys, "", (), SAMPLE_CURP)
        proposal = {
            "from": {"scheme": "CONOCER_EC", "code": "EC0630"},
            "to": {"scheme": "SOC_2018", "code": "49-3021"},
            "relation": "CLOSE_MATCH",
            "confidence": 0.8,
            "source": "browser tests: a task force member's reading of both descriptions",
        }
        proposed = await partial.graphql(PROPOSE, {"input": proposal}, keys["admin"])
        certificates = await partial.graphql(
            "query ($c: String) { learner(curp: $c) { certificates { folio standardCode } } }",
            {"c": SAMPLE_CURP},
            keys["admin"],
        )
        folios = tuple(c["folio"] for c in certificates["learner"]["certificates"])
        yield PortalStack(base, keys, proposed["proposeMapping"]["id"], folios, SAMPLE_CURP)
