"""The strawberry federation schema every subgraph uses: errors shaped, user errors not logged, and
argument text that PostgreSQL cannot store refused before any resolver runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError

from services.common.errors import ShapeErrors
from services.common.execution import PlainFieldsExecutionContext
from services.common.inputs import RefuseUnstorableText


class SubgraphSchema(strawberry.federation.Schema):
    def __init__(self, query: type, mutation: type | None = None, types: Iterable[type] = ()) -> None:
        super().__init__(
            query=query,
            mutation=mutation,
            types=list(types),
            extensions=[ShapeErrors, RefuseUnstorableText],
            execution_context_class=PlainFieldsExecutionContext,
        )

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # `ShapeErrors` logs the unexpected ones with their traceback; a client's bad input or a
        # refused rule is an answer, not a server fault, and would only flood the log.
        return None
