"""The rules of the source documents, enforced by the registry's mutations.

Every test builds its own committee, bodies and standards (codes EC9000 and up, ids prefixed with
`TR-`), so nothing here touches the sample rows other tests read. At the end of the module the
standards published here are withdrawn again, so the published set is the sample's once more.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from services.common.db import Database
from services.common.pagination import encode_cursor
from services.common.settings import Settings
from services.registry import rules
from tests.conftest import GraphQLClient

ADMIN: dict[str, Any] = {"role": "admin", "subject": "admin:rules-tests"}

SUBMIT = """mutation($input: SubmitStandardInput!) {
  submitStandard(input: $input) { code status version supersedes { code } equivalentToPrevious }
}"""
NOMINATE = """mutation($code: String!, $body: ID!) {
  nominateCertificationBody(standardCode: $code, bodyId: $body) { code status }
}"""
PUBLISH = """mutation($code: String!, $on: Date!) {
  publishStandard(code: $code, publishedOn: $on) { code status publishedOn }
}"""
WITHDRAW = """mutation($code: String!, $on: Date!) {
  withdrawStandard(code: $code, withdrawnOn: $on) { code status withdrawnOn }
}"""
ACCREDIT = """mutation($body: ID!, $code: String!, $from: Date, $to: Date) {
  accreditCertificationBody(bodyId: $body, standardCode: $code, validFrom: $from, validTo: $to) { id }
}"""
REGISTER = """mutation($id: ID!, $body: ID!, $person: String!, $name: String!) {
  registerEvaluator(id: $id, bodyId: $body, personRef: $person, displayName: $name) { id active }
}"""
ISSUE = """mutation($input: IssueCertificateInput!) {
  issueCertificate(input: $input) {
    folio standardCode status scope elementCodes issuedOn holderName certifyingPerson
  }
}"""
REVOKE = """mutation($folio: String!, $reason: String!, $on: Date) {
  revokeCertificate(folio: $folio, reason: $reason, revokedOn: $on) {
    folio status revokedOn revocationReason
  }
}"""
CERTIFICATE = """query($folio: String!) {
  certificate(folio: $folio) { folio status revokedOn revocationReason holderName }
}"""
STANDARD = "query($code: String!) { standard(code: $code) { code status } }"
CHANGES = """query($after: String, $first: Int) {
  registryChanges(after: $after, first: $first) {
    edges { node { seq entity key operation data } }
    pageInfo { hasNextPage endCursor }
  }
}"""

_codes = itertools.count(9000)
_curps = itertools.count(100000)


def fresh_code() -> str:
    return f"EC{next(_codes):04d}"


def fresh_curp() -> str:
    """A CURP-shaped value no other test uses (the sample holder's is XAXX010101HDFRRN09)."""
    return f"ROGA{next(_curps):06d}HDFRRN09"


def fresh_key() -> str:
    return f"rules-{secrets.token_hex(8)}"


@dataclass
class World:
    """A committee with a published standard, three nominated bodies and an accredited one."""

    tag: str
    committee: str
    bodies: list[str]
    code: str
    evaluator: str
    certifier: str  # the certifying person of bodies[0]

    def committee_caller(self) -> dict[str, Any]:
        return {"role": "committee", "subject": f"person:{self.tag}:committee", "scope": self.committee}

    def certifier_caller(self, body: str | None = None) -> dict[str, Any]:
        return {"role": "certifier", "subject": self.certifier, "scope": body or self.bodies[0]}

    def issue_input(self, **changes: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "standardCode": self.code,
            "bodyId": self.bodies[0],
            "evaluatorId": self.evaluator,
            "holderCurp": fresh_curp(),
            "holderName": "Ana Prueba Reglas",
            "issuedOn": "2025-05-05",
            "idempotencyKey": fresh_key(),
        }
        values.update(changes)
        return values


async def make_committee(db: Database, tag: str) -> str:
    committee = f"TR-C-{tag}"
    await db.execute(
        "INSERT INTO committees (id, name, source) VALUES ($1, $2, 'test')",
        committee, f"Comité de pruebas de reglas {tag}",
    )
    return committee


async def make_bodies(db: Database, tag: str, count: int) -> list[str]:
    bodies = [f"TR-B-{tag}-{i}" for i in range(count)]
    await db.execute(
        "INSERT INTO certification_bodies (id, name, kind, source) "
        "SELECT b, 'Organismo de pruebas ' || b, 'ECE', 'test' FROM unnest($1::text[]) AS b",
        bodies,
    )
    return bodies


def standard_input(code: str, committee: str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": code,
        "title": f"Estándar de prueba {code}",
        "level": 2,
        "sectorCode": "54",
        "committeeId": committee,
    }
    values.update(extra)
    return values


async def submit(
    registry: GraphQLClient, committee: str, code: str, **extra: Any
) -> dict[str, Any]:
    data = await registry.data(
        SUBMIT, {"input": standard_input(code, committee, **extra)}, role="committee",
        subject="person:committee", scope=committee,
    )
    return data["submitStandard"]


async def nominate(registry: GraphQLClient, committee: str, code: str, body: str) -> None:
    await registry.data(
        NOMINATE, {"code": code, "body": body}, role="committee", subject="person:committee",
        scope=committee,
    )


async def publish_new(registry: GraphQLClient, committee: str, bodies: list[str], **extra: Any) -> str:
    code = fresh_code()
    await submit(registry, committee, code, **extra)
    for body in bodies[:3]:
        await nominate(registry, committee, code, body)
    await registry.data(PUBLISH, {"code": code, "on": "2024-01-15"}, **ADMIN)
    return code


async def register_evaluator(
    registry: GraphQLClient, body: str, evaluator: str, person: str
) -> None:
    await registry.data(
        REGISTER,
        {"id": evaluator, "body": body, "person": person, "name": f"Evaluador {evaluator}"},
        role="certifier", subject=f"person:{body}:certifier", scope=body,
    )


@pytest.fixture(scope="module", autouse=True)
async def withdraw_afterwards(registry_db: Database) -> AsyncIterator[None]:
    """Leave the published set as the sample has it, for the tests that count it."""
    yield
    await registry_db.execute(
        "UPDATE standards SET status = 'withdrawn', withdrawn_on = current_date "
        "WHERE committee_id LIKE 'TR-C-%' AND status <> 'withdrawn'"
    )


@pytest.fixture
async def world(registry: GraphQLClient, registry_db: Database) -> World:
    return await make_world(registry, registry_db)


async def make_world(registry: GraphQLClient, registry_db: Database) -> World:
    tag = secrets.token_hex(4)
    committee = await make_committee(registry_db, tag)
    bodies = await make_bodies(registry_db, tag, 4)
    code = await publish_new(registry, committee, bodies)
    await registry.data(ACCREDIT, {"body": bodies[0], "code": code}, **ADMIN)
    evaluator = f"TR-EV-{tag}"
    await register_evaluator(registry, bodies[0], evaluator, f"person:{tag}:evaluator")
    return World(
        tag=tag, committee=committee, bodies=bodies, code=code, evaluator=evaluator,
        certifier=f"person:{tag}:certifier",
    )


async def certificates_of_body(db: Database, body: str) -> int:
    return await db.fetchval("SELECT count(*) FROM certificates WHERE body_id = $1", body)


# --- publication needs three nominated bodies ------------------------------------------------


async def test_publishing_needs_three_nominated_bodies(
    registry: GraphQLClient, registry_db: Database
) -> None:
    tag = secrets.token_hex(4)
    committee = await make_committee(registry_db, tag)
    bodies = await make_bodies(registry_db, tag, 3)
    code = fresh_code()
    submitted = await submit(registry, committee, code)
    assert submitted["status"] == "SUBMITTED"

    await nominate(registry, committee, code, bodies[0])
    await nominate(registry, committee, code, bodies[1])
    error = await registry.error(PUBLISH, {"code": code, "on": "2024-02-01"}, **ADMIN)
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"].get("nominations") == 2
    still = await registry.data(STANDARD, {"code": code})
    assert still["standard"]["status"] == "SUBMITTED"

    await nominate(registry, committee, code, bodies[2])
    published = await registry.data(PUBLISH, {"code": code, "on": "2024-02-01"}, **ADMIN)
    assert published["publishStandard"] == {"code": code, "status": "PUBLISHED", "publishedOn": "2024-02-01"}

    again = await registry.error(PUBLISH, {"code": code, "on": "2024-03-01"}, **ADMIN)
    assert again["extensions"]["code"] == "CONFLICT"


async def test_nominating_one_body_twice_counts_once(
    registry: GraphQLClient, registry_db: Database
) -> None:
    tag = secrets.token_hex(4)
    committee = await make_committee(registry_db, tag)
    bodies = await make_bodies(registry_db, tag, 2)
    code = fresh_code()
    await submit(registry, committee, code)
    for body in (bodies[0], bodies[0], bodies[0], bodies[1]):
        await nominate(registry, committee, code, body)
    error = await registry.error(PUBLISH, {"code": code, "on": "2024-02-01"}, **ADMIN)
    assert error["extensions"]["code"] == "CONFLICT"


async def test_new_version_records_what_it_supersedes(
    registry: GraphQLClient, registry_db: Database
) -> None:
    committee = await make_committee(registry_db, secrets.token_hex(4))
    base = fresh_code()
    await submit(registry, committee, base)
    version = await submit(registry, committee, f"{base.lower()}.01 ", equivalentToPrevious=True)
    assert version["code"] == f"{base}.01"
    assert version["version"] == 1
    assert version["supersedes"] == {"code": base}
    assert version["equivalentToPrevious"] is True
    duplicate = await registry.error(
        SUBMIT, {"input": standard_input(base, committee)}, role="committee", scope=committee
    )
    assert duplicate["extensions"]["code"] == "CONFLICT"


# --- who may certify -------------------------------------------------------------------------


async def test_evaluator_and_certifying_person_must_differ(registry: GraphQLClient, world: World) -> None:
    same_person = f"TR-EV-{world.tag}-self"
    await register_evaluator(registry, world.bodies[0], same_person, world.certifier)

    error = await registry.error(
        ISSUE, {"input": world.issue_input(evaluatorId=same_person)}, **world.certifier_caller()
    )
    assert error["extensions"]["code"] == "CONFLICT"

    issued = await registry.data(ISSUE, {"input": world.issue_input()}, **world.certifier_caller())
    certificate = issued["issueCertificate"]
    assert certificate["status"] == "VALID"
    assert certificate["certifyingPerson"] == world.certifier
    assert certificate["holderName"] == "A*** P*** R***"


async def test_a_certifier_cannot_evaluate_under_their_own_name(
    registry: GraphQLClient, world: World
) -> None:
    """The rule compared the evaluator with the certifier's key only: a certifier whose key names her
    could register herself as an evaluator by name and assess her own candidates."""
    herself = f"TR-EV-{world.tag}-herself"
    await register_evaluator(registry, world.bodies[0], herself, "Lucía  Ortega certificadora")
    named = {**world.certifier_caller(), "person": "Lucía Ortega Certificadora"}
    error = await registry.error(ISSUE, {"input": world.issue_input(evaluatorId=herself)}, **named)
    assert error["extensions"]["code"] == "CONFLICT" and "different people" in error["message"]
    # Another person of the body may certify what she evaluated.
    colleague = {**world.certifier_caller(), "subject": "apikey:colleague", "person": "Raúl Vega"}
    issued = await registry.data(ISSUE, {"input": world.issue_input(evaluatorId=herself)}, **colleague)
    assert issued["issueCertificate"]["certifyingPerson"] == "Raúl Vega"


async def test_evaluator_of_another_body_is_refused(registry: GraphQLClient, world: World) -> None:
    other = f"TR-EV-{world.tag}-other"
    await register_evaluator(registry, world.bodies[1], other, f"person:{world.tag}:other")
    error = await registry.error(
        ISSUE, {"input": world.issue_input(evaluatorId=other)}, **world.certifier_caller()
    )
    assert error["extensions"]["code"] == "CONFLICT"


async def test_body_must_be_accredited_on_the_issue_date(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    body = world.bodies[1]  # nominated, not yet accredited
    evaluator = f"TR-EV-{world.tag}-b1"
    await register_evaluator(registry, body, evaluator, f"person:{world.tag}:evaluator-b1")
    caller = world.certifier_caller(body)

    def attempt(on: str) -> dict[str, Any]:
        return {"input": world.issue_input(bodyId=body, evaluatorId=evaluator, issuedOn=on)}

    nominated_only = await registry.error(ISSUE, attempt("2024-06-01"), **caller)
    assert nominated_only["extensions"]["code"] == "CONFLICT"

    await registry.data(
        ACCREDIT, {"body": body, "code": world.code, "from": "2024-02-01", "to": "2024-12-31"}, **ADMIN
    )
    for outside in ("2024-01-31", "2025-01-01"):
        error = await registry.error(ISSUE, attempt(outside), **caller)
        assert error["extensions"]["code"] == "CONFLICT", outside
    assert await certificates_of_body(registry_db, body) == 0

    for inside in ("2024-02-01", "2024-12-31"):
        issued = await registry.data(ISSUE, attempt(inside), **caller)
        assert issued["issueCertificate"]["issuedOn"] == inside
    assert await certificates_of_body(registry_db, body) == 2


async def test_withdrawn_standard_cannot_be_certified(registry: GraphQLClient, world: World) -> None:
    withdrawn = await registry.data(WITHDRAW, {"code": world.code, "on": "2025-01-01"}, **ADMIN)
    assert withdrawn["withdrawStandard"]["status"] == "WITHDRAWN"
    error = await registry.error(ISSUE, {"input": world.issue_input()}, **world.certifier_caller())
    assert error["extensions"]["code"] == "CONFLICT"


async def test_submitted_standard_cannot_be_certified(registry: GraphQLClient, world: World) -> None:
    code = fresh_code()
    await submit(registry, world.committee, code)
    await registry.data(ACCREDIT, {"body": world.bodies[0], "code": code}, **ADMIN)
    error = await registry.error(
        ISSUE, {"input": world.issue_input(standardCode=code)}, **world.certifier_caller()
    )
    assert error["extensions"]["code"] == "CONFLICT"


async def test_certification_of_some_elements(registry: GraphQLClient, registry_db: Database) -> None:
    tag = secrets.token_hex(4)
    committee = await make_committee(registry_db, tag)
    bodies = await make_bodies(registry_db, tag, 3)
    elements = [
        {
            "code": "E9001",
            "title": "Preparar la prueba",
            "criteria": [{"kind": "PERFORMANCE", "text": "Prepara"}],
        },
        {"code": "E9002", "title": "Conducir la prueba"},
    ]
    code = await publish_new(registry, committee, bodies, elements=elements)
    await registry.data(ACCREDIT, {"body": bodies[0], "code": code}, **ADMIN)
    await register_evaluator(registry, bodies[0], f"TR-EV-{tag}", f"person:{tag}:evaluator")
    world = World(tag, committee, bodies, code, f"TR-EV-{tag}", f"person:{tag}:certifier")

    part = await registry.data(
        ISSUE, {"input": world.issue_input(elementCodes=["E9002"])}, **world.certifier_caller()
    )
    assert part["issueCertificate"]["scope"] == "ELEMENTS"
    assert part["issueCertificate"]["elementCodes"] == ["E9002"]
    whole = await registry.data(ISSUE, {"input": world.issue_input()}, **world.certifier_caller())
    assert whole["issueCertificate"]["scope"] == "WHOLE"
    unknown = await registry.error(
        ISSUE, {"input": world.issue_input(elementCodes=["E0000"])}, **world.certifier_caller()
    )
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"


# --- issue dates -----------------------------------------------------------------------------


async def test_issue_date_is_not_in_the_future_nor_before_publication(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    # The standard of `world` was published on 2024-01-15; "today" is Mexico City's, as the registry
    # counts it.
    today = await registry_db.fetchval("SELECT (now() AT TIME ZONE 'America/Mexico_City')::date")
    tomorrow = await registry_db.fetchval("SELECT (now() AT TIME ZONE 'America/Mexico_City')::date + 1")
    for wrong, says in (
        (tomorrow.isoformat(), "in the future"),
        ("2999-01-01", "in the future"),
        ("9999-12-31", "in the future"),  # PostgreSQL's `infinity` as asyncpg sends it
        ("0001-01-01", "published on 2024-01-15"),  # and `-infinity`
        ("2024-01-14", "published on 2024-01-15"),
    ):
        error = await registry.error(
            ISSUE, {"input": world.issue_input(issuedOn=wrong)}, **world.certifier_caller()
        )
        assert error["extensions"]["code"] == "BAD_USER_INPUT", wrong
        assert error["extensions"]["argument"] == "issuedOn"
        assert says in error["message"], error["message"]
    assert await certificates_of_body(registry_db, world.bodies[0]) == 0

    for right in ("2024-01-15", today.isoformat()):
        issued = await registry.data(
            ISSUE, {"input": world.issue_input(issuedOn=right)}, **world.certifier_caller()
        )
        assert issued["issueCertificate"]["issuedOn"] == right
    dates = await registry_db.fetch(
        "SELECT issued_on, isfinite(issued_on) AS finite FROM certificates WHERE body_id = $1",
        world.bodies[0],
    )
    assert all(row["finite"] for row in dates) and len(dates) == 2


async def test_issue_date_floor_when_the_publication_date_is_unknown(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    await registry_db.execute("UPDATE standards SET published_on = NULL WHERE code = $1", world.code)
    error = await registry.error(
        ISSUE, {"input": world.issue_input(issuedOn="1995-08-01")}, **world.certifier_caller()
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "1995-08-02" in error["message"]
    issued = await registry.data(
        ISSUE, {"input": world.issue_input(issuedOn="1995-08-02")}, **world.certifier_caller()
    )
    assert issued["issueCertificate"]["issuedOn"] == "1995-08-02"


# --- idempotency ------------------------------------------------------------------------------


async def test_same_key_twice_returns_the_same_certificate(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    request = {"input": world.issue_input()}
    first = await registry.data(ISSUE, request, **world.certifier_caller())
    second = await registry.data(ISSUE, request, **world.certifier_caller())
    assert first["issueCertificate"]["folio"] == second["issueCertificate"]["folio"]
    assert await certificates_of_body(registry_db, world.bodies[0]) == 1


async def test_same_key_with_other_arguments_is_a_conflict(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    request = world.issue_input()
    first = await registry.data(ISSUE, {"input": request}, **world.certifier_caller())
    for change in ({"issuedOn": "2025-05-06"}, {"holderCurp": fresh_curp()}, {"holderName": "Otra Persona"}):
        error = await registry.error(ISSUE, {"input": {**request, **change}}, **world.certifier_caller())
        assert error["extensions"]["code"] == "CONFLICT", change
        assert error["extensions"].get("folio") == first["issueCertificate"]["folio"]
    assert await certificates_of_body(registry_db, world.bodies[0]) == 1


async def test_concurrent_requests_with_one_key_create_one_certificate(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    request = {"input": world.issue_input()}
    results = await asyncio.gather(
        *(registry.post(ISSUE, request, **world.certifier_caller()) for _ in range(20))
    )
    errors = [r["errors"] for r in results if r.get("errors")]
    assert not errors, errors
    folios = {r["data"]["issueCertificate"]["folio"] for r in results}
    assert len(folios) == 1
    assert await certificates_of_body(registry_db, world.bodies[0]) == 1


async def test_concurrent_requests_with_different_keys_create_one_each(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    results = await asyncio.gather(
        *(registry.post(ISSUE, {"input": world.issue_input()}, **world.certifier_caller()) for _ in range(10))
    )
    assert not [r["errors"] for r in results if r.get("errors")]
    assert len({r["data"]["issueCertificate"]["folio"] for r in results}) == 10
    assert await certificates_of_body(registry_db, world.bodies[0]) == 10


# --- revocation and the change feed ----------------------------------------------------------


async def test_revocation_keeps_the_certificate_and_feeds_both_changes(
    registry: GraphQLClient, registry_db: Database, settings: Settings, world: World
) -> None:
    since = await registry_db.fetchval("SELECT coalesce(max(seq), 0) FROM change_log")
    curp = fresh_curp()
    issued = await registry.data(
        ISSUE, {"input": world.issue_input(holderCurp=curp)}, **world.certifier_caller()
    )
    folio = issued["issueCertificate"]["folio"]
    masked = issued["issueCertificate"]["holderName"]

    revoked = await registry.data(
        REVOKE, {"folio": folio, "reason": "Evidencia apócrifa", "on": "2025-07-01"},
        **world.certifier_caller(),
    )
    assert revoked["revokeCertificate"] == {
        "folio": folio, "status": "REVOKED", "revokedOn": "2025-07-01",
        "revocationReason": "Evidencia apócrifa",
    }
    kept = await registry.data(CERTIFICATE, {"folio": folio}, **ADMIN)
    assert kept["certificate"]["status"] == "REVOKED"
    assert kept["certificate"]["revocationReason"] == "Evidencia apócrifa"
    assert await registry_db.fetchval("SELECT count(*) FROM certificates WHERE folio = $1", folio) == 1
    public = await registry.data(
        "query($folio: String!) { verifyCertificate(folio: $folio) { status } }", {"folio": folio}
    )
    assert public["verifyCertificate"]["status"] == "REVOKED"

    twice = await registry.error(
        REVOKE, {"folio": folio, "reason": "Otra vez"}, **world.certifier_caller()
    )
    assert twice["extensions"]["code"] == "CONFLICT"

    feed = await registry.data(CHANGES, {"after": encode_cursor([since]), "first": 500}, **ADMIN)
    mine = [
        e["node"] for e in feed["registryChanges"]["edges"]
        if e["node"]["entity"] == "certificate" and e["node"]["key"] == folio
    ]
    assert [c["operation"] for c in mine] == ["created", "updated"]
    assert mine[0]["data"]["status"] == "valid"
    assert mine[1]["data"]["status"] == "revoked"
    assert mine[1]["data"]["revoked_on"] == "2025-07-01"
    holder = rules.holder_ref(settings.require_curp_salt(), curp)
    for change in mine:
        assert not [k for k in change["data"] if "holder" in k or "name" in k], change["data"]
        text = json.dumps(change["data"], ensure_ascii=False)
        for secret in (holder, curp, masked, "Ana Prueba Reglas"):
            assert secret not in text


async def test_another_body_cannot_revoke(registry: GraphQLClient, world: World) -> None:
    issued = await registry.data(ISSUE, {"input": world.issue_input()}, **world.certifier_caller())
    folio = issued["issueCertificate"]["folio"]
    error = await registry.error(
        REVOKE, {"folio": folio, "reason": "No es mío"}, **world.certifier_caller(world.bodies[1])
    )
    assert error["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND")
    public = await registry.error(REVOKE, {"folio": folio, "reason": "No"})
    assert public["extensions"]["code"] == "FORBIDDEN"
    kept = await registry.data(CERTIFICATE, {"folio": folio}, **ADMIN)
    assert kept["certificate"]["status"] == "VALID"


# --- roles ------------------------------------------------------------------------------------


async def test_public_cannot_write(registry: GraphQLClient, registry_db: Database, world: World) -> None:
    code = fresh_code()
    submission = {"input": standard_input(code, world.committee)}
    attempts: list[tuple[str, dict[str, Any]]] = [
        (SUBMIT, submission),
        (NOMINATE, {"code": world.code, "body": world.bodies[3]}),
        (PUBLISH, {"code": world.code, "on": "2025-01-01"}),
        (ACCREDIT, {"body": world.bodies[3], "code": world.code}),
        (ISSUE, {"input": world.issue_input()}),
    ]
    for query, variables in attempts:
        error = await registry.error(query, variables, role="public")
        assert error["extensions"]["code"] == "FORBIDDEN", query
    assert await registry_db.fetchval("SELECT count(*) FROM standards WHERE code = $1", code) == 0
    assert await certificates_of_body(registry_db, world.bodies[0]) == 0


async def test_only_admin_publishes_and_accredits(registry: GraphQLClient, world: World) -> None:
    code = fresh_code()
    await submit(registry, world.committee, code)
    for body in world.bodies[:3]:
        await nominate(registry, world.committee, code, body)
    for who in (world.committee_caller(), world.certifier_caller()):
        error = await registry.error(PUBLISH, {"code": code, "on": "2025-01-01"}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN"
        error = await registry.error(ACCREDIT, {"body": world.bodies[0], "code": code}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN"


async def test_certifier_of_another_body_cannot_issue(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    other = {"role": "certifier", "subject": "person:someone-else", "scope": world.bodies[1]}
    error = await registry.error(ISSUE, {"input": world.issue_input()}, **other)
    assert error["extensions"]["code"] == "FORBIDDEN"
    unscoped = {"role": "certifier", "subject": "person:someone-else"}
    error = await registry.error(ISSUE, {"input": world.issue_input()}, **unscoped)
    assert error["extensions"]["code"] == "FORBIDDEN"
    registrar = await registry.error(ISSUE, {"input": world.issue_input()}, role="registrar", scope="UNI-1")
    assert registrar["extensions"]["code"] == "FORBIDDEN"
    assert await certificates_of_body(registry_db, world.bodies[0]) == 0


async def test_certifier_cannot_register_evaluators_for_another_body(
    registry: GraphQLClient, world: World
) -> None:
    error = await registry.error(
        REGISTER,
        {"id": f"TR-EV-{world.tag}-x", "body": world.bodies[0], "person": "person:x", "name": "X"},
        **world.certifier_caller(world.bodies[1]),
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_committee_cannot_act_for_another_committee(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    other = await make_committee(registry_db, secrets.token_hex(4))
    code = fresh_code()
    error = await registry.error(
        SUBMIT,
        {"input": standard_input(code, world.committee)},
        role="committee", subject="person:other", scope=other,
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await registry_db.fetchval("SELECT count(*) FROM standards WHERE code = $1", code) == 0

    pending = fresh_code()
    await submit(registry, world.committee, pending)
    error = await registry.error(
        NOMINATE, {"code": pending, "body": world.bodies[0]}, role="committee", scope=other
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await registry_db.fetchval(
        "SELECT count(*) FROM nominations WHERE standard_code = $1", pending
    ) == 0


async def test_issue_rejects_bad_input(registry: GraphQLClient, world: World) -> None:
    for change in ({"holderCurp": "NOT-A-CURP"}, {"idempotencyKey": "short"}, {"holderName": "   "}):
        request = {"input": world.issue_input(**change)}
        error = await registry.error(ISSUE, request, **world.certifier_caller())
        assert error["extensions"]["code"] == "BAD_USER_INPUT", change
    unknown = await registry.error(
        ISSUE, {"input": world.issue_input(standardCode="EC7990")}, **world.certifier_caller()
    )
    assert unknown["extensions"]["code"] == "NOT_FOUND"

