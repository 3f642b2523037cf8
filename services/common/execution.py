"""A cheaper way through graphql-core's executor for the values that need none of its generality.

graphql-core runs every field through the same machinery: a resolve-info object, strawberry's resolver
wrapper (arguments, extensions, the default `getattr`), then `complete_value`'s dispatch on the return
type; and every awaitable item of a list gets a completion coroutine of its own. On an `_entities` page
of 1,000 standards that machinery, not the database, was nearly all of the cost. The short cuts:

- a plain field (a strawberry field with no resolver, no arguments and no field extensions, whose type
  is a scalar or an enum) is `coerce_output_value(getattr(source, name))` (a value of exactly a built-in
  scalar's Python type as it is), and `__typename` is the type's name;
- a list of objects (nullable items, no `@stream`) has its awaitable items (`resolve_reference`s, say)
  settled in one gather, and is completed column by column: each field for every object, then the next;
  plain fields as above, any other field through graphql-core's own `execute_field`, every awaitable
  those return settled in one more gather for the whole list; an item's path is made only when it is
  needed (an error, a field on the general way);
- a batched field (services/common/batching.py) is resolved once for the whole column, and its values
  completed as a list in their turn; objects the column repeats (a page's sectors) are answered once
  and shared when every selected field of theirs is plain and comes out clean.

Anything else (a null, an error, a value a scalar refuses, a type that does not check out) goes the
general way, which then produces the same value or the same error it always did; the tests compare the
two paths answer for answer (tests/common/test_execution.py, tests/registry/test_fast_paths.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import strawberry
from graphql import (
    DocumentNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    is_abstract_type,
    specified_scalar_types,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from services.common.batching import Many, many_of
from services.common.variables import scalar_lists

_GENERAL = object()  # "take the general path"


# The Python type a built-in scalar passes through unchanged (graphql-core's serializers return a value
# of exactly this type as it is); Int also needs its 32-bit range checked.
_EXACT: dict[str, type] = {"String": str, "ID": str, "Boolean": bool, "Int": int}
_INT_RANGE = range(-(2**31), 2**31)


class PlainField(NamedTuple):
    attribute: str  # the Python attribute strawberry's default resolver reads
    leaf: GraphQLScalarType | GraphQLEnumType
    nullable: bool
    exact: type | None  # a value of exactly this type is its own completed value (_EXACT)


class BatchField(NamedTuple):
    many: Many  # services/common/batching.py
    field: GraphQLField
    definition: StrawberryField
    info_class: type  # the strawberry schema's Info


FieldPlan = PlainField | BatchField | None
PathOf = Callable[[int], Path]  # the path of the item at an index of a list being completed


def plain_field(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> PlainField | None:
    """How to answer `parent_type.name` without the executor, or None when it needs the general path."""
    plan = field_plan(schema, parent_type, name)
    return plan if isinstance(plan, PlainField) else None


def field_plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> FieldPlan:
    """A plain field's plan, a batched field's, or None when the field needs the general path."""
    field = schema.get_field(parent_type, name)
    if field is None or field.args:
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF) if field.extensions else None
    if not isinstance(definition, StrawberryField):
        return None
    if not definition.is_basic_field:
        many = many_of(definition.metadata)
        if many is None or definition.extensions:
            return None
        strawberry_schema = getattr(schema, "_strawberry_schema", None)
        info_class = strawberry_schema.config.info_class if strawberry_schema is not None else strawberry.Info
        return BatchField(many, field, definition, info_class)
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type if nullable else field.type.of_type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    builtin = leaf is specified_scalar_types.get(leaf.name)
    return PlainField(definition.python_name, leaf, nullable, _EXACT.get(leaf.name) if builtin else None)


# Each field name's plan (None: the general path), kept on its object type itself, so the plans live
# and die with their schema and a look-up is one attribute read and one dict read (a weak dictionary's
# `get` was most of a plain field's cost on the single-object path).
_PLANS = "_qf_field_plans"


def _plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> FieldPlan:
    plans: dict[str, FieldPlan] | None = parent_type.__dict__.get(_PLANS)
    if plans is None:
        plans = {}
        setattr(parent_type, _PLANS, plans)
    plan = plans.get(name, _GENERAL)
    if plan is _GENERAL:
        plan = plans[name] = field_plan(schema, parent_type, name)
    return plan  # type: ignore[return-value]


async def _settled(awaitable: Awaitable[Any]) -> Any:
    try:
        return await awaitable
    except Exception as exc:  # the caller reports it where graphql-core would have
        return exc


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(  # type: ignore[override]
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """graphql-core's `build`, with a list-of-a-scalar variable (an `_entities` page's
        representations) coerced in one pass (services/common/variables.py): graphql-core coerces an
        empty list in its place, then its own values go where graphql-core puts them."""
        quick = scalar_lists(schema, document, operation_name, raw_variable_values)
        if quick:
            raw_variable_values = {**raw_variable_values, **{name: [] for name in quick}}  # type: ignore[dict-item]
        built = super().build(
            schema, document, root_value, context_value, raw_variable_values, operation_name, *args, **kwargs
        )
        if quick and not isinstance(built, list):  # a list: errors of other variables, reported as ever
            variables = built.variable_values
            for name, (raw, coerced) in quick.items():
                variables.coerced[name] = coerced
                variables.sources[name] = variables.sources[name]._replace(value=raw)
        return built

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A schema extension with a `resolve` hook wraps every field, and an abort signal is checked
        # between awaits: with either, nothing takes a short cut.
        manager = self.middleware_manager
        self.short_cuts = (manager is None or not manager.middlewares) and self.abort_signal is None
        # (union, Python class) -> the member its instances resolve as, None: ask strawberry (union_member)
        self.union_members: dict[tuple[GraphQLUnionType, type], GraphQLObjectType | None] = {}

    def plain_value(self, parent_type: GraphQLObjectType, source: Any, name: str) -> Any:
        """The field's completed value when it is plain and comes out clean, else `_GENERAL`."""
        if name == "__typename":
            return parent_type.name
        plan = _plan(self.schema, parent_type, name)
        return self.plain_of(plan, source) if isinstance(plan, PlainField) else _GENERAL

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

        def path_of(index: int) -> Path:
            return path.add_key(index, None)

        waiting = [i for i, item in enumerate(items) if self.is_awaitable(item)]
        if not waiting:
            return self.complete_objects(item_type, field_details_list, info, path_of, items)

        async def settle_then_complete() -> list[Any]:
            values = list(items)
            for i, value in zip(
                waiting, await asyncio.gather(*map(_settled, (items[i] for i in waiting))), strict=True
            ):
                values[i] = value
            completed = self.complete_objects(item_type, field_details_list, info, path_of, values)
            return await completed if self.is_awaitable(completed) else completed

        return settle_then_complete()

    def runtime_type(self, item_type: Any, item: Any, info: GraphQLResolveInfo) -> GraphQLObjectType | None:
        """The object type `item` completes as, when it is plainly one; None to leave it to graphql-core."""
        if isinstance(item_type, GraphQLObjectType):
            runtime = item_type
        else:
            abstract: GraphQLAbstractType = item_type
            runtime = self.union_member(abstract, item)  # a member of the union, or None
            if runtime is None:
                if abstract.resolve_type is None:
                    return None
                name = abstract.resolve_type(item, info, abstract)
                runtime = self.schema.get_type(name) if isinstance(name, str) else None
                if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
                    abstract, runtime
                ):
                    return None
        if runtime.is_type_of is not None and runtime.is_type_of(item, info) is not True:
            return None
        return runtime

    def union_member(self, abstract: GraphQLAbstractType, item: Any) -> GraphQLObjectType | None:
        """The union member an instance of a plain (not generic, not cast) strawberry type resolves as:
        strawberry's union resolver picks the member whose definition is the item's class's, so it is
        the same for every instance of the class, and an `_entities` page asks it a thousand times."""
        if not isinstance(abstract, GraphQLUnionType) or getattr(item, TYPE_CAST_ATTRIBUTE, None) is not None:
            return None
        key = (abstract, type(item))
        if key not in self.union_members:
            definition = getattr(type(item), "__strawberry_definition__", None)
            member = None
            if (
                isinstance(definition, StrawberryObjectDefinition)
                and not definition.is_graphql_generic
                and definition.concrete_of is None
            ):
                found = self.schema.get_type(definition.name)
                if isinstance(found, GraphQLObjectType) and found in abstract.types:
                    member = found
            self.union_members[key] = member
        return self.union_members[key]

    def complete_objects(
        self,
        item_type: Any,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path_of: PathOf,
        items: list[Any],
    ) -> Any:
        """`items` completed as values of the nullable object (or abstract) type `item_type`, each at
        its own path (`path_of(index)`, made only where one is needed: for an error, or a field that
        takes the general way), column by column: a field's value for every item, then the next field's.

        An item that is null, an error, or of a type that does not check out is completed by
        graphql-core alone; an item whose non-null field fails is null, with the error, as graphql-core
        has it. Returns the list, or an awaitable of it when any field's value was awaitable.
        """
        state = _Objects(item_type, field_details_list, path_of, items, [None] * len(items))
        groups: dict[GraphQLObjectType, tuple[Any, list[int]]] = {}
        # An object type that checks no item (no `is_type_of`) is every item's type: found once.
        fixed = (
            item_type if isinstance(item_type, GraphQLObjectType) and item_type.is_type_of is None else None
        )
        collected_of: dict[GraphQLObjectType, Any] = {}
        # Per Python class: the union member its instances are, when the class alone decides it (see
        # `union_member`) and the member checks no item; an instance cast elsewhere is asked anew.
        member_of: dict[type, GraphQLObjectType] = {}
        results = state.results
        # The class of the last item whose type its class alone decided (see `member_of`), and the
        # members of its group: a page's next thousand items of that class join it with no look-up.
        same_class: type | None = None
        same_members: list[int] = []
        for index, item in enumerate(items):
            if type(item) is same_class and getattr(item, TYPE_CAST_ATTRIBUTE, None) is None:
                results[index] = {}
                same_members.append(index)
                continue
            runtime = collected = None
            if item is not None and not isinstance(item, Exception):
                runtime = fixed or member_of.get(type(item))
                if runtime is None or getattr(item, TYPE_CAST_ATTRIBUTE, None) is not None:
                    runtime = self.runtime_type(item_type, item, info)
                    if (
                        runtime is not None
                        and runtime.is_type_of is None
                        and self.union_members.get((item_type, type(item))) is runtime
                    ):
                        member_of[type(item)] = runtime
            if runtime is not None:
                collected = collected_of.get(runtime)
                if collected is None:
                    collected = collected_of[runtime] = self.collect_subfields(runtime, field_details_list)
            if runtime is None or collected is None or collected[1] or collected[2]:
                out: list[Any] = []
                if self.complete_list_item_value(
                    item, out, item_type, field_details_list, info, path_of(index), None
                ):
                    state.waiting.append((index, None, out[0]))
                state.results[index] = out[0]
                continue
            results[index] = {}
            group = groups.get(runtime)
            if group is None:
                group = groups[runtime] = (collected[0], [])
            group[1].append(index)
            if fixed is not None or member_of.get(type(item)) is runtime:
                same_class, same_members = type(item), group[1]
        for runtime, (fields, members) in groups.items():
            for key, sub_fields in fields.items():
                self.complete_column(state, runtime, key, sub_fields, members)
        if not state.waiting and not state.columns:
            return state.results
        return self.settle(state)

    def complete_column(
        self, state: _Objects, runtime: GraphQLObjectType, key: str, sub_fields: Any, members: list[int]
    ) -> None:
        """One field (`key`) of every object of type `runtime` among `members`, into `state`."""
        items, results, failed = state.items, state.results, state.failed
        name = sub_fields[0].node.name.value
        if name == "__typename":
            for index in members:
                if index not in failed:
                    results[index][key] = runtime.name
            return
        plan = _plan(self.schema, runtime, name)
        if isinstance(plan, BatchField):
            self.complete_batch(state, runtime, key, sub_fields, members, plan)
            return
        execute = super().execute_field
        attribute, _, nullable, exact = plan if plan is not None else ("", None, False, None)
        for index in members:
            target = results[index]
            if target is None:  # made null by an earlier field's error
                continue
            item = items[index]
            if plan is not None:
                # The common case inline (a page of entities asks it thousands of times): a value of
                # exactly its scalar's Python type, or a null where nulls go; else `plain_of`.
                value = getattr(item, attribute, _GENERAL)
                if type(value) is exact and (exact is not int or value in _INT_RANGE):
                    target[key] = value
                    continue
                if value is None and nullable:
                    target[key] = None
                    continue
                value = self.plain_of(plan, item)
            else:
                value = _GENERAL
            if value is _GENERAL:
                try:
                    value = execute(
                        runtime, item, sub_fields, state.path_of(index).add_key(key, runtime.name), None
                    )
                except Exception as raw_error:  # a non-null field failed: the item is null
                    state.fail(self, index, raw_error)
                    continue
                if value is Undefined:
                    continue
                if self.is_awaitable(value):
                    state.waiting.append((index, key, value))
            target[key] = value

    def complete_batch(
        self,
        state: _Objects,
        runtime: GraphQLObjectType,
        key: str,
        sub_fields: Any,
        members: list[int],
        plan: BatchField,
    ) -> None:
        """A batched field (services/common/batching.py) of every member: one call, then its values
        completed together."""
        indices = [index for index in members if index not in state.failed]
        if not indices:
            return
        parent_path_of = state.path_of

        def field_path_of(position: int) -> Path:
            return parent_path_of(indices[position]).add_key(key, runtime.name)

        info = self.build_resolve_info(plan.field, [d.node for d in sub_fields], runtime, field_path_of(0))
        try:
            values = plan.many(
                plan.info_class(_raw_info=info, _field=plan.definition), [state.items[i] for i in indices]
            )
        except Exception as raw_error:  # every parent's error, as a failed loader batch
            values = [raw_error] * len(indices)
        for index in indices:
            state.results[index][key] = None  # the key's place among the others; its value comes next
        if self.is_awaitable(values):

            async def resolved_then_completed() -> list[Any]:
                try:
                    settled = await values
                except Exception as raw_error:
                    settled = [raw_error] * len(indices)
                completed = self.complete_values(
                    plan.field.type, sub_fields, info, field_path_of, len(indices), settled
                )
                return await completed if self.is_awaitable(completed) else completed

            state.columns.append((indices, key, resolved_then_completed()))
            return
        completed = self.complete_values(
            plan.field.type, sub_fields, info, field_path_of, len(indices), values
        )
        if self.is_awaitable(completed):
            state.columns.append((indices, key, completed))
        else:
            state.place(self, indices, key, completed)

    def complete_values(
        self,
        return_type: Any,
        sub_fields: Any,
        info: GraphQLResolveInfo,
        path_of: PathOf,
        count: int,
        values: Any,
    ) -> Any:
        """Each of the `count` `values` completed as one field of `return_type` at its path: the completed
        values, or an awaitable of them; an exception in the place of a non-null field that failed."""
        if not isinstance(values, list | tuple) or len(values) != count:
            wrong = TypeError(f"A batched resolver returned {_count(values)} values for {count} objects.")
            values = [wrong] * count
        object_type = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        shared = self.shared_answers(object_type, sub_fields, values)
        if shared is not None and (object_type is return_type or None not in shared):
            return shared
        if _objects(return_type):
            return self.complete_objects(return_type, sub_fields, info, path_of, list(values))
        if (
            isinstance(return_type, GraphQLNonNull)
            and _objects(return_type.of_type)
            and not any(value is None or isinstance(value, Exception) for value in values)
        ):
            # Completed as the nullable type; an object that comes out null has had its error recorded
            # (graphql-core would record the same located error higher up): its parent is null too.
            completed = self.complete_objects(return_type.of_type, sub_fields, info, path_of, list(values))
            if not self.is_awaitable(completed):
                return [_NULLED if value is None else value for value in completed]

            async def nulled() -> list[Any]:
                return [_NULLED if value is None else value for value in await completed]

            return nulled()
        out: list[Any] = []
        pending: list[int] = []
        for position, value in enumerate(values):
            try:
                if self.complete_list_item_value(
                    value, out, return_type, sub_fields, info, path_of(position), None
                ):
                    pending.append(len(out) - 1)
            except Exception as raw_error:  # a non-null field failed: its parent is null
                out.append(raw_error)
        if not pending:
            return out

        async def settle() -> list[Any]:
            for i, value in zip(
                pending, await asyncio.gather(*(_settled(out[i]) for i in pending)), strict=True
            ):
                out[i] = value
            return out

        return settle()

    def shared_answers(self, object_type: Any, sub_fields: Any, values: Any) -> list[Any] | None:
        """When a batched field's values repeat (a page of 1,000 standards has some twenty sectors and two
        hundred committees), each distinct object answered once and its answer shared by every parent.

        Only where nothing can depend on the place: an object type without `is_type_of` whose selected
        fields are all plain, each coming out clean for every distinct object (no null where none may
        be, no value its scalar refuses, no resolver, no error); a null stays null. None: no sharing
        (too few repeats, or any of that), and the values are completed one by one as ever.
        """
        if not isinstance(object_type, GraphQLObjectType) or object_type.is_type_of is not None:
            return None
        # Each distinct value once, by identity (in C: no Python step per parent); the last of a repeated
        # identity is the same object as the first.
        idents = list(map(id, values))
        distinct: dict[int, Any] = dict(zip(idents, values, strict=True))
        distinct.pop(id(None), None)
        if 2 * len(distinct) > len(values):
            return None
        if any(isinstance(value, Exception) for value in distinct.values()):
            return None
        collected = self.collect_subfields(object_type, sub_fields)
        if collected[1] or collected[2]:
            return None
        plans: list[tuple[str, PlainField | None]] = []
        for key, fields in collected[0].items():
            name = fields[0].node.name.value
            plan = None if name == "__typename" else _plan(self.schema, object_type, name)
            if name != "__typename" and not isinstance(plan, PlainField):
                return None
            plans.append((key, plan))  # type: ignore[arg-type]
        answers: dict[int, dict[str, Any]] = {}
        for ident, item in distinct.items():
            answer: dict[str, Any] = {}
            for key, plan in plans:
                value = object_type.name if plan is None else self.plain_of(plan, item)
                if value is _GENERAL:
                    return None
                answer[key] = value
            answers[ident] = answer
        answers[id(None)] = None  # type: ignore[assignment]  # a null stays null
        return list(map(answers.__getitem__, idents))

    async def settle(self, state: _Objects) -> list[Any]:
        """Every awaitable field value of `state` settled in one gather, and put in its place."""
        waiting, columns = state.waiting, state.columns
        values = await asyncio.gather(
            *(_settled(entry[2]) for entry in waiting), *(_settled(entry[2]) for entry in columns)
        )
        for (index, key, _), value in zip(waiting, values, strict=False):
            if index in state.failed:
                continue
            if key is None:
                state.results[index] = value
            elif isinstance(value, Exception):
                state.fail(self, index, value)
            else:
                state.results[index][key] = value
        for (indices, key, _), value in zip(columns, values[len(waiting) :], strict=True):
            if isinstance(value, Exception):
                value = [value] * len(indices)
            state.place(self, indices, key, value)
        return state.results

    def plain_of(self, plan: PlainField, source: Any) -> Any:
        """A plain field's completed value when it comes out clean, else `_GENERAL`."""
        value = getattr(source, plan.attribute, _GENERAL)
        if value is None:
            return None if plan.nullable else _GENERAL
        exact = plan.exact
        if exact is not None and type(value) is exact and (exact is not int or value in _INT_RANGE):
            return value
        if value is _GENERAL or self.is_awaitable(value):
            return _GENERAL
        try:
            coerced = plan.leaf.coerce_output_value(value)
        except Exception:  # the general path reports it as the field's error
            return _GENERAL
        return _GENERAL if coerced is None or coerced is Undefined else coerced


