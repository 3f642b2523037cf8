"""A registrar's session on the official data, through the gateway over HTTP with API keys, as a real
client would work (issue 13, acceptance 2).

The registry holds CONOCER's real list (RENEC: standards, committees, certification bodies and their
accreditations, imported from ../shared/data as `qf import renec` does); the credit bank holds two
institutions an admin registers through the API. Then:

1. Ana, registrar of institution A, proposes an equivalence rule for EC0630 (Aplicación de pintura
   automotriz); she cannot approve it herself, not even with a second key; Beto, her colleague, does.
2. Laura, of CONALEP Estado de México (accredited for EC0630 in RENEC), registers an evaluator and
   issues a learner's certificate.
3. The learner hands Ana the folio and their CURP; Ana deposits the certificate (a folio alone, or with
   someone else's CURP, is refused), reads the transcript, and applies the credit.

Carla, registrar of institution B, where the learner never went, and the public must learn nothing of
the learner: not by holderRef or CURP, not in the change feed, not through a transcript or an account, not
by depositing the folio with a guessed CURP, and not from the errors (which answer alike whether or not
there is something to hide).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from gateway.apikeys import create_api_key
from qf.database import migrate_all
from qf.settings import SystemSettings
from services.common.db import Database
from services.common.pagination import encode_cursor
from services.registry.importer import import_renec
from tests.browser.portal_stack import running_system
from tests.conftest import SHARED_DATA

RENEC = SHARED_DATA / "conocer_renec_avala"
STANDARD = "EC0630"  # Aplicación de pintura automotriz
BODY = "ECE-00021"  # CONALEP Estado de México, accredited for EC0630 in RENEC
A, B = "mx-e2e-universidad-a", "mx-e2e-universidad-b"
PROGRAM_A, PROGRAM_B = f"{A}-tsu-pintura", f"{B}-tsu-mecanica"
CURP = "PERL990312MMCRZR04"  # the learner's (made up, well formed); never stored by the system
LEARNER_NAME = "Lucía Pérez Ruiz"

PEOPLE = {  # who holds each key: (role, scope, the person named on the key)
    "admin": ("admin", None, "Operación del registro"),
    "ana": ("registrar", A, "Ana Morales Díaz"),
    "ana_second_key": ("registrar", A, "Ana Morales Díaz"),
    "beto": ("registrar", A, "Beto Salinas Cruz"),
    "carla": ("registrar", B, "Carla Núñez Vega"),
    "laura": ("certifier", BODY, "Laura Ibarra Campos"),
}


@dataclass(frozen=True)
class Gateway:
    """Our gateway as a client sees it: GraphQL over HTTP, with a key or anonymously."""

    url: str
    keys: dict[str, str]

    async def post(self, query: str, variables: dict[str, Any] | None = None, who: str | None = None) -> Any:
        headers = {"authorization": f"Bearer {self.keys[who]}"} if who else {}
        async with httpx.AsyncClient(timeout=30) as http:
            answer = await http.post(
                self.url, json={"query": query, "variables": variables or {}}, headers=headers
            )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, who: str | None = None) -> Any:
        body = await self.post(query, variables, who)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None, who: str | None = None) -> Any:
        body = await self.post(query, variables, who)
        assert body.get("errors"), f"expected an error, got {body}"
        return body["errors"][0]


@dataclass(frozen=True)
class Session:
    """What the registrar's session left: the gateway, the learner's certificate, what Ana was answered."""

    gateway: Gateway
    folio: str
    holder: str
    feed_start: str  # a cursor of the change feed from just before the session
    rule: dict[str, Any]
    transcript: dict[str, Any]
    application: dict[str, Any]


@pytest.fixture(scope="module")
async def official_data(make_database: Callable[[], Any]) -> str:
    """A database with every service migrated and RENEC imported (the only dataset the session needs)."""
    if not (RENEC / "extracted" / "ec_standards_api.json").is_file():
        pytest.skip(f"the official RENEC files are not in {RENEC} (../shared/data, beside this checkout)")
    url = await make_database()
    await migrate_all(url)
    registry = await Database.connect(url, "registry")
    try:
        await import_renec(registry, RENEC)
    finally:
        await registry.close()
    return url


async def issue_keys(url: str) -> dict[str, str]:
    """API keys as an operator makes them (`qf apikey create`), each held by a named person."""
    db = await Database.connect(url, "gateway")
    try:
        return {
            name: await create_api_key(db, role, f"e2e {name}", scope, person=person)
            for name, (role, scope, person) in PEOPLE.items()
        }
    finally:
        await db.close()


async def feed_end(url: str) -> str:
    """A cursor after every change the registry has recorded so far."""
    db = await Database.connect(url, "registry")
    try:
        return encode_cursor([await db.fetchval("SELECT coalesce(max(seq), 0) FROM change_log")])
    finally:
        await db.close()


@pytest.fixture(scope="module")
async def gateway(official_data: str, settings: SystemSettings) -> AsyncIterator[Gateway]:
    keys = await issue_keys(official_data)
    async with running_system(official_data, settings) as base:
        yield Gateway(f"{base}/graphql", keys)


INSTITUTION = "mutation ($input: InstitutionInput!) { upsertInstitution(input: $input) { id } }"
PROGRAM = "mutation ($input: ProgramInput!) { upsertProgram(input: $input) { id } }"
STANDARD_PAGE = """query ($code: String!, $on: Date) { standard(code: $code) {
  code title status accreditationsConnection(activeOn: $on, first: 100) { totalCount nodes { body { id } } }
} }"""
PROPOSE = (
    """mutation ($input: EquivalenceRuleInput!) { proposeEquivalenceRule(input: $input) { id status } }"""
)
APPROVE = "mutation ($id: ID!) { approveEquivalenceRule(id: $id) { id status proposedBy approvedBy } }"
REGISTER = """mutation ($id: ID!, $body: ID!, $person: String!, $name: String!) {
  registerEvaluator(id: $id, bodyId: $body, personRef: $person, displayName: $name) { id }
}"""
ISSUE = """mutation ($input: IssueCertificateInput!) {
  issueCertificate(input: $input) { folio status holderName certifyingPerson holder { holderRef } }
}"""
DEPOSIT = """mutation ($folio: String!, $institution: ID!, $key: String!, $curp: String) {
  depositCertificate(folio: $folio, institutionId: $institution, idempotencyKey: $key, holderCurp: $curp) {
    replayed entry { kind folio holderRef standardCode }
  }
}"""
LEARNER = """query ($ref: String, $curp: String, $program: ID!) {
  learner(holderRef: $ref, curp: $curp) {
    holderRef
    certificates { folio standardCode certifyingPerson }
    creditTranscript(programId: $program) {
      recognizedCredits creditsStillNeeded
      lines { folio status credits reason reasonEn exemptedCourses { code } }
    }
  }
}"""
APPLY = """mutation ($holder: String!, $program: ID!, $key: String!) {
  applyCredits(holderRef: $holder, programId: $program, idempotencyKey: $key) {
    appliedCredits totalApplied replayed lines { folio status credits }
  }
}"""
ACCOUNT = """query ($holder: String!, $institution: ID!) {
  creditAccount(holderRef: $holder, institutionId: $institution) { entries { kind folio credits } }
}"""
CERTIFIED_BY = "query ($ref: String) { learner(holderRef: $ref) { certificates { certifyingPerson } } }"
CERTIFICATE = "query ($folio: String!) { certificate(folio: $folio) { folio holder { holderRef } } }"
VERIFY = "query ($folio: String!) { verifyCertificate(folio: $folio) { folio status holderName } }"
FEED = """query ($after: String) {
  registryChanges(after: $after, first: 100) { totalCount nodes { entity key } pageInfo { hasNextPage } }
}"""


async def register_institutions(gateway: Gateway) -> None:
    """The admin registers both institutions and one programme each (SATCA credits)."""
    for institution, program, name, programme in (
        (A, PROGRAM_A, "Universidad A de pruebas", "TSU en pintura automotriz"),
        (B, PROGRAM_B, "Universidad B de pruebas", "TSU en mecánica automotriz"),
    ):
        institution_input = {"id": institution, "name": name, "country": "MX", "creditSystem": "SATCA"}
        await gateway.data(INSTITUTION, {"input": institution_input}, "admin")
        program_input = {
            "id": program,
            "institutionId": institution,
            "name": programme,
            "awardLevel": "SHORT_CYCLE",
            "totalCredits": 180,
            "recognitionCap": 30,
        }
        await gateway.data(PROGRAM, {"input": program_input}, "admin")


async def approved_rule(gateway: Gateway) -> dict[str, Any]:
    """Ana proposes the rule; neither of her keys may approve it; Beto does."""
    rule_input = {
        "institutionId": A,
        "programId": PROGRAM_A,
        "versions": [STANDARD],
        "credits": 6,
        "creditLevel": "VOCATIONAL",
        "validFrom": "2020-01-01",
        "evidence": "Comparación del EC0630 con el plan de estudios de la asignatura Pintura automotriz I.",
        "exemptedCourses": [{"code": "PA-101", "title": "Pintura automotriz I", "credits": 6}],
    }
    proposed = (await gateway.data(PROPOSE, {"input": rule_input}, "ana"))["proposeEquivalenceRule"]
    assert proposed["status"] == "PROPOSED"
    for same_person in ("ana", "ana_second_key"):
        refused = await gateway.error(APPROVE, {"id": proposed["id"]}, same_person)
        assert refused["extensions"]["code"] == "FORBIDDEN", same_person
    rule: dict[str, Any] = (await gateway.data(APPROVE, {"id": proposed["id"]}, "beto"))[
        "approveEquivalenceRule"
    ]
    return rule


async def issued_certificate(gateway: Gateway) -> dict[str, Any]:
    """Laura's body assesses the learner (an evaluator of its own) and Laura certifies."""
    on = date.today() - timedelta(days=30)
    page = (await gateway.data(STANDARD_PAGE, {"code": STANDARD, "on": on.isoformat()}))["standard"]
    assert page["status"] == "PUBLISHED"
    assert {"body": {"id": BODY}} in page["accreditationsConnection"]["nodes"]
    evaluator = {"id": "EV-E2E-0001", "body": BODY, "person": "Mario Ruiz Soto", "name": "Mario Ruiz Soto"}
    await gateway.data(REGISTER, evaluator, "laura")
    # Laura cannot be the evaluator of what she certifies, even registered under her own name.
    herself = {"id": "EV-E2E-0002", "body": BODY, "person": "Laura Ibarra Campos", "name": "Laura Ibarra"}
    await gateway.data(REGISTER, herself, "laura")
    issue = {
        "standardCode": STANDARD,
        "bodyId": BODY,
        "evaluatorId": "EV-E2E-0001",
        "holderCurp": CURP,
        "holderName": LEARNER_NAME,
        "issuedOn": on.isoformat(),
        "idempotencyKey": f"e2e-{secrets.token_hex(8)}",
    }
    own = await gateway.error(ISSUE, {"input": {**issue, "evaluatorId": "EV-E2E-0002"}}, "laura")
    assert own["extensions"]["code"] == "CONFLICT" and "different people" in own["message"]
    certificate: dict[str, Any] = (await gateway.data(ISSUE, {"input": issue}, "laura"))["issueCertificate"]
    assert certificate["status"] == "VALID" and certificate["holderName"] == "L*** P*** R***"
    assert certificate["certifyingPerson"] == "Laura Ibarra Campos"  # the person, not the key
    return certificate


