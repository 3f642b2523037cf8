"""Hostile arguments at the registry: a NUL in any text argument, literal or variable, is BAD_USER_INPUT
naming the argument before any resolver runs (nothing stored changes), and a forged cursor holding a
feed position past bigint is a bad cursor, not a database error."""

from __future__ import annotations

import pytest

from services.common.db import Database
from services.common.pagination import encode_cursor
from tests.conftest import GraphQLClient
from tests.hostile import Case, assert_nul_refused, fingerprint, refusal

STANDARD = 'code: "EC9990", title: "Título", level: 2, sectorCode: "54", committeeId: "CGC-SAMPLE-1"'
ISSUE = (
    'standardCode: "EC1121", bodyId: "ECE-00009", evaluatorId: "EV-SAMPLE-1", '
    'holderCurp: "GOMA800101HDFRRN09", issuedOn: "2025-03-14", idempotencyKey: "hostile-0001"'
)

NUL_CASES = [
    # queries
    Case("standard(code: {v}) { code }", "code"),
    Case("standards(filter: {search: {v}}) { totalCount }", "filter.search"),
    Case("standards(filter: {sectorCode: {v}}) { totalCount }", "filter.sectorCode"),
    Case("standards(filter: {committeeId: {v}}) { totalCount }", "filter.committeeId", "ID!"),
    Case("standards(after: {v}) { totalCount }", "after"),
    Case('compareStandards(codes: ["EC0217.01", {v}]) { sameLevel }', "codes[1]"),
    Case("committee(id: {v}) { id }", "id", "ID!"),
    Case("committees(search: {v}) { totalCount }", "search"),
    Case("certificationBody(id: {v}) { id }", "id", "ID!"),
    Case("certificationBodies(filter: {search: {v}}) { totalCount }", "filter.search"),
    Case("certificationBodies(filter: {state: {v}}) { totalCount }", "filter.state"),
    Case("certificationBodies(filter: {standardCode: {v}}) { totalCount }", "filter.standardCode"),
    Case("verifyCertificate(folio: {v}) { folio }", "folio"),
    Case("certificate(folio: {v}) { folio }", "folio"),
    Case("learner(holderRef: {v}) { holderRef }", "holderRef"),
    Case("learner(curp: {v}) { holderRef }", "curp"),
    Case("registryChanges(after: {v}) { totalCount }", "after"),
    Case(
        '_entities(representations: [{__typename: "Standard", code: {v}}]) { __typename }',
        "representations[0].code",
    ),
    # mutations, as an admin so that nothing but the NUL stands in the way
    Case(
        "submitStandard(input: {" + STANDARD.replace('"Título"', "{v}") + "}) { code }",
        "input.title",
        mutation=True,
    ),
    Case(
        "submitStandard(input: {" + STANDARD + ', elements: [{code: "E1", title: "Elemento", '
        "criteria: [{kind: PERFORMANCE, text: {v}}]}]}) { code }",
        "input.elements[0].criteria[0].text",
        mutation=True,
    ),
    Case(
        'nominateCertificationBody(standardCode: "EC0217.01", bodyId: {v}) { code }',
        "bodyId",
        "ID!",
        mutation=True,
    ),
    Case('publishStandard(code: {v}, publishedOn: "2025-01-01") { code }', "code", mutation=True),
    Case('withdrawStandard(code: {v}, withdrawnOn: "2025-01-01") { code }', "code", mutation=True),
    Case(
        'accreditCertificationBody(bodyId: {v}, standardCode: "EC0217.01") { id }',
        "bodyId",
        "ID!",
        mutation=True,
    ),
    Case(
        'registerEvaluator(id: "EV-HOSTILE", bodyId: "ECE-00009", personRef: "p-1", displayName: {v}) { id }',
        "displayName",
        mutation=True,
    ),
    Case(
        "issueCertificate(input: {" + ISSUE + ", holderName: {v}}) { folio }",
        "input.holderName",
        mutation=True,
    ),
    Case('revokeCertificate(folio: "CERT-1", reason: {v}) { folio }', "reason", mutation=True),
]


@pytest.mark.parametrize("spelling", ["literal", "variable"])
@pytest.mark.parametrize("case", NUL_CASES, ids=str)
async def test_nul_is_bad_user_input(
    registry: GraphQLClient, registry_db: Database, case: Case, spelling: str
) -> None:
    before = await fingerprint(registry_db)
    await assert_nul_refused(registry, case, spelling)
    assert await fingerprint(registry_db) == before


