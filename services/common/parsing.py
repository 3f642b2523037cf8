"""Parsed documents kept per query text: the gateway sends the same few texts again and again.

An `_entities` request of the credit bank or the crosswalk is one text with new variables each time; its
parse was a tenth of such a request's CPU. graphql-core's documents are never changed once parsed, so one
document serves every request with that text. Bounded in count (the newest `maxsize` texts) and in size
(a text longer than `MAX_TEXT` is parsed each time and not kept), so no caller can fill the memory.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

MAX_TEXT = 16 * 1024  # characters: the gateway's documents are a few hundred


class DocumentCache:
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.documents: OrderedDict[tuple[str, Any], DocumentNode] = OrderedDict()

    def parse(self, text: str, options: dict[str, Any]) -> DocumentNode:
        if len(text) > MAX_TEXT:
            return parse(text, **options)
        key = (text, tuple(sorted(options.items())) if options else ())
        try:
            document = self.documents.get(key)
        except TypeError:  # an option whose value cannot be a key: parsed each time
            return parse(text, **options)
        if document is not None:
            self.documents.move_to_end(key)
            return document
        document = parse(text, **options)  # a syntax error raises here, and nothing is kept
        self.documents[key] = document
        while len(self.documents) > self.maxsize:
            self.documents.popitem(last=False)
        return document


class ParseCache(SchemaExtension):
    """Parsing through a `DocumentCache`; a schema builds it per request from its cache:
    `extensions=[lambda: ParseCache(cache)]`."""

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            # A syntax error is left to strawberry's own parse, which reports it as it always does.
            with contextlib.suppress(GraphQLError):
                context.graphql_document = self.cache.parse(context.query, context.parse_options)
        yield
