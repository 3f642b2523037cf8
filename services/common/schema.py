"""The strawberry federation schema every subgraph uses: errors shaped, user errors not logged, and
argument text that PostgreSQL cannot store refused before any resolver runs.

And kept cheap where the gateway sends the most: documents are parsed once per text and validated once
per shape (services/common/parsing.py, validation.py), `_entities` of one type by its one key resolves
in one call (`resolve_references`), and execution takes the short cuts of services/common/execution.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.federation.schema import FederationAny

from services.common.errors import ShapeErrors
from services.common.execution import PlainFieldsExecutionContext
from services.common.inputs import RefuseUnstorableText
from services.common.parsing import DocumentCache, ParseCache
from services.common.validation import ShapeCache, ShapeValidationCache

# Distinct document shapes whose validation is kept (services/common/validation.py).
VALIDATION_CACHE_SIZE = 512
# Distinct query texts whose parsed document is kept (services/common/parsing.py).
PARSE_CACHE_SIZE = 256


class SubgraphSchema(strawberry.federation.Schema):
    def __init__(self, query: type, mutation: type | None = None, types: Iterable[type] = ()) -> None:
        shapes = ShapeCache(VALIDATION_CACHE_SIZE)
        documents = DocumentCache(PARSE_CACHE_SIZE)
        super().__init__(
            query=query,
            mutation=mutation,
            types=list(types),
            extensions=[
                ShapeErrors,
                RefuseUnstorableText,
                # The gateway sends the same few documents again and again, with other variables or
                # other literals written in: validating each shape once, not per request, saves most
                # of a small request's CPU (services/common/validation.py). Bounded, per schema.
                lambda: ShapeValidationCache(shapes),
                # and parsing each text once (services/common/parsing.py).
                lambda: ParseCache(documents),
            ],
            execution_context_class=PlainFieldsExecutionContext,
        )
        self.shapes = shapes

    async def entities_resolver(  # type: ignore[override]  # async: one await for a whole batch
        self, info: strawberry.Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """strawberry's `_entities`, with a batch of one entity type resolved in one call when it can be.

        An entity type may declare `resolve_references(info, keys)`, with `batch_key` naming its one key
        field: every representation of it that is exactly `{__typename, <batch_key>: <a string>}` is then
        resolved in one call (one loader round, no coroutine per entity), in order, None where there is
        none. Every other representation goes to strawberry's `resolve_reference` path, unchanged; its
        awaitables are settled here together, an exception standing as that item's error.
        """
        results: list[Any] = [None] * len(representations)
        batches: dict[str, tuple[list[int], list[str]]] = {}  # per type name: (indices, keys)
        rest: list[int] = []
        key_fields: dict[str, str | None] = {}  # per type name: its batch key field, None if it has none
        # The type of the previous representation, its key field and its batch: a page is one type.
        last_name: Any = _UNKNOWN
        key_field: str | None = None
        indices: list[int] = []
        keys: list[str] = []
        for index, representation in enumerate(representations):
            # The common case inline (a thousand of them): `{__typename, <its batch key>: <a string>}`.
            if isinstance(representation, dict) and len(representation) == 2:
                type_name = representation.get("__typename")
                if type_name != last_name or type(type_name) is not str:
                    if not isinstance(type_name, str):
                        rest.append(index)
                        continue
                    key_field = key_fields.get(type_name, _UNKNOWN)
                    if key_field is _UNKNOWN:
                        key_field = key_fields[type_name] = _batch_key_field(self, type_name)
                    indices, keys = batches.setdefault(type_name, ([], []))
                    last_name = type_name
                key = representation.get(key_field) if key_field is not None else None
                if isinstance(key, str):
                    indices.append(index)
                    keys.append(key)
                    continue
            rest.append(index)
        batches = {name: batch for name, batch in batches.items() if batch[0]}
        if rest:
            general = super().entities_resolver(info, [representations[i] for i in rest])
            for index, result in zip(rest, general, strict=True):
                results[index] = result
        waiting = [i for i in rest if asyncio.iscoroutine(results[i]) or isinstance(results[i], Awaitable)]
        batched = [self._resolve_batch(info, type_name, keys) for type_name, (_, keys) in batches.items()]
        settled = await asyncio.gather(*map(_settled, [results[i] for i in waiting]), *batched)
        for index, value in zip(waiting, settled[: len(waiting)], strict=True):
            results[index] = value
        for (indices, _), values in zip(batches.values(), settled[len(waiting) :], strict=True):
            if len(indices) == len(values) == len(results):  # the whole page, in order
                return values
            for index, value in zip(indices, values, strict=True):
                results[index] = value
        return results

    async def _resolve_batch(self, info: strawberry.Info, type_name: str, keys: list[str]) -> list[Any]:
        origin = self.schema_converter.type_map[type_name].definition.origin  # type: ignore[union-attr]
        try:
            found = await origin.resolve_references(info, keys)
        except Exception as exc:  # every entity of the batch fails with it, as a failed loader batch does
            return [exc] * len(keys)
        return list(found)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # `ShapeErrors` logs the unexpected ones with their traceback; a client's bad input or a
        # refused rule is an answer, not a server fault, and would only flood the log.
        return None


_UNKNOWN: Any = object()  # a type name whose batch key field is not looked up yet


def _batch_key_field(schema: SubgraphSchema, type_name: str) -> str | None:
    """The key field of `type_name` when it resolves representations in batches (`batch_key` and
    `resolve_references`), else None."""
    entry = schema.schema_converter.type_map.get(type_name)
    origin = getattr(getattr(entry, "definition", None), "origin", None)
    key_field = getattr(origin, "batch_key", None)
    return key_field if isinstance(key_field, str) and hasattr(origin, "resolve_references") else None


async def _settled(awaitable: Awaitable[Any]) -> Any:
    try:
        return await awaitable
    except Exception as exc:  # the item's error, raised again when graphql-core completes it
        return exc
