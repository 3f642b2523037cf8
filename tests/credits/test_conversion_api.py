"""`convertCredits` and the institution listing as a portal sees them."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

CONVERT = """query ($value: Float!, $from: CreditSystem!, $to: CreditSystem!, $activity: Activity) {
  convertCredits(value: $value, from: $from, to: $to, activity: $activity) {
    value low high notionalHoursLow notionalHoursHigh basis explanation explanationEn
    steps { textEn source { title year rule } } assumptions { textEn }
  }
}"""


async def test_conversion_states_its_basis_and_sources(credits: GraphQLClient) -> None:
    uk = (await credits.data(CONVERT, {"value": 10, "from": "UK_CREDIT", "to": "ECTS"}))["convertCredits"]
    assert (uk["value"], uk["basis"]) == (5, "PUBLISHED_EQUIVALENCE")
    titles = [step["source"]["title"] for step in uk["steps"] if step["source"]]
    assert any("Credit Framework for England" in title for title in titles)
    satca = (await credits.data(CONVERT, {"value": 1, "from": "SATCA", "to": "US_SEMESTER"}))[
        "convertCredits"
    ]
    assert (satca["value"], satca["basis"], satca["notionalHoursLow"]) == (1.07, "NOTIONAL_HOURS", 16)
    assert all(step["source"]["year"] for step in satca["steps"] if step["source"])
    assert "16" in satca["explanationEn"] and satca["explanation"]
    ects = (await credits.data(CONVERT, {"value": 1, "from": "SATCA", "to": "ECTS"}))["convertCredits"]
    assert ects["assumptions"] and (ects["low"], ects["high"]) == (1.6, 1.92)


@pytest.mark.parametrize(
    "variables",
    [
        {"value": -1, "from": "SATCA", "to": "ECTS"},
        {"value": 5000, "from": "SATCA", "to": "ECTS"},
        {"value": 1, "from": "KOREAN_CREDIT", "to": "ECTS", "activity": "SUPERVISED_FIELDWORK"},
    ],
    ids=["negative", "over-the-maximum", "korean-fieldwork"],
)
async def test_conversion_refuses_what_it_cannot_do(credits: GraphQLClient, variables: dict) -> None:
    error = await credits.error(CONVERT, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", variables


async def test_conversion_names_an_unknown_system(credits: GraphQLClient) -> None:
    unknown = await credits.error(CONVERT, {"value": 1, "from": "CARNEGIE_UNIT", "to": "ECTS"})
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT" and "CARNEGIE_UNIT" in unknown["message"]


async def test_institutions_list_the_illustrative_sample(credits: GraphQLClient) -> None:
    query = """{
      institutions(first: 100) { nodes { id country creditSystem illustrative programs { id effectiveCap } } }
    }"""
    nodes = {n["id"]: n for n in (await credits.data(query))["institutions"]["nodes"]}
    assert (nodes["mx-ut-ejemplo"]["creditSystem"], nodes["mx-ut-ejemplo"]["illustrative"]) == ("SATCA", True)
    assert nodes["us-cc-sample"]["creditSystem"] == "US_SEMESTER" and nodes["uk-fe-sample"]["country"] == "GB"
    assert nodes["mx-ut-ejemplo"]["programs"] == [{"id": "mx-ut-ejemplo-tsu-auto", "effectiveCap": 45}]
    assert nodes["us-cc-sample"]["programs"][0]["effectiveCap"] == 15
