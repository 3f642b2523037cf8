"""Proposing and reviewing mappings, and recording recognitions: roles, the four-eyes rule, mutual
recognition, and bad input that leaves nothing behind."""

from __future__ import annotations

import pytest

from services.common.db import Database
from tests.conftest import GraphQLClient

# Its tests write to the crosswalk's database: a copy of the import of its own (tests/conftest.py).
pytestmark = pytest.mark.own_import

PROPOSE = """
mutation ($input: MappingInput!) {
  proposeMapping(input: $input) { id status method relation confidence proposedBy from { code } to { code } }
}"""
REVIEW = """
mutation ($id: ID!, $decision: Review!) {
  reviewMapping(id: $id, decision: $decision) { id status method reviewedBy }
}"""
WALK = """
query ($from: ItemRef!) { crosswalk(from: $from, toSchemes: [ISCED_F_2013]) { item { code } confidence } }"""
AGREEMENT = """
query ($id: ID!) {
  recognitionAgreement(id: $id) {
    illustrative counterpartScheme scope { code }
    coverage { inScope withCounterpart mutual }
    recognitions { standard { code } counterpart { code } mx us mutual }
  }
}"""
DECIDE = """
mutation ($input: DecisionInput!) {
  recordRecognitionDecision(input: $input) { mx us mutual conditions gaps counterpart { code label } }
}"""

ALICE = {"role": "taskforce", "subject": "person:alice", "scope": "MX"}
BOB = {"role": "taskforce", "subject": "person:bob", "scope": "US"}


def mapping_input(**overrides: object) -> dict:
    return {
        "from": {"scheme": "CIP_2020", "code": "47.0604"},
        "to": {"scheme": "ISCED_F_2013", "code": "0716"},
        "relation": "CLOSE_MATCH",
        "confidence": 0.9,
        "source": "Task force review of CIP 47.06 against ISCED-F 071 (test)",
        **overrides,
    }


async def test_a_proposal_counts_only_once_another_person_endorses_it(mapping: GraphQLClient) -> None:
    start = {"from": {"scheme": "CIP_2020", "code": "47.0604"}}
    assert (await mapping.data(WALK, start))["crosswalk"] == []
    edge = (await mapping.data(PROPOSE, {"input": mapping_input()}, **ALICE))["proposeMapping"]
    assert (edge["status"], edge["method"], edge["proposedBy"]) == ("PROPOSED", "PROPOSED", "person:alice")
    assert (await mapping.data(WALK, start))["crosswalk"] == []  # proposed edges are not walked

    own = await mapping.error(REVIEW, {"id": edge["id"], "decision": "ENDORSE"}, **ALICE)
    assert own["extensions"]["code"] == "FORBIDDEN"
    reviewed = (await mapping.data(REVIEW, {"id": edge["id"], "decision": "ENDORSE"}, **BOB))["reviewMapping"]
    assert (reviewed["status"], reviewed["method"], reviewed["reviewedBy"]) == (
        "ENDORSED",
        "EXPERT_REVIEW",
        "person:bob",
    )
    walked = (await mapping.data(WALK, start))["crosswalk"]
    assert walked[0]["item"]["code"] == "0716" and walked[0]["confidence"] == pytest.approx(0.9)
    again = await mapping.error(REVIEW, {"id": edge["id"], "decision": "REJECT"}, **BOB)
    assert again["extensions"]["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (PROPOSE, {"input": mapping_input(to={"scheme": "ISCED_F_2013", "code": "0715"})}),
        (REVIEW, {"id": "1", "decision": "ENDORSE"}),
    ],
    ids=["propose", "review"],
)
async def test_public_callers_cannot_propose_or_review(
    mapping: GraphQLClient, query: str, variables: dict
) -> None:
    error = await mapping.error(query, variables)
    assert error["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("overrides", "code", "argument"),
    [
        ({"to": {"scheme": "CIP_2020", "code": "47.0604"}}, "BAD_USER_INPUT", "to"),  # to itself
        ({"to": {"scheme": "ISCED_F_2013", "code": "9998"}}, "NOT_FOUND", "to"),
        ({"from": {"scheme": "SOC_2018", "code": "00-0000"}}, "NOT_FOUND", "from"),
        ({"confidence": 1.5}, "BAD_USER_INPUT", "confidence"),
        ({"confidence": 0}, "BAD_USER_INPUT", "confidence"),
        ({"relation": "BROADER"}, "BAD_USER_INPUT", "relation"),
        ({"source": "  "}, "BAD_USER_INPUT", "source"),
        ({"validFrom": "2026-01-01", "validTo": "2025-01-01"}, "BAD_USER_INPUT", "validTo"),
    ],
)
async def test_bad_proposals_are_refused_and_write_nothing(
    mapping: GraphQLClient, mapping_db: Database, overrides: dict, code: str, argument: str
) -> None:
    before = await mapping_db.fetchval("SELECT count(*) FROM edges")
    error = await mapping.error(PROPOSE, {"input": mapping_input(**overrides)}, **ALICE)
    assert (error["extensions"]["code"], error["extensions"].get("argument")) == (code, argument)
    assert await mapping_db.fetchval("SELECT count(*) FROM edges") == before


