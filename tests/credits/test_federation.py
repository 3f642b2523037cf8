"""The credit bank as a subgraph: the `_entities` calls the gateway makes with `@requires` facts, and the
registry field those facts include (`Standard.equivalentEarlierVersions`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.common.db import Database
from services.common.settings import Settings
from tests.conftest import GraphQLClient
from tests.credits.conftest import ADMIN

SAMPLE_PROGRAM = "mx-ut-ejemplo-tsu-auto"
SAMPLE_REGISTRAR = {"role": "registrar", "subject": "mx:ana", "scope": "mx-ut-ejemplo"}

TRANSCRIPT = """query ($representations: [_Any!]!, $program: ID!, $asOf: Date) {
  _entities(representations: $representations) {
    ... on Learner {
      holderRef
      creditTranscript(programId: $program, asOf: $asOf) {
        recognizedCredits eligibleCredits capApplied capBasis creditsStillNeeded totalCredits
        exemptedCourses { code }
        lines { folio standardCode status credits reason reasonEn rule { id versions } certificate { folio } }
      }
    }
  }
}"""


def certificate(folio: str, code: str, issued: str, **more: Any) -> dict[str, Any]:
    """A certificate as the gateway hands it over for `@requires`."""
    return {
        "folio": folio,
        "standardCode": code,
        "scope": "WHOLE",
        "issuedOn": issued,
        "expiresOn": None,
        "status": "VALID",
        "revokedOn": None,
        "standard": {"equivalentEarlierVersions": []},
        **more,
    }


def learner(*certificates: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Learner", "holderRef": "h-1", "certificates": list(certificates)}


async def test_a_learners_transcript_from_required_facts(credits: GraphQLClient) -> None:
    representation = learner(
        certificate("C1", "EC1121", "2025-03-14"),
        certificate("C2", "EC0631", "2025-06-02"),
        certificate("C3", "EC0217.01", "2024-11-20"),
        certificate("C4", "EC0301", "2025-01-10"),  # exempts the same elective as EC0217.01
        certificate("C5", "EC0038", "2025-01-10"),  # no rule
        certificate("C6", "EC0631", "2025-07-01", status="REVOKED", revokedOn="2025-08-01"),
    )
    data = await credits.data(
        TRANSCRIPT,
        {"representations": [representation], "program": SAMPLE_PROGRAM, "asOf": "2025-12-01"},
        **ADMIN,
    )
    result = data["_entities"][0]["creditTranscript"]
    lines = {line["folio"]: line for line in result["lines"]}
    assert {folio: (line["status"], line["credits"]) for folio, line in lines.items()} == {
        "C1": ("RECOGNIZED", 9),
        "C2": ("RECOGNIZED", 6),
        "C3": ("RECOGNIZED", 4),
        "C4": ("DUPLICATE_COURSE", 0),
        "C5": ("NO_RULE", 0),
        "C6": ("CERTIFICATE_REVOKED", 0),
    }
    assert [line["folio"] for line in result["lines"]] == [
        "C3",
        "C4",
        "C5",
        "C1",
        "C2",
        "C6",
    ]  # by issue date
    assert result["recognizedCredits"] == 19 and result["creditsStillNeeded"] == 161
    assert (result["capApplied"], result["capBasis"]) == (45, "RECOGNITION_CAP")
    assert {c["code"] for c in result["exemptedCourses"]} == {"MA-101", "MA-102", "MA-104", "OPT-10"}
    assert lines["C1"]["rule"]["versions"] == ["EC1121"] and lines["C1"]["certificate"] == {"folio": "C1"}
    assert "OPT-10" in lines["C4"]["reasonEn"] and "OPT-10" in lines["C4"]["reason"]


async def test_many_learners_cost_a_fixed_number_of_queries(credits: GraphQLClient, credits_app: Any) -> None:
    """30 learners with 2 certificates each: the programme, the rules, and the lines' rules, once each."""
    representations = [
        {
            **learner(
                certificate(f"F{i}", "EC1121", "2025-03-14"), certificate(f"G{i}", "EC0631", "2025-06-02")
            ),
            "holderRef": f"h-{i}",
        }
        for i in range(30)
    ]
    before = credits_app.state.db.statements
    data = await credits.data(
        TRANSCRIPT, {"representations": representations, "program": SAMPLE_PROGRAM}, **ADMIN
    )
    assert credits_app.state.db.statements - before == 3
    assert [e["holderRef"] for e in data["_entities"]] == [f"h-{i}" for i in range(30)]
    assert all(e["creditTranscript"]["recognizedCredits"] == 15 for e in data["_entities"])


async def test_transcripts_are_for_the_programmes_registrars(credits: GraphQLClient) -> None:
    variables = {
        "representations": [learner(certificate("C1", "EC1121", "2025-03-14"))],
        "program": SAMPLE_PROGRAM,
    }
    assert (await credits.data(TRANSCRIPT, variables, **SAMPLE_REGISTRAR))["_entities"][0]["creditTranscript"]
    for who in ({"role": "public"}, {"role": "registrar", "subject": "x", "scope": "us-cc-sample"}):
        error = await credits.error(TRANSCRIPT, variables, **who)
        assert error["extensions"]["code"] == "FORBIDDEN"
    unknown = await credits.error(TRANSCRIPT, {**variables, "program": "nope"}, **ADMIN)
    assert unknown["extensions"]["code"] == "NOT_FOUND"


