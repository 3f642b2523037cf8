"""Hostile arguments at the credit bank: a NUL in any text argument, literal or variable, and an integer id
that is not one (past bigint, signed, not digits) are BAD_USER_INPUT naming the argument, and nothing
stored changes."""

from __future__ import annotations

import pytest

from services.common.db import Database
from services.common.pagination import encode_cursor
from tests.conftest import GraphQLClient
from tests.hostile import BAD_IDS, Case, assert_nul_refused, fingerprint, refusal

RULE = 'institutionId: "UNAM", credits: 1, creditLevel: VOCATIONAL, validFrom: "2020-01-01", evidence: "Acta"'
PROGRAM = (
    'id: "prog-hostile", institutionId: "UNAM", awardLevel: BACHELOR, totalCredits: 100, recognitionCap: 10'
)

NUL_CASES = [
    # queries
    Case("institution(id: {v}) { id }", "id", "ID!"),
    Case("institutions(country: {v}) { totalCount }", "country"),
    Case("program(id: {v}) { id }", "id", "ID!"),
    Case("equivalenceRules(filter: {institutionId: {v}}) { totalCount }", "filter.institutionId", "ID!"),
    Case("equivalenceRules(filter: {programId: {v}}) { totalCount }", "filter.programId", "ID!"),
    Case("equivalenceRules(filter: {standardCode: {v}}) { totalCount }", "filter.standardCode"),
    Case("equivalenceRules(after: {v}) { totalCount }", "after"),
    Case('creditAccount(holderRef: {v}, institutionId: "UNAM") { holderRef }', "holderRef"),
    Case('creditAccount(holderRef: "abc", institutionId: {v}) { holderRef }', "institutionId", "ID!"),
    Case(
        '_entities(representations: [{__typename: "Institution", id: {v}}]) { __typename }',
        "representations[0].id",
    ),
    # mutations, as an admin so that nothing but the NUL stands in the way
    Case(
        'upsertInstitution(input: {id: {v}, name: "N", country: "MX", creditSystem: SATCA}) { id }',
        "input.id",
        "ID!",
        mutation=True,
    ),
    Case(
        'upsertInstitution(input: {id: "inst-hostile", name: {v}, country: "MX", creditSystem: SATCA}) '
        "{ id }",
        "input.name",
        mutation=True,
    ),
    Case(
        'upsertInstitution(input: {id: "inst-hostile", name: "N", country: "MX", creditSystem: SATCA, '
        "website: {v}}) { id }",
        "input.website",
        "String",
        mutation=True,
    ),
    Case("upsertProgram(input: {" + PROGRAM + ", name: {v}}) { id }", "input.name", mutation=True),
    Case(
        "upsertProgram(input: {" + PROGRAM + ', name: "P", iscedField: {v}}) { id }',
        "input.iscedField",
        "String",
        mutation=True,
    ),
    Case(
        "proposeEquivalenceRule(input: {" + RULE + ', versions: ["EC1121", {v}]}) { id }',
        "input.versions[1]",
        mutation=True,
    ),
    Case(
        "proposeEquivalenceRule(input: {" + RULE.replace('"Acta"', "{v}") + ', versions: ["EC1121"]}) { id }',
        "input.evidence",
        mutation=True,
    ),
    Case(
        "proposeEquivalenceRule(input: {" + RULE + ', versions: ["EC1121"], '
        'exemptedCourses: [{code: "C1", title: {v}, credits: 1}]}) { id }',
        "input.exemptedCourses[0].title",
        mutation=True,
    ),
    Case("approveEquivalenceRule(id: {v}) { id }", "id", "ID!", mutation=True),
    Case('retireEquivalenceRule(id: "1", reason: {v}) { id }', "reason", mutation=True),
    Case(
        'depositCertificate(folio: {v}, institutionId: "UNAM", idempotencyKey: "key-00001") { replayed }',
        "folio",
        mutation=True,
    ),
    Case(
        'depositCertificate(folio: "F-1", institutionId: "UNAM", idempotencyKey: {v}) { replayed }',
        "idempotencyKey",
        mutation=True,
    ),
    Case(
        'depositCertificate(folio: "F-1", institutionId: "UNAM", idempotencyKey: "key-00001", '
        "holderCurp: {v}) { replayed }",
        "holderCurp",
        mutation=True,
    ),
    Case(
        'applyCredits(holderRef: {v}, programId: "p", idempotencyKey: "key-00001") { appliedCredits }',
        "holderRef",
        mutation=True,
    ),
    Case('reverseLedgerEntry(id: "1", reason: {v}) { id }', "reason", mutation=True),
]


@pytest.mark.parametrize("spelling", ["literal", "variable"])
@pytest.mark.parametrize("case", NUL_CASES, ids=str)
async def test_nul_is_bad_user_input(
    credits: GraphQLClient, credits_db: Database, case: Case, spelling: str
) -> None:
    before = await fingerprint(credits_db)
    await assert_nul_refused(credits, case, spelling)
    assert await fingerprint(credits_db) == before


ID_CASES = [
    Case("approveEquivalenceRule(id: {v}) { id }", "id", "ID!", mutation=True),
    Case('retireEquivalenceRule(id: {v}, reason: "Fuera de vigor.") { id }', "id", "ID!", mutation=True),
    Case('reverseLedgerEntry(id: {v}, reason: "Error de captura.") { id }', "id", "ID!", mutation=True),
]


@pytest.mark.parametrize("spelling", ["literal", "variable"])
@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("case", ID_CASES, ids=str)
async def test_id_that_is_not_a_bigint_is_bad_user_input(
    credits: GraphQLClient, credits_db: Database, case: Case, bad_id: str, spelling: str
) -> None:
    before = await fingerprint(credits_db)
    operation, variables = getattr(case, spelling)(bad_id)
    result = await credits.post(operation, variables, **case.who)
    [error] = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}, error
    assert "whole numbers from 0 to 9223372036854775807" in error["message"]
    assert await fingerprint(credits_db) == before


async def test_largest_bigint_is_an_id_that_does_not_exist(credits: GraphQLClient) -> None:
    error = await credits.error(
        'mutation { reverseLedgerEntry(id: "9223372036854775807", reason: "Error.") { id } }',
        role="admin",
        subject="test:admin",
    )
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("equivalenceRules", [10**30]),
        ("equivalenceRules", ["12"]),
        ("equivalenceRules", [True]),
        ("institutions", [12]),
        ("institutions", ["UNAM\u0000"]),
    ],
)
async def test_forged_cursor_is_bad_user_input(credits: GraphQLClient, field: str, key: list) -> None:
    """Cursors are forgeable (the MAC key is public): a value of the wrong type or range never reaches SQL."""
    error = await refusal(
        credits,
        f"query ($a: String) {{ {field}(after: $a) {{ totalCount }} }}",
        {"a": encode_cursor(key)},
        {},
    )
    assert error["extensions"]["argument"] == "after"


@pytest.mark.parametrize("bad", ["UNAM\n", "a" * 65, "-x", "a b"])
async def test_institution_id_out_of_its_pattern_is_bad_user_input(
    credits: GraphQLClient, credits_db: Database, bad: str
) -> None:
    """A trailing newline used to pass the pattern's `$` and hit the table's CHECK (INTERNAL_SERVER_ERROR)."""
    before = await fingerprint(credits_db)
    error = await credits.error(
        "mutation ($i: InstitutionInput!) { upsertInstitution(input: $i) { id } }",
        {"i": {"id": bad, "name": "N", "country": "MX", "creditSystem": "SATCA"}},
        role="admin",
        subject="test:admin",
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert await fingerprint(credits_db) == before