async def test_nul_deep_in_an_input_variable_is_named(registry: GraphQLClient, registry_db: Database) -> None:
    before = await fingerprint(registry_db)
    submission = {
        "code": "EC9991",
        "title": "Título",
        "level": 2,
        "sectorCode": "54",
        "committeeId": "CGC-SAMPLE-1",
        "elements": [{"code": "E1", "title": "Uno"}, {"code": "E2", "title": "Dos\u0000"}],
    }
    error = await refusal(
        registry,
        "mutation ($input: SubmitStandardInput!) { submitStandard(input: $input) { code } }",
        {"input": submission},
        {"role": "admin", "subject": "test:admin"},
    )
    assert error["extensions"]["argument"] == "input.elements[1].title"
    assert error["extensions"]["variable"] == "input"
    assert await fingerprint(registry_db) == before


async def test_nul_in_search_says_so_not_bad_cursor(registry: GraphQLClient) -> None:
    error = await refusal(
        registry,
        "query ($f: StandardFilter) { standards(filter: $f) { totalCount } }",
        {"f": {"search": "pintura\u0000"}},
        {},
    )
    assert error["extensions"]["argument"] == "filter.search"
    assert "`filter.search`" in error["message"] and "NUL" in error["message"]
    assert "cursor" not in error["message"]


async def test_entity_representation_with_nul_is_refused(registry: GraphQLClient) -> None:
    """The gateway's own shape: representations as a variable."""
    error = await refusal(
        registry,
        "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Standard { code } } }",
        {
            "r": [
                {"__typename": "Standard", "code": "EC0217.01"},
                {"__typename": "Standard", "code": "EC\u0000"},
            ]
        },
        {},
    )
    assert error["extensions"]["argument"] == "representations[1].code"


async def test_unpaired_surrogate_is_refused_like_nul(registry: GraphQLClient) -> None:
    """JSON may spell "\\ud800", which decodes to no character and cannot be encoded for PostgreSQL."""
    error = await refusal(
        registry, "query ($s: String) { committees(search: $s) { totalCount } }", {"s": "a\ud800"}, {}
    )
    assert error["extensions"]["argument"] == "search"
    assert "surrogate" in error["message"]


async def test_the_same_fields_answer_without_the_nul(registry: GraphQLClient) -> None:
    """The refusal is about the NUL: the same operations with clean text are answered."""
    data = await registry.data(
        "query ($f: StandardFilter, $s: String) { standards(filter: $f) { totalCount } "
        "committees(search: $s) { totalCount } }",
        {"f": {"search": "pintura"}, "s": "automotriz"},
    )
    # The sample's two paint standards (EC0630, EC0761) and its two automotive committees (271, 273).
    assert data == {"standards": {"totalCount": 2}, "committees": {"totalCount": 2}}


@pytest.mark.parametrize(
    "key",
    [[10**30], [2**63], [-(2**63) - 1], ["12"], [1.5], [[1]], ["\u0000"]],
    ids=["huge", "one-past-bigint", "below-bigint", "text", "float", "nested", "nul"],
)
async def test_forged_feed_cursor_is_bad_user_input(registry: GraphQLClient, key: list) -> None:
    """The feed position is a bigint; a cursor is forgeable (its MAC key is public), so it is checked."""
    error = await refusal(
        registry,
        "query ($a: String) { registryChanges(after: $a) { totalCount } }",
        {"a": encode_cursor(key)},
        {},
    )
    assert error["extensions"]["argument"] == "after"
    assert "cursor" in error["message"]


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("committees", [1, 2]),
        ("certificationBodies", ["name", 10**30]),
        ("standards", ["CODE:ASC", "EC\u0000"]),
        ("standards", ["LEVEL:ASC", "not a level", "EC0217"]),
    ],
)
async def test_other_forged_cursors_are_bad_user_input(
    registry: GraphQLClient, field: str, key: list
) -> None:
    error = await refusal(
        registry,
        f"query ($a: String) {{ {field}(after: $a) {{ totalCount }} }}",
        {"a": encode_cursor(key)},
        {},
    )
    assert error["extensions"]["argument"] == "after"


@pytest.mark.parametrize(
    "query",
    [
        '{ committee(id: "99999999999999999999999999") { id } }',
        '{ certificationBody(id: "99999999999999999999999999") { id } }',
        '{ verifyCertificate(folio: "99999999999999999999999999") { folio } }',
    ],
)
async def test_registry_ids_are_text_so_a_huge_number_is_not_found(
    registry: GraphQLClient, query: str
) -> None:
    """Committees, bodies and certificates are keyed by text: a long number is an unknown key."""
    error = await registry.error(query)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_the_fingerprint_sees_a_write(registry_db: Database) -> None:
    """The 'nothing stored changed' check above can fail: even a write that keeps every value shows."""
    before = await fingerprint(registry_db)
    await registry_db.execute("UPDATE committees SET name = name WHERE id = (SELECT min(id) FROM committees)")
    assert await fingerprint(registry_db) != before
