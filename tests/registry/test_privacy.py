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

    checked = await deposit_check(registry, first, ours["scope"], curp)
    assert checked["holder"] == {"holderRef": holder}
    learner = await registry.data(LEARNER, {"ref": holder}, **ours)
    assert [c["folio"] for c in learner["learner"]["certificates"]] == [first, second]
    assert (await registry.data(CERTIFICATE, {"folio": second}, **ours))["certificate"]["folio"] == second
    # The other institution still sees nothing; a second check at ours records nothing new.
    assert await registry.data(LEARNER, {"ref": holder}, **theirs) == {"learner": {"certificates": []}}
    await deposit_check(registry, second, ours["scope"], curp)
    rows = await registry_db.fetch(
        "SELECT institution_id, folio FROM disclosures WHERE holder_ref = $1", holder
    )
    assert [(r["institution_id"], r["folio"]) for r in rows] == [(ours["scope"], first)]


async def test_a_deposit_check_needs_the_holders_curp_and_refuses_alike_whatever_is_wrong(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    """Issue 13: a registrar depositing a guessed folio learnt who held it, since the deposit counted as
    the learner's consent. Now a registrar's deposit must carry the holder's CURP; without it, with
    someone else's or a malformed one, and for a folio that does not exist, the answer is the same null
    and nothing is disclosed."""
    curp = fresh_curp()
    folio = await issue(registry, world, curp)
    holder = await registry_db.fetchval("SELECT holder_ref FROM certificates WHERE folio = $1", folio)
    guesser = f"UNI-{world.tag}-G"
    for attempt in (
        {"folio": folio},  # a folio alone
        {"folio": folio, "holderCurp": fresh_curp()},  # another person's CURP
        {"folio": folio, "holderCurp": "not a curp"},
        {"folio": f"{folio}0", "holderCurp": curp},  # no such folio
    ):
        representations = [{"__typename": "Certificate", **attempt}]
        answer = await registry.post(ENTITIES, {"representations": representations}, **credit_bank(guesser))
        assert answer == {"data": {"_entities": [None]}}, attempt
    assert not await registry_db.fetchval("SELECT true FROM disclosures WHERE holder_ref = $1", holder)
    assert await registry.data(LEARNER, {"ref": holder}, **registrar(guesser)) == {
        "learner": {"certificates": []}
    }

    # The learner hands the CURP over (in any case, with spaces): the check passes and discloses.
    checked = await deposit_check(registry, folio, guesser, f" {curp.lower()} ")
    assert checked == {"folio": folio, "status": "VALID", "holder": {"holderRef": holder}}
    learner = await registry.data(LEARNER, {"ref": holder}, **registrar(guesser))
    assert learner == {"learner": {"certificates": [{"folio": folio}]}}


async def test_an_admins_deposit_may_come_without_the_curp(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    """The credit bank signs an admin's deposit with the admin role: admins see every certificate, so the
    CURP is not asked of them; if one is given, it must still be the holder's."""
    folio = await issue(registry, world, fresh_curp())
    institution = f"UNI-{world.tag}-ADM"
    admins_deposit = {**credit_bank(institution), "role": "admin"}
    wrong = [{"__typename": "Certificate", "folio": folio, "holderCurp": fresh_curp()}]
    answer = await registry.post(ENTITIES, {"representations": wrong}, **admins_deposit)
    assert answer == {"data": {"_entities": [None]}}
    plain = [{"__typename": "Certificate", "folio": folio}]
    found = await registry.data(ENTITIES, {"representations": plain}, **admins_deposit)
    assert found["_entities"][0]["folio"] == folio
    rows = await registry_db.fetch("SELECT institution_id FROM disclosures WHERE folio = $1", folio)
    assert [r["institution_id"] for r in rows] == [institution]


async def test_the_certifying_person_is_recorded_and_shown_to_the_body_and_admins_only(
    registry: GraphQLClient, registry_db: Database, world: World
) -> None:
    curp = fresh_curp()
    folio = await issue(registry, world, curp, person="Lucía Ortega Certificadora")
    row = await registry_db.fetchrow(
        "SELECT certifying_person, certifying_key FROM certificates WHERE folio = $1", folio
    )
    assert row["certifying_person"] == "Lucía Ortega Certificadora"
    assert row["certifying_key"] == world.certifier

    for who in (world.certifier_caller(), ADMIN):
        shown = await registry.data(CERTIFICATE, {"folio": folio}, **who)
        assert shown["certificate"]["certifyingPerson"] == "Lucía Ortega Certificadora", who
    institution = registrar(f"UNI-{world.tag}-P")
    await deposit_check(registry, folio, institution["scope"], curp)
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
    their_holder = fresh_curp()
    theirs = (
        await registry.data(
            ISSUE,
            {
                "input": world.issue_input(
                    bodyId=world.bodies[1], evaluatorId=evaluator, holderCurp=their_holder
                )
            },
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
    await deposit_check(registry, theirs, institution["scope"], their_holder)
    assert (await feed_certificates(registry, since, **institution))[0] & mine == {theirs}
    # The credit bank's feed follower acts for every institution: it sees the disclosed certificates.
    follower = {k: v for k, v in credit_bank("-").items() if k != "scope"}
    assert (await feed_certificates(registry, since, **follower))[0] & mine == {theirs}
