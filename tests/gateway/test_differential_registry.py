"""Differential tests over our real subgraphs: the registry (sample data, real PostgreSQL), the mapping
subgraph (every official dataset) and the synthetic subgraph that extends `Standard`, through
@apollo/gateway and through ours.

Both gateways run the supergraph our composition makes, and both sign their subgraph requests (the
registry answers nothing else). For each operation the two answers must have the same `data`, and
errors at the same paths with the same codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gateway.composition import SubgraphSource, compose
from gateway.server import create_gateway_app
from gateway.sources import file_supergraph
from qf.settings import SystemSettings
from services.mapping.app import create_mapping_app
from services.registry.app import create_registry_app
from services.registry.sample import SAMPLE_CURP
from tests.gateway.extension_subgraph import SDL as EXTENSION_SDL
from tests.gateway.servers import extension_process, serve
from tests.oracle.oracle import apollo_gateway, require_oracle

STANDARD_FIELDS = "code title level status sector { code title } committee { id name }"

OPERATIONS: list[tuple[str, str, dict | None]] = [
    ("one_standard", '{ standard(code: "EC0217.01") { ' + STANDARD_FIELDS + " } }", None),
    ("unknown_standard", '{ standard(code: "EC9999") { code } }', None),
    ("standard_variables", "query($c: String!) { standard(code: $c) { code title } }", {"c": "EC0301"}),
    (
        "page",
        "{ standards(first: 3) { totalCount edges { cursor node { code level } } "
        "pageInfo { hasNextPage } } }",
        None,
    ),
    (
        "search",
        '{ standards(first: 5, filter: {search: "atención"}) { totalCount nodes { code title } } }',
        None,
    ),
    ("filter_level", "{ standards(first: 5, filter: {level: 3}) { nodes { code level } } }", None),
    (
        "facets",
        "{ standards(first: 1) { facets { levels { level count } sectors { sector { code } count } } } }",
        None,
    ),
    (
        "ordering",
        "{ standards(first: 4, orderBy: {field: TITLE, direction: DESC}) { nodes { code title } } }",
        None,
    ),
    (
        "compare",
        '{ compareStandards(codes: ["EC0217.01", "EC0301"]) { sameLevel sameSector standards { code } } }',
        None,
    ),
    (
        "grid",
        "{ frameworkGrid { total levelTotals { level standardCount } rows { sector { code } total } } }",
        None,
    ),
    ("level_descriptors", "{ levelDescriptors { level description descriptionEn source } }", None),
    (
        "committees",
        "{ committees(first: 3) { totalCount nodes { id name standardCount } } }",
        None,
    ),
    ("bodies", "{ certificationBodies(first: 3) { nodes { id name kind } } }", None),
    ("verify_unknown", '{ verifyCertificate(folio: "NO-SUCH-FOLIO") { folio status } }', None),
    (
        "aliases",
        '{ a: standard(code: "EC0217.01") { code } b: standard(code: "EC0301") { c: code t: title } }',
        None,
    ),
    (
        "fragments",
        'query { standard(code: "EC0301") { ...Basics committee { ...on Committee { name } } } }'
        " fragment Basics on Standard { code title level }",
        None,
    ),
    (
        "typename",
        '{ __typename standard(code: "EC0301") { __typename code committee { __typename } } }',
        None,
    ),
    (
        "skip_include",
        "query($full: Boolean!) "
        '{ standard(code: "EC0301") { code title @include(if: $full) level @skip(if: $full) } }',
        {"full": True},
    ),
    ("join_extension", '{ standard(code: "EC0217.01") { code title demandIndex } }', None),
    ("requires_from_registry", '{ standard(code: "EC0217.01") { code levelBand } }', None),
    ("requires_only", '{ standard(code: "EC0301") { levelBand } }', None),
    ("join_in_list", "{ standards(first: 5) { nodes { code demandIndex levelBand } } }", None),
    ("reverse_join", "{ trending { code title level levelBand committee { name } } }", None),
    ("both_roots", '{ trending { code } standard(code: "EC0301") { code demandIndex } }', None),
    (
        "supersedes_chain",
        "{ standards(first: 5) { nodes { code supersedes { code demandIndex } supersededBy { code } } } }",
        None,
    ),
    (
        "forbidden_mutation",
        'mutation { withdrawStandard(code: "EC0301", withdrawnOn: "2026-01-01") { code } }',
        None,
    ),
    ("forbidden_certificate", '{ learner(curp: "' + SAMPLE_CURP + '") { certificates { folio } } }', None),
    ("bad_argument", "{ standards(first: 100000) { totalCount } }", None),
    ("validation_error", "{ standard { code } }", None),
    ("unknown_field", '{ standard(code: "EC0301") { nope } }', None),
    ("introspection", '{ __type(name: "Standard") { name fields { name } } }', None),
    (
        "standard_with_crosswalk",
        '{ standard(code: "EC0217.01") { title level demandIndex industry { code label } '
        "levelEquivalents { confidence item { scheme code } } "
        "crosswalk(first: 3) { confidence hops item { scheme code } path { relation to { code } } } } }",
        None,
    ),
    (
        "item_to_registry_standard",
        '{ frameworkItem(scheme: CONOCER_EC, code: "EC0301") '
        "{ label standard { title level committee { name } } } }",
        None,
    ),
    (
        "crosswalk_from_a_programme",
        '{ crosswalk(from: {scheme: CIP_2020, code: "47.0604"}, toSchemes: [SOC_2018, ONET_SOC], first: 5) '
        "{ confidence item { code labelEn } path { walkedForward edge { method source } } } }",
        None,
    ),
    (
        "level_alignment",
        '{ levelAlignment(scheme: CONOCER_LEVEL, level: "3") { confidence item { scheme code label } } }',
        None,
    ),
    (
        "items_page",
        '{ frameworkItems(scheme: SOC_2018, parentCode: "49-3020", first: 2) '
        "{ totalCount pageInfo { hasNextPage endCursor } nodes { code labelEn parent { code } } } }",
        None,
    ),
    (
        "agreement_scope_from_registry",
        '{ recognitionAgreement(id: "MX-US-AUTO-ILLUSTRATIVE") { illustrative coverage { inScope mutual } '
        "scope { code demandIndex } } }",
        None,
    ),
    (
        "standards_page_with_industry",
        "{ standards(first: 4) { nodes { code industry { code } levelEquivalents { item { code } } } } }",
        None,
    ),
    (
        "crosswalk_too_many_hops",
        '{ crosswalk(from: {scheme: CIP_2020, code: "47.0604"}, maxHops: 9) { hops } }',
        None,
    ),
    ("crosswalk_unknown_item", '{ crosswalk(from: {scheme: SOC_2018, code: "00-0000"}) { hops } }', None),
    (
        "public_cannot_propose",
        'mutation { proposeMapping(input: {from: {scheme: CIP_2020, code: "47.0604"}, '
        'to: {scheme: SOC_2018, code: "49-3011"}, relation: CLOSE_MATCH, confidence: 0.5, '
        'source: "x"}) { id } }',
        None,
    ),
]


# Operations whose correct answer carries errors.
REFUSED = {
    "unknown_standard",
    "verify_unknown",
    "forbidden_mutation",
    "forbidden_certificate",
    "bad_argument",
    "validation_error",
    "unknown_field",
    "crosswalk_too_many_hops",
    "crosswalk_unknown_item",
    "public_cannot_propose",
}


@pytest.fixture(scope="module")
def both_gateways(
    registry_url: str, full_import: tuple[str, list[Any]], settings: SystemSettings, tmp_path_factory: Any
) -> Iterator[tuple[str, str]]:
    require_oracle()
    secret = settings.require_secret()
    with (
        serve(create_registry_app(settings, registry_url)) as registry,
        serve(create_mapping_app(settings, full_import[0])) as mapping,
        extension_process() as (extension, _),
    ):
        from services.mapping.schema import schema as mapping_schema
        from services.registry.schema import schema as registry_schema

        sdl = compose(
            [
                SubgraphSource("registry", f"{registry}/graphql", registry_schema.as_str()),
                SubgraphSource("mapping", f"{mapping}/graphql", mapping_schema.as_str()),
                SubgraphSource("extension", extension, EXTENSION_SDL),
            ]
        )
        path = tmp_path_factory.mktemp("supergraph") / "supergraph.graphql"
        path.write_text(sdl)
        ours = create_gateway_app(settings, file_supergraph(path), database_url=None, secret=secret)
        with serve(ours) as our_base, apollo_gateway(sdl, secret.decode()) as apollo_url:
            yield f"{our_base}/graphql", apollo_url


@pytest.fixture(scope="module")
def ask(both_gateways: tuple[str, str]) -> Iterator[Callable[[str, dict | None], tuple[dict, dict]]]:
    ours_url, apollo_url = both_gateways
    with httpx.Client(timeout=30) as client:

        def post(query: str, variables: dict | None) -> tuple[dict, dict]:
            body = {"query": query, "variables": variables}
            return client.post(ours_url, json=body).json(), client.post(apollo_url, json=body).json()

        yield post


def _errors(answer: dict) -> list[str]:
    return sorted(
        json.dumps([error.get("path"), (error.get("extensions") or {}).get("code")])
        for error in answer.get("errors") or []
    )


@pytest.mark.parametrize(("name", "query", "variables"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_same_answer_as_apollo(
    name: str, query: str, variables: dict | None, ask: Callable[[str, dict | None], tuple[dict, dict]]
) -> None:
    ours, apollo = ask(query, variables)
    if name not in REFUSED:
        assert "errors" not in ours and ours["data"], ours
    assert ours.get("data") == apollo.get("data"), f"\n ours:   {ours}\n apollo: {apollo}"
    if name in ("validation_error", "unknown_field"):
        # Both refuse the document; Apollo words the code the same, so compare codes without paths.
        assert [e["extensions"]["code"] for e in ours["errors"]] == [
            e["extensions"]["code"] for e in apollo["errors"]
        ]
        return
    assert _errors(ours) == _errors(apollo), f"\n ours:   {ours}\n apollo: {apollo}"
