"""Counterparts through GraphQL (issue 12, items 5-6): a standard's counterparts along the official
routes and the reverse, the task force's review queue and bulk reviews (MX, then US), coverage from
proposed to endorsed to mutual, the export, and the automotive rule's reasons.

Proposals are written as the proposer writes them (method text_match, status proposed, evidence JSON),
on top of the full official data; the agreement is this module's own, so other tests' state is apart.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from services.common.db import Database
from tests.conftest import GraphQLClient

# Its tests write to the crosswalk's database: a copy of the import of its own (tests/conftest.py).
pytestmark = pytest.mark.own_import

ALICE = {"role": "taskforce", "subject": "person:alice-mx", "scope": "MX"}
BOB = {"role": "taskforce", "subject": "person:bob-us", "scope": "US"}
AGREEMENT_ID = "MX-US-AUTO-COUNTERPARTS-TEST"
SCOPE = ["EC0601", "EC0630", "EC1121"]

COUNTERPARTS = """
query ($code: String!, $schemes: [Scheme!] = [SOC_2018, ONET_SOC], $proposed: Boolean! = true) {
  _entities(representations: [{__typename: "Standard", code: $code}]) {
    ... on Standard {
      counterparts(schemes: $schemes, first: 20, includeProposed: $proposed) {
        confidence status method
        item { scheme code label }
        path { scheme code }
        evidence { matchedLabel matchedTerms dataset score jobZone
                   sector { naicsSector employment share } route { scheme code item { label } } }
        proposal { id reviews { party decision reviewedBy } mutual }
      }
    }
  }
}"""
REVERSE = """
query ($scheme: Scheme!, $code: String!) {
  frameworkItem(scheme: $scheme, code: $code) {
    counterparts(first: 20) { confidence status item { scheme code } path { scheme code } standard { code } }
  }
}"""
QUEUE = """
query ($filter: ProposalFilter, $first: Int, $after: String) {
  mappingProposals(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id confidence status method proposedBy from { code } to { scheme code }
                   evidence { matchedLabel } reviews { party decision } mutual } }
  }
}"""
REVIEW = """
mutation ($decisions: [ReviewDecisionInput!]!) {
  reviewMappings(decisions: $decisions) {
    id status method reviewedBy reviews { party decision reviewedBy } mutual
  }
}"""
CREATE = """
mutation ($input: AgreementInput!) { createRecognitionAgreement(input: $input) { id } }"""
AGREEMENT = """
query ($id: ID!, $format: ExportFormat!) {
  recognitionAgreement(id: $id) {
    coverage { inScope withCounterpart withProposedCounterpart withEndorsedCounterpart mutual }
    export(format: $format)
  }
}"""
SCOPE_QUERY = "{ automotiveScope { code title reasons { kind detail } standard { code } } }"
PROPOSE = """
mutation ($input: MappingInput!) { proposeMapping(input: $input) { id } }"""


def evidence(label: str, terms: list[str], route: list[tuple[str, str]], sector: str) -> dict[str, Any]:
    return {
        "matchedLabel": label,
        "matchedTerms": terms,
        "dataset": "ESCO v1.0 (es)",
        "score": 12.5,
        "route": [{"scheme": s, "code": c} for s, c in route],
        "sector": {"naicsSector": sector, "employment": 12345, "share": 0.02},
        "jobZone": 2,
    }


async def esco(db: Database, label: str) -> str:
    return await db.fetchval("SELECT code FROM items WHERE scheme = 'ESCO' AND label_es LIKE $1", label + "%")


@pytest.fixture(scope="module")
async def proposals(mapping_db: Database, mapping: GraphQLClient) -> dict[str, int]:
    """Proposals as the proposer writes them: the painter, the mechanic (twice: EC1121 and EC0601),
    and a wrong one (a taxi driver's standard to the mechanic) for a reviewer to reject."""
    painter = await esco(mapping_db, "pintor de vehículos")
    mechanic = await esco(mapping_db, "mecánico de vehículos")
    rows = {
        "painter": (
            "EC0630",
            painter,
            0.62,
            "pintor de vehículos",
            ["pintura", "automotriz"],
            "7132",
            "51-9124",
        ),
        "mechanic": ("EC1121", mechanic, 0.71, "mecánico de vehículos", ["mecánico"], "7231", "49-3023"),
        "oil": ("EC0601", mechanic, 0.35, "mecánico de vehículos", ["vehículos"], "7231", "49-3023"),
        "taxi": ("EC0246", mechanic, 0.2, "mecánico de vehículos", ["vehículo"], "7231", "49-3023"),
    }
    ids = {}
    for name, (standard, target, confidence, label, terms, isco, soc) in rows.items():
        route = [("CONOCER_EC", standard), ("ESCO", target), ("ISCO_08", isco), ("SOC_2018", soc)]
        ids[name] = await mapping_db.fetchval(
            """INSERT INTO edges (from_scheme, from_code, to_scheme, to_code, relation, confidence, method,
                   source, from_version, to_version, status, proposed_by, evidence)
               VALUES ('CONOCER_EC', $1, 'ESCO', $2, 'closeMatch', $3, 'text_match',
                   'qf-proposer: ESCO v1.0 (es) labels', '2025-11', 'v1.0', 'proposed', 'qf-proposer', $4)
               RETURNING id""",
            standard,
            target,
            confidence,
            evidence(label, terms, route, "81"),
        )
    agreement = {
        "id": AGREEMENT_ID,
        "titleEs": "Acuerdo de prueba de contrapartes",
        "scopeStandards": SCOPE,
        "counterpartScheme": "SOC_2018",
    }
    await mapping.data(CREATE, {"input": agreement}, **ALICE)
    return ids


async def refusal(mapping: GraphQLClient, decisions: list[dict], **who: Any) -> str:
    """The error code of a reviewMappings call that must fail."""
    return (await mapping.error(REVIEW, {"decisions": decisions}, **who))["extensions"]["code"]


async def counterparts_of(mapping: GraphQLClient, code: str, **variables: Any) -> list[dict]:
    data = await mapping.data(COUNTERPARTS, {"code": code, **variables})
    return data["_entities"][0]["counterparts"]


async def agreement(mapping: GraphQLClient, format: str = "CSV") -> dict:
    return (await mapping.data(AGREEMENT, {"id": AGREEMENT_ID, "format": format}))["recognitionAgreement"]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_proposal_leads_on_to_soc_and_onet_with_its_evidence(
    mapping: GraphQLClient, proposals: dict[str, int]
) -> None:
    found = await counterparts_of(mapping, "EC0630")
    by_code = {(c["item"]["scheme"], c["item"]["code"]): c for c in found}
    painter = by_code["SOC_2018", "51-9124"]
    assert [c["confidence"] for c in found] == sorted((c["confidence"] for c in found), reverse=True)
    assert (painter["status"], painter["method"]) == ("PROPOSED", "TEXT_MATCH")
    assert 0 < painter["confidence"] <= 0.62
    # Onward from the proposed ESCO occupation by the official ISCO route or the Nesta O*NET one,
    # whichever is more confident.
    schemes = [p["scheme"] for p in painter["path"]]
    assert schemes in (
        ["CONOCER_EC", "ESCO", "ISCO_08", "SOC_2010", "SOC_2018"],
        ["CONOCER_EC", "ESCO", "ONET_SOC", "SOC_2018"],
    ), schemes
    assert painter["path"][0]["code"] == "EC0630" and painter["path"][-1]["code"] == "51-9124"
    ev = painter["evidence"]
    assert ev["matchedLabel"] == "pintor de vehículos" and ev["matchedTerms"] == ["pintura", "automotriz"]
    assert ev["sector"] == {"naicsSector": "81", "employment": 12345, "share": 0.02} and ev["jobZone"] == 2
    assert [s["scheme"] for s in ev["route"]] == ["CONOCER_EC", "ESCO", "ISCO_08", "SOC_2018"]
    assert ev["route"][3]["item"]["label"]  # route stops resolve to items
    assert painter["proposal"]["id"] == str(proposals["painter"])
    # O*NET codes count through their SOC: the detail occupation follows its SOC occupation.
    onet = by_code["ONET_SOC", "51-9124.00"]
    # (or straight from the ESCO occupation, where the Nesta research crosswalk has the pair)
    assert onet["confidence"] <= painter["confidence"] and onet["path"][-1]["code"] == "51-9124.00"
    assert onet["path"][-2]["code"] == "51-9124" or onet["path"][-2]["scheme"] == "ESCO"
    # Only endorsed edges when asked so: nothing yet.
    assert await counterparts_of(mapping, "EC0630", proposed=False) == []


async def test_the_reverse_reads_the_same_routes(mapping: GraphQLClient, proposals: dict[str, int]) -> None:
    forward = {c["item"]["code"]: c for c in await counterparts_of(mapping, "EC1121")}
    reverse = (await mapping.data(REVERSE, {"scheme": "SOC_2018", "code": "49-3023"}))["frameworkItem"]
    by_standard = {c["item"]["code"]: c for c in reverse["counterparts"]}
    assert {"EC1121", "EC0601"} <= set(by_standard)
    assert next(iter(by_standard)) == "EC1121"  # the more confident proposal first
    assert by_standard["EC1121"]["confidence"] == forward["49-3023"]["confidence"]
    assert by_standard["EC1121"]["path"] == forward["49-3023"]["path"]
    assert by_standard["EC1121"]["item"]["scheme"] == "CONOCER_EC"
    # From an O*NET occupation too; an industry has no standards this way.
    onet = (await mapping.data(REVERSE, {"scheme": "ONET_SOC", "code": "49-3023.00"}))["frameworkItem"]
    assert "EC1121" in {c["item"]["code"] for c in onet["counterparts"]}
    naics = (await mapping.data(REVERSE, {"scheme": "NAICS_2022", "code": "8111"}))["frameworkItem"]
    assert naics["counterparts"] == []


async def test_bad_counterpart_arguments_are_refused(mapping: GraphQLClient) -> None:
    error = await mapping.error(COUNTERPARTS, {"code": "EC0630", "schemes": ["NAICS_2022"]})
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "NAICS_2022" in error["message"]
    query = (
        '{ frameworkItem(scheme: SOC_2018, code: "49-3023") { counterparts(first: 1000) { confidence } } }'
    )
    assert (await mapping.error(query))["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_queue_ranks_and_pages_proposals(mapping: GraphQLClient, proposals: dict[str, int]) -> None:
    variables = {"filter": {"agreementId": AGREEMENT_ID, "status": "PROPOSED", "scheme": "ESCO"}, "first": 2}
    page = (await mapping.data(QUEUE, variables))["mappingProposals"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    ids = [e["node"]["id"] for e in page["edges"]]
    assert ids == [str(proposals["mechanic"]), str(proposals["painter"])]
    assert page["edges"][0]["node"]["evidence"]["matchedLabel"] == "mecánico de vehículos"
    rest = await mapping.data(QUEUE, {**variables, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["id"] for e in rest["mappingProposals"]["edges"]] == [str(proposals["oil"])]
    narrow = {"filter": {"standardCode": "EC0601", "minConfidence": 0.3, "maxConfidence": 0.4}}
    assert (await mapping.data(QUEUE, narrow))["mappingProposals"]["totalCount"] == 1
    bad = await mapping.error(QUEUE, {"filter": {"minConfidence": 2}})
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"
    missing = await mapping.error(QUEUE, {"filter": {"agreementId": "NO-SUCH-AGREEMENT"}})
    assert missing["extensions"]["code"] == "NOT_FOUND"


async def test_bulk_reviews_are_bounded_checked_whole_and_need_a_party(
    mapping: GraphQLClient, mapping_db: Database, proposals: dict[str, int]
) -> None:
    reviews_before = await mapping_db.fetchval("SELECT count(*) FROM edge_reviews")
    too_many = [{"id": str(i), "decision": "ENDORSE"} for i in range(1, 202)]
    error = await mapping.error(REVIEW, {"decisions": too_many}, **ALICE)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "200" in error["message"]
    # One unknown id among good ones: nothing is written.
    painter = {"id": str(proposals["painter"]), "decision": "ENDORSE"}
    mixed = [painter, {"id": "999999999", "decision": "REJECT"}]
    assert await refusal(mapping, mixed, **ALICE) == "NOT_FOUND"
    bad_id = [{"id": "12x", "decision": "ENDORSE"}]
    assert await refusal(mapping, bad_id, **ALICE) == "BAD_USER_INPUT"
    twice = [{"id": str(proposals["painter"]), "decision": "ENDORSE"}] * 2
    assert await refusal(mapping, twice, **ALICE) == "BAD_USER_INPUT"
    # (Counted before and after: other tests of this shared database may have reviewed other edges.)
    assert await mapping_db.fetchval("SELECT count(*) FROM edge_reviews") == reviews_before
    # A key acting for no party, or a public caller, cannot review.
    one = [{"id": str(proposals["painter"]), "decision": "ENDORSE"}]
    no_party = {"role": "taskforce", "subject": "person:carol"}
    assert await refusal(mapping, one, **no_party) == "FORBIDDEN"
    assert await refusal(mapping, one) == "FORBIDDEN"
    # An official crosswalk edge is not a proposal.
    official = await mapping_db.fetchval("SELECT min(id) FROM edges WHERE proposed_by IS NULL")
    assert await refusal(mapping, [{"id": str(official), "decision": "ENDORSE"}], **ALICE) == "BAD_USER_INPUT"


async def test_a_proposer_never_reviews_its_own(mapping: GraphQLClient) -> None:
    mapping_input = {
        "from": {"scheme": "CONOCER_EC", "code": "EC1121"},
        "to": {"scheme": "SOC_2018", "code": "49-3023"},
        "relation": "CLOSE_MATCH",
        "confidence": 0.9,
        "source": "Task force reading of EC1121 against SOC 49-3023 (test)",
    }
    edge = (await mapping.data(PROPOSE, {"input": mapping_input}, **ALICE))["proposeMapping"]
    own = await mapping.error(REVIEW, {"decisions": [{"id": edge["id"], "decision": "ENDORSE"}]}, **ALICE)
    assert own["extensions"]["code"] == "FORBIDDEN"
    rejected = await mapping.data(REVIEW, {"decisions": [{"id": edge["id"], "decision": "REJECT"}]}, **BOB)
    assert rejected["reviewMappings"][0]["status"] == "REJECTED"


async def test_the_task_force_reviews_in_bulk_and_coverage_moves_to_mutual(
    mapping: GraphQLClient, proposals: dict[str, int]
) -> None:
    before = await agreement(mapping)
    assert before["coverage"] == {
        "inScope": 3,
        "withCounterpart": 0,
        "withProposedCounterpart": 3,
        "withEndorsedCounterpart": 0,
        "mutual": 0,
    }
    rows = csv_rows(before["export"])
    painter = next(r for r in rows if (r["standardCode"], r["counterpartCode"]) == ("EC0630", "51-9124"))
    assert (painter["status"], painter["mxReview"], painter["usReview"], painter["mutual"]) == (
        "proposed",
        "pending",
        "pending",
        "False",
    )
    assert painter["route"].startswith("CONOCER_EC EC0630 > ESCO ")

    decisions = [
        {"id": str(proposals["painter"]), "decision": "ENDORSE", "note": "painter matches"},
        {"id": str(proposals["mechanic"]), "decision": "ENDORSE"},
    ]
    mx = (await mapping.data(REVIEW, {"decisions": decisions}, **ALICE))["reviewMappings"]
    assert [(e["status"], e["mutual"]) for e in mx] == [("ENDORSED", False)] * 2
    assert mx[0]["reviews"] == [{"party": "MX", "decision": "ENDORSED", "reviewedBy": "person:alice-mx"}]
    again = await mapping.error(REVIEW, {"decisions": decisions[:1]}, **ALICE)
    assert again["extensions"]["code"] == "CONFLICT"
    middle = await agreement(mapping)
    assert (middle["coverage"]["withEndorsedCounterpart"], middle["coverage"]["mutual"]) == (2, 0)
    endorsed = await counterparts_of(mapping, "EC0630", proposed=False)
    assert "51-9124" in {c["item"]["code"] for c in endorsed}
    assert endorsed[0]["proposal"]["reviews"][0]["party"] == "MX"

    us = (await mapping.data(REVIEW, {"decisions": decisions}, **BOB))["reviewMappings"]
    assert [e["mutual"] for e in us] == [True, True]
    assert [r["party"] for r in us[0]["reviews"]] == ["MX", "US"]
    after = await agreement(mapping)
    assert after["coverage"]["mutual"] == 2 and after["coverage"]["withProposedCounterpart"] == 3
    rows = csv_rows(after["export"])
    painter = next(r for r in rows if (r["standardCode"], r["counterpartCode"]) == ("EC0630", "51-9124"))
    assert (painter["status"], painter["mxReview"], painter["usReview"], painter["mutual"]) == (
        "endorsed",
        "endorsed",
        "endorsed",
        "True",
    )
    table = json.loads((await agreement(mapping, "JSON"))["export"])
    assert table["coverage"]["mutual"] == 2 and table["agreement"] == AGREEMENT_ID
    assert {r["standardCode"] for r in table["rows"]} == set(SCOPE)


async def test_rejected_edges_never_count(mapping: GraphQLClient, proposals: dict[str, int]) -> None:
    assert "49-3023" in {c["item"]["code"] for c in await counterparts_of(mapping, "EC0246")}
    await mapping.data(REVIEW, {"decisions": [{"id": str(proposals["taxi"]), "decision": "REJECT"}]}, **BOB)
    assert await counterparts_of(mapping, "EC0246") == []
    reverse = (await mapping.data(REVERSE, {"scheme": "SOC_2018", "code": "49-3023"}))["frameworkItem"]
    assert "EC0246" not in {c["item"]["code"] for c in reverse["counterparts"]}
    endorse = [{"id": str(proposals["taxi"]), "decision": "ENDORSE"}]
    assert await refusal(mapping, endorse, **ALICE) == "CONFLICT"
    queue = await mapping.data(QUEUE, {"filter": {"standardCode": "EC0246", "status": "REJECTED"}})
    [rejected] = queue["mappingProposals"]["edges"]
    assert rejected["node"]["reviews"] == [{"party": "US", "decision": "REJECTED"}]


async def test_the_automotive_rule_lists_its_standards_with_reasons(
    mapping: GraphQLClient, proposals: dict[str, int]
) -> None:
    scoped = {s["code"]: s for s in (await mapping.data(SCOPE_QUERY))["automotiveScope"]}
    kinds = {code: {r["kind"] for r in s["reasons"]} for code, s in scoped.items()}
    assert kinds["EC0630"] >= {"TITLE"}
    assert {"TITLE", "OCCUPATION"} <= kinds["EC1121"]
    assert {"detail": "49-3023", "kind": "OCCUPATION"} in scoped["EC1121"]["reasons"]
    # A committee named for the industry brings standards whose titles do not say it.
    assert any(kinds[c] == {"COMMITTEE"} for c in kinds)
    # Driving is the transport trade: EC0246 (taxi) is out, its wrong proposal having been rejected.
    assert "EC0246" not in scoped
    assert scoped["EC0630"]["standard"] == {"code": "EC0630"}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (QUEUE, {"filter": {"standardCode": "EC\u00000630"}}),
        (QUEUE, {"filter": {"agreementId": "x" * 5000}}),
        (REVIEW, {"decisions": [{"id": "1", "decision": "ENDORSE", "note": "bad\u0000note"}]}),
        (COUNTERPARTS, {"code": "EC\u00000630"}),
    ],
)
async def test_hostile_text_gets_a_coded_error_or_nothing(
    mapping: GraphQLClient, query: str, variables: dict[str, Any]
) -> None:
    answer = await mapping.post(query, variables, **ALICE)
    for error in answer.get("errors") or []:
        assert error["extensions"]["code"] in {"BAD_USER_INPUT", "NOT_FOUND"}, error


def test_the_csv_export_never_hands_a_spreadsheet_a_formula() -> None:
    from services.mapping.agreement_table import COLUMNS, as_csv

    row = dict.fromkeys(COLUMNS, "")
    row.update(standardCode="EC0630", standardTitle='=HYPERLINK("http://x","y")', gaps="@SUM(A1)")
    [written] = csv_rows(as_csv([row]))
    assert written["standardTitle"] == '\'=HYPERLINK("http://x","y")'
    assert written["gaps"] == "'@SUM(A1)" and written["standardCode"] == "EC0630"
