"""Confidence that means something for official edges (issue 12, item 4): the rule on small tables, the
title similarity that breaks ties, and the three cases the issue names, on the full official data."""

from __future__ import annotations

import pytest

from services.common.db import Database
from services.mapping.graph import CrosswalkGraph
from services.mapping.model import Method, Relation, Scheme, crosswalk_edges, official_confidence
from services.mapping.sources.occupations import isco_parent
from services.mapping.titles import title_similarity, title_tokens
from tests.conftest import GraphQLClient


def table(pairs: list[tuple[str, str]], **parents) -> dict[tuple[str, str], tuple[Relation, float]]:
    edges = crosswalk_edges(pairs, Scheme.ISCO_08, Scheme.SOC_2010, Method.OFFICIAL_CROSSWALK, "t", **parents)
    return {(e.from_code, e.to_code): (e.relation, e.confidence) for e in edges}


def test_official_confidence_is_the_table_word_averaged_with_one_of_k() -> None:
    assert [official_confidence(k) for k in (1, 2, 3, 4, 8, 100)] == [1.0, 0.75, 0.6667, 0.625, 0.5625, 0.505]
    # more alternatives never raise it, and no number of alternatives takes it below one half
    values = [official_confidence(k) for k in range(1, 500)]
    assert values == sorted(values, reverse=True) and min(values) > 0.5


def test_relation_and_confidence_from_both_cardinalities() -> None:
    edges = table(
        [
            ("1111", "11-1011"),  # one to one
            ("2222", "22-1011"),  # a split: 2222 into two occupations, each only from 2222
            ("2222", "22-1012"),
            ("3331", "33-1011"),  # a merge: two groups into one occupation, each only to it
            ("3332", "33-1011"),
            ("4441", "44-1011"),  # many to many
            ("4441", "44-1012"),
            ("4442", "44-1012"),
            ("1111", "11-1011"),  # a duplicate counts once
        ]
    )
    assert edges == {
        ("1111", "11-1011"): (Relation.EXACT, 1.0),
        ("2222", "22-1011"): (Relation.NARROW, 0.75),
        ("2222", "22-1012"): (Relation.NARROW, 0.75),
        # a merge is shared by its sources as a split is by its targets: the edge is walked both ways
        ("3331", "33-1011"): (Relation.BROAD, 0.75),
        ("3332", "33-1011"): (Relation.BROAD, 0.75),
        ("4441", "44-1011"): (Relation.NARROW, 0.75),
        ("4441", "44-1012"): (Relation.CLOSE, 0.75),
        ("4442", "44-1012"): (Relation.BROAD, 0.75),
    }


def test_a_group_row_counts_its_members_rows_and_is_never_exact() -> None:
    pairs = [("315", "53-2022"), ("3151", "53-5031"), ("3152", "53-5021"), ("3154", "53-2021")]
    # Without the hierarchy the group's one row looks one-to-one ...
    assert table(pairs)["315", "53-2022"] == (Relation.EXACT, 1.0)
    # ... at the table's level of detail 315 maps to four occupations, 53-2022 one narrower part of it.
    edges = table(pairs, from_parent=isco_parent)
    assert edges["315", "53-2022"] == (Relation.NARROW, official_confidence(4))
    assert edges["3151", "53-5031"] == (Relation.EXACT, 1.0)  # the members' own rows are unchanged
    # A group whose member maps to the same occupation makes that occupation a merge, not an exact pair.
    merged = table([("315", "53-2022"), ("3154", "53-2022")], from_parent=isco_parent)
    assert merged["315", "53-2022"] == (Relation.BROAD, 0.75)
    # The same on the target side.
    edges = table([("1111", "11"), ("1112", "11-1011")], to_parent=lambda c: "11" if c != "11" else None)
    assert edges["1111", "11"][0] is Relation.BROAD and edges["1111", "11"][1] < 1


def test_title_tokens_fold_case_accents_plurals_and_function_words() -> None:
    assert title_tokens("Automotive Service Technicians and Mechanics") == {
        "automotiv",
        "servic",  # the final "e" goes too, so "service" and "services" meet
        "technician",
        "mechanic",
    }
    assert title_tokens("Técnicos en mantenimiento de vehículos") == title_tokens(
        "técnico mantenimiento vehículo"
    )
    assert title_tokens("Technologies, All Other") == {"technology"}
    assert title_tokens(None) == frozenset() and title_tokens("") == frozenset()


def test_title_similarity_compares_english_then_spanish() -> None:
    mechanics = (title_tokens("Automotive Service Technicians and Mechanics"), frozenset())
    automobile = (title_tokens("Automobile/Automotive Mechanics Technology/Technician"), frozenset())
    emissions = (
        title_tokens("Vehicle Emissions Inspection and Maintenance Technology/Technician"),
        frozenset(),
    )
    assert title_similarity(mechanics, automobile) == pytest.approx(3 / 6)
    assert title_similarity(mechanics, emissions) == pytest.approx(1 / 9)
    spanish_only = (frozenset(), title_tokens("mecánico automotriz"))
    both = (title_tokens("car mechanic"), title_tokens("mecánicos automotrices"))
    assert title_similarity(spanish_only, both) == pytest.approx(1 / 3)  # "mecanico" shared, Spanish
    assert title_similarity(spanish_only, mechanics) == 0.0  # no language in common


def edge(id: int, a: str, b: str, confidence: float, relation: str = "closeMatch") -> dict:
    return {
        "id": id,
        "from_scheme": "CIP",
        "from_code": a,
        "to_scheme": "SOC",
        "to_code": b,
        "relation": relation,
        "confidence": confidence,
    }


