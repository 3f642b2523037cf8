"""Nobody sees what is not theirs (issue 13): who reads a learner's certificates, who sees the person
who certified, and what the change feed shows to whom (services/registry/privacy.py).

Each test builds its own committee, bodies and standard (the `world` of test_rules.py) and uses
institutions of its own, so the disclosures it records concern nobody else.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.common.db import Database
from services.common.pagination import encode_cursor
from tests.conftest import GraphQLClient
from tests.registry.disclosure import credit_bank, deposit_check
from tests.registry.test_rules import (
    ACCREDIT,
    ADMIN,
    CHANGES,
    ISSUE,
    World,
    fresh_curp,
    make_world,
    register_evaluator,
)

LEARNER = """query($ref: String) { learner(holderRef: $ref) { certificates { folio } } }"""
CERTIFICATE = """query($folio: String!) { certificate(folio: $folio) { folio certifyingPerson } }"""
ENTITIES = """query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Certificate { folio holder { holderRef } } }
}"""


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


def registrar(institution: str) -> dict[str, Any]:
    return {"role": "registrar", "subject": f"apikey:{secrets.token_hex(6)}", "scope": institution}


async def issue(registry: GraphQLClient, world: World, curp: str, **caller: Any) -> str:
    who = {**world.certifier_caller(), **caller}
    data = await registry.data(ISSUE, {"input": world.issue_input(holderCurp=curp)}, **who)
    folio: str = data["issueCertificate"]["folio"]
    return folio


async def test_a_registrar_sees_a_learners_certificates_only_once_one_was_deposited_there(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    curp = fresh_curp()
    first, second = [await issue(registry, world, curp) for _ in range(2)]
    holder = await registry_db.fetchval("SELECT holder_ref FROM certificates WHERE folio = $1", first)
    ours, theirs = registrar(f"UNI-{world.tag}-A"), registrar(f"UNI-{world.tag}-B")

    for who in (ours, theirs):
        assert await registry.data(LEARNER, {"ref": holder}, **who) == {"learner": {"certificates": []}}
        error = await registry.error(CERTIFICATE, {"folio": first}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "deposited" in error["message"]
    # A registrar cannot disclose a learner to itself by asking for the certificate the way the
    # credit bank does: only the credit bank's deposit check records a disclosure.
    own = await registry.post(
        ENTITIES, {"representations": [{"__typename": "Certificate", "folio": first}]}, **ours
    )
    assert own["data"]["_entities"] == [None] and own["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not await registry_db.fetchval("SELECT true FROM disclosures WHERE holder_ref = $1", holder)

    checked = await deposit_check(registry, first, ours["scope"])
    assert checked["holder"] == {"holderRef": holder}
    learner = await registry.data(LEARNER, {"ref": holder}, **ours)
    assert [c["folio"] for c in learner["learner"]["certificates"]] == [first, second]
    assert (await registry.data(CERTIFICATE, {"folio": second}, **ours))["certificate"]["folio"] == second
    # The other institution still sees nothing; a second check at ours records nothing new.
    assert await registry.data(LEARNER, {"ref": holder}, **theirs) == {"learner": {"certificates": []}}
    await deposit_check(registry, second, ours["scope"])
    rows = await registry_db.fetch(
        "SELECT institution_id, folio FROM disclosures WHERE holder_ref = $1", holder
    )
    assert [(r["institution_id"], r["folio"]) for r in rows] == [(ours["scope"], first)]


async def test_the_certifying_person_is_recorded_and_shown_to_the_body_and_admins_only(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    folio = await issue(registry, world, fresh_curp(), person="Lucía Ortega Certificadora")
    row = await registry_db.fetchrow(
        "SELECT certifying_person, certifying_key FROM certificates WHERE folio = $1", folio
    )
    assert row["certifying_person"] == "Lucía Ortega Certificadora"
    assert row["certifying_key"] == world.certifier

    for who in (world.certifier_caller(), ADMIN):
        shown = await registry.data(CERTIFICATE, {"folio": folio}, **who)
        assert shown["certificate"]["certifyingPerson"] == "Lucía Ortega Certificadora", who
    institution = registrar(f"UNI-{world.tag}-P")
    await deposit_check(registry, folio, institution["scope"])
    hidden = await registry.data(CERTIFICATE, {"folio": folio}, **institution)
    assert hidden["certificate"] == {"folio": folio, "certifyingPerson": None}

    # A key not yet named: its id stands for the person, as before.
    unnamed = await issue(registry, world, fresh_curp())
    shown = await registry.data(CERTIFICATE, {"folio": unnamed}, **world.certifier_caller())
    assert shown["certificate"]["certifyingPerson"] == world.certifier


async def feed_certificates(
    registry: GraphQLClient, since: int, **who: Any
) -> tuple[set[str], int, set[str]]:
    """The certificate folios of the feed after `since` as `who` sees it, its totalCount, its entities."""
    query = CHANGES.replace("pageInfo {", "totalCount pageInfo {")
    data = await registry.data(query, {"after": encode_cursor([since]), "first": 500}, **who)
    nodes = [e["node"] for e in data["registryChanges"]["edges"]]
    assert not data["registryChanges"]["pageInfo"]["hasNextPage"]
    folios = {n["key"] for n in nodes if n["entity"] == "certificate"}
    return folios, data["registryChanges"]["totalCount"], {n["entity"] for n in nodes}


async def test_certificate_events_are_for_those_who_may_see_the_certificate(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    since = await registry_db.fetchval("SELECT coalesce(max(seq), 0) FROM change_log")
    # An accreditation (public), and certificates of two bodies.
    await registry.data(ACCREDIT, {"body": world.bodies[1], "code": world.code}, **ADMIN)
    evaluator = f"TR-EV-{world.tag}-privacy"
    await register_evaluator(registry, world.bodies[1], evaluator, f"person:{world.tag}:ev-privacy")
    ours = await issue(registry, world, fresh_curp())
    other_body = world.certifier_caller(world.bodies[1])
    theirs = (
        await registry.data(
            ISSUE,
            {"input": world.issue_input(bodyId=world.bodies[1], evaluatorId=evaluator)},
            **other_body,
        )
    )["issueCertificate"]["folio"]
    mine = {ours, theirs}

    public, public_total, entities = await feed_certificates(registry, since)
    assert public == set() and "accreditation" in entities
    admin, _, _ = await feed_certificates(registry, since, **ADMIN)
    assert mine <= admin
    # The count hides them from the public too (whether totalCount counts from the cursor or the start).
    public_counts = {
        await registry_db.fetchval(
            "SELECT count(*) FROM change_log WHERE entity <> 'certificate' AND seq > $1", start
        )
        for start in (since, 0)
    }
    assert public_total in public_counts
    body, _, _ = await feed_certificates(registry, since, **world.certifier_caller())
    assert ours in body and theirs not in body
    for who in ({"role": "committee", "scope": world.committee}, {"role": "taskforce", "scope": "MX"}):
        assert (await feed_certificates(registry, since, **who))[0] == set(), who

    institution = registrar(f"UNI-{world.tag}-F")
    assert (await feed_certificates(registry, since, **institution))[0] & mine == set()
    await deposit_check(registry, theirs, institution["scope"])
    assert (await feed_certificates(registry, since, **institution))[0] & mine == {theirs}
    # The credit bank's feed follower acts for every institution: it sees the disclosed certificates.
    follower = {k: v for k, v in credit_bank("-").items() if k != "scope"}
    assert (await feed_certificates(registry, since, **follower))[0] & mine == {theirs}
