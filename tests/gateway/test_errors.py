"""The gateway's error tree (gateway/errors.py): each error is told as the GraphQL errors clients get,
with its code, and the collaborators raise the tree's classes."""

from __future__ import annotations

import pytest
from graphql import GraphQLError, parse

from gateway.errors import (
    GatewayError,
    OperationError,
    OperationRefused,
    PlanningError,
    QueryRefused,
    RequestRefused,
    SubgraphFailure,
    graphql_error,
    located_error,
)
from gateway.operation import select_operation


def test_an_error_is_its_message_and_code_with_a_path_only_when_it_has_one() -> None:
    assert graphql_error("No.", "BAD_USER_INPUT") == {
        "message": "No.",
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    with_path = graphql_error("Gone.", "GATEWAY_TIMEOUT", ["a", 0, "b"], serviceName="x", objects=2)
    assert with_path == {
        "message": "Gone.",
        "path": ["a", 0, "b"],
        "extensions": {"code": "GATEWAY_TIMEOUT", "serviceName": "x", "objects": 2},
    }
    assert list(with_path["extensions"]) == ["code", "serviceName", "objects"]  # the code first


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OperationRefused("Subscriptions are not supported by this gateway."), "BAD_USER_INPUT"),
        (OperationError('Unknown operation named "B".'), "BAD_USER_INPUT"),
        (PlanningError("No subgraph resolves Query.x."), "QUERY_PLANNING_FAILED"),
        (RequestRefused("Too big.", "BAD_USER_INPUT", 413, limit="body"), "BAD_USER_INPUT"),
        (
            QueryRefused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", status=200),
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        (SubgraphFailure("is unreachable", "SUBREQUEST_HTTP_ERROR"), "SUBREQUEST_HTTP_ERROR"),
    ],
)
def test_every_error_of_the_tree_is_a_gateway_error_told_with_its_code(
    error: GatewayError, code: str
) -> None:
    assert isinstance(error, GatewayError)
    assert error.code == code and str(error) == error.message
    assert error.errors == [error.formatted]
    assert error.formatted["message"] == error.message and error.formatted["extensions"]["code"] == code


def test_a_refusal_keeps_its_status_headers_and_extensions() -> None:
    refused = RequestRefused("Too big.", "BAD_USER_INPUT", 413, {"connection": "close"}, limit="body", max=10)
    assert (refused.status, refused.headers) == (413, {"connection": "close"})
    assert refused.error == {
        "message": "Too big.",
        "extensions": {"code": "BAD_USER_INPUT", "limit": "body", "max": 10},
    }
    told = RequestRefused.from_error(
        GraphQLError("Over.", extensions={"code": "BAD_USER_INPUT", "limit": "depth"}), 400
    )
    assert told.error == {"message": "Over.", "extensions": {"code": "BAD_USER_INPUT", "limit": "depth"}}


def test_an_operation_refused_for_several_reasons_tells_them_all() -> None:
    errors = [
        graphql_error("First.", "GRAPHQL_VALIDATION_FAILED"),
        graphql_error("Second.", "BAD_USER_INPUT"),
    ]
    refused = OperationRefused.of(errors)
    assert (
        refused.errors == errors and refused.code == "GRAPHQL_VALIDATION_FAILED" and str(refused) == "First."
    )


def test_a_graphql_core_error_keeps_its_location_and_takes_the_code() -> None:
    document = parse("{ a }")
    error = GraphQLError("Cannot query field.", document.definitions[0])
    told = located_error(error, "GRAPHQL_VALIDATION_FAILED")
    assert told["locations"] == [{"line": 1, "column": 1}]
    assert told["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_the_operation_to_run_is_refused_with_the_tree_s_class() -> None:
    with pytest.raises(OperationError) as refused:
        select_operation(parse("query A { a } query B { b }"), None)
    assert refused.value.errors == [
        {
            "message": "The document holds several operations; say which in operationName.",
            "extensions": {"code": "BAD_USER_INPUT"},
        }
    ]
