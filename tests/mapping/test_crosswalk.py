"""The crosswalk over the full data, through the subgraph's GraphQL API: the issue's journeys, the
combination rule, level alignment, and refusals of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.db import Database
from services.mapping.graph import HIERARCHY_DISCOUNT, CrosswalkGraph
from services.mapping.schema import schema
from tests.conftest import GraphQLClient

CROSSWALK = """
query ($from: ItemRef!, $to: [Scheme!], $hops: Int! = 4, $min: Float! = 0.1, $first: Int! = 50) {
  crosswalk(from: $from, toSchemes: $to, maxHops: $hops, minConfidence: $min, first: $first) {
    confidence hops
    item { scheme code label }
    path { relation confidence walkedForward from { scheme code } to { scheme code }
           edge { method source status } }
  }
}"""


def by_item(results: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["item"]["scheme"], r["item"]["code"]): r for r in results}


def product(path: list[dict]) -> float:
    value = 1.0
    for step in path:
        value *= step["confidence"] * (
            HIERARCHY_DISCOUNT if step["relation"] in ("BROADER", "NARROWER") else 1
        )
    return value


async def test_a_programme_reaches_its_occupations_and_their_onet_detail(mapping: GraphQLClient) -> None:
    data = await mapping.data(
        CROSSWALK, {"from": {"scheme": "CIP_2020", "code": "47.0604"}, "to": ["SOC_2018", "ONET_SOC"]}
    )
    results = by_item(data["crosswalk"])
    mechanics = results["SOC_2018", "49-3023"]
    assert mechanics["item"]["label"] == "Automotive Service Technicians and Mechanics"
    assert mechanics["hops"] == 1 and mechanics["confidence"] == pytest.approx(0.5625)  # one of 8 programmes
    [step] = mechanics["path"]
    assert step["edge"] == {
        "method": "OFFICIAL_CROSSWALK",
        "source": "NCES and BLS, CIP 2020 to SOC 2018 crosswalk",
        "status": "ENDORSED",
    }
    onet = results["ONET_SOC", "49-3023.00"]
    assert [s["to"]["code"] for s in onet["path"]] == ["49-3023", "49-3023.00"]
    assert onet["path"][1]["walkedForward"] is False  # O*NET -> SOC is stored; walked back here
    # Ranked best first, and every confidence is the product the schema describes.
    confidences = [r["confidence"] for r in data["crosswalk"]]
    assert confidences == sorted(confidences, reverse=True)
    for result in data["crosswalk"]:
        assert result["confidence"] == pytest.approx(product(result["path"]), abs=1e-6)


async def test_an_automotive_standard_reaches_its_industry_in_both_countries(mapping: GraphQLClient) -> None:
    data = await mapping.data(
        CROSSWALK, {"from": {"scheme": "CONOCER_EC", "code": "EC0631"}, "to": ["SCIAN_2023", "NAICS_2022"]}
    )
    results = by_item(data["crosswalk"])
    scian = results["SCIAN_2023", "81"]
    naics = results["NAICS_2022", "81"]
    assert scian["path"][0]["relation"] == "BROAD_MATCH"
    assert [(s["from"]["code"], s["to"]["code"], s["relation"]) for s in naics["path"]] == [
        ("EC0631", "81", "BROAD_MATCH"),
        ("81", "81", "EXACT_MATCH"),
    ]
    assert naics["path"][1]["edge"]["method"] == "IDENTICAL_CODE"


async def test_automotive_manufacturing_standards_reach_scian_and_naics_31_33(
    mapping: GraphQLClient, mapping_db: Database
) -> None:
    # The automotive scope's standards filed under manufacturing (15 of the 48 the rule selects in RENEC).
    codes = await mapping_db.fetchval(
        """SELECT array_agg(e.from_code ORDER BY e.from_code) FROM edges e
           JOIN recognition_agreements a ON e.from_code = ANY (a.scope_standards)
           WHERE a.id = 'MX-US-AUTO-ILLUSTRATIVE' AND e.from_scheme = 'CONOCER_EC'
             AND e.to_scheme = 'SCIAN_2023' AND e.to_code = '31-33'"""
    )
    assert len(codes) == 15
    code = codes[0]
    data = await mapping.data(
        CROSSWALK, {"from": {"scheme": "CONOCER_EC", "code": code}, "to": ["SCIAN_2023", "NAICS_2022"]}
    )
    results = by_item(data["crosswalk"])
    assert results["SCIAN_2023", "31-33"]["confidence"] == 1.0
    assert [s["to"]["code"] for s in results["NAICS_2022", "31-33"]["path"]] == ["31-33", "31-33"]


async def test_an_esco_occupation_reaches_soc_2018_through_isco_and_soc_2010(
    mapping: GraphQLClient, mapping_db: Database
) -> None:
    esco = await mapping_db.fetchval(
        """SELECT i.code FROM items i JOIN edges e ON (e.from_scheme, e.from_code) = (i.scheme, i.code)
           WHERE i.scheme = 'ESCO' AND e.to_scheme = 'ISCO_08' AND e.to_code = '7231' AND i.parent IS NULL
           ORDER BY i.code LIMIT 1"""
    )
    data = await mapping.data(CROSSWALK, {"from": {"scheme": "ESCO", "code": esco}, "to": ["SOC_2018"]})
    mechanics = by_item(data["crosswalk"])["SOC_2018", "49-3023"]
    assert [s["to"]["scheme"] for s in mechanics["path"]] == ["ISCO_08", "SOC_2010", "SOC_2018"]
    assert mechanics["path"][0]["to"]["code"] == "7231"


async def test_paths_never_go_up_and_back_down_to_siblings(mapping: GraphQLClient) -> None:
    data = await mapping.data(CROSSWALK, {"from": {"scheme": "CONOCER_EC", "code": "EC0631"}, "to": None})
    assert {r["item"]["scheme"] for r in data["crosswalk"]} <= {
        "SCIAN_2023",
        "NAICS_2022",
        "CONOCER_LEVEL",
        "NVQ",
        "RQF",
        "EQF",
    }


async def test_level_alignment_follows_published_referencing(mapping: GraphQLClient) -> None:
    data = await mapping.data(
        """{ levelAlignment(scheme: CONOCER_LEVEL, level: "3") {
               confidence item { scheme code } path { to { scheme code } edge { source } } } }"""
    )
    results = by_item(data["levelAlignment"])
    assert set(results) == {("NVQ", "3"), ("RQF", "3"), ("EQF", "4")}
    eqf = results["EQF", "4"]
    assert [(s["to"]["scheme"], s["to"]["code"]) for s in eqf["path"]] == [
        ("NVQ", "3"),
        ("RQF", "3"),
        ("EQF", "4"),
    ]
    assert eqf["confidence"] == pytest.approx(0.7)
    assert "NVQ system" in eqf["path"][0]["edge"]["source"]
    rqf_entry = await mapping.data(
        '{ levelAlignment(scheme: RQF, level: "E3") { confidence item { scheme code } } }'
    )
    assert by_item(rqf_entry["levelAlignment"])["EQF", "1"]["confidence"] == pytest.approx(0.9)


async def test_mapping_path_between_two_items(mapping: GraphQLClient) -> None:
    data = await mapping.data(
        """{ mappingPath(from: {scheme: CIP_2020, code: "47.0604"},
                         to: {scheme: ONET_SOC, code: "49-3023.00"}) {
               hops confidence path { to { code } } } }"""
    )
    assert data["mappingPath"]["hops"] == 2
    none = await mapping.data(
        """{ mappingPath(from: {scheme: CIP_2020, code: "47.0604"}, to: {scheme: EQF, code: "8"},
                         maxHops: 2) { hops } }"""
    )
    assert none["mappingPath"] is None


async def test_items_search_and_children(mapping: GraphQLClient) -> None:
    data = await mapping.data(
        """{ frameworkItems(scheme: SCIAN_2023, search: "fabricacion automoviles", first: 5) {
               totalCount nodes { code labelEs parent { code } } } }"""
    )
    codes = [n["code"] for n in data["frameworkItems"]["nodes"]]
    assert "336110" in codes
    children = await mapping.data(
        '{ frameworkItems(scheme: SOC_2018, parentCode: "49-3020") { totalCount nodes { code } } }'
    )
    assert "49-3023" in [n["code"] for n in children["frameworkItems"]["nodes"]]
    # Each item's children, for a whole page of items at once (one query for all of them).
    groups = await mapping.data(
        '{ frameworkItems(scheme: CIP_2020, parentCode: "47") '
        "{ nodes { code children { code parent { code } } } } }"
    )
    for group in groups["frameworkItems"]["nodes"]:
        assert group["children"] and {c["parent"]["code"] for c in group["children"]} == {group["code"]}
    codes = [c["code"] for g in groups["frameworkItems"]["nodes"] for c in g["children"]]
    assert "47.0604" in codes and codes == sorted(codes)
    item = await mapping.data(
        '{ frameworkItem(scheme: ISCO_08, code: "7231") { labelEs labelEn parent { code } } }'
    )
    assert item["frameworkItem"]["labelEs"] and item["frameworkItem"]["parent"]["code"] == "723"
    # Not found: null, with a NOT_FOUND error at the field (the convention of every service's lookups).
    missing = await mapping.post('{ frameworkItem(scheme: ISCO_08, code: "0000") { code } }')
    assert missing["data"] == {"frameworkItem": None}
    assert [(e["path"], e["extensions"]["code"]) for e in missing["errors"]] == [
        (["frameworkItem"], "NOT_FOUND")
    ]


@pytest.mark.parametrize(
    ("variables", "code", "argument"),
    [
        ({"from": {"scheme": "CIP_2020", "code": "99.9999"}}, "NOT_FOUND", "from"),
        ({"from": {"scheme": "CIP_2020", "code": "47.0604"}, "hops": 7}, "BAD_USER_INPUT", "maxHops"),
        ({"from": {"scheme": "CIP_2020", "code": "47.0604"}, "min": 1.5}, "BAD_USER_INPUT", "minConfidence"),
        ({"from": {"scheme": "CIP_2020", "code": "47.0604"}, "min": -0.1}, "BAD_USER_INPUT", "minConfidence"),
        ({"from": {"scheme": "CIP_2020", "code": "47.0604"}, "first": 0}, "BAD_USER_INPUT", "first"),
    ],
)
async def test_bad_walks_are_refused(
    mapping: GraphQLClient, variables: dict, code: str, argument: str
) -> None:
    error = await mapping.error(CROSSWALK, variables)
    assert error["extensions"]["code"] == code
    assert error["extensions"]["argument"] == argument


async def test_an_unknown_scheme_is_refused(mapping: GraphQLClient) -> None:
    error = await mapping.error(CROSSWALK, {"from": {"scheme": "NOPE", "code": "1"}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_combination_rule_on_a_small_graph() -> None:
    edges = [
        {
            "id": 1,
            "from_scheme": "A",
            "from_code": "a",
            "to_scheme": "B",
            "to_code": "b",
            "relation": "closeMatch",
            "confidence": 0.5,
        },
        {
            "id": 2,
            "from_scheme": "B",
            "from_code": "b",
            "to_scheme": "B",
            "to_code": "p",
            "relation": "broader",
            "confidence": 1.0,
        },
        {
            "id": 3,
            "from_scheme": "B",
            "from_code": "s",
            "to_scheme": "B",
            "to_code": "p",
            "relation": "broader",
            "confidence": 1.0,
        },
        {
            "id": 4,
            "from_scheme": "A",
            "from_code": "a",
            "to_scheme": "C",
            "to_code": "c",
            "relation": "exactMatch",
            "confidence": 0.9,
        },
        {
            "id": 5,
            "from_scheme": "C",
            "from_code": "c",
            "to_scheme": "B",
            "to_code": "b",
            "relation": "exactMatch",
            "confidence": 0.9,
        },
    ]
    nodes = [("A", "a"), ("B", "b"), ("B", "p"), ("B", "s"), ("C", "c")]
    graph = CrosswalkGraph.from_rows(nodes, edges)
    reached = graph.reach(("A", "a"), 4, 0.0)
    # Two ways to b: directly at 0.5, or through c at 0.9 x 0.9 = 0.81; the better one wins.
    assert reached["B", "b"].confidence == pytest.approx(0.81)
    assert [a.edge_id for a in reached["B", "b"].path] == [4, 5]
    # Up the hierarchy costs the discount; the sibling s, down from p, is never reached.
    assert reached["B", "p"].confidence == pytest.approx(0.81 * HIERARCHY_DISCOUNT)
    assert ("B", "s") not in reached
    assert ("B", "b") not in graph.reach(("A", "a"), 4, 0.9)


def test_checked_in_sdl_matches_the_code() -> None:
    checked_in = Path(__file__).resolve().parents[2] / "schema" / "mapping.graphql"
    assert checked_in.read_text() == schema.as_str() + "\n", (
        "schema/mapping.graphql drifted from the code; run `qf compose` and review the diff"
    )
    sdl = schema.as_str()
    assert 'type FrameworkItem @key(fields: "scheme code")' in sdl
    assert 'type Standard @key(fields: "code")' in sdl
