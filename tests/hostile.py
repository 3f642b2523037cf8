"""Hostile argument values sent to a subgraph in both spellings a client has: written in the operation
(a literal) and passed as a variable. Each subgraph's test_hostile_input.py lists its fields with these.

A case is one field call with `{v}` where the hostile value goes, e.g. `standard(code: {v}) { code }`;
`argument` is what the refusal must name (a path into nested input objects and lists).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from services.common.db import Database
from tests.conftest import GraphQLClient

NUL_TEXT = "EC\u00000217"
# Beyond bigint, one past it, and what int() takes but an id is not.
BAD_IDS = ("99999999999999999999999999", str(2**63), "-1", "12abc", "1_000", " 12 ", "١٢")


@dataclass(frozen=True)
class Case:
    call: str
    argument: str
    type: str = "String!"
    mutation: bool = False
    who: dict[str, Any] = field(default_factory=lambda: {"role": "admin", "subject": "test:admin"})

    def __str__(self) -> str:  # the test id
        return self.call.split("(")[0] + ":" + self.argument

    def literal(self, value: str) -> tuple[str, dict[str, Any]]:
        keyword = "mutation" if self.mutation else "query"
        call = self.call.replace("{v}", json.dumps(value))
        return f"{keyword} {{ {call} }}", {}

    def variable(self, value: str) -> tuple[str, dict[str, Any]]:
        keyword = "mutation" if self.mutation else "query"
        call = self.call.replace("{v}", "$v")
        return f"{keyword} ($v: {self.type}) {{ {call} }}", {"v": value}


async def refusal(
    client: GraphQLClient, operation: str, variables: dict[str, Any], who: dict[str, Any]
) -> dict:
    """The one error of an operation that must be refused before anything ran (no data at all)."""
    result = await client.post(operation, variables, **who)
    assert result.get("data") is None, result
    errors = result.get("errors") or []
    assert len(errors) == 1, result
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", errors[0]
    assert "Traceback" not in json.dumps(result)
    return errors[0]


async def assert_nul_refused(client: GraphQLClient, case: Case, spelling: str) -> None:
    operation, variables = getattr(case, spelling)(NUL_TEXT)
    error = await refusal(client, operation, variables, case.who)
    assert error["extensions"]["argument"] == case.argument, error
    assert "NUL character" in error["message"] and f"`{case.argument}`" in error["message"], error
    if spelling == "variable":
        assert error["extensions"]["variable"] == "v"


async def fingerprint(db: Database) -> str:
    """A digest of every table in the service's schema: equal digests, nothing stored changed."""
    tables = await db.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    digest = hashlib.sha256()
    for row in tables:
        # Rows and the newest row version: an insert or delete changes the count, and an insert or update
        # writes a row version with a transaction id above every earlier one. Cheap on 46,000 rows.
        content = await db.fetchval(
            f"SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM \"{row[0]}\""
        )
        digest.update(f"{row[0]}:{content}\n".encode())
    return digest.hexdigest()
