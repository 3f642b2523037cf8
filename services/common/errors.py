"""Errors a person can act on, each with an `extensions.code`; nothing else leaves the process.

Resolvers raise the `QFError` subclasses below. The `ShapeErrors` schema extension gives every
error in a response a code: ours keep their message and code, GraphQL's own validation and argument
errors become `GRAPHQL_VALIDATION_FAILED` / `BAD_USER_INPUT`, and anything unexpected is logged here
and replaced by a plain `INTERNAL_SERVER_ERROR` without its text or traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, TypeVar

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("qf.errors")

T = TypeVar("T")


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


def found(value: T | None, message: str, **extensions: Any) -> T:
    """`value`, or `NotFound(message)` when it is None.

    The one way the services say "not found": a root field that looks one thing up by its key (a
    standard by code, an institution or programme by id, a framework item, an agreement) answers with a
    `NOT_FOUND` error at its path, whatever its nullability: a nullable field is null with the error,
    a non-null one nulls its parent as GraphQL says. Entities (`_entities`) and links from one object to
    another stay plain null: the gateway, or the type's description, explains them.
    """
    if value is None:
        raise NotFound(message, **extensions)
    return value


class Unauthenticated(QFError):
    code = "UNAUTHENTICATED"


class Forbidden(QFError):
    code = "FORBIDDEN"


class Conflict(QFError):
    code = "CONFLICT"


def _with_code(error: GraphQLError, message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        path=error.path,
        original_error=None,
        extensions={**extensions, "code": code},
    )


def shape_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, QFError):
        return _with_code(error, original.message, original.code, **original.extensions)
    if error.path is None and (
        original is None or isinstance(original, (ValueError, TypeError, GraphQLError))
    ):
        # Raised before execution by graphql-core itself: syntax, validation, or a value that does
        # not fit its type (a bad Date, a string for an Int, a variable of the wrong shape).
        is_value = original is not None or error.message.startswith("Variable ")
        code = (error.extensions or {}).get("code") or (
            "BAD_USER_INPUT"
            if is_value
            else "GRAPHQL_PARSE_FAILED"
            if error.message.startswith("Syntax Error")
            else "GRAPHQL_VALIDATION_FAILED"
        )
        return _with_code(error, error.message, code)
    if original is None:
        return _with_code(error, error.message, "BAD_USER_INPUT", **(error.extensions or {}))
    log.error("unexpected error at %s", error.path, exc_info=original)
    return _with_code(error, "Internal server error; it has been logged.", "INTERNAL_SERVER_ERROR")


class ShapeErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape_error(e) for e in result.errors]
