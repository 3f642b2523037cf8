"""The credit bank over a real PostgreSQL, with a registry of its own to verify certificates against.

The registry gets its own database here (sample loaded) because these tests issue and revoke certificates,
which the registry's own tests must not see.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from gateway.signing import Caller
from services.common.db import Database
from services.common.migrations import migrate_service
from services.common.settings import Settings
from services.credits.registry_link import RegistryClient
from services.registry import rules as registry_rules
from tests.conftest import GraphQLClient

ADMIN = {"role": "admin", "subject": "test:admin"}


@pytest.fixture(scope="session")
async def bank_url(make_database: Callable[[], Any], settings: Settings) -> str:
    """One database holding the registry (with its sample) and the credit bank (with its sample)."""
    return await make_bank(make_database, settings)


async def make_bank(make_database: Callable[[], Any], settings: Settings) -> str:
    """A new database with the registry and the credit bank migrated and their samples loaded."""
    from services.credits.sample import load_sample as load_credits_sample
    from services.registry.sample import load_sample as load_registry_sample

    url = await make_database()
    await migrate_service(url, "registry")
    await migrate_service(url, "credits")
    registry = await Database.connect(url, "registry")
    credits_db = await Database.connect(url, "credits")
    try:
        await load_registry_sample(registry, settings.require_curp_salt())
        await load_credits_sample(credits_db)
    finally:
        await registry.close()
        await credits_db.close()
    return url


@pytest.fixture(scope="session")
async def bank_registry_app(bank_url: str, settings: Settings) -> AsyncIterator[Any]:
    from services.registry.app import create_registry_app

    app = create_registry_app(settings, bank_url)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def registry_client(bank_registry_app: Any, settings: Settings) -> AsyncIterator[RegistryClient]:
    """The credit bank's signed line to the registry, over ASGI instead of a socket."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=bank_registry_app), timeout=30)
    yield RegistryClient("http://registry/graphql", settings.require_secret(), http)
    await http.aclose()


@pytest.fixture(scope="session")
async def credits_app(
    bank_url: str, settings: Settings, registry_client: RegistryClient
) -> AsyncIterator[Any]:
    from services.credits.app import create_credits_app

    app = create_credits_app(settings, bank_url, registry=registry_client, follow_feed=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def credits(credits_app: Any, settings: Settings) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=credits_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://credits") as http:
        yield GraphQLClient(http, settings.require_secret())


@pytest.fixture(scope="session")
async def credits_db(bank_url: str) -> AsyncIterator[Database]:
    db = await Database.connect(bank_url, "credits", max_size=20)
    yield db
    await db.close()


@pytest.fixture(scope="session")
async def bank_registry_db(bank_url: str) -> AsyncIterator[Database]:
    db = await Database.connect(bank_url, "registry")
    yield db
    await db.close()


_serial = itertools.count(secrets.randbelow(500_000))


def new_curp() -> str:
    """A CURP no other test uses (valid in form; the digits are a serial, not a birth date)."""
    return f"XAXX{next(_serial):06d}HDFRRN0{secrets.randbelow(10)}"


@dataclass
class Issuer:
    """Issues real certificates through the registry's own rules (accredited body, two people)."""

    db: Database
    salt: bytes
    holders: dict[str, str] = field(default_factory=dict)  # folio -> the CURP it was issued to

    def curp_of(self, folio: str) -> str:
        """The holder's CURP, which the learner hands a registrar with the folio."""
        return self.holders[folio]

    async def issue(
        self, standard_code: str = "EC1121", issued_on: date = date(2025, 3, 14), curp: str | None = None
    ) -> tuple[str, str]:
        """A new certificate: (folio, holderRef)."""
        body = "ECE-00009" if standard_code != "EC0217.01" else "ECE-00001"
        evaluator = "EV-SAMPLE-1" if body == "ECE-00009" else "EV-SAMPLE-2"
        curp = curp or new_curp()
        folio = await registry_rules.issue_certificate(
            self.db,
            registry_rules.Issue(
                standard_code=standard_code,
                body_id=body,
                evaluator_id=evaluator,
                holder_curp=curp,
                holder_name="Persona De Prueba",
                issued_on=issued_on,
                idempotency_key=secrets.token_hex(8),
            ),
            Caller(role="certifier", subject=f"test:certifier-{body}", scope=body),
            self.salt,
        )
        self.holders[folio] = curp
        return folio, registry_rules.holder_ref(self.salt, curp)

    async def revoke(self, folio: str, on: date = date(2025, 9, 1)) -> None:
        body = await self.db.fetchval("SELECT body_id FROM certificates WHERE folio = $1", folio)
        await registry_rules.revoke_certificate(
            self.db,
            folio,
            "Evidence found invalid (test).",
            on,
            Caller(role="certifier", subject="test", scope=body),
        )


@pytest.fixture(scope="session")
def issuer(bank_registry_db: Database, settings: Settings) -> Issuer:
    return Issuer(bank_registry_db, settings.require_curp_salt())


@dataclass
class Campus:
    """A fresh institution with one programme, so tests do not see each other's rules and postings."""

    institution: str
    program: str
    registrar: dict[str, str]
    colleague: dict[str, str]


@pytest.fixture
async def campus(credits: GraphQLClient) -> Campus:
    return await make_campus(credits)


async def make_campus(
    credits: GraphQLClient,
    *,
    system: str = "SATCA",
    total: float = 100,
    cap: float = 20,
    residency: float = 0,
    max_age: int | None = None,
) -> Campus:
    institution = f"inst-{secrets.token_hex(4)}"
    await credits.data(
        """mutation ($input: InstitutionInput!) { upsertInstitution(input: $input) { id } }""",
        {
            "input": {
                "id": institution,
                "name": "Institución de prueba",
                "country": "MX",
                "creditSystem": system,
            }
        },
        **ADMIN,
    )
    program = f"{institution}-prog"
    await credits.data(
        """mutation ($input: ProgramInput!) { upsertProgram(input: $input) { id } }""",
        {
            "input": {
                "id": program,
                "institutionId": institution,
                "name": "Programa de prueba",
                "awardLevel": "SHORT_CYCLE",
                "totalCredits": total,
                "recognitionCap": cap,
                "residencyCredits": residency,
                "maxCertificateAgeYears": max_age,
            }
        },
        **ADMIN,
    )
    return Campus(
        institution=institution,
        program=program,
        registrar={"role": "registrar", "subject": f"{institution}:ana", "scope": institution},
        colleague={"role": "registrar", "subject": f"{institution}:beto", "scope": institution},
    )


PROPOSE = """mutation ($input: EquivalenceRuleInput!) {
  proposeEquivalenceRule(input: $input) { id status versions credits }
}"""
APPROVE = "mutation ($id: ID!) { approveEquivalenceRule(id: $id) { id status approvedOn } }"


async def approved_rule(client: GraphQLClient, campus: Campus, **fields: Any) -> str:
    """A rule proposed by one registrar of the campus and approved by another: its id."""
    given = {
        "institutionId": campus.institution,
        "programId": campus.program,
        "versions": ["EC1121"],
        "credits": 6,
        "creditLevel": "VOCATIONAL",
        "validFrom": "2020-01-01",
        "evidence": "Curriculum comparison (test).",
        **fields,
    }
    rule = (await client.data(PROPOSE, {"input": given}, **campus.registrar))["proposeEquivalenceRule"]
    await client.data(APPROVE, {"id": rule["id"]}, **campus.colleague)
    return rule["id"]
