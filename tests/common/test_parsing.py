"""Parsed documents kept per query text (services/common/parsing.py): one document per text, bounded in
count and in text size, and a syntax error answers as it always did."""

from __future__ import annotations

from services.common.parsing import MAX_TEXT, DocumentCache
from tests.common.test_validation_shapes import FULL, SHAPED, answer


def test_one_document_per_text_the_newest_kept() -> None:
    cache = DocumentCache(2)
    first = cache.parse("{ a }", {})
    assert cache.parse("{ a }", {}) is first
    assert cache.parse("{ a }", {"no_location": True}) is not first  # other options, another document
    cache.parse("{ b }", {})
    assert len(cache.documents) == 2
    assert cache.parse("{ a }", {}) is not first  # pushed out by the two newer ones


def test_a_long_text_is_parsed_and_not_kept() -> None:
    cache = DocumentCache(4)
    text = "{ a }" + " " * MAX_TEXT
    assert cache.parse(text, {}) is not cache.parse(text, {})
    assert not cache.documents


async def test_syntax_errors_answer_as_before() -> None:
    for document in ["{ item(code: ", "{ item(code: ", "query { }", '{ item(code: "a") { code } } }']:
        assert await answer(SHAPED, document) == await answer(FULL, document)
    refused = await answer(SHAPED, "{ item(code: ")
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"

