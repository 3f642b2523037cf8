"""Search that forgives spelling (soldador, soldadora, soldadra find soldadura), didYouMean when
nothing matches, and RELEVANCE ordering: DESC is most relevant first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.common.db import Database
from services.common.migrations import migrate_service
from services.common.settings import Settings
from services.registry.app import create_registry_app
from tests.conftest import GraphQLClient

SEARCH = """query($s: String!, $first: Int, $order: StandardOrder, $level: Int, $after: String) {
  standards(filter: {search: $s, level: $level}, first: $first, orderBy: $order, after: $after) {
    totalCount didYouMean edges { cursor node { code title } }
  }
}"""


async def search(client: GraphQLClient, text: str, **variables: Any) -> dict[str, Any]:
    variables = {"s": text, "first": 100, **variables}
    return (await client.data(SEARCH, variables))["standards"]


async def ranked(client: GraphQLClient, text: str, **variables: Any) -> dict[str, Any]:
    """`search` without didYouMean: the order alone."""
    variables = {"s": text, "first": 100, **variables}
    return (await client.data(SEARCH.replace("didYouMean", ""), variables))["standards"]


def codes(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["code"] for e in connection["edges"]]


# --- the full RENEC list ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["soldador", "soldadora", "soldadra", "SOLDADORES", "Soldadóra"])
async def test_near_spellings_find_soldadura(full_registry: GraphQLClient, typed: str) -> None:
    welding = set(codes(await search(full_registry, "soldadura")))
    assert len(welding) == 17 and {"EC0320", "EC0801", "EC1126"} <= welding
    found = await search(full_registry, typed)
    assert set(codes(found)) == welding
    assert found["didYouMean"] == []


async def test_near_spellings_keep_the_other_words_and_exclusions(full_registry: GraphQLClient) -> None:
    assert set(codes(await search(full_registry, "soldadra placa"))) == set(
        codes(await search(full_registry, "soldadura placa"))
    )
    assert set(codes(await search(full_registry, "pintura automotris"))) >= {"EC0630", "EC0761"}
    # An excluded word is excluded as typed, not widened to its neighbours.
    excluded = set(codes(await search(full_registry, "acero -soldadra")))
    assert excluded & set(codes(await search(full_registry, "soldadura"))) != set()


async def test_did_you_mean_when_nothing_matches(full_registry: GraphQLClient) -> None:
    found = await search(full_registry, "zoldadura")
    assert found["totalCount"] == 0 and found["edges"] == []
    assert found["didYouMean"][0] == "soldadura"
    for spelling in found["didYouMean"]:
        assert (await search(full_registry, spelling))["totalCount"] > 0

    phrase = await search(full_registry, "aplicación de zoldadura")
    assert phrase["didYouMean"][0] == "aplicación de soldadura"
    assert (await search(full_registry, "xqzwvy"))["didYouMean"] == []


async def test_did_you_mean_offers_only_what_the_filter_would_find(full_registry: GraphQLClient) -> None:
    levels = (await full_registry.data(
        '{ standards(filter: {search: "soldadura"}) { facets { levels { level count } } } }'
    ))["standards"]["facets"]["levels"]
    welded = {f["level"] for f in levels if f["count"]}
    unwelded = sorted(set(range(1, 6)) - welded)
    assert welded and unwelded
    assert (await search(full_registry, "zoldadura", level=min(welded)))["didYouMean"][0] == "soldadura"
    assert (await search(full_registry, "zoldadura", level=unwelded[0]))["didYouMean"] == []


# --- a registry of our own: exact words first, a vocabulary that follows the titles ---------------


@pytest.fixture
async def tiny(make_database: Any, settings: Settings) -> AsyncIterator[tuple[GraphQLClient, Database]]:
    url = await make_database()
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    app = create_registry_app(settings, url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield GraphQLClient(http, settings.require_secret()), db
    await db.close()


async def add_standard(db: Database, code: str, title: str) -> None:
    await db.execute(
        "INSERT INTO standards (code, base_code, version, title_es, level, sector_code, sector_title, "
        "status) VALUES ($1, $2, 0, $3, 2, '23', 'Construcción', 'published')",
        code,
        code[:6],
        title,
    )


async def test_words_as_typed_rank_above_near_spellings(tiny: tuple[GraphQLClient, Database]) -> None:
    client, db = tiny
    # Neither pg_trgm nor unaccent (the embedded server has neither): none of this leans on them.
    assert await db.fetchval(
        "SELECT count(*) FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent', 'fuzzystrmatch')"
    ) == 0
    await add_standard(db, "EC9101", "Aplicación de soldadura en placa")
    await add_standard(db, "EC9102", "Soldador de estructuras metálicas")
    await add_standard(db, "EC9103", "Soldadura y soldadura de tubería")

    # EC9102 has the word; the other two only its family, EC9103 twice.
    assert codes(await search(client, "soldador")) == ["EC9102", "EC9103", "EC9101"]
    descending = await search(client, "soldador", order={"field": "RELEVANCE", "direction": "DESC"})
    assert codes(descending) == ["EC9102", "EC9103", "EC9101"]
    ascending = await search(client, "soldador", order={"field": "RELEVANCE", "direction": "ASC"})
    assert codes(ascending) == ["EC9101", "EC9103", "EC9102"]


async def test_the_vocabulary_follows_new_titles(tiny: tuple[GraphQLClient, Database]) -> None:
    client, db = tiny
    await add_standard(db, "EC9201", "Instalación de muros de tablaroca")
    assert (await search(client, "carpintera"))["totalCount"] == 0

    await add_standard(db, "EC9202", "Carpintería de obra blanca")

    assert codes(await search(client, "carpintera")) == ["EC9202"]
    assert (await search(client, "karpinteria"))["didYouMean"] == ["carpintería"]


# --- RELEVANCE order on the sample -----------------------------------------------------------------


async def test_relevance_desc_lists_the_most_relevant_first(registry: GraphQLClient) -> None:
    def ordered(direction: str | None = None) -> dict[str, Any]:
        return {"field": "RELEVANCE"} | ({"direction": direction} if direction else {})

    default = codes(await ranked(registry, "automotriz"))
    descending = codes(await ranked(registry, "automotriz", order=ordered("DESC")))
    ascending = codes(await ranked(registry, "automotriz", order=ordered("ASC")))
    unstated = codes(await ranked(registry, "automotriz", order=ordered()))
    titles = {
        e["node"]["code"]: e["node"]["title"] for e in (await ranked(registry, "automotriz"))["edges"]
    }
    assert len(descending) > 3
    # Standards with the word (automotriz, automotrices) in their title come before those whose
    # committee alone has it.
    assert "automotri" in titles[descending[0]].lower()
    assert "automotri" not in titles[descending[-1]].lower()
    assert descending == default == unstated
    assert ascending == descending[::-1]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_relevance_pages_continue_where_they_stopped(registry: GraphQLClient, direction: str) -> None:
    order = {"field": "RELEVANCE", "direction": direction}
    whole = codes(await ranked(registry, "automotriz", order=order))
    first = await ranked(registry, "automotriz", order=order, first=2)
    rest = await ranked(registry, "automotriz", order=order, after=first["edges"][-1]["cursor"])
    assert codes(first) + codes(rest) == whole


@pytest.mark.parametrize(
    "typed",
    ["o'brien", "'", "''", "\\", "!!", "a:*", "(( ))", "<->", "& | !", '"', '-"', "-", "or or",
     "soldad'ra", "ñandú " * 20, "🔧 soldadura", "x" * 200, "-(soldadura)", '"soldadura -"'],
)
async def test_hostile_search_text_gets_an_answer(registry: GraphQLClient, typed: str) -> None:
    result = await search(registry, typed)
    assert isinstance(result["totalCount"], int)
    assert isinstance(result["didYouMean"], list)


# --- widen, on its own -----------------------------------------------------------------------------


def test_widen_keeps_exclusions_and_phrases() -> None:
    from services.registry.spelling import widen

    near = {"soldadr": ["soldadur"], "mig": ["mag"], "plac": ["plaz"]}
    assert widen("'soldadr' & !'mig'", near) == "('soldadr' | 'soldadur') & !'mig'"
    assert widen("'soldadr' <-> 'plac'", near) == "('soldadr' | 'soldadur') <-> ('plac' | 'plaz')"
    assert widen("!( 'soldadr' <-> 'plac' ) & 'mig'", near) == "!( 'soldadr' <-> 'plac' ) & ('mig' | 'mag')"
    assert widen("'soldadr':A", near) == "'soldadr':A"
    assert widen("", near) == ""
