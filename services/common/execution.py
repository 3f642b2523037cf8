"""A cheaper way through graphql-core's executor for the values that need none of its generality.

graphql-core runs every field through the same machinery: a resolve-info object, strawberry's resolver
wrapper (arguments, extensions, the default `getattr`), then `complete_value`'s dispatch on the return
type; and every awaitable item of a list gets a completion coroutine of its own. On an `_entities` page
of 1,000 standards that machinery, not the database, is nearly all of the cost. Two short cuts:

- a plain field (a strawberry field with no resolver, no arguments and no field extensions, whose type
  is a scalar or an enum) is `coerce_output_value(getattr(source, name))`, and `__typename` is the type's
  name;
- a list of objects (nullable items, no `@stream`) has its awaitable items (`resolve_reference`s, say)
  settled in one gather, and each object is completed in one pass: plain fields as above, any other
  field through graphql-core's own `execute_field`, every awaitable those return settled in one more
  gather for the whole list.

Anything else (a null, an error, a value a scalar refuses, a type that does not check out) goes the
general way, which then produces the same value or the same error it always did; the tests compare the
two paths answer for answer (tests/common/test_execution.py, tests/registry/test_fast_paths.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    is_abstract_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_GENERAL = object()  # "take the general path"


class PlainField(NamedTuple):
    attribute: str  # the Python attribute strawberry's default resolver reads
    leaf: GraphQLScalarType | GraphQLEnumType
    nullable: bool


def plain_field(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> PlainField | None:
    """How to answer `parent_type.name` without the executor, or None when it needs the general path."""
    field = schema.get_field(parent_type, name)
    if field is None or field.args:
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF) if field.extensions else None
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type if nullable else field.type.of_type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    return PlainField(definition.python_name, leaf, nullable)


# Per object type: each field name's plan (None: the general path). Types die with their schema.
_plans: WeakKeyDictionary[GraphQLObjectType, dict[str, PlainField | None]] = WeakKeyDictionary()


def _plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> PlainField | None:
    plans = _plans.get(parent_type)
    if plans is None:
        plans = _plans[parent_type] = {}
    if name not in plans:
        plans[name] = plain_field(schema, parent_type, name)
    return plans[name]


async def _settled(awaitable: Awaitable[Any]) -> Any:
    try:
        return await awaitable
    except Exception as exc:  # the caller reports it where graphql-core would have
        return exc


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A schema extension with a `resolve` hook wraps every field, and an abort signal is checked
        # between awaits: with either, nothing takes a short cut.
        manager = self.middleware_manager
        self.short_cuts = (manager is None or not manager.middlewares) and self.abort_signal is None

    def plain_value(self, parent_type: GraphQLObjectType, source: Any, name: str) -> Any:
        """The field's completed value when it is plain and comes out clean, else `_GENERAL`."""
        if name == "__typename":
            return parent_type.name
        plan = _plan(self.schema, parent_type, name)
        if plan is None:
            return _GENERAL
        value = getattr(source, plan.attribute, _GENERAL)
        if value is None:
            return None if plan.nullable else _GENERAL
        if value is _GENERAL or self.is_awaitable(value):
            return _GENERAL
        try:
            coerced = plan.leaf.coerce_output_value(value)
        except Exception:  # the general path reports it as the field's error
            return _GENERAL
        return _GENERAL if coerced is None or coerced is Undefined else coerced

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self.short_cuts:
            value = self.plain_value(parent_type, source, field_details_list[0].node.name.value)
            if value is not _GENERAL:
                return value
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        items: Any,
        position_context: Any,
    ) -> Any:
        if (
            not self.short_cuts
            or position_context is not None
            or not isinstance(items, list)
            or not (isinstance(item_type, GraphQLObjectType) or is_abstract_type(item_type))
            or any(details.node.directives for details in field_details_list)  # @stream
        ):
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )
        waiting = [i for i, item in enumerate(items) if self.is_awaitable(item)]
        if not waiting:
            return self.complete_objects(item_type, field_details_list, info, path, items)

        async def settle_then_complete() -> list[Any]:
            values = list(items)
            for i, value in zip(
                waiting, await asyncio.gather(*map(_settled, (items[i] for i in waiting))), strict=True
            ):
                values[i] = value
            completed = self.complete_objects(item_type, field_details_list, info, path, values)
            return await completed if self.is_awaitable(completed) else completed

        return settle_then_complete()

    def runtime_type(self, item_type: Any, item: Any, info: GraphQLResolveInfo) -> GraphQLObjectType | None:
        """The object type `item` completes as, when it is plainly one; None to leave it to graphql-core."""
        if isinstance(item_type, GraphQLObjectType):
            runtime = item_type
        else:
            abstract: GraphQLAbstractType = item_type
            if abstract.resolve_type is None:
                return None
            name = abstract.resolve_type(item, info, abstract)
            runtime = self.schema.get_type(name) if isinstance(name, str) else None
            if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(abstract, runtime):
                return None
        if runtime.is_type_of is not None and runtime.is_type_of(item, info) is not True:
            return None
        return runtime

    def complete_objects(
        self, item_type: Any, field_details_list: Any, info: GraphQLResolveInfo, path: Path, items: list[Any]
    ) -> Any:
        results: list[Any] = []
        # (item index, the object, its key, the awaitable whose value goes there); key None: the item.
        waiting: list[tuple[int, dict[str, Any] | None, str | None, Awaitable[Any]]] = []
        for index, item in enumerate(items):
            item_path = path.add_key(index, None)
            runtime = None
            if item is not None and not isinstance(item, Exception):
                runtime = self.runtime_type(item_type, item, info)
            collected = self.collect_subfields(runtime, field_details_list) if runtime else None
            if runtime is None or collected is None or collected[1] or collected[2]:
                if self.complete_list_item_value(
                    item, results, item_type, field_details_list, info, item_path, None
                ):
                    waiting.append((index, None, None, results[-1]))
                continue
            completed: dict[str, Any] | None = {}
            mine = len(waiting)
            try:
                for key, sub_fields in collected[0].items():
                    value = self.plain_value(runtime, item, sub_fields[0].node.name.value)
                    if value is _GENERAL:
                        value = self.execute_field(
                            runtime, item, sub_fields, item_path.add_key(key, runtime.name), None
                        )
                        if value is Undefined:
                            continue
                        if self.is_awaitable(value):
                            waiting.append((index, completed, key, value))
                    completed[key] = value  # type: ignore[index]
            except Exception as raw_error:  # a non-null field failed: the item is null, as in graphql-core
                self.settle_in_background([entry[3] for entry in waiting[mine:]])
                del waiting[mine:]
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                completed = None
            results.append(completed)
        if not waiting:
            return results

        async def settle() -> list[Any]:
            values = await asyncio.gather(*(_settled(entry[3]) for entry in waiting))
            failed: set[int] = set()
            for (index, completed, key, _), value in zip(waiting, values, strict=True):
                if index in failed:
                    continue
                if key is None:
                    results[index] = value
                elif isinstance(value, Exception):
                    failed.add(index)
                    self.handle_field_error(value, item_type, field_details_list, path.add_key(index, None))
                    results[index] = None
                else:
                    completed[key] = value  # type: ignore[index]
            return results

        return settle()