CREDIT_VALUE = """query ($representations: [_Any!]!, $program: ID!) {
  _entities(representations: $representations) {
    ... on Certificate {
      folio creditValue(programId: $program) { status credits reasonEn exemptedCourses { code } }
    }
  }
}"""


async def test_a_certificates_credit_value(credits: GraphQLClient) -> None:
    facts = certificate("C1", "EC1121", "2025-03-14")
    del facts["folio"]
    representations = [
        {"__typename": "Certificate", "folio": "C1", **facts},
        {"__typename": "Certificate", "folio": "C2", **{**facts, "scope": "ELEMENTS"}},
    ]
    data = await credits.data(
        CREDIT_VALUE, {"representations": representations, "program": "us-cc-sample-aas-auto"}, **ADMIN
    )
    whole, partial = (e["creditValue"] for e in data["_entities"])
    assert (whole["status"], whole["credits"], whole["exemptedCourses"]) == (
        "RECOGNIZED",
        4,
        [{"code": "AUTO 110"}],
    )
    assert partial["status"] == "PARTIAL_CERTIFICATE" and partial["credits"] == 0
    later = [{**representations[0], "issuedOn": "2026-02-01"}]
    data = await credits.data(
        CREDIT_VALUE.replace("programId: $program", 'programId: $program, asOf: "2026-01-01"'),
        {"representations": later, "program": "us-cc-sample-aas-auto"},
        **ADMIN,
    )
    assert data["_entities"][0]["creditValue"] is None  # not issued yet on that date


EQUIVALENCES = """query ($representations: [_Any!]!, $institution: ID, $asOf: Date) {
  _entities(representations: $representations) {
    ... on Standard {
      code
      creditEquivalences(institutionId: $institution, asOf: $asOf) { credits institution { id creditSystem } }
    }
  }
}"""


async def test_a_standards_credit_equivalences(credits: GraphQLClient) -> None:
    def standard(code: str, earlier: list[str]) -> dict[str, Any]:
        return {"__typename": "Standard", "code": code, "equivalentEarlierVersions": earlier}

    representations = [
        standard("EC1121", []),
        standard("EC0217.02", ["EC0217.01"]),  # a later version marked equivalent: covered
        standard("EC0217.03", []),  # not marked equivalent: not covered
    ]
    data = await credits.data(EQUIVALENCES, {"representations": representations})
    found = {
        e["code"]: {(r["institution"]["id"], r["credits"]) for r in e["creditEquivalences"]}
        for e in data["_entities"]
    }
    assert found["EC1121"] >= {("mx-ut-ejemplo", 9), ("us-cc-sample", 4), ("uk-fe-sample", 30)}
    assert found["EC0217.02"] >= {("mx-ut-ejemplo", 4), ("us-cc-sample", 3)}
    assert found["EC0217.03"] == set()
    one = await credits.data(
        EQUIVALENCES, {"representations": representations[:1], "institution": "us-cc-sample"}
    )
    assert {r["institution"]["creditSystem"] for r in one["_entities"][0]["creditEquivalences"]} == {
        "US_SEMESTER"
    }
    before = await credits.data(EQUIVALENCES, {"representations": representations[:1], "asOf": "2023-06-01"})
    assert before["_entities"][0]["creditEquivalences"] == []  # the sample rules start in 2024


@pytest.fixture
async def registry_over_bank(bank_registry_app: Any, settings: Settings) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=bank_registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
        yield GraphQLClient(http, settings.require_secret())


async def test_the_registry_walks_equivalent_versions(
    registry_over_bank: GraphQLClient, bank_registry_db: Database
) -> None:
    """EC9001 -> .01 (equivalent) -> .02 (not equivalent) -> .03 (equivalent)."""
    chain = [("EC9001", None, None), ("EC9001.01", "EC9001", True), ("EC9001.02", "EC9001.01", False)]
    chain.append(("EC9001.03", "EC9001.02", True))
    for code, supersedes, equivalent in chain:
        await bank_registry_db.execute(
            """INSERT INTO standards (code, base_code, version, title_es, level, sector_code, sector_title,
                   status, supersedes, equivalent_to_previous, source)
               VALUES ($1, 'EC9001', $2, 'Prueba de versiones', 2, '61', 'Servicios educativos', 'published',
                       $3, $4, 'test') ON CONFLICT (code) DO NOTHING""",
            code,
            int(code[7:] or 0),
            supersedes,
            equivalent,
        )
    query = "query ($c: String!) { standard(code: $c) { equivalentEarlierVersions } }"
    walked = {
        code: (await registry_over_bank.data(query, {"c": code}))["standard"]["equivalentEarlierVersions"]
        for code, _, _ in chain
    }
    assert walked == {"EC9001": [], "EC9001.01": ["EC9001"], "EC9001.02": [], "EC9001.03": ["EC9001.02"]}
