"""services/common/inputs.py and the cursor checks in pagination.py, without a database: what counts as
unstorable text, how ids are parsed, and where in an operation a NUL is found and named."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from services.common.errors import BadUserInput
from services.common.inputs import BIGINT_MAX, find_unstorable, int_id, shown, unstorable
from services.common.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", None),
        ("pintura automotriz", None),
        ("ñandú 😀 \t\n", None),
        ("a\x00", "NUL"),
        ("\x00", "NUL"),
        ("a\ud800b", "surrogate"),
        ("\udfff", "surrogate"),
    ],
)
def test_unstorable(text: str, problem: str | None) -> None:
    found = unstorable(text)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("given", "expected"), [("0", 0), ("1", 1), ("007", 7), (str(BIGINT_MAX), BIGINT_MAX)]
)
def test_int_id_takes_digits_within_bigint(given: str, expected: int) -> None:
    assert int_id(given) == expected


@pytest.mark.parametrize(
    "given",
    ["", " 1", "1 ", "+1", "-1", "1_000", "1e3", "0x10", "١٢", "１２", str(BIGINT_MAX + 1), "9" * 5000],
)
def test_int_id_refuses_the_rest(given: str) -> None:
    with pytest.raises(BadUserInput) as refused:
        int_id(given, argument="ruleId", what="a rule id")
    assert refused.value.extensions == {"argument": "ruleId"}
    assert "is not a rule id" in refused.value.message
    assert len(refused.value.message) < 200  # a hostile value is shown cut short


def test_shown_cuts_long_values() -> None:
    assert shown("abc") == "'abc'"
    assert len(shown("x" * 10_000)) <= 40


def found(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """What the refusal names, checked to be the same with the source's fast path as without it."""
    answers = []
    for source in (None, query):
        error = find_unstorable(parse(query), variables, source)
        original = error.original_error if error is not None else None
        assert error is None or isinstance(original, BadUserInput)
        answers.append(original.extensions if isinstance(original, BadUserInput) else None)
    assert answers[0] == answers[1]
    return answers[0]


def test_clean_operation_passes() -> None:
    assert (
        found("query ($s: String) { standards(filter: {search: $s, level: 3}) { code } }", {"s": "ok"})
        is None
    )


def test_literal_nested_in_objects_and_lists() -> None:
    query = 'mutation { submit(input: {elements: [{title: "a"}, {criteria: [{text: "b\\u0000"}]}]}) { id } }'
    assert found(query) == {"argument": "input.elements[1].criteria[0].text", "field": "submit"}


def test_variable_nested_in_a_literal() -> None:
    query = "query ($s: String) { standards(filter: {search: $s}) { code } }"
    assert found(query, {"s": "\x00"}) == {"argument": "filter.search", "field": "standards", "variable": "s"}


def test_variable_holding_nested_objects_and_lists() -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
    variables = {"r": [{"code": "a"}, {"code": "b", "tags": ["x", "y\x00"]}]}
    assert found(query, variables) == {
        "argument": "representations[1].tags[1]",
        "field": "_entities",
        "variable": "r",
    }


def test_dictionary_keys_count_too() -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
    assert found(query, {"r": [{"co\x00de": "a"}]}) is not None


def test_default_of_a_variable_is_checked_only_when_used() -> None:
    query = 'query ($s: String = "a\\u0000") { standards(filter: {search: $s}) { code } }'
    assert found(query, {})["variable"] == "s"  # type: ignore[index]
    assert found(query, {"s": "clean"}) is None
    assert found(query, {"s": None}) is None  # an explicit null replaces the default


def test_arguments_inside_fragments_and_directives() -> None:
    fragment = 'query { ...F } fragment F on Query { standard(code: "x\\u0000") { code } }'
    assert found(fragment) == {"argument": "code", "field": "standard"}
    directive = 'query { standard(code: "x") @tag(name: "\\u0000") { code } }'
    assert found(directive) == {"argument": "name", "field": "@tag"}


def test_variables_the_operation_does_not_use_are_ignored() -> None:
    """graphql-core ignores them too; they never reach a resolver."""
    assert found("query { levelDescriptors { level } }", {"unused": "\x00"}) is None


def test_deeply_nested_values_do_not_exhaust_the_stack() -> None:
    deep: Any = "\x00"
    for _ in range(100_000):
        deep = [deep]
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
    refused = found(query, {"r": deep})
    assert refused is not None and refused["argument"].startswith("representations[0][0]")
    assert len(refused["argument"]) <= 200
    literal = "query { f(a: " + "[" * 150 + '"\\u0000"' + "]" * 150 + ") }"  # the parser's own limit is near
    assert found(literal) is not None


@pytest.mark.parametrize(
    ("key", "kinds"),
    [
        ([10**30], None),
        ([2**63], None),
        (["a\x00"], None),
        ([[1]], None),
        ([{"a": 1}], None),
        (["12"], (int,)),
        ([True], (int,)),
        ([12], (str,)),
        (["a", 1], (str, str)),
    ],
)
def test_forged_cursor_values_are_refused(key: list[Any], kinds: tuple[type, ...] | None) -> None:
    with pytest.raises(BadUserInput, match="cursor"):
        decode_cursor(encode_cursor(key), len(key), kinds=kinds)


@pytest.mark.parametrize(
    ("key", "kinds"),
    [([BIGINT_MAX], (int,)), ([-(2**63)], (int,)), (["EC0217", "x"], (str, str)), (["T", 1.5, None], None)],
)
def test_cursor_values_within_bounds_pass(key: list[Any], kinds: tuple[type, ...] | None) -> None:
    assert decode_cursor(encode_cursor(key), len(key), kinds=kinds) == key
