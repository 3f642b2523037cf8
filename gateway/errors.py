"""The gateway's errors: one tree of exceptions, and the one place errors become GraphQL errors.

Every error a client is told of carries a message written for that client (never an address, a
stack or a query it did not send) and its GraphQL `extensions.code`:

    GatewayError                     the root; `errors` is what the response's `errors` holds
    ├── OperationRefused             refused before anything runs: parse, validation, variables, limits
    │   ├── OperationError           the operation to run cannot be chosen (`operationName`)
    │   └── PlanningError            valid, but no plan can satisfy it
    ├── RequestRefused               an HTTP request refused as such, with its own status and headers
    │   └── QueryRefused             an automatic persisted query that cannot be resolved
    └── SubgraphFailure              a subgraph gave no GraphQL answer

How each is framed in HTTP is the server's business (gateway/server.py); field errors found while
executing and shaping are not exceptions (the response goes on around them) but are written by the
same `graphql_error`.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


def graphql_error(message: str, code: str, path: list | None = None, **extensions: Any) -> dict[str, Any]:
    """A GraphQL error as the response carries it: its message, its path in the data (when it is a
    field's), and `extensions` with its code first."""
    error: dict[str, Any] = {"message": message, "path": path} if path else {"message": message}
    error["extensions"] = {"code": code, **extensions}
    return error


def located_error(error: GraphQLError, code: str) -> dict[str, Any]:
    """A graphql-core error (which knows where in the document it is) with `code` as its code."""
    formatted = error.formatted
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


class GatewayError(Exception):
    """An error the gateway answers a client with; `errors` are the GraphQL errors it becomes."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, code: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.errors: list[dict[str, Any]] = [graphql_error(message, self.code, **extensions)]

    @property
    def formatted(self) -> dict[str, Any]:
        """The first (most often the only) error, as graphql-core's `GraphQLError.formatted` names it."""
        return self.errors[0]


class OperationRefused(GatewayError):
    """The operation is refused whole before any fetch: a request error (no `data`), which a client
    must fix rather than retry. Validation may refuse it for several reasons at once (`of`)."""

    code = "BAD_USER_INPUT"

    @classmethod
    def of(cls, errors: list[dict[str, Any]]) -> OperationRefused:
        """The refusal for these GraphQL errors (at least one), all of them told."""
        first = errors[0]
        refused = cls(first["message"], first["extensions"]["code"])
        refused.errors = errors
        return refused


class OperationError(OperationRefused):
    """The document does not say which of its operations to run, or has none by the name given."""


class PlanningError(OperationRefused):
    """The operation asks for something no subgraph can provide from where it is needed.

    It stops the whole plan: no part of an operation that cannot be satisfied is ever run. It is not
    an internal error (a field behind keys that are not resolvable, an interface object with no
    implementation), and retrying cannot help: it is a request error (HTTP 400, no data) with
    Apollo's QUERY_PLANNING_FAILED, so the client knows to change the operation. (@apollo/gateway
    refuses these too, but with HTTP 500 and INTERNAL_SERVER_ERROR or INVALID_GRAPHQL, which reads
    as a server fault worth retrying.)"""

    code = "QUERY_PLANNING_FAILED"


class RequestRefused(GatewayError):
    """A request answered with one error before any GraphQL work: its status and headers ride along."""

    def __init__(
        self,
        message: str,
        code: str,
        status: int = 400,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message, code, **extensions)
        self.status = status
        self.headers = dict(headers or {})

    @property
    def error(self) -> dict[str, Any]:
        return self.errors[0]

    @classmethod
    def from_error(
        cls, error: GraphQLError, status: int, headers: dict[str, str] | None = None
    ) -> RequestRefused:
        """A refusal told as graphql-core's `error` (whose extensions hold its code) is."""
        extensions = dict(error.extensions or {})
        return cls(error.message, extensions.pop("code"), status, headers, **extensions)


class QueryRefused(RequestRefused):
    """The request's automatic persisted query cannot be turned into a query (gateway/apq.py)."""


class SubgraphFailure(GatewayError):
    """A subgraph gave no GraphQL answer. The message completes "The subgraph "x" ..." for clients
    ("is unreachable", "timed out ..."): it never holds an address; the transport logs the detail.
    The executor tells it at the fields the fetch owed (`Execution.fail`)."""
