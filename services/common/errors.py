"""Errors a person can act on, each with an `extensions.code`; nothing else leaves the process.

Resolvers raise the `QFError` subclasses below. The `ShapeErrors` schema extension gives every
error in a response a code: ours keep their message and code, GraphQL's own validation and argument
errors become `GRAPHQL_VALIDATION_FAILED` / `BAD_USER_INPUT`, and anything unexpected is logged here
and replaced by a plain `INTERNAL_SERVER_ERROR` without its text or traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("qf.errors")


class QFError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class BadUserInput(QFError):
    code = "BAD_USER_INPUT"


class NotFound(QFError):
    code = "NOT_FOUND"


class Unauthenticated(QFError):
    code = "UNAUTHENTICATED"


class Forbidden(QFError):
    code = "FORBIDDEN"


class Conflict(QFError):
    code = "CONFLICT"


def shape_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, QFError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions={"code": original.code, **original.extensions},
        )
    if original is None:
        # Raised by graphql-core itself: parse, validation or variable coercion problems.
        code = (error.extensions or {}).get("code")
        if not code:
            code = (
                "BAD_USER_INPUT"
                if error.path is None and "Variable" in error.message
                else ("GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT")
            )
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions={**(error.extensions or {}), "code": code},
        )
    if isinstance(original, (ValueError, TypeError)) and error.path is None:
        return GraphQLError(error.message, nodes=error.nodes, extensions={"code": "BAD_USER_INPUT"})
    log.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        "Internal server error; it has been logged.",
        nodes=error.nodes,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ShapeErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape_error(e) for e in result.errors]