def what(error: dict[str, Any]) -> tuple[str, str | None]:
    """An error's code and the argument it blames."""
    return error["extensions"]["code"], error["extensions"].get("argument")


async def deposit(gateway: Gateway, who: str, institution: str, folio: str, curp: str | None) -> Any:
    variables = {
        "folio": folio,
        "institution": institution,
        "key": f"e2e-{secrets.token_hex(8)}",
        "curp": curp,
    }
    return await gateway.post(DEPOSIT, variables, who)


@pytest.fixture(scope="module")
async def session(gateway: Gateway, official_data: str) -> Session:
    """Ana's session, step by step; each step is checked as it happens."""
    feed_start = await feed_end(official_data)
    await register_institutions(gateway)
    rule = await approved_rule(gateway)
    certificate = await issued_certificate(gateway)
    folio, holder = certificate["folio"], certificate["holder"]["holderRef"]

    # Before the learner comes, Ana sees none of their certificates.
    before = await gateway.data(LEARNER, {"curp": CURP, "program": PROGRAM_A}, "ana")
    assert before["learner"]["certificates"] == [] and before["learner"]["creditTranscript"]["lines"] == []
    # The learner hands over the folio and their CURP; the folio alone, or with a mistyped CURP, is refused.
    alone = await deposit(gateway, "ana", A, folio, None)
    assert what(alone["errors"][0]) == ("BAD_USER_INPUT", "holderCurp")
    mistyped = await deposit(gateway, "ana", A, folio, CURP[:-1] + "5")
    assert mistyped["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    banked = await deposit(gateway, "ana", A, folio, CURP.lower())
    assert "errors" not in banked, banked["errors"]
    entry = banked["data"]["depositCertificate"]["entry"]
    assert entry == {"kind": "DEPOSIT", "folio": folio, "holderRef": holder, "standardCode": STANDARD}

    transcript = (await gateway.data(LEARNER, {"curp": CURP, "program": PROGRAM_A}, "ana"))["learner"]
    key = f"e2e-apply-{secrets.token_hex(6)}"
    apply = {"holder": holder, "program": PROGRAM_A, "key": key}
    application = (await gateway.data(APPLY, apply, "ana"))["applyCredits"]
    replayed = (await gateway.data(APPLY, apply, "beto"))["applyCredits"]
    assert replayed == {**application, "replayed": True}  # a retry, by anyone of A, posts nothing more
    return Session(gateway, folio, holder, feed_start, rule, transcript, application)


async def test_a_registrar_banks_a_certificate_and_applies_its_credit(session: Session) -> None:
    gateway = session.gateway
    assert session.rule["status"] == "APPROVED"
    assert (session.rule["proposedBy"], session.rule["approvedBy"]) == (
        "Ana Morales Díaz",
        "Beto Salinas Cruz",
    )

    learner = session.transcript
    assert learner["holderRef"] == session.holder
    # Ana sees the certificate now, but not who certified it (that is for the body and the admins).
    assert learner["certificates"] == [
        {"folio": session.folio, "standardCode": STANDARD, "certifyingPerson": None}
    ]
    (line,) = learner["creditTranscript"]["lines"]
    assert (line["folio"], line["status"], line["credits"]) == (session.folio, "RECOGNIZED", 6)
    assert line["exemptedCourses"] == [{"code": "PA-101"}]
    # The sentence says what the structure says, in both languages.
    assert "PA-101" in line["reason"] and "PA-101" in line["reasonEn"]
    assert learner["creditTranscript"]["recognizedCredits"] == 6
    assert learner["creditTranscript"]["creditsStillNeeded"] == 174

    assert session.application["appliedCredits"] == 6 and session.application["totalApplied"] == 6
    assert session.application["lines"] == [{"folio": session.folio, "status": "RECOGNIZED", "credits": 6}]
    account = await gateway.data(ACCOUNT, {"holder": session.holder, "institution": A}, "beto")
    assert account["creditAccount"]["entries"] == [
        {"kind": "DEPOSIT", "folio": session.folio, "credits": 0},
        {"kind": "APPLICATION", "folio": session.folio, "credits": 6},
    ]
    # The body and the admins see who certified; the feed carries the certificate for Ana and the admins.
    for who in ("laura", "admin"):
        shown = await gateway.data(CERTIFIED_BY, {"ref": session.holder}, who)
        assert shown["learner"]["certificates"] == [{"certifyingPerson": "Laura Ibarra Campos"}], who
    for who in ("ana", "admin", "laura"):
        feed = (await gateway.data(FEED, {"after": session.feed_start}, who))["registryChanges"]
        assert ("certificate", session.folio) in {(n["entity"], n["key"]) for n in feed["nodes"]}, who


async def test_another_institutions_registrar_learns_nothing_of_the_learner(session: Session) -> None:
    gateway = session.gateway
    invented = "0" * len(session.holder)  # a holderRef nobody has: what "nothing to show" looks like

    # By holderRef and by CURP: the same empty answer as for nobody, transcript at B included; A's
    # programme's transcript is A's business, refused alike whoever the learner is.
    refusals = []
    for who_is in ({"ref": session.holder}, {"curp": CURP}, {"ref": invented}):
        seen = (await gateway.data(LEARNER, {**who_is, "program": PROGRAM_B}, "carla"))["learner"]
        assert seen["certificates"] == [] and seen["creditTranscript"]["lines"] == [], who_is
        assert seen["creditTranscript"]["recognizedCredits"] == 0
        at_a = await gateway.post(LEARNER, {**who_is, "program": PROGRAM_A}, "carla")
        assert (
            at_a["data"]["learner"]["certificates"] == []
            and at_a["data"]["learner"]["creditTranscript"] is None
        )
        refusals.append(at_a["errors"])
    assert refusals[0] == refusals[1] == refusals[2] and refusals[0][0]["extensions"]["code"] == "FORBIDDEN"

    # The certificate by folio: refused exactly as any certificate not deposited at B (its existence is
    # public anyway, through verifyCertificate), without a word about its holder.
    refused = await gateway.post(CERTIFICATE, {"folio": session.folio}, "carla")
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The change feed: standards and accreditations, no certificate of the learner's.
    feed = (await gateway.data(FEED, {"after": session.feed_start}, "carla"))["registryChanges"]
    assert all(n["entity"] != "certificate" for n in feed["nodes"]), feed["nodes"]

    # Depositing the folio with a guessed CURP: refused as a folio that does not exist is, nothing banked.
    guessed = await deposit(gateway, "carla", B, session.folio, "PERL990312HMCRZR01")
    missing_folio = f"{STANDARD}-2020-0000000"
    nowhere = await deposit(gateway, "carla", B, missing_folio, "PERL990312HMCRZR01")
    assert guessed["data"] is None and nowhere["data"] is None
    (guess_error,), (nowhere_error,) = guessed["errors"], nowhere["errors"]
    assert guess_error["extensions"] == nowhere_error["extensions"]
    assert what(guess_error) == ("NOT_FOUND", "folio")
    assert guess_error["message"].replace(session.folio, "F") == nowhere_error["message"].replace(
        missing_folio, "F"
    )
    after = (await gateway.data(LEARNER, {"ref": session.holder, "program": PROGRAM_B}, "carla"))["learner"]
    assert after["certificates"] == []

    # A's account is A's; B's holds nothing; applying at B finds nothing to apply.
    other = await gateway.error(ACCOUNT, {"holder": session.holder, "institution": A}, "carla")
    assert other["extensions"]["code"] == "FORBIDDEN"
    own = await gateway.data(ACCOUNT, {"holder": session.holder, "institution": B}, "carla")
    assert own["creditAccount"]["entries"] == []
    apply = {"holder": session.holder, "program": PROGRAM_B, "key": "e2e-carla-apply"}
    nothing = (await gateway.data(APPLY, apply, "carla"))["applyCredits"]
    assert nothing["appliedCredits"] == 0 and nothing["lines"] == []

    # Nothing Carla was answered, where she did not type it herself, names the learner.
    answers = json.dumps([guessed, nowhere, refused, feed, other, own, nothing])
    assert session.holder not in answers and LEARNER_NAME not in answers and "L*** P*** R***" not in answers


async def test_the_public_sees_no_certificate_events_and_a_minimal_verification(session: Session) -> None:
    gateway = session.gateway
    feed = (await gateway.data(FEED, {"after": session.feed_start}))["registryChanges"]
    assert all(n["entity"] != "certificate" for n in feed["nodes"]), feed["nodes"]
    verified = (await gateway.data(VERIFY, {"folio": session.folio}))["verifyCertificate"]
    assert verified == {"folio": session.folio, "status": "VALID", "holderName": "L*** P*** R***"}
    for query, variables in (
        (CERTIFICATE, {"folio": session.folio}),
        (LEARNER, {"ref": session.holder, "program": PROGRAM_A}),
        (ACCOUNT, {"holder": session.holder, "institution": A}),
    ):
        refused = await gateway.post(query, variables)
        assert refused["data"] is None, refused
        assert refused["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED"), refused
