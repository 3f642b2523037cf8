"""Every error leaves with an `extensions.code` and a plain message, never a traceback."""

import pytest

from tests.conftest import GraphQLClient

CASES = [
    ("{ standards { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
    ("{ standards(first: 5 ", None, "GRAPHQL_PARSE_FAILED"),
    ("query($n: Int) { standards(first: $n) { totalCount } }", {"n": "five"}, "BAD_USER_INPUT"),
    (
        '{ standard(code: "EC0217.01") { accreditations(activeOn: "2024-13-45") { validFrom } } }',
        None,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        'query($d: Date) { standard(code: "EC0217.01") { accreditations(activeOn: $d) { validFrom } } }',
        {"d": "2024-13-45"},
        "BAD_USER_INPUT",
    ),
    ('{ standard(code: "EC9999") { code } }', None, "NOT_FOUND"),
    (
        'mutation { withdrawStandard(code: "EC0217.01", withdrawnOn: "2025-01-01") { code } }',
        None,
        "FORBIDDEN",
    ),
]


@pytest.mark.parametrize(("query", "variables", "code"), CASES)
async def test_error_codes(registry: GraphQLClient, query: str, variables: dict | None, code: str) -> None:
    error = await registry.error(query, variables)
    assert error["extensions"]["code"] == code
    assert "Traceback" not in error["message"] and 'File "' not in error["message"]
