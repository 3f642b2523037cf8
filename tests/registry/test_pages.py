"""Paging a standard's accreditations (accreditationsConnection) and registryChanges' totalCount."""

from __future__ import annotations

from typing import Any

import pytest

from services.common.pagination import encode_cursor
from services.registry.schema import schema
from tests.conftest import GraphQLClient

PAGE = """query($code: String!, $first: Int, $after: String, $on: Date) {
  standard(code: $code) {
    accreditationsConnection(first: $first, after: $after, activeOn: $on) {
      totalCount
      edges { cursor node { body { id name } validFrom validTo } }
      nodes { body { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"""

LIST = """query($code: String!) { standard(code: $code) { accreditations { body { id } } } }"""


async def every_page(client: GraphQLClient, code: str, first: int, **variables: Any) -> list[dict]:
    pages, after = [], None
    while True:
        data = await client.data(PAGE, {"code": code, "first": first, "after": after, **variables})
        page = data["standard"]["accreditationsConnection"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_ec0217_01s_371_accreditations_in_pages(full_registry: GraphQLClient) -> None:
    pages = await every_page(full_registry, "EC0217.01", 100)
    assert [len(p["edges"]) for p in pages] == [100, 100, 100, 71]
    assert {p["totalCount"] for p in pages} == {371}
    ids = [e["node"]["body"]["id"] for p in pages for e in p["edges"]]
    assert len(set(ids)) == 371
    names = [(e["node"]["body"]["name"], e["node"]["body"]["id"]) for p in pages for e in p["edges"]]
    assert names == sorted(names)
    assert [n["body"]["id"] for p in pages for n in p["nodes"]] == ids
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True, True]
    # The deprecated list still answers, with the same bodies in the same order.
    listed = (await full_registry.data(LIST, {"code": "EC0217.01"}))["standard"]["accreditations"]
    assert [a["body"]["id"] for a in listed] == ids


async def test_default_page_is_20(full_registry: GraphQLClient) -> None:
    data = await full_registry.data(PAGE, {"code": "EC0217.01"})
    page = data["standard"]["accreditationsConnection"]
    assert len(page["edges"]) == 20 and page["pageInfo"]["hasNextPage"] is True


async def test_active_on_filters_pages_and_count(registry: GraphQLClient, registry_db: Any) -> None:
    # The sample's accreditations of EC0217.01 are open-ended; add one that ended in 2020.
    await registry_db.execute(
        "INSERT INTO certification_bodies (id, name) "
        "VALUES ('ECE-PAGES-1', 'Órgano de prueba de páginas') ON CONFLICT DO NOTHING"
    )
    await registry_db.execute(
        "INSERT INTO accreditations (body_id, standard_code, valid_from, valid_to) "
        "VALUES ('ECE-PAGES-1', 'EC0217.01', '2019-01-01', '2020-12-31') ON CONFLICT DO NOTHING"
    )
    ever = await every_page(registry, "EC0217.01", 2)
    today = await every_page(registry, "EC0217.01", 2, on="2025-06-01")
    then = await every_page(registry, "EC0217.01", 2, on="2020-06-01")
    ids = {
        name: [e["node"]["body"]["id"] for p in pages for e in p["edges"]]
        for name, pages in (("ever", ever), ("today", today), ("then", then))
    }
    assert "ECE-PAGES-1" in ids["ever"] and "ECE-PAGES-1" in ids["then"]
    assert "ECE-PAGES-1" not in ids["today"] and "ECE-00001" in ids["today"]
    for name, pages in (("ever", ever), ("today", today), ("then", then)):
        assert {p["totalCount"] for p in pages} == {len(ids[name])}, name


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"after": encode_cursor(["x", "y"])}, "after"),  # another connection's cursor
        ({"after": encode_cursor(["x", "y", "3"])}, "after"),
    ],
)
async def test_bad_page_arguments(registry: GraphQLClient, variables: dict, argument: str) -> None:
    error = await registry.error(PAGE, {"code": "EC0217.01", **variables})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"].get("argument") == argument


async def test_a_page_of_standards_pages_its_accreditations_in_two_queries(
    registry: GraphQLClient, registry_app: Any
) -> None:
    query = """{ standards(first: 20) { edges { node { code
        accreditationsConnection(first: 2) { totalCount nodes { body { id } } } } } } }"""
    db = registry_app.state.db
    before = db.statements
    data = await registry.data(query)
    spent = db.statements - before
    nodes = [e["node"] for e in data["standards"]["edges"]]
    assert any(n["accreditationsConnection"]["totalCount"] > 2 for n in nodes)
    assert all(len(n["accreditationsConnection"]["nodes"]) <= 2 for n in nodes)
    # the page of standards, then the accreditation pages and their counts: one query each.
    assert spent == 3


def test_the_list_field_is_deprecated_for_the_connection() -> None:
    sdl = schema.as_str()
    assert '@deprecated(reason: "Use accreditationsConnection' in sdl
    assert (
        "accreditationsConnection(activeOn: Date = null, first: Int = 20, after: String = null): "
        "AccreditationConnection!" in sdl
    )


# --- registryChanges.totalCount ------------------------------------------------------------------

CHANGES = """query($first: Int, $after: String) {
  registryChanges(first: $first, after: $after) {
    totalCount edges { node { seq } } pageInfo { hasNextPage endCursor }
  }
}"""


async def read_feed(client: GraphQLClient, first: int, who: dict[str, Any]) -> tuple[int, list[int]]:
    """Pages through the whole feed: how many entries it has, and each page's totalCount."""
    totals, after, seen = [], None, 0
    while True:
        page = (await client.data(CHANGES, {"first": first, "after": after}, **who))["registryChanges"]
        totals.append(page["totalCount"])
        seen += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen, totals
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("who", [{}, {"role": "admin", "subject": "admin:pages"}])
async def test_registry_changes_total_is_the_same_on_every_page(
    registry: GraphQLClient, who: dict[str, Any]
) -> None:
    # The session's other tests may have written a long feed: read it in big pages, then in about
    # five smaller ones.
    feed, totals = await read_feed(registry, 500, who)
    assert feed > 6 and set(totals) == {feed}
    seen, totals = await read_feed(registry, feed // 4 + 1, who)
    assert seen == feed and len(totals) >= 4
    assert set(totals) == {feed}
