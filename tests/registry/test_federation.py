"""The registry as a Federation v2 subgraph: its SDL, `_entities`, and one SQL query per entity type.

The bulk rows (EC8000-EC8499, folios `FED-...`) are written straight to the database, as
`submitted` standards, so the published set other tests count stays the sample's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.common.db import Database
from services.common.settings import Settings
from services.registry import rules, sample
from tests.conftest import GraphQLClient
from tests.registry.disclosure import deposit_check

ADMIN: dict[str, Any] = {"role": "admin", "subject": "admin:federation-tests"}
# An institution of its own: the sample learner is disclosed to it here, and to no other test's.
REGISTRAR: dict[str, Any] = {"role": "registrar", "subject": "person:registrar", "scope": "UNI-FED"}

ENTITIES = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Standard { code title level status }
    ... on Certificate { folio standardCode issuedOn certificateStatus: status }
    ... on Learner { holderRef certificates { folio } }
    ... on CertificationBody { id name }
    ... on Committee { id name }
  }
}"""

BULK = 500
FIRST_CODE = 8000


@pytest.fixture(scope="module")
async def sdl(registry: GraphQLClient) -> str:
    data = await registry.data("{ _service { sdl } }", role="public")
    text: str = data["_service"]["sdl"]
    return text


@pytest.mark.parametrize(
    ("type_name", "key"),
    [
        ("Standard", "code"),
        ("Certificate", "folio"),
        ("Learner", "holderRef"),
        ("CertificationBody", "id"),
        ("Committee", "id"),
    ],
)
def test_sdl_declares_entity_keys(sdl: str, type_name: str, key: str) -> None:
    pattern = rf'type {type_name}\b[^{{]*@key\(fields: "{key}"\)'
    assert re.search(pattern, sdl), f"{type_name} has no @key(fields: \"{key}\") in\n{sdl}"


def test_sdl_is_federation_v2(sdl: str) -> None:
    assert re.search(r"@link\(url: \"https://specs\.apollo\.dev/federation/v2\.\d+\"", sdl)
    assert re.search(r'@link\([^)]*import: \[[^\]]*"@key"', sdl)


async def test_entities_resolve_standard_committee_and_body(registry: GraphQLClient) -> None:
    representations = [
        {"__typename": "Standard", "code": "EC0217.01"},
        {"__typename": "Committee", "id": "271"},
        {"__typename": "CertificationBody", "id": "ECE-00005"},
        {"__typename": "Standard", "code": "EC0630"},
    ]
    data = await registry.data(ENTITIES, {"representations": representations}, role="public")
    entities = data["_entities"]
    assert [e["__typename"] for e in entities] == ["Standard", "Committee", "CertificationBody", "Standard"]
    assert entities[0]["code"] == "EC0217.01"
    assert entities[0]["level"] == 3
    assert entities[1]["name"] == "de la Industria Automotriz a Nivel Nacional"
    assert entities[2]["name"] == "Colegio Nacional de Educación Profesional Técnica"
    assert entities[3]["title"] == "Aplicación de pintura automotriz"


