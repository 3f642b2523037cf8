"""Hostile arguments at the crosswalk: a NUL in any text argument, literal or variable, and a mapping id
that is not one (past bigint, signed, not digits) are BAD_USER_INPUT naming the argument, and nothing
stored changes."""

from __future__ import annotations

import pytest

from services.common.db import Database
from services.common.pagination import encode_cursor
from tests.conftest import GraphQLClient
from tests.hostile import BAD_IDS, Case, assert_nul_refused, fingerprint, refusal

PROPOSAL = (
    'from: {scheme: CIP_2020, code: "47.0604"}, to: {scheme: ISCED_F_2013, code: "0716"}, '
    'relation: CLOSE_MATCH, confidence: 0.9, source: "Revisión"'
)
AGREEMENT = 'id: "HOSTILE-1", titleEs: "Acuerdo", scopeStandards: ["EC0217.01"], counterpartScheme: ONET_SOC'
DECISION = (
    'agreementId: "HOSTILE-1", standardCode: "EC0217.01", '
    'counterpart: {scheme: ONET_SOC, code: "47-2141.00"}, party: MX, decision: ENDORSED'
)
TASKFORCE = {"role": "taskforce", "subject": "person:hostile", "scope": "MX"}

NUL_CASES = [
    # queries
    Case("frameworkItem(scheme: SOC_2018, code: {v}) { code }", "code"),
    Case("frameworkItems(scheme: SOC_2018, search: {v}) { totalCount }", "search"),
    Case("frameworkItems(scheme: SOC_2018, parentCode: {v}) { totalCount }", "parentCode"),
    Case("frameworkItems(scheme: SOC_2018, after: {v}) { totalCount }", "after"),
    Case("crosswalk(from: {scheme: SOC_2018, code: {v}}) { confidence }", "from.code"),
    Case(
        'mappingPath(from: {scheme: SOC_2018, code: "47-2141"}, to: {scheme: CIP_2020, code: {v}}) '
        "{ confidence }",
        "to.code",
    ),
    Case("levelAlignment(scheme: EQF, level: {v}) { confidence }", "level"),
    Case("recognitionAgreement(id: {v}) { id }", "id", "ID!"),
    Case("recognitionStatus(standardCode: {v}) { mutual }", "standardCode"),
    Case(
        'recognitionStatus(standardCode: "EC0217.01", counterpart: {scheme: ONET_SOC, code: {v}}) { mutual }',
        "counterpart.code",
    ),
    Case(
        '_entities(representations: [{__typename: "FrameworkItem", scheme: "SOC_2018", code: {v}}]) '
        "{ __typename }",
        "representations[0].code",
    ),
    # mutations, by the task force so that nothing but the NUL stands in the way
    Case(
        "proposeMapping(input: {" + PROPOSAL.replace('"Revisión"', "{v}") + "}) { id }",
        "input.source",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "proposeMapping(input: {" + PROPOSAL.replace('"47.0604"', "{v}") + "}) { id }",
        "input.from.code",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "proposeMapping(input: {" + PROPOSAL + ", note: {v}}) { id }",
        "input.note",
        "String",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        'reviewMapping(id: "1", decision: ENDORSE, note: {v}) { id }',
        "note",
        "String",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "createRecognitionAgreement(input: {" + AGREEMENT.replace('"Acuerdo"', "{v}") + "}) { id }",
        "input.titleEs",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "createRecognitionAgreement(input: {" + AGREEMENT.replace('"HOSTILE-1"', "{v}") + "}) { id }",
        "input.id",
        "ID!",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "createRecognitionAgreement(input: {" + AGREEMENT.replace('"EC0217.01"', "{v}") + "}) { id }",
        "input.scopeStandards[0]",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "recordRecognitionDecision(input: {" + DECISION + ", conditions: {v}}) { mutual }",
        "input.conditions",
        "String",
        mutation=True,
        who=TASKFORCE,
    ),
    Case(
        "recordRecognitionDecision(input: {"
        + DECISION
        + ', gaps: [{element: "E1", gap: {v}, measure: "Curso"}]}) '
        "{ mutual }",
        "input.gaps[0].gap",
        mutation=True,
        who=TASKFORCE,
    ),
]


@pytest.mark.parametrize("spelling", ["literal", "variable"])
@pytest.mark.parametrize("case", NUL_CASES, ids=str)
async def test_nul_is_bad_user_input(
    mapping: GraphQLClient, mapping_db: Database, case: Case, spelling: str
) -> None:
    before = await fingerprint(mapping_db) if case.mutation else None
    await assert_nul_refused(mapping, case, spelling)
    if case.mutation:
        assert await fingerprint(mapping_db) == before


REVIEW = Case("reviewMapping(id: {v}, decision: ENDORSE) { id }", "id", "ID!", mutation=True, who=TASKFORCE)


@pytest.mark.parametrize("spelling", ["literal", "variable"])
@pytest.mark.parametrize("bad_id", BAD_IDS)
async def test_mapping_id_that_is_not_a_bigint_is_bad_user_input(
    mapping: GraphQLClient, mapping_db: Database, bad_id: str, spelling: str
) -> None:
    before = await fingerprint(mapping_db)
    operation, variables = getattr(REVIEW, spelling)(bad_id)
    result = await mapping.post(operation, variables, **REVIEW.who)
    [error] = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}, error
    assert "not a mapping id" in error["message"]
    assert await fingerprint(mapping_db) == before


async def test_largest_bigint_is_a_mapping_that_does_not_exist(mapping: GraphQLClient) -> None:
    error = await mapping.error(
        'mutation { reviewMapping(id: "9223372036854775807", decision: ENDORSE) { id } }', **TASKFORCE
    )
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("bad", ["a" * 65, "AB", "con espacio", "X-1\n"])
async def test_agreement_id_out_of_its_pattern_is_bad_user_input(
    mapping: GraphQLClient, mapping_db: Database, bad: str
) -> None:
    """Such ids used to reach the table's CHECK and come back as INTERNAL_SERVER_ERROR."""
    before = await fingerprint(mapping_db)
    error = await mapping.error(
        "mutation ($input: AgreementInput!) { createRecognitionAgreement(input: $input) { id } }",
        {"input": {"id": bad, "titleEs": "Acuerdo", "scopeStandards": [], "counterpartScheme": "ONET_SOC"}},
        **TASKFORCE,
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert await fingerprint(mapping_db) == before


@pytest.mark.parametrize("key", [[12], [10**30], ["11-\u0000"], [["11"]]])
async def test_forged_item_cursor_is_bad_user_input(mapping: GraphQLClient, key: list) -> None:
    error = await refusal(
        mapping,
        "query ($a: String) { frameworkItems(scheme: SOC_2018, after: $a) { totalCount } }",
        {"a": encode_cursor(key)},
        {},
    )
    assert error["extensions"]["argument"] == "after"
