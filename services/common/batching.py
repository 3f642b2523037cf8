"""Fields resolved for a whole list of parents at once: `strawberry.field(metadata=batched(many))`.

A field such as a standard's `committee` costs, through graphql-core, a resolve-info object, strawberry's
resolver wrapper, a coroutine, a task and a DataLoader future per parent: on an `_entities` page of 1,000
standards that, not the one SQL query behind it, was half the request. A field marked `batched(many)`
is instead answered, wherever its parents are completed as a list (services/common/execution.py), by one
call `many(info, parents) -> list of values` (or an awaitable of it), one value per parent, in order; the
values are then completed as a list too.

The field keeps its ordinary resolver, which the general path uses (a single object, a schema without
the short cuts); write it as `many` of one parent so the two cannot disagree:

    async def committees_of(info: Info, standards: Sequence[Standard]) -> list[Committee | None]: ...

    @strawberry.field(metadata=batched(committees_of))
    async def committee(self, info: Info) -> Committee | None:
        return (await committees_of(info, [self]))[0]

Only a field without arguments and without field extensions (permissions included) is batched; any
other keeps the general path. An exception raised by `many` is every parent's error for the field, as a
failed DataLoader batch is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import strawberry

# The field metadata's key: a private object, so no other metadata can collide with it.
BATCH: Any = object()

Many = Callable[[strawberry.Info, Sequence[Any]], Sequence[Any] | Awaitable[Sequence[Any]]]


def batched(many: Many) -> dict[Any, Many]:
    """Metadata that marks a field as resolved for a list of parents by `many` (see the module)."""
    return {BATCH: many}


def many_of(metadata: Mapping[Any, Any] | None) -> Many | None:
    """The field's `many`, when its metadata marks it batched."""
    return metadata.get(BATCH) if metadata else None
