"""Institutions, programmes and equivalence rules: who may change what, who sees what, and bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from gateway.signing import Caller
from services.common.db import Database
from services.common.settings import Settings
from services.credits import catalog
from services.credits.registry_link import RegistryClient, RegistryUnavailable
from tests.conftest import GraphQLClient
from tests.credits.conftest import ADMIN, APPROVE, PROPOSE, Campus, approved_rule, make_campus

RULES = """query ($filter: EquivalenceRuleFilter) {
  equivalenceRules(filter: $filter, first: 50) {
    totalCount nodes { id status versions credits proposedBy institution { id } }
  }
}"""
RETIRE = """mutation ($id: ID!, $reason: String!) {
  retireEquivalenceRule(id: $id, reason: $reason) { status retiredOn }
}"""
INSTITUTION = (
    "mutation ($input: InstitutionInput!) { upsertInstitution(input: $input) { id name creditSystem } }"
)
PROGRAM = "mutation ($input: ProgramInput!) { upsertProgram(input: $input) { id effectiveCap capBasis } }"


def rule_input(campus: Campus, **fields: Any) -> dict[str, Any]:
    return {
        "institutionId": campus.institution,
        "programId": campus.program,
        "versions": ["EC1121"],
        "credits": 6,
        "creditLevel": "VOCATIONAL",
        "validFrom": "2024-01-01",
        "evidence": "Curriculum comparison (test).",
        **fields,
    }


async def test_a_rule_needs_a_second_person(credits: GraphQLClient, campus: Campus) -> None:
    rule = (await credits.data(PROPOSE, {"input": rule_input(campus)}, **campus.registrar))[
        "proposeEquivalenceRule"
    ]
    assert rule["status"] == "PROPOSED"
    own = await credits.error(APPROVE, {"id": rule["id"]}, **campus.registrar)
    assert own["extensions"]["code"] == "FORBIDDEN" and "proposed" in own["message"]
    approved = (await credits.data(APPROVE, {"id": rule["id"]}, **campus.colleague))["approveEquivalenceRule"]
    assert approved["status"] == "APPROVED" and approved["approvedOn"]
    again = await credits.error(APPROVE, {"id": rule["id"]}, **ADMIN)
    assert again["extensions"]["code"] == "CONFLICT"


async def test_the_same_person_cannot_approve_with_a_second_key(
    credits: GraphQLClient, campus: Campus
) -> None:
    """A second key of the proposer is still the proposer: the rule records the person who holds the
    key, and the approval is checked against the person, not the key."""
    ana = {**campus.registrar, "person": "Ana Registro"}
    rule = (await credits.data(PROPOSE, {"input": rule_input(campus)}, **ana))["proposeEquivalenceRule"]
    second_key = {**ana, "subject": "apikey:ana-second-key"}
    refused = await credits.error(APPROVE, {"id": rule["id"]}, **second_key)
    assert refused["extensions"]["code"] == "FORBIDDEN" and "proposed" in refused["message"]
    beto = {**campus.colleague, "person": "Beto Registro"}
    assert (await credits.data(APPROVE, {"id": rule["id"]}, **beto))["approveEquivalenceRule"]["status"] == (
        "APPROVED"
    )
    scope = {"filter": {"institutionId": campus.institution}}
    query = RULES.replace("proposedBy", "proposedBy approvedBy")
    (shown,) = (await credits.data(query, scope, **ana))["equivalenceRules"]["nodes"]
    assert (shown["proposedBy"], shown["approvedBy"]) == ("Ana Registro", "Beto Registro")


async def test_an_admin_approves_any_institutions_rule(credits: GraphQLClient, campus: Campus) -> None:
    rule = (await credits.data(PROPOSE, {"input": rule_input(campus)}, **campus.registrar))[
        "proposeEquivalenceRule"
    ]
    assert (await credits.data(APPROVE, {"id": rule["id"]}, **ADMIN))["approveEquivalenceRule"][
        "status"
    ] == "APPROVED"


async def test_a_registrar_edits_only_its_own_institution(credits: GraphQLClient, campus: Campus) -> None:
    other = await make_campus(credits)
    foreign = await credits.error(PROPOSE, {"input": rule_input(other)}, **campus.registrar)
    assert foreign["extensions"]["code"] == "FORBIDDEN" and other.institution in foreign["message"]
    rule = (await credits.data(PROPOSE, {"input": rule_input(other)}, **other.registrar))[
        "proposeEquivalenceRule"
    ]
    for mutation, variables in ((APPROVE, {"id": rule["id"]}), (RETIRE, {"id": rule["id"], "reason": "x"})):
        assert (await credits.error(mutation, variables, **campus.registrar))["extensions"][
            "code"
        ] == "FORBIDDEN"
    program = {
        "id": f"{other.institution}-second",
        "institutionId": other.institution,
        "name": "Otro",
        "awardLevel": "BACHELOR",
        "totalCredits": 300,
        "recognitionCap": 60,
    }
    assert (await credits.error(PROGRAM, {"input": program}, **campus.registrar))["extensions"][
        "code"
    ] == "FORBIDDEN"
    assert (await credits.data(PROGRAM, {"input": program}, **other.registrar))["upsertProgram"][
        "effectiveCap"
    ] == 60
    institution = {"id": campus.institution, "name": "Renombrada", "country": "MX", "creditSystem": "SATCA"}
    assert (await credits.data(INSTITUTION, {"input": institution}, **campus.registrar))["upsertInstitution"]
    institution = {**institution, "id": other.institution}
    assert (await credits.error(INSTITUTION, {"input": institution}, **campus.registrar))["extensions"][
        "code"
    ] == "FORBIDDEN"
    new = {"id": "inst-made-by-registrar", "name": "Nueva", "country": "MX", "creditSystem": "SATCA"}
    assert (await credits.error(INSTITUTION, {"input": new}, **campus.registrar))["extensions"][
        "code"
    ] == "FORBIDDEN"
    public = await credits.error(PROPOSE, {"input": rule_input(campus)})
    assert public["extensions"]["code"] == "FORBIDDEN"


async def test_public_reads_approved_rules_only(credits: GraphQLClient, campus: Campus) -> None:
    approved = await approved_rule(credits, campus)
    proposed = (
        await credits.data(PROPOSE, {"input": rule_input(campus, versions=["EC0631"])}, **campus.registrar)
    )["proposeEquivalenceRule"]["id"]
    retired = await approved_rule(credits, campus, versions=["EC0301"])
    await credits.data(RETIRE, {"id": retired, "reason": "Curriculum changed"}, **campus.registrar)
    scope = {"filter": {"institutionId": campus.institution}}

    public = (await credits.data(RULES, scope))["equivalenceRules"]
    assert [n["id"] for n in public["nodes"]] == [approved] and public["totalCount"] == 1
    assert public["nodes"][0]["proposedBy"] is None  # who proposed is the institution's business
    outsider = {"role": "registrar", "subject": "x", "scope": "another-institution"}
    assert [n["id"] for n in (await credits.data(RULES, scope, **outsider))["equivalenceRules"]["nodes"]] == [
        approved
    ]
    own = (await credits.data(RULES, scope, **campus.registrar))["equivalenceRules"]
    assert {n["id"] for n in own["nodes"]} == {approved, proposed, retired}
    assert own["nodes"][0]["proposedBy"] == campus.registrar["subject"]
    asked = (await credits.data(RULES, {"filter": {**scope["filter"], "status": "PROPOSED"}}))[
        "equivalenceRules"
    ]
    assert asked["nodes"] == []


async def test_rule_filters(credits: GraphQLClient, campus: Campus) -> None:
    early = await approved_rule(
        credits, campus, versions=["EC0217.01"], validFrom="2020-01-01", validTo="2022-12-31"
    )
    late = await approved_rule(credits, campus, versions=["EC0217.01"], validFrom="2023-01-01")
    other = await approved_rule(credits, campus, versions=["EC0631"])
    base = {"institutionId": campus.institution}

    async def ids(**filter: Any) -> set[str]:
        nodes = (await credits.data(RULES, {"filter": {**base, **filter}}))["equivalenceRules"]["nodes"]
        return {n["id"] for n in nodes}

    assert await ids(standardCode="EC0217.01") == {early, late}
    assert await ids(standardCode="EC0217") == {early, late}
    assert await ids(standardCode="EC0631") == {other}
    assert await ids(inForceOn="2021-06-01") == set()  # approved today: not yet in force in 2021
    assert await ids(inForceOn="2099-01-01") == {late, other}
    assert await ids(programId=campus.program) == {early, late, other}


async def bad(client: GraphQLClient, campus: Campus, **fields: Any) -> dict[str, Any]:
    return await client.error(PROPOSE, {"input": rule_input(campus, **fields)}, **campus.registrar)


async def test_bad_rules_are_refused_with_a_reason(credits: GraphQLClient, campus: Campus) -> None:
    cases = [
        ({"credits": -3}, "more than zero"),
        ({"credits": 0}, "more than zero"),
        ({"credits": 5000}, "1000"),
        ({"credits": 150}, "requires in all (100"),  # more than the programme's total
        ({"credits": 1.234}, "two decimals"),
        ({"validFrom": "2025-01-01", "validTo": "2024-01-01"}, "ends"),
        ({"versions": []}, "at least one version"),
        ({"versions": ["EC12"]}, "not a standard code"),
        ({"versions": ["EC1121", "EC0631"]}, "one standard"),
        ({"evidence": "  "}, "rests on"),
        ({"exemptedCourses": [{"code": "A", "title": "A", "credits": 9}]}, "more than the rule"),
        (
            {
                "exemptedCourses": [
                    {"code": "A", "title": "A", "credits": 1},
                    {"code": "A", "title": "B", "credits": 1},
                ]
            },
            "twice",
        ),
        ({"iscedField": "xx"}, "ISCED"),
    ]
    for fields, words in cases:
        error = await bad(credits, campus, **fields)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (fields, error)
        assert words in error["message"], (fields, error["message"])
    unknown = await credits.error(
        PROPOSE, {"input": rule_input(campus, institutionId="no-such", programId=None)}, **ADMIN
    )
    assert unknown["extensions"]["code"] == "NOT_FOUND" and "no-such" in unknown["message"]
    unknown_program = await bad(credits, campus, programId="no-such-programme")
    assert unknown_program["extensions"]["code"] == "NOT_FOUND"
    nothing = await credits.data(RULES, {"filter": {"institutionId": campus.institution}}, **campus.registrar)
    assert nothing["equivalenceRules"]["nodes"] == []  # nothing was stored


async def test_bad_institutions_and_programmes(credits: GraphQLClient, campus: Campus) -> None:
    literal = await credits.error(
        'mutation { upsertInstitution(input: {id: "x", name: "X", country: "MX", creditSystem: QUARTERLY}) '
        "{ id } }",
        **ADMIN,
    )
    assert literal["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "QUARTERLY" in literal["message"]
    variable = await credits.error(
        INSTITUTION,
        {"input": {"id": "x", "name": "X", "country": "MX", "creditSystem": "QUARTERLY"}},
        **ADMIN,
    )
    assert variable["extensions"]["code"] == "BAD_USER_INPUT" and "QUARTERLY" in variable["message"]
    country = await credits.error(
        INSTITUTION,
        {"input": {"id": "x", "name": "X", "country": "Mexico", "creditSystem": "SATCA"}},
        **ADMIN,
    )
    assert country["extensions"]["code"] == "BAD_USER_INPUT" and "ISO 3166" in country["message"]
    program = {
        "id": f"{campus.institution}-bad",
        "institutionId": campus.institution,
        "name": "Malo",
        "awardLevel": "BACHELOR",
        "totalCredits": 100,
        "recognitionCap": 20,
    }
    for fields, words in (
        ({"recognitionCap": 120}, "exceeds"),
        ({"totalCredits": -1}, "more than zero"),
        ({"totalCredits": 1e9}, "1000"),
        ({"residencyCredits": 101}, "exceed"),
        ({"maxCertificateAgeYears": 0}, "1 to 100"),
    ):
        error = await credits.error(PROGRAM, {"input": {**program, **fields}}, **campus.registrar)
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and words in error["message"], (fields, error)
    unknown = await credits.error(PROGRAM, {"input": {**program, "institutionId": "nope"}}, **ADMIN)
    assert unknown["extensions"]["code"] == "NOT_FOUND"


async def test_a_rule_names_standards_the_registry_knows(credits: GraphQLClient, campus: Campus) -> None:
    """Issue 13: `versions: ["EC9999"]` was accepted and then approved, a rule no certificate could meet."""
    for versions, unknown in ((["EC9999"], ["EC9999"]), (["EC1121.07", "EC1121"], ["EC1121.07"])):
        error = await bad(credits, campus, versions=versions)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["argument"] == "versions"
        assert error["extensions"]["unknownStandards"] == unknown
        assert f"no standard {', '.join(unknown)}" in error["message"]
    nothing = await credits.data(RULES, {"filter": {"institutionId": campus.institution}}, **campus.registrar)
    assert nothing["equivalenceRules"]["totalCount"] == 0  # nothing was stored, so nothing to approve
    # A version the registry holds goes through as before.
    known = await credits.data(PROPOSE, {"input": rule_input(campus, versions=["EC0217.01"])}, **ADMIN)
    assert known["proposeEquivalenceRule"]["versions"] == ["EC0217.01"]


async def test_no_rule_is_stored_when_the_registry_cannot_be_asked(
    credits_db: Database, credits: GraphQLClient, campus: Campus, bank_registry_app: Any, settings: Settings
) -> None:
    given = catalog.RuleInput(
        institution_id=campus.institution,
        versions=["EC1121"],
        credits=6,
        credit_level="VOCATIONAL",
        valid_from=date(2024, 1, 1),
        evidence="Curriculum comparison (test).",
    )
    caller = Caller(role="registrar", subject=f"{campus.institution}:ana", scope=campus.institution)
    dead = RegistryClient("http://127.0.0.1:9/graphql", settings.require_secret())
    # The registry answers only signed calls: a wrong secret is refused like an outage.
    unsigned = RegistryClient(
        "http://registry/graphql",
        b"not-the-secret",
        httpx.AsyncClient(transport=httpx.ASGITransport(app=bank_registry_app)),
    )
    try:
        for registry in (dead, unsigned):
            with pytest.raises(RegistryUnavailable) as refused:
                await catalog.propose_rule(credits_db, registry, caller, given)
            assert refused.value.code == "SERVICE_UNAVAILABLE"
            assert "the rule was not stored. Try again." in refused.value.message
    finally:
        await dead.close()
        await unsigned.close()
    stored = await credits_db.fetchval(
        "SELECT count(*) FROM equivalence_rules WHERE institution_id = $1", campus.institution
    )
    assert stored == 0


@pytest.mark.parametrize(
    ("query", "field", "argument"),
    [
        ('{ institution(id: "nope") { id } }', "institution", "id"),
        ('{ program(id: "nope") { id } }', "program", "id"),
    ],
)
async def test_a_lookup_that_finds_nothing_is_null_with_not_found(
    credits: GraphQLClient, query: str, field: str, argument: str
) -> None:
    # The services' one convention (README): a lookup by key answers NOT_FOUND at its path.
    answer = await credits.post(query)
    assert answer["data"] == {field: None}
    [error] = answer["errors"]
    assert (error["path"], error["extensions"]["code"], error["extensions"]["argument"]) == (
        [field],
        "NOT_FOUND",
        argument,
    )
