"""A list-of-a-scalar variable coerced in one pass (services/common/variables.py) gives what graphql-core
gives: the same values, and for a value it refuses, the same errors (graphql-core's own, as the quick
path leaves such a value to it)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from graphql import parse

from services.common.variables import SHORTEST, scalar_lists
from tests.common.test_execution import ENTITIES, FAST, GENERAL, both, representations

MANY = [f"code-{i}" for i in range(SHORTEST + 4)]
THINGS = "query($c: [String!]!) { things(codes: $c) { code name } }"
NULLABLE = "query($c: [String]) { things(codes: $c) { code } }"


async def test_a_page_of_representations_takes_the_quick_path_and_answers_the_same() -> None:
    variables = {"r": representations(["a", "b", "missing-1", "null-name", *MANY])}
    assert set(scalar_lists(FAST._schema, parse(ENTITIES), None, variables)) == {"r"}
    fast, general = await both(ENTITIES, variables)
    assert fast == general
    assert fast["data"]["_entities"][0]["code"] == "a"


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        (THINGS, MANY),  # quick
        (THINGS, MANY[:3]),  # too short to bother: graphql-core's
        (THINGS, [*MANY, None]),  # a null where none may be: graphql-core's error
        (THINGS, [*MANY, 7]),  # a value String refuses: graphql-core's error
        (THINGS, [*MANY, ["nested"]]),
        (NULLABLE, [*MANY, None]),  # a null where one may be
        (NULLABLE, None),
    ],
)
async def test_list_variables_answer_as_graphql_core(query: str, codes: Any) -> None:
    fast, general = await both(query, {"c": codes})
    assert fast == general
    assert fast["data"] is not None or fast["errors"]


async def test_the_operation_is_the_one_graphql_core_runs() -> None:
    document = """
      query One($c: [String!]!) { things(codes: $c) { code } }
      query Two($c: [String!]!) { strictThings(codes: $c) { code } }
    """
    for name in ("One", "Two"):  # (strawberry itself refuses a missing or unknown name, before either)
        answers = []
        for schema in (FAST, GENERAL):
            result = await schema.execute(
                document, variable_values={"c": copy.copy(MANY)}, operation_name=name, context_value={}
            )
            answers.append((result.data, [e.message for e in result.errors or []]))
        assert answers[0] == answers[1], name