def test_equal_confidences_are_ranked_by_title_similarity_in_the_graph() -> None:
    titles = {
        ("SOC", "mech"): ("Automotive Service Technicians and Mechanics", None),
        ("CIP", "emis"): ("Vehicle Emissions Inspection and Maintenance Technology/Technician", None),
        ("CIP", "auto"): ("Automobile/Automotive Mechanics Technology/Technician", None),
        ("CIP", "weld"): ("Welding Technology/Welder", None),
        ("ONET", "mech.00"): ("Automotive Service Technicians and Mechanics", None),
    }
    # The emissions edge is stored first, so insertion order alone would put it first.
    edges = [
        edge(1, "emis", "mech", 0.5625),
        edge(2, "auto", "mech", 0.5625),
        edge(3, "weld", "mech", 0.9),  # more confident: first whatever its title says
        {
            **edge(4, "x", "x", 1.0, "exactMatch"),
            "from_scheme": "ONET",
            "from_code": "mech.00",
            "to_code": "mech",
        },
    ]
    graph = CrosswalkGraph.from_rows(titles.keys(), edges, titles=titles)
    reached = graph.reach(("SOC", "mech"), 2, 0.0)
    ranked = sorted(reached.values(), key=lambda r: (-round(r.confidence, 6), -r.title_score, len(r.path)))
    assert [r.node for r in ranked] == [
        ("ONET", "mech.00"),
        ("CIP", "weld"),
        ("CIP", "auto"),
        ("CIP", "emis"),
    ]
    assert reached["CIP", "auto"].title_score == pytest.approx(0.5)
    # Between two paths of equal confidence, the one whose weakest hop has the more similar titles wins.
    titles[("CIP", "goal")] = ("Technician", None)
    edges += [edge(5, "goal", "emis", 1.0, "exactMatch"), edge(6, "goal", "auto", 1.0, "exactMatch")]
    for e in edges[-2:]:
        e["to_scheme"] = "CIP"
    graph = CrosswalkGraph.from_rows(titles.keys(), edges, titles=titles)
    path = graph.path(("SOC", "mech"), ("CIP", "goal"), 3)
    assert path is not None and [a.target for a in path.path] == [("CIP", "auto"), ("CIP", "goal")]
    # Without titles, ties fall back to insertion order: the emissions programme first.
    plain = CrosswalkGraph.from_rows(titles.keys(), edges)
    path = plain.path(("SOC", "mech"), ("CIP", "goal"), 3)
    assert path is not None and [a.target for a in path.path] == [("CIP", "emis"), ("CIP", "goal")]


# The three cases of the issue, on the full official data.

CROSSWALK = """
query ($from: ItemRef!, $to: [Scheme!]) {
  crosswalk(from: $from, toSchemes: $to, maxHops: 1, first: 20) {
    confidence item { scheme code } path { relation edge { method } }
  }
}"""


async def test_isco_315_to_soc_53_2022_is_not_an_exact_match(
    mapping: GraphQLClient, mapping_db: Database
) -> None:
    row = await mapping_db.fetchrow(
        """SELECT relation, confidence FROM edges WHERE from_scheme = 'ISCO_08' AND from_code = '315'
           AND to_scheme = 'SOC_2010' AND to_code = '53-2022'"""
    )
    assert (row["relation"], row["confidence"]) == ("narrowMatch", 0.5625)
    data = await mapping.data(CROSSWALK, {"from": {"scheme": "ISCO_08", "code": "315"}, "to": ["SOC_2010"]})
    [result] = [r for r in data["crosswalk"] if r["item"]["code"] == "53-2022"]
    assert result["confidence"] == 0.5625 and result["path"][0]["relation"] == "NARROW_MATCH"
    # No official pair anywhere is exact unless both its sides are one-to-one.
    exact_groups = await mapping_db.fetchval(
        """SELECT count(*) FROM edges WHERE method = 'official_crosswalk' AND relation = 'exactMatch'
           AND from_scheme = 'ISCO_08' AND length(from_code) < 4"""
    )
    assert exact_groups == 0


async def test_soc_49_3023_lists_automobile_mechanics_before_vehicle_emissions(
    mapping: GraphQLClient,
) -> None:
    data = await mapping.data(
        CROSSWALK, {"from": {"scheme": "SOC_2018", "code": "49-3023"}, "to": ["CIP_2020"]}
    )
    codes = [r["item"]["code"] for r in data["crosswalk"]]
    assert len(codes) == 8 and {r["confidence"] for r in data["crosswalk"]} == {0.5625}
    assert codes[0] == "47.0604"
    assert codes.index("47.0604") < codes.index("47.0612")
    assert {s["edge"]["method"] for r in data["crosswalk"] for s in r["path"]} == {"OFFICIAL_CROSSWALK"}


async def test_mapping_path_prefers_the_programme_with_the_closer_title(mapping: GraphQLClient) -> None:
    # From the O*NET occupation to the CIP programmes' series 47: through 49-3023 and one of its equally
    # confident programmes; the automobile mechanics one, whose title is closest.
    data = await mapping.data(
        """{ mappingPath(from: {scheme: SOC_2018, code: "49-3023"}, to: {scheme: CIP_2020, code: "47.06"},
                         maxHops: 2) { confidence path { to { code } } } }"""
    )
    assert [s["to"]["code"] for s in data["mappingPath"]["path"]] == ["47.0604", "47.06"]
