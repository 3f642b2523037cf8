"""Introspection off (production's default, DESIGN.md section 6): `__schema` and `__type` are refused.

A validation rule, so the refusal comes with the other validation errors (never cached), and
it comes before planning. `__typename` stays allowed: clients (Apollo's among them) add it to every
selection set to cache by type, and it tells nothing about the schema beyond the names the client
already sent. With introspection off, validation errors also leave out their "Did you mean ...?"
suggestions (see Engine), which would otherwise spell out the schema field by field.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule
from graphql.language import SKIP

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
CODE = "INTROSPECTION_DISABLED"


class NoIntrospection(ValidationRule):
    """One error per `__schema` or `__type` field; what they select is not looked at."""

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        if node.name.value not in INTROSPECTION_FIELDS:
            return None
        self.report_error(
            GraphQLError(
                f"Introspection is disabled on this gateway, so `{node.name.value}` cannot be queried; "
                "ask the API's operators for its schema (SDL).",
                node,
                extensions={"code": CODE},
            )
        )
        return SKIP