# SOC 2018 49-3023 and O*NET 49-3023.00 are already linked by the O*NET taxonomy.
@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("SOC_2018", "49-3023"), ("ONET_SOC", "49-3023.00")),
        (("ONET_SOC", "49-3023.00"), ("SOC_2018", "49-3023")),
    ],
    ids=["as-linked", "reversed"],
)
async def test_a_duplicate_mapping_is_a_conflict_either_way_round(
    mapping: GraphQLClient, a: tuple[str, str], b: tuple[str, str]
) -> None:
    endpoints = {"from": {"scheme": a[0], "code": a[1]}, "to": {"scheme": b[0], "code": b[1]}}
    error = await mapping.error(PROPOSE, {"input": mapping_input(**endpoints)}, **ALICE)
    assert error["extensions"]["code"] == "CONFLICT" and error["extensions"]["edgeId"]


async def test_recognition_is_mutual_only_when_both_parties_endorse(mapping: GraphQLClient) -> None:
    variables = {"id": "MX-US-AUTO-ILLUSTRATIVE"}
    agreement = (await mapping.data(AGREEMENT, variables))["recognitionAgreement"]
    assert agreement["illustrative"] is True and agreement["counterpartScheme"] == "SOC_2018"
    scope = [s["code"] for s in agreement["scope"]]
    # The automotive rule at import (services/mapping/scope.py): 28 standards of automotive committees
    # and 20 more by title.
    assert len(scope) == 48 and agreement["coverage"] == {"inScope": 48, "withCounterpart": 0, "mutual": 0}
    decision = {
        "agreementId": "MX-US-AUTO-ILLUSTRATIVE",
        "standardCode": scope[0],
        "counterpart": {"scheme": "SOC_2018", "code": "49-3023"},
        "party": "MX",
        "decision": "ENDORSED",
        "conditions": "Evaluated on a light vehicle",
    }
    gap = {"element": "E0001 Diagnóstico", "gap": "No hybrid systems", "measure": "ASE L3 course"}
    mx = (await mapping.data(DECIDE, {"input": {**decision, "gaps": [gap]}}, **ALICE))[
        "recordRecognitionDecision"
    ]
    assert (mx["mx"], mx["us"], mx["mutual"], mx["gaps"]) == ("ENDORSED", "PENDING", False, [gap])
    coverage = (await mapping.data(AGREEMENT, variables))["recognitionAgreement"]["coverage"]
    assert coverage == {"inScope": 48, "withCounterpart": 1, "mutual": 0}

    # One party at a time: Alice acts for Mexico and cannot decide for the US.
    wrong_party = await mapping.error(DECIDE, {"input": {**decision, "party": "US"}}, **ALICE)
    assert wrong_party["extensions"]["code"] == "FORBIDDEN"
    us = (await mapping.data(DECIDE, {"input": {**decision, "party": "US"}}, **BOB))[
        "recordRecognitionDecision"
    ]
    assert (us["mx"], us["us"], us["mutual"]) == ("ENDORSED", "ENDORSED", True)
    assert us["conditions"] == "Evaluated on a light vehicle" and us["gaps"] == [gap]  # kept when left out
    coverage = (await mapping.data(AGREEMENT, variables))["recognitionAgreement"]["coverage"]
    assert coverage == {"inScope": 48, "withCounterpart": 1, "mutual": 1}

    # A party that withdraws its endorsement makes the recognition one-sided again.
    rejected = {**decision, "decision": "REJECTED"}
    again = (await mapping.data(DECIDE, {"input": rejected}, **ALICE))["recordRecognitionDecision"]
    assert again["mutual"] is False
    coverage = (await mapping.data(AGREEMENT, variables))["recognitionAgreement"]["coverage"]
    assert coverage == {"inScope": 48, "withCounterpart": 1, "mutual": 0}
    status = await mapping.data(
        "query ($code: String!) { recognitionStatus(standardCode: $code) { mx us mutual } }",
        {"code": scope[0]},
    )
    assert status["recognitionStatus"] == [{"mx": "REJECTED", "us": "ENDORSED", "mutual": False}]


