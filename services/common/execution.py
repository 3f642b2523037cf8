"""A cheaper way through graphql-core's executor for the fields that need none of it.

graphql-core runs every field through the same machinery: a resolve-info object, strawberry's resolver
wrapper (arguments, extensions, the default `getattr`), then `complete_value`'s dispatch on the return
type. For a strawberry field with no resolver, no arguments and no field extensions whose type is a
scalar or an enum, all of that amounts to `serialize(getattr(source, name))`; on an `_entities` page of
1,000 standards such fields are most of the work. `PlainFieldsExecutionContext` answers them directly
and hands anything else (a resolver, arguments, a list or object type, a null, a value the scalar
refuses) to the general path, which then produces the same value or the same error as it always did.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_ABSENT = object()


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


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A schema extension with a `resolve` hook wraps every field: then nothing takes the short cut.
        manager = self.middleware_manager
        self.plain_allowed = manager is None or not manager.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        name = field_details_list[0].node.name.value
        if name == "__typename":
            return parent_type.name
        plans = _plans.get(parent_type)
        if plans is None:
            plans = _plans[parent_type] = {}
        plan = plans.get(name, _ABSENT)
        if plan is _ABSENT:
            plan = plans[name] = plain_field(self.schema, parent_type, name)
        if plan is not None and self.plain_allowed:
            value = getattr(source, plan.attribute, _ABSENT)
            if value is None:
                if plan.nullable:
                    return None
            elif value is not _ABSENT and not self.is_awaitable(value):
                try:
                    serialized = plan.leaf.serialize(value)
                except Exception:  # the general path reports it as a field error
                    serialized = None
                if serialized is not None and serialized is not Undefined:
                    return serialized
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