def _objects(return_type: Any) -> bool:
    """Whether values of `return_type` are completed as objects by `complete_objects`."""
    return isinstance(return_type, GraphQLObjectType) or is_abstract_type(return_type)


class _Nulled(Exception):
    """A non-null object field came out null, its error already recorded: the parent is null."""


_NULLED = _Nulled()


def _count(values: Any) -> str:
    return (
        str(len(values)) if isinstance(values, list | tuple) else f"a {type(values).__name__}, not a list of"
    )


class _Objects:
    """A list of objects being completed column by column (PlainFieldsExecutionContext.complete_objects)."""

    __slots__ = (
        "columns",
        "failed",
        "field_details_list",
        "item_type",
        "items",
        "path_of",
        "results",
        "waiting",
    )

    def __init__(
        self, item_type: Any, field_details_list: Any, path_of: PathOf, items: list[Any], results: list[Any]
    ) -> None:
        self.item_type = item_type
        self.field_details_list = field_details_list
        self.path_of = path_of
        self.items = items
        self.results = results
        self.failed: set[int] = set()  # items made null by a non-null field's error
        # (item index, its key or None for the whole item, the awaitable whose value goes there)
        self.waiting: list[tuple[int, str | None, Awaitable[Any]]] = []
        # (item indices, the key, an awaitable of the batched field's completed values for them)
        self.columns: list[tuple[list[int], str, Awaitable[Any]]] = []

    def fail(self, context: PlainFieldsExecutionContext, index: int, raw_error: Exception) -> None:
        """The item is null: one of its non-null fields failed (the error is reported at the item)."""
        self.failed.add(index)
        self.results[index] = None
        if raw_error is not _NULLED:
            context.handle_field_error(
                raw_error, self.item_type, self.field_details_list, self.path_of(index)
            )

    def place(
        self, context: PlainFieldsExecutionContext, indices: list[int], key: str, values: list[Any]
    ) -> None:
        for index, value in zip(indices, values, strict=True):
            if index in self.failed:
                continue
            if isinstance(value, Exception):
                self.fail(context, index, value)
            else:
                self.results[index][key] = value