async def test_decisions_outside_scope_or_by_the_public_are_refused(mapping: GraphQLClient) -> None:
    decision = {
        "agreementId": "MX-US-AUTO-ILLUSTRATIVE",
        "standardCode": "EC0217.01",  # training, not automotive
        "counterpart": {"scheme": "SOC_2018", "code": "49-3023"},
        "party": "MX",
        "decision": "ENDORSED",
    }
    assert (await mapping.error(DECIDE, {"input": decision}, **ALICE))["extensions"][
        "code"
    ] == "BAD_USER_INPUT"
    assert (await mapping.error(DECIDE, {"input": decision}))["extensions"]["code"] == "FORBIDDEN"
    scope = (await mapping.data(AGREEMENT, {"id": "MX-US-AUTO-ILLUSTRATIVE"}))["recognitionAgreement"][
        "scope"
    ]
    gaps = [{"element": "E1", "gap": "", "measure": "x"}]
    half_gap = {**decision, "standardCode": scope[-1]["code"], "gaps": gaps}
    error = await mapping.error(DECIDE, {"input": half_gap}, **ALICE)
    assert (error["extensions"]["code"], error["extensions"]["argument"]) == ("BAD_USER_INPUT", "gaps")
    unknown = {**decision, "agreementId": "NOPE-123"}
    assert (await mapping.error(DECIDE, {"input": unknown}, **ALICE))["extensions"]["code"] == "NOT_FOUND"


async def test_creating_an_agreement(mapping: GraphQLClient) -> None:
    create = """mutation ($input: AgreementInput!) {
      createRecognitionAgreement(input: $input) { id illustrative coverage { inScope } } }"""
    agreement = {
        "id": "TEST-AGREEMENT-1",
        "titleEs": "Acuerdo de prueba",
        "scopeStandards": ["EC0631", "EC0217.01"],
        "counterpartScheme": "ONET_SOC",
    }
    created = (await mapping.data(create, {"input": agreement}, **ALICE))["createRecognitionAgreement"]
    assert created == {"id": "TEST-AGREEMENT-1", "illustrative": False, "coverage": {"inScope": 2}}
    assert (await mapping.error(create, {"input": agreement}, **ALICE))["extensions"]["code"] == "CONFLICT"
    bad = {**agreement, "id": "TEST-AGREEMENT-2", "scopeStandards": ["EC9999"]}
    assert (await mapping.error(create, {"input": bad}, **ALICE))["extensions"]["code"] == "NOT_FOUND"
    assert (await mapping.error(create, {"input": {**agreement, "id": "X-3"}}))["extensions"][
        "code"
    ] == "FORBIDDEN"


async def test_an_unknown_agreement_is_null_with_not_found(mapping: GraphQLClient) -> None:
    answer = await mapping.post(AGREEMENT, {"id": "NO-SUCH-AGREEMENT"})
    assert answer["data"] == {"recognitionAgreement": None}
    assert [(e["path"], e["extensions"]["code"]) for e in answer["errors"]] == [
        (["recognitionAgreement"], "NOT_FOUND")
    ]
