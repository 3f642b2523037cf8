"""Over the full RENEC list, the registry's short cuts (batched `_entities`, plain fields, lists of
objects completed in one pass) answer exactly as strawberry's general path does, errors and nulls
included: the same schema built without them is the reference."""

from __future__ import annotations

import copy
from typing import Any

import strawberry

from gateway.signing import Caller
from services.common.context import Context
from services.common.db import Database
from services.common.errors import ShapeErrors
from services.common.inputs import RefuseUnstorableText
from services.common.settings import Settings
from services.registry.loaders import Loaders
from services.registry.schema import Certificate, Committee, Learner, Mutation, Query, schema

GENERAL = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[Learner, Certificate, Committee],
    extensions=[ShapeErrors, RefuseUnstorableText],
)

ENTITIES = """query($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on Standard {
      code title titleEn level status publishedOn reviewOn withdrawnOn certificateValidityYears
      equivalentToPrevious elementsKnown committeeName
      sector { code title } committee { id name standardCount } levelDescriptor { level }
    }
    ... on Committee { id name conocerKey }
    ... on CertificationBody { id name kind }
  }
}"""

PAGE = """{ standards(first: 60) { totalCount edges { cursor node { code title level status
  sector { code } committee { name } } } } }"""


async def both(app: Any, settings: Settings, query: str, variables: dict[str, Any]) -> list[Any]:
    db: Database = app.state.db
    answers = []
    for each in (schema, GENERAL):
        caller = Caller(role="public")
        context = Context(db=db, caller=caller, settings=settings, loaders=Loaders(db, caller))
        result = await each.execute(query, variable_values=copy.deepcopy(variables), context_value=context)
        errors = sorted((e.formatted for e in result.errors or []), key=lambda e: str(e.get("path")))
        answers.append({"data": result.data, "errors": errors})
    return answers


async def test_entities_of_many_standards_and_committees_match(
    full_registry_app: Any, settings: Settings
) -> None:
    db: Database = full_registry_app.state.db
    codes = [r["code"] for r in await db.fetch("SELECT code FROM standards ORDER BY code LIMIT 300")]
    committees = [r["id"] for r in await db.fetch("SELECT id FROM committees ORDER BY id LIMIT 20")]
    representations: list[Any] = [{"__typename": "Standard", "code": c} for c in codes]
    representations[5:5] = [{"__typename": "Committee", "id": i} for i in committees]
    representations += [
        {"__typename": "Standard", "code": "EC9999.99"},  # no such standard: null
        {"__typename": "Standard", "code": "EC0217", "extra": "x"},  # not a plain key
        {"__typename": "CertificationBody", "id": "no-such-body"},
        {"__typename": "Standard"},
    ]
    fast, general = await both(full_registry_app, settings, ENTITIES, {"r": representations})
    assert fast == general
    entities = fast["data"]["_entities"]
    assert sum(1 for e in entities if e and e["__typename"] == "Standard") == len(codes)
    assert any(e and e.get("committee") for e in entities)
    assert fast["errors"]  # the malformed representations


async def test_a_page_of_standards_matches(full_registry_app: Any, settings: Settings) -> None:
    fast, general = await both(full_registry_app, settings, PAGE, {})
    assert fast == general
    assert len(fast["data"]["standards"]["edges"]) == 60
