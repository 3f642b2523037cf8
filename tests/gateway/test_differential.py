"""Differential tests: every synthetic operation through @apollo/gateway and through our gateway.

Apollo is the reference. For each (scenario, operation) the two answers must have equal `data` (same
values, same field order) and equivalent errors: as many, at the same paths, each of ours with an
`extensions.code`. Messages may differ. The corpus itself is checked too: Apollo answers with errors
exactly for the operations marked `errors=True`. Where Apollo is known to be wrong, the operation
carries the answer the federation spec gives (`spec_data`, `spec_error_paths`), which ours must match
instead.

Apollo's `extensions.valueCompletion` (a null in a non-null field, a value it cannot serialize) counts
as errors: by the GraphQL spec ("Handling Field Errors") they are field errors, and ours puts them in
`errors`. Apollo reports them only when no fetch failed; where that hides one, `spec_error_paths` says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.gateway.synthetic import Operation, scenarios
from tests.oracle.oracle import require_oracle

if TYPE_CHECKING:
    from tests.gateway.conftest import GatewayPair

CASES = [
    pytest.param(name, operation, id=f"{name}-{operation.name}")
    for name, module in scenarios().items()
    for operation in module.OPERATIONS
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


def post(http: httpx.Client, url: str, operation: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {"query": operation.query}
    if operation.variables is not None:
        body["variables"] = operation.variables
    if operation.operation_name is not None:
        body["operationName"] = operation.operation_name
    response = http.post(url, json=body)
    try:
        result = response.json()
    except ValueError:
        pytest.fail(f"{url} answered {response.status_code} without JSON: {response.text[:500]}")
    assert isinstance(result, dict), result
    return result


def field_order(value: Any) -> Any:
    """The response's keys in order, at every level, without the values (so 3.0 and 3 agree)."""
    if isinstance(value, dict):
        return [(key, field_order(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [field_order(item) for item in value]
    return None


def error_paths(errors: list[dict[str, Any]]) -> list[str]:
    """Each error's path as text (`-` for none), sorted: the order of errors carries no meaning."""
    return sorted(json.dumps(error.get("path")) if error.get("path") else "-" for error in errors)


def field_errors(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's errors, with the value completion errors Apollo keeps in its extensions."""
    return [*(answer.get("errors") or []), *(answer.get("extensions") or {}).get("valueCompletion", [])]


@pytest.mark.parametrize(("scenario", "operation"), CASES)
def test_same_answer_as_apollo(
    scenario: str, operation: Operation, gateways_of: Callable[[str], GatewayPair], http: httpx.Client
) -> None:
    require_oracle()
    gateways = gateways_of(scenario)
    apollo = post(http, gateways.apollo, operation)
    ours = post(http, gateways.ours, operation)

    apollo_errors, our_errors = field_errors(apollo), ours.get("errors") or []
    for error in our_errors:
        assert isinstance(error.get("message"), str) and error["message"], error
        assert (error.get("extensions") or {}).get("code"), f"an error without extensions.code: {error}"
    if operation.spec_error_paths is not None:
        expected = error_paths([{"path": path} for path in operation.spec_error_paths])
        assert error_paths(our_errors) == expected, f"\n ours:   {ours}\n spec:   {expected}"
        assert error_paths(apollo_errors) != expected, (
            "Apollo now gives the spec's errors: drop spec_error_paths"
        )
    if operation.spec_data is not None:
        assert ours.get("data") == operation.spec_data, f"\n ours:   {ours}\n spec:   {operation.spec_data}"
        assert bool(our_errors) == operation.errors, ours
        apollo_agrees = apollo.get("data") == operation.spec_data and bool(apollo_errors) == operation.errors
        assert not apollo_agrees, "Apollo now gives the spec's answer: drop spec_data"
        return
    assert bool(apollo_errors) == operation.errors, f"the corpus expects errors={operation.errors}: {apollo}"

    assert ours.get("data") == apollo.get("data"), f"\n ours:   {ours}\n apollo: {apollo}"
    # Equal dicts may still differ in field order, which GraphQL fixes by the selection set.
    assert field_order(ours.get("data")) == field_order(apollo.get("data")), (
        "same data, different field order"
    )
    if operation.spec_error_paths is None:
        assert error_paths(our_errors) == error_paths(apollo_errors), f"\n ours:   {ours}\n apollo: {apollo}"


@pytest.mark.parametrize("operation", [op for op in scenarios()["unsatisfiable"].OPERATIONS if op.errors])
def test_an_unsatisfiable_operation_is_a_request_error(
    operation: Operation, gateways_of: Callable[[str], GatewayPair], http: httpx.Client
) -> None:
    """Both gateways refuse it whole, with no data; ours as a request error a client can act on."""
    require_oracle()
    gateways = gateways_of("unsatisfiable")
    apollo = http.post(gateways.apollo, json={"query": operation.query})
    # A request error is 400 for a client of GraphQL over HTTP's own media type (200 with plain JSON).
    accept = {"accept": "application/graphql-response+json"}
    ours = http.post(gateways.ours, json={"query": operation.query}, headers=accept)
    assert "data" not in apollo.json() and apollo.json()["errors"], apollo.text
    assert ours.status_code == 400, ours.text
    answer = ours.json()
    assert "data" not in answer, answer
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["QUERY_PLANNING_FAILED"], answer
