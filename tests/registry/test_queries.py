"""The registry's read side: standards, search, facets, pagination, comparison, grid, bodies,
committees, certificates and learners, against the built-in sample."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from services.common.db import Database
from services.common.pagination import encode_cursor
from services.common.renec.reference import fold
from services.common.settings import Settings
from services.registry import rules, sample
from services.registry.types import CertificateVerification
from tests.conftest import GraphQLClient
from tests.registry.disclosure import deposit_check

ADMIN: dict[str, Any] = {"role": "admin", "subject": "admin:query-tests"}
# An institution of its own: the sample learner is disclosed to it here, and to no other test's.
REGISTRAR: dict[str, Any] = {"role": "registrar", "subject": "person:registrar", "scope": "UNI-QUERIES"}

STANDARD = """query($code: String!) {
  standard(code: $code) {
    code baseCode version title level status sector { code title titleEn }
    committee { id name } committeeName levelDescriptor { level }
    elements { code title }
  }
}"""

STANDARDS = """query($filter: StandardFilter, $first: Int, $after: String, $order: StandardOrder) {
  standards(filter: $filter, first: $first, after: $after, orderBy: $order) {
    totalCount
    edges { cursor node { code title level sector { code } committee { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

FACETS = """query($filter: StandardFilter) {
  standards(filter: $filter, first: 1) {
    totalCount
    facets {
      levels { level count }
      sectors { sector { code } count }
      committees { committeeId committeeName count }
    }
  }
}"""


async def search(registry: GraphQLClient, filter: dict[str, Any]) -> tuple[set[str], int]:
    data = await registry.data(STANDARDS, {"filter": filter, "first": 100})
    connection = data["standards"]
    return {e["node"]["code"] for e in connection["edges"]}, connection["totalCount"]


async def published(db: Database, where: str = "true", *args: Any) -> set[str]:
    rows = await db.fetch(f"SELECT code FROM standards WHERE status = 'published' AND {where}", *args)
    return {r["code"] for r in rows}


# --- standard(code) ----------------------------------------------------------------------------


async def test_standard_by_code(registry: GraphQLClient) -> None:
    data = await registry.data(STANDARD, {"code": "EC0217.01"})
    standard = data["standard"]
    assert standard["code"] == "EC0217.01"
    assert standard["baseCode"] == "EC0217"
    assert standard["version"] == 1
    assert standard["level"] == 3
    assert standard["status"] == "PUBLISHED"
    assert standard["sector"]["code"] == "61"
    assert standard["sector"]["titleEn"] == "Educational Services"
    assert standard["committee"]["id"] == "123"
    assert standard["levelDescriptor"] == {"level": 3}
    assert [e["code"] for e in standard["elements"]] == ["E01", "E02", "E03"]


@pytest.mark.parametrize("typed", ["ec0217.01", "  EC0217.01 ", "\tec0217.01\n"])
async def test_standard_code_is_normalised(registry: GraphQLClient, typed: str) -> None:
    data = await registry.data(STANDARD, {"code": typed})
    assert data["standard"]["code"] == "EC0217.01"


async def test_unknown_standard_is_not_found(registry: GraphQLClient) -> None:
    error = await registry.error(STANDARD, {"code": "EC7999"})
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("typed", ["ABC", "EC12", "EC0217.1", "EC0217.01.02", "", "0217"])
async def test_malformed_standard_code_is_bad_input(registry: GraphQLClient, typed: str) -> None:
    error = await registry.error(STANDARD, {"code": typed})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# --- search and filters -----------------------------------------------------------------------


async def test_search_ignores_accents_and_case(registry: GraphQLClient) -> None:
    found = [await search(registry, {"search": text}) for text in ("automotriz", "AUTOMOTRIZ", "Automotríz")]
    assert found[0] == found[1] == found[2]
    codes, total = found[0]
    assert total == len(codes)
    # EC0241 and EC0520 say nothing of cars in their titles: they are found by their committee.
    assert {"EC0241", "EC0520", "EC1279"} <= codes
    assert {"EC0011", "EC0038", "EC0217.01"}.isdisjoint(codes)


async def test_search_with_two_words_needs_both(registry: GraphQLClient) -> None:
    codes, total = await search(registry, {"search": "pintura automotriz"})
    assert codes == {"EC0630", "EC0761"}
    assert total == 2


async def test_search_by_code(registry: GraphQLClient) -> None:
    codes, _ = await search(registry, {"search": "ec0217"})
    assert "EC0217.01" in codes


@pytest.mark.parametrize("text", ["%", "_"])
async def test_search_wildcards_are_literal(registry: GraphQLClient, text: str) -> None:
    """`%` and `_` are not codes or words: they must not match every standard."""
    codes, total = await search(registry, {"search": text})
    assert total == 0, f"{text!r} matched {total} standards: {sorted(codes)[:5]}..."


async def test_filter_by_level(registry: GraphQLClient, registry_db: Database) -> None:
    codes, total = await search(registry, {"level": 3})
    assert codes == await published(registry_db, "level = 3")
    assert total == len(codes)
    assert {"EC0217.01", "EC0301", "EC1279"} <= codes
    both, _ = await search(registry, {"levels": [3, 4]})
    assert both == await published(registry_db, "level IN (3, 4)")


async def test_filter_by_sector(registry: GraphQLClient, registry_db: Database) -> None:
    codes, total = await search(registry, {"sectorCode": "31-33"})
    assert codes == await published(registry_db, "sector_code = '31-33'")
    assert {"EC0264", "EC0520", "EC0632", "EC1279", "EC0988", "EC0231"} <= codes
    assert total == len(codes)


async def test_filter_by_committee(registry: GraphQLClient) -> None:
    data = await registry.data(STANDARDS, {"filter": {"committeeId": "271"}, "first": 100})
    nodes = [e["node"] for e in data["standards"]["edges"]]
    expected = {code for code, _, _, committee, _ in sample.STANDARDS if committee == "271"}
    assert {n["code"] for n in nodes} == expected
    assert {n["committee"]["id"] for n in nodes} == {"271"}


async def test_filters_combine(registry: GraphQLClient) -> None:
    codes, _ = await search(registry, {"search": "automotriz", "level": 3, "sectorCode": "31-33"})
    assert codes == {"EC1279"}


async def test_status_filter(registry: GraphQLClient, registry_db: Database) -> None:
    codes, _ = await search(registry, {"status": "PUBLISHED"})
    assert codes == await published(registry_db)
    withdrawn, _ = await search(registry, {"status": "WITHDRAWN"})
    assert withdrawn.isdisjoint(codes)


@pytest.mark.parametrize("filter", [{}, {"search": "automotriz"}, {"level": 2}, {"sectorCode": "61"}])
async def test_facets_add_up_to_total_count(registry: GraphQLClient, filter: dict[str, Any]) -> None:
    data = await registry.data(FACETS, {"filter": filter})
    connection = data["standards"]
    total = connection["totalCount"]
    facets = connection["facets"]
    assert total > 0
    assert sum(c["count"] for c in facets["levels"]) == total
    assert sum(c["count"] for c in facets["sectors"]) == total
    assert sum(c["count"] for c in facets["committees"]) == total
    assert [c["level"] for c in facets["levels"]] == sorted(c["level"] for c in facets["levels"])


async def test_facet_counts_are_right(registry: GraphQLClient) -> None:
    data = await registry.data(FACETS, {"filter": {"search": "automotriz"}})
    facets = data["standards"]["facets"]
    committees = {c["committeeId"]: c["count"] for c in facets["committees"]}
    assert committees["271"] == 5
    names = {c["committeeId"]: c["committeeName"] for c in facets["committees"]}
    assert "Automotriz" in names["271"]


# --- pagination -------------------------------------------------------------------------------


async def walk(
    registry: GraphQLClient, order: dict[str, str], filter: dict[str, Any] | None, size: int
) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    totals: set[int] = set()
    for _ in range(200):
        data = await registry.data(
            STANDARDS, {"filter": filter, "first": size, "after": after, "order": order}
        )
        connection = data["standards"]
        totals.add(connection["totalCount"])
        edges = connection["edges"]
        assert len(edges) <= size
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if edges:
            assert connection["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        nodes.extend(e["node"] for e in edges)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert len(edges) == size
        after = connection["pageInfo"]["endCursor"]
    else:
        pytest.fail("pagination did not end")
    assert len(totals) == 1
    return nodes, totals.pop()


ORDERS: list[tuple[dict[str, str], dict[str, Any] | None]] = [
    ({"field": "CODE"}, None),
    ({"field": "CODE", "direction": "DESC"}, None),
    ({"field": "TITLE"}, None),
    ({"field": "LEVEL", "direction": "DESC"}, None),
    ({"field": "LEVEL"}, {"sectorCode": "31-33"}),
    ({"field": "PUBLISHED"}, None),
    ({"field": "RELEVANCE"}, {"search": "automotriz"}),
    ({"field": "RELEVANCE"}, {"search": "cursos formación"}),
]


@pytest.mark.parametrize(("order", "filter"), ORDERS)
@pytest.mark.parametrize("size", [1, 4])
async def test_pages_cover_everything_once(
    registry: GraphQLClient, order: dict[str, str], filter: dict[str, Any] | None, size: int
) -> None:
    nodes, total = await walk(registry, order, filter, size)
    codes = [n["code"] for n in nodes]
    assert len(codes) == len(set(codes)), "a standard appeared on two pages"
    assert len(codes) == total
    whole = await registry.data(STANDARDS, {"filter": filter, "first": 100, "order": order})
    assert codes == [e["node"]["code"] for e in whole["standards"]["edges"]]


async def test_orders_are_what_they_say(registry: GraphQLClient) -> None:
    nodes, _ = await walk(registry, {"field": "CODE"}, None, 7)
    codes = [n["code"] for n in nodes]
    assert codes == sorted(codes)
    nodes, _ = await walk(registry, {"field": "LEVEL", "direction": "DESC"}, None, 7)
    keys = [(n["level"], n["code"]) for n in nodes]
    assert keys == sorted(keys, reverse=True)
    nodes, _ = await walk(registry, {"field": "RELEVANCE"}, {"search": "pintura automotriz"}, 1)
    # EC0630's title is exactly the query; it ranks first.
    assert [n["code"] for n in nodes] == ["EC0630", "EC0761"]


async def test_default_page(registry: GraphQLClient, registry_db: Database) -> None:
    data = await registry.data("{ standards { totalCount edges { node { code } } } }")
    assert len(data["standards"]["edges"]) == min(20, len(await published(registry_db)))


async def test_first_zero_returns_only_the_count(registry: GraphQLClient) -> None:
    data = await registry.data(STANDARDS, {"first": 0})
    assert data["standards"]["edges"] == []
    assert data["standards"]["totalCount"] > 0


@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_page_size_out_of_range(registry: GraphQLClient, settings: Settings, first: int) -> None:
    assert settings.max_page_size == 100
    error = await registry.error(STANDARDS, {"first": first})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_page_size_at_the_maximum(registry: GraphQLClient, settings: Settings) -> None:
    await registry.data(STANDARDS, {"first": settings.max_page_size})


def tamper(cursor: str) -> str:
    payload, _, mac = cursor.partition(".")
    key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    key[-1] = "EC0000"
    forged = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    return f"{forged}.{mac}"


def forgeries(real: str) -> dict[str, str]:
    """Cursors forged from a real one, by kind."""
    payload, _, mac = real.partition(".")
    return {
        "not-a-cursor": "not-a-cursor",
        "dot-only": ".",
        "tampered-key": tamper(real),
        "zero-mac": f"{payload}.{'0' * len(mac)}",
        "payload-changed": f"{payload}x.{mac}",
        "no-mac": payload,
    }


@pytest.mark.parametrize(
    "kind", ["not-a-cursor", "dot-only", "tampered-key", "zero-mac", "payload-changed", "no-mac"]
)
async def test_forged_cursors_are_bad_input(registry: GraphQLClient, kind: str) -> None:
    data = await registry.data(STANDARDS, {"first": 2})
    forged = forgeries(data["standards"]["pageInfo"]["endCursor"])[kind]
    error = await registry.error(STANDARDS, {"first": 2, "after": forged})
    assert error["extensions"]["code"] == "BAD_USER_INPUT", forged


async def test_non_ascii_cursor_is_bad_input(registry: GraphQLClient) -> None:
    error = await registry.error(STANDARDS, {"first": 2, "after": "ñandú.ñandú"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("order", ["LEVEL", "PUBLISHED"])
async def test_cursor_of_another_order_is_bad_input(registry: GraphQLClient, order: str) -> None:
    """A client that changes orderBy but keeps its cursor gets told so, not a server error."""
    data = await registry.data(STANDARDS, {"first": 2, "order": {"field": "TITLE"}})
    title_cursor = data["standards"]["pageInfo"]["endCursor"]
    error = await registry.error(STANDARDS, {"first": 2, "after": title_cursor, "order": {"field": order}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_cursor_of_another_arity_is_bad_input(registry: GraphQLClient) -> None:
    data = await registry.data(STANDARDS, {"first": 2, "order": {"field": "CODE"}})
    code_cursor = data["standards"]["pageInfo"]["endCursor"]
    error = await registry.error(STANDARDS, {"first": 2, "after": code_cursor, "order": {"field": "TITLE"}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    wrong_type = encode_cursor(["not-a-sequence-number"])
    changes = "query($a: String) { registryChanges(after: $a) { totalCount } }"
    error = await registry.error(changes, {"a": wrong_type})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("level", [0, -1, 6])
async def test_level_out_of_range(registry: GraphQLClient, level: int) -> None:
    error = await registry.error(STANDARDS, {"filter": {"level": level}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await registry.error(STANDARDS, {"filter": {"levels": [2, level]}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("sector", ["99", "31", "", "Manufactura"])
async def test_unknown_sector(registry: GraphQLClient, sector: str) -> None:
    error = await registry.error(STANDARDS, {"filter": {"sectorCode": sector}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_search_too_long(registry: GraphQLClient, settings: Settings) -> None:
    limit = settings.max_search_length
    error = await registry.error(STANDARDS, {"filter": {"search": "a" * (limit + 1)}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    await registry.data(STANDARDS, {"filter": {"search": "a" * limit}})


# --- compareStandards -------------------------------------------------------------------------

COMPARE = """query($codes: [String!]!) {
  compareStandards(codes: $codes) {
    standards { code }
    sameLevel sameSector sameCommittee elementsKnown standardsWithoutElements
    sharedElements { title presentIn }
    differingElements { title presentIn }
    note noteEn
  }
}"""


async def test_compare_standards_with_elements(registry: GraphQLClient) -> None:
    data = await registry.data(COMPARE, {"codes": ["EC0217.01", "ec0301"]})
    comparison = data["compareStandards"]
    assert [s["code"] for s in comparison["standards"]] == ["EC0217.01", "EC0301"]
    assert comparison["elementsKnown"] is True
    assert comparison["standardsWithoutElements"] == []
    assert comparison["sharedElements"] == []
    assert comparison["sameLevel"] is True
    assert comparison["sameSector"] is True
    assert comparison["sameCommittee"] is True
    expected = {
        (title, code) for code, items in sample.ELEMENTS.items() for _, title in items
    }
    differing = comparison["differingElements"]
    assert {(e["title"], code) for e in differing for code in e["presentIn"]} == expected
    assert all(len(e["presentIn"]) == 1 for e in comparison["differingElements"])
    assert comparison["note"] is None


async def test_compare_standards_without_elements(registry: GraphQLClient) -> None:
    data = await registry.data(COMPARE, {"codes": ["EC0241", "EC0520"]})
    comparison = data["compareStandards"]
    assert comparison["elementsKnown"] is False
    assert comparison["standardsWithoutElements"] == ["EC0241", "EC0520"]
    assert comparison["sharedElements"] == []
    assert comparison["differingElements"] == []
    assert "EC0241" in comparison["note"] and "EC0520" in comparison["note"]
    assert "elementos" in comparison["note"]
    assert "elements" in comparison["noteEn"]
    assert comparison["sameCommittee"] is True
    assert comparison["sameLevel"] is True
    assert comparison["sameSector"] is False


async def test_compare_with_one_side_unknown_invents_nothing(registry: GraphQLClient) -> None:
    data = await registry.data(COMPARE, {"codes": ["EC0217.01", "EC0241"]})
    comparison = data["compareStandards"]
    assert comparison["elementsKnown"] is False
    assert comparison["standardsWithoutElements"] == ["EC0241"]
    assert comparison["sharedElements"] == comparison["differingElements"] == []


@pytest.mark.parametrize(
    ("codes", "code"),
    [
        (["EC0217.01"], "BAD_USER_INPUT"),
        (["EC0217.01", "ec0217.01"], "BAD_USER_INPUT"),
        (["EC0217.01", "EC7999"], "NOT_FOUND"),
        (["EC0217.01", "nope"], "BAD_USER_INPUT"),
    ],
)
async def test_compare_bad_input(registry: GraphQLClient, codes: list[str], code: str) -> None:
    error = await registry.error(COMPARE, {"codes": codes})
    assert error["extensions"]["code"] == code


# --- grid and level descriptors ----------------------------------------------------------------


async def test_framework_grid(registry: GraphQLClient, registry_db: Database) -> None:
    data = await registry.data(
        """{ frameworkGrid { total rows { sector { code title } total cells { level standardCount } }
             levelTotals { level standardCount } } }"""
    )
    grid = data["frameworkGrid"]
    assert len(grid["rows"]) == 20
    assert len({r["sector"]["code"] for r in grid["rows"]}) == 20
    for row in grid["rows"]:
        assert [c["level"] for c in row["cells"]] == [1, 2, 3, 4, 5]
        assert row["total"] == sum(c["standardCount"] for c in row["cells"])
    count = len(await published(registry_db))
    assert grid["total"] == count
    assert sum(r["total"] for r in grid["rows"]) == count
    assert sum(c["standardCount"] for c in grid["levelTotals"]) == count
    manufacturing = next(r for r in grid["rows"] if r["sector"]["code"] == "31-33")
    cells = {c["level"]: c["standardCount"] for c in manufacturing["cells"]}
    assert cells[2] == len(await published(registry_db, "sector_code = '31-33' AND level = 2"))


async def test_level_descriptors(registry: GraphQLClient) -> None:
    data = await registry.data("{ levelDescriptors { level description descriptionEn source } }")
    descriptors = data["levelDescriptors"]
    assert [d["level"] for d in descriptors] == [1, 2, 3, 4, 5]
    for d in descriptors:
        assert d["description"].strip() and d["descriptionEn"].strip()
        assert d["description"] != d["descriptionEn"]
        assert d["source"]


# --- committees and certification bodies ---------------------------------------------------------

COMMITTEES = """query($search: String, $first: Int, $after: String) {
  committees(search: $search, first: $first, after: $after) {
    totalCount edges { cursor node { id name standardCount } } pageInfo { hasNextPage endCursor }
  }
}"""

BODIES = """query($filter: CertificationBodyFilter, $first: Int, $after: String) {
  certificationBodies(filter: $filter, first: $first, after: $after) {
    totalCount edges { node { id name kind } } pageInfo { hasNextPage endCursor }
  }
}"""


async def walk_connection(
    registry: GraphQLClient, query: str, field: str, variables: dict[str, Any], size: int
) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    total = -1
    for _ in range(100):
        data = await registry.data(query, {**variables, "first": size, "after": after})
        connection = data[field]
        total = connection["totalCount"]
        nodes.extend(e["node"] for e in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, total
        after = connection["pageInfo"]["endCursor"]
    pytest.fail("pagination did not end")


async def test_committees_pages(registry: GraphQLClient, registry_db: Database) -> None:
    nodes, total = await walk_connection(registry, COMMITTEES, "committees", {}, 3)
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == total
    assert total == await registry_db.fetchval("SELECT count(*) FROM committees")
    whole = await registry.data(COMMITTEES, {"first": 100})
    assert ids == [e["node"]["id"] for e in whole["committees"]["edges"]]
    assert next(n for n in nodes if n["id"] == "271")["standardCount"] == 5


async def test_committees_search(registry: GraphQLClient) -> None:
    data = await registry.data(COMMITTEES, {"search": "AUTOMOTRÍZ", "first": 100})
    nodes = [e["node"] for e in data["committees"]["edges"]]
    assert {"271", "273"} <= {n["id"] for n in nodes}
    assert all("automotriz" in fold(n["name"]) for n in nodes)
    assert data["committees"]["totalCount"] == len(nodes)


async def test_committee_by_id(registry: GraphQLClient) -> None:
    data = await registry.data('{ committee(id: "271") { id name conocerKey formedOn standardCount } }')
    assert data["committee"]["formedOn"] == "2010-11-30"
    error = await registry.error('{ committee(id: "no-such-committee") { id } }')
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.fixture(scope="module")
async def dated_body(registry_db: Database) -> str:
    """An ECE accredited for EC0011 during 2020 only."""
    body = "TQ-BODY-ECE-2020"
    await registry_db.execute(
        "INSERT INTO certification_bodies (id, name, kind, state, source) "
        "VALUES ($1, 'Entidad de prueba con fechas', 'ECE', 'Jalisco', 'test') ON CONFLICT DO NOTHING",
        body,
    )
    await registry_db.execute(
        "INSERT INTO accreditations (body_id, standard_code, valid_from, valid_to, source) "
        "VALUES ($1, 'EC0011', '2020-01-01', '2020-12-31', 'test') ON CONFLICT DO NOTHING",
        body,
    )
    return body


async def body_ids(registry: GraphQLClient, filter: dict[str, Any]) -> set[str]:
    nodes, total = await walk_connection(registry, BODIES, "certificationBodies", {"filter": filter}, 100)
    assert len(nodes) == total
    return {n["id"] for n in nodes}


async def test_bodies_by_standard(registry: GraphQLClient) -> None:
    expected = {body for body, _, codes in sample.BODIES if "EC0520" in codes}
    assert await body_ids(registry, {"standardCode": " ec0520"}) == expected


async def test_bodies_active_on(registry: GraphQLClient, dated_body: str) -> None:
    open_ended = {body for body, _, codes in sample.BODIES if "EC0011" in codes}
    during = await body_ids(registry, {"standardCode": "EC0011", "activeOn": "2020-06-30"})
    assert during == open_ended | {dated_body}
    after = await body_ids(registry, {"standardCode": "EC0011", "activeOn": "2021-01-01"})
    assert after == open_ended
    anything = await body_ids(registry, {"activeOn": "2021-01-01"})
    assert dated_body not in anything
    assert {body for body, _, _ in sample.BODIES} <= anything


async def test_bodies_by_kind_and_state(registry: GraphQLClient, dated_body: str) -> None:
    ece = await body_ids(registry, {"kind": "ECE"})
    assert dated_body in ece
    assert ece.isdisjoint(body for body, _, _ in sample.BODIES)
    unknown = await body_ids(registry, {"kind": "UNKNOWN"})
    assert {body for body, _, _ in sample.BODIES} <= unknown
    assert dated_body not in unknown
    assert await body_ids(registry, {"state": "jalisco", "kind": "ECE"}) >= {dated_body}
    assert dated_body not in await body_ids(registry, {"state": "Sonora"})


async def test_bodies_pages(registry: GraphQLClient, registry_db: Database) -> None:
    nodes, total = await walk_connection(registry, BODIES, "certificationBodies", {"filter": None}, 2)
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == total
    assert total == await registry_db.fetchval("SELECT count(*) FROM certification_bodies")
    whole = await registry.data(BODIES, {"first": 100})
    assert ids == [e["node"]["id"] for e in whole["certificationBodies"]["edges"]]


async def test_bodies_bad_input(registry: GraphQLClient) -> None:
    error = await registry.error(BODIES, {"first": 101})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await registry.error(BODIES, {"after": "forged"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await registry.error(BODIES, {"filter": {"standardCode": "bogus"}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# --- certificates and learners ------------------------------------------------------------------


async def sample_folio(db: Database, key: str) -> str:
    return await db.fetchval("SELECT folio FROM certificates WHERE idempotency_key = $1", key)


VERIFY = """query($folio: String!) {
  verifyCertificate(folio: $folio) {
    folio standard { code } issuedOn body { id name } status holderName
  }
}"""


async def test_verify_certificate_is_public_and_minimal(
    registry: GraphQLClient, registry_db: Database
) -> None:
    folio = await sample_folio(registry_db, "sample-cert-1")
    data = await registry.data(VERIFY, {"folio": f" {folio} "}, role="public")
    assert data["verifyCertificate"] == {
        "folio": folio,
        "standard": {"code": "EC1121"},
        "issuedOn": "2025-03-14",
        "body": {"id": "ECE-00009", "name": "Dirección General de Centros de Formación para el Trabajo"},
        "status": "VALID",
        "holderName": "P*** D*** E***",
    }
    error = await registry.error(VERIFY, {"folio": "EC1121-2025-9999999"}, role="public")
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_verification_type_has_no_holder_data() -> None:
    fields = {f.python_name for f in CertificateVerification.__strawberry_definition__.fields}
    assert fields == {"folio", "standard", "issued_on", "body", "status", "holder_name"}


@pytest.mark.parametrize(
    "field", ["holderRef", "holder { holderRef }", "certifyingPerson", "evaluator { id }", "expiresOn"]
)
async def test_verification_cannot_select_holder_data(
    registry: GraphQLClient, registry_db: Database, field: str
) -> None:
    folio = await sample_folio(registry_db, "sample-cert-1")
    error = await registry.error(
        f"query($folio: String!) {{ verifyCertificate(folio: $folio) {{ {field} }} }}", {"folio": folio}
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


CERTIFICATE = """query($folio: String!) {
  certificate(folio: $folio) {
    folio standardCode scope status holderName certifyingPerson issuedOn body { id } evaluator { id }
    holder { holderRef }
  }
}"""


async def test_certificate_details_need_the_right_caller(
    registry: GraphQLClient, registry_db: Database, settings: Settings
) -> None:
    folio = await sample_folio(registry_db, "sample-cert-1")  # issued by ECE-00009
    for who in (
        {"role": "public"},
        {"role": "certifier", "subject": "person:other", "scope": "ECE-00001"},
        {"role": "certifier", "subject": "person:nobody"},
        {"role": "committee", "scope": "271"},
        {"role": "taskforce"},
    ):
        error = await registry.error(CERTIFICATE, {"folio": folio}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN", who
    holder = rules.holder_ref(settings.require_curp_salt(), sample.SAMPLE_CURP)
    await deposit_check(registry, folio, REGISTRAR["scope"], sample.SAMPLE_CURP)
    for who in (REGISTRAR, {"role": "certifier", "scope": "ECE-00009"}, ADMIN):
        data = await registry.data(CERTIFICATE, {"folio": folio}, **who)
        certificate = data["certificate"]
        assert certificate["folio"] == folio
        assert certificate["body"] == {"id": "ECE-00009"}
        assert certificate["holder"] == {"holderRef": holder}
        assert certificate["holderName"] == "P*** D*** E***"
    error = await registry.error(CERTIFICATE, {"folio": "nope"}, **ADMIN)
    assert error["extensions"]["code"] == "NOT_FOUND"


LEARNER = """query($curp: String, $ref: String) {
  learner(curp: $curp, holderRef: $ref) {
    holderRef certificates { folio standardCode issuedOn body { id } }
  }
}"""


async def test_learner_by_curp(registry: GraphQLClient, registry_db: Database, settings: Settings) -> None:
    folio = await sample_folio(registry_db, "sample-cert-2")
    await deposit_check(registry, folio, REGISTRAR["scope"], sample.SAMPLE_CURP)
    data = await registry.data(LEARNER, {"curp": sample.SAMPLE_CURP}, **REGISTRAR)
    learner = data["learner"]
    assert learner["holderRef"] == rules.holder_ref(settings.require_curp_salt(), sample.SAMPLE_CURP)
    assert sample.SAMPLE_CURP not in json.dumps(data)
    certificates = learner["certificates"]
    assert [c["standardCode"] for c in certificates] == ["EC0217.01", "EC1121", "EC0631"]  # oldest first
    folios = {await sample_folio(registry_db, key) for *_, key in sample.CERTIFICATES}
    assert {c["folio"] for c in certificates} == folios

    by_ref = await registry.data(LEARNER, {"ref": learner["holderRef"]}, **REGISTRAR)
    assert by_ref == data
    lower = await registry.data(LEARNER, {"curp": f" {sample.SAMPLE_CURP.lower()} "}, **REGISTRAR)
    assert lower == data


async def test_learner_certificates_are_filtered_by_caller(registry: GraphQLClient) -> None:
    data = await registry.data(LEARNER, {"curp": sample.SAMPLE_CURP}, role="certifier", scope="ECE-00009")
    assert {c["body"]["id"] for c in data["learner"]["certificates"]} == {"ECE-00009"}
    assert len(data["learner"]["certificates"]) == 2


async def test_learner_is_not_public(registry: GraphQLClient) -> None:
    for who in ({"role": "public"}, {"role": "committee", "scope": "271"}, {"role": "taskforce"}):
        error = await registry.error(LEARNER, {"curp": sample.SAMPLE_CURP}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN", who


@pytest.mark.parametrize(
    "variables", [{"curp": "not-a-curp"}, {}, {"curp": sample.SAMPLE_CURP, "ref": "abc"}]
)
async def test_learner_bad_input(registry: GraphQLClient, variables: dict[str, Any]) -> None:
    error = await registry.error(LEARNER, variables, **REGISTRAR)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