async def test_entities_resolve_certificate_for_registrar(
    registry: GraphQLClient, registry_db: Database
) -> None:
    folio = await registry_db.fetchval(
        "SELECT folio FROM certificates WHERE idempotency_key = 'sample-cert-2'"
    )
    representations = [{"__typename": "Certificate", "folio": folio}]
    registrar = {**REGISTRAR, "scope": "UNI-FED-CERTIFICATE"}
    before = await registry.post(ENTITIES, {"representations": representations}, **registrar)
    assert before["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # not deposited there yet
    await deposit_check(registry, folio, registrar["scope"], sample.SAMPLE_CURP)
    data = await registry.data(ENTITIES, {"representations": representations}, **registrar)
    assert data["_entities"] == [
        {"__typename": "Certificate", "folio": folio, "standardCode": "EC0631",
         "issuedOn": "2025-06-02", "certificateStatus": "VALID"}
    ]
    public = await registry.post(ENTITIES, {"representations": representations}, role="public")
    assert public["data"]["_entities"] == [None]
    assert public["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_entities_resolve_learner(
    registry: GraphQLClient, registry_db: Database, settings: Settings
) -> None:
    holder = rules.holder_ref(settings.require_curp_salt(), sample.SAMPLE_CURP)
    representations = [{"__typename": "Learner", "holderRef": holder}]
    folio = await registry_db.fetchval(
        "SELECT folio FROM certificates WHERE idempotency_key = 'sample-cert-1'"
    )
    await deposit_check(registry, folio, REGISTRAR["scope"], sample.SAMPLE_CURP)
    data = await registry.data(ENTITIES, {"representations": representations}, **REGISTRAR)
    learner = data["_entities"][0]
    assert learner["__typename"] == "Learner"
    assert learner["holderRef"] == holder
    assert len(learner["certificates"]) == 3


async def test_entities_unknown_keys_are_null(registry: GraphQLClient) -> None:
    representations = [
        {"__typename": "Standard", "code": "EC7998"},
        {"__typename": "Certificate", "folio": "EC7998-2025-0000001"},
        {"__typename": "CertificationBody", "id": "no-such-body"},
        {"__typename": "Committee", "id": "no-such-committee"},
        {"__typename": "Standard", "code": "EC0011"},
    ]
    result = await registry.post(ENTITIES, {"representations": representations}, **ADMIN)
    assert not result.get("errors"), result["errors"]
    entities = result["data"]["_entities"]
    assert entities[:4] == [None, None, None, None]
    assert entities[4]["code"] == "EC0011"


# --- one SQL round trip per entity type ------------------------------------------------------


@pytest.fixture(scope="module")
async def bulk(registry_db: Database) -> tuple[list[str], list[str]]:
    """500 standards and 500 certificates (one per standard), written with a handful of statements."""
    async with registry_db.transaction() as conn:
        await conn.execute(
            "INSERT INTO committees (id, name, source) VALUES ('TF-C', 'Comité de carga federada', 'test')"
        )
        await conn.execute(
            "INSERT INTO certification_bodies (id, name, kind, source) "
            "VALUES ('TF-B', 'Organismo de carga federada', 'OC', 'test')"
        )
        await conn.execute(
            "INSERT INTO evaluators (id, body_id, person_ref, display_name) "
            "VALUES ('TF-EV', 'TF-B', 'person:federation-evaluator', 'Evaluador de carga')"
        )
        await conn.execute(
            """INSERT INTO standards (code, base_code, version, title_es, level, sector_code, sector_title,
                   committee_id, committee_name, status, source)
               SELECT 'EC' || n, 'EC' || n, 0, 'Estándar de carga ' || n, 1 + n % 5, '54',
                      'Servicios profesionales, científicos y técnicos', 'TF-C',
                      'Comité de carga federada', 'submitted', 'test'
               FROM generate_series($1::int, $2::int) AS n""",
            FIRST_CODE, FIRST_CODE + BULK - 1,
        )
        await conn.execute(
            """INSERT INTO certificates (folio, standard_code, scope, holder_ref, holder_name_masked,
                   evaluator_id, certifying_person, body_id, issued_on, idempotency_key, request_hash)
               SELECT 'FED-' || n, 'EC' || n, 'whole', 'fed-holder-' || n, 'F*** C***', 'TF-EV',
                      'person:federation-certifier', 'TF-B', date '2025-01-01' + (n % 300),
                      'fed-key-' || n, 'fed-hash'
               FROM generate_series($1::int, $2::int) AS n""",
            FIRST_CODE, FIRST_CODE + BULK - 1,
        )
    codes = [f"EC{n}" for n in range(FIRST_CODE, FIRST_CODE + BULK)]
    return codes, [f"FED-{n}" for n in range(FIRST_CODE, FIRST_CODE + BULK)]


async def test_entities_cost_one_query_per_type(
    registry: GraphQLClient, registry_app: Any, bulk: tuple[list[str], list[str]]
) -> None:
    codes, folios = bulk
    representations = [{"__typename": "Standard", "code": c} for c in codes] + [
        {"__typename": "Certificate", "folio": f} for f in folios
    ]
    query = """query($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Standard { code title level }
        ... on Certificate { folio issuedOn certificateStatus: status }
      }
    }"""
    db = registry_app.state.db
    before = db.statements
    data = await registry.data(query, {"representations": representations}, **ADMIN)
    spent = db.statements - before
    entities = data["_entities"]
    assert len(entities) == 2 * BULK
    assert [e["code"] for e in entities[:BULK]] == codes
    assert [e["folio"] for e in entities[BULK:]] == folios
    assert entities[0]["level"] == 1 + FIRST_CODE % 5
    assert spent == 2


async def test_nested_fields_of_entities_are_batched_too(
    registry: GraphQLClient, registry_app: Any, bulk: tuple[list[str], list[str]]
) -> None:
    _, folios = bulk
    representations = [{"__typename": "Certificate", "folio": f} for f in folios]
    query = """query($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Certificate { folio standard { code committee { id } } body { id } evaluator { id } }
      }
    }"""
    db = registry_app.state.db
    before = db.statements
    data = await registry.data(query, {"representations": representations}, **ADMIN)
    spent = db.statements - before
    entities = data["_entities"]
    assert {e["standard"]["committee"]["id"] for e in entities} == {"TF-C"}
    assert {e["body"]["id"] for e in entities} == {"TF-B"}
    # certificates, standards, committees, bodies, evaluators: one query each.
    assert spent == 5


async def test_a_page_of_standards_with_nested_lists_is_batched(
    registry: GraphQLClient, registry_app: Any
) -> None:
    query = """{ standards(first: 20) { edges { node {
        code committee { name } accreditations { body { id } } elements { code } } } } }"""
    db = registry_app.state.db
    before = db.statements
    data = await registry.data(query)
    spent = db.statements - before
    nodes = [e["node"] for e in data["standards"]["edges"]]
    assert len(nodes) == 20
    assert any(n["accreditations"] for n in nodes) and any(n["elements"] for n in nodes)
    # the page, then committees, accreditations and elements: one query each, not one per standard.
    assert spent == 4
