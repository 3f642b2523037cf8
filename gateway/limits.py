"""What one operation may ask of the gateway: depth, aliases and a cost budget (DESIGN.md section 6).

`check_operation` runs after parsing and before planning; each limit it finds exceeded becomes one
`BAD_USER_INPUT` error with `extensions.limit` (`depth`, `aliases` or `cost`), `max` and `actual`.
Fragments are expanded wherever they are spread, and cycles (which validation refuses anyway) are
cut, so a fragment cannot hide depth, aliases or cost.

- **Depth**: levels of fields; `{ standards { edges { node { code } } } }` has depth 4. An
  introspection field (`__schema`, `__type`) counts as one level whatever it selects.
- **Aliases**: aliased fields, counted once per place a fragment is spread.
- **Cost**: an estimate of how many values the answer may hold. Every field costs 1. A field that
  returns a list multiplies the cost of what it selects by its page size: its `first`, `last` or
  `limit` argument (a literal or a variable, else the argument's schema default), or
  `default_list_size` when it has none. A connection field (one that takes `first` but returns an
  object) passes its page size to the lists directly inside it (`edges`, `nodes`), so
  `standards(first: 50) { edges { node { code } } }` costs 1 + 1 + 50 × (1 + 1) = 102. Fragments on
  different types of a union or interface are all added: the estimate is an upper bound.

Introspection is answered from the schema in memory, so its lists count 1 per field whatever their
length, and its depth is not counted: GraphiQL's introspection query (depth 15 as written, 9 levels of
`ofType`) passes however low the depth limit is set, and still pays for each field it names. The
nested-introspection attack (`types { fields { type { fields ... } } }`) is refused during validation
by graphql-core's standard `MaxIntrospectionDepthRule`.

The body size limit is the server's to apply before parsing (`check_body_size`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_introspection_type,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from services.common.settings import Settings

SIZE_ARGUMENTS = ("first", "last", "limit")

# Past this many nested fields and fragments the walk stops: the operation is far over any depth
# limit by then, and the walk's recursion stays well inside Python's.
_NESTING_CAP = 200


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 256 * 1024
    max_depth: int = 15
    max_aliases: int = 30
    max_cost: int = 50_000
    default_list_size: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
        )


@dataclass(frozen=True)
class Measure:
    """What an operation asks for; `nested_too_deeply` when the walk stopped at its cap."""

    depth: int
    aliases: int
    cost: int
    nested_too_deeply: bool = False


def _refusal(message: str, limit: str, maximum: int, actual: int) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "BAD_USER_INPUT", "limit": limit, "max": maximum, "actual": actual}
    )


def check_body_size(size: int, limits: Limits) -> GraphQLError | None:
    """The refusal of a request body of `size` bytes, or None when it fits (answer it with 413)."""
    return None if size <= limits.max_body_bytes else body_refusal(size, limits)


def body_refusal(size: int, limits: Limits, *, complete: bool = True) -> GraphQLError:
    """The refusal of a body of `size` bytes, or of at least `size` when it was not read to its end."""
    return _refusal(
        f"The request body is {'' if complete else 'at least '}{size} bytes, over the limit of "
        f"{limits.max_body_bytes}; send a shorter query, or register it once as a persisted query and "
        "send its hash.",
        "body",
        limits.max_body_bytes,
        size,
    )


def check_operation(
    document: DocumentNode,
    operation_name: str | None,
    schema: GraphQLSchema,
    variables: dict[str, Any] | None,
    limits: Limits,
) -> list[GraphQLError]:
    """One error per limit the operation exceeds; none when it fits (or names no known operation,
    which validation reports)."""
    measure = measure_operation(document, operation_name, schema, variables, limits.default_list_size)
    if measure is None:
        return []
    errors = []
    if measure.nested_too_deeply:
        errors.append(
            _refusal(
                f"The query nests more than {_NESTING_CAP} levels of fields and fragments; the depth "
                f"limit is {limits.max_depth}. Ask for fewer nested levels.",
                "depth",
                limits.max_depth,
                max(measure.depth, _NESTING_CAP + 1),
            )
        )
    elif measure.depth > limits.max_depth:
        errors.append(
            _refusal(
                f"Query depth {measure.depth} exceeds the limit of {limits.max_depth}; ask for fewer "
                "nested levels, or split the query into several requests.",
                "depth",
                limits.max_depth,
                measure.depth,
            )
        )
    if measure.aliases > limits.max_aliases:
        errors.append(
            _refusal(
                f"The query uses {measure.aliases} aliases, over the limit of {limits.max_aliases}; "
                "send several requests instead of aliasing the same fields many times.",
                "aliases",
                limits.max_aliases,
                measure.aliases,
            )
        )
    if measure.cost > limits.max_cost:
        errors.append(
            _refusal(
                f"Query cost {measure.cost} exceeds the budget of {limits.max_cost}; ask for smaller "
                "pages (first/last/limit) or fewer nested lists. Each field costs 1, and a list "
                f"multiplies what it selects by its page size ({limits.default_list_size} when not given).",
                "cost",
                limits.max_cost,
                measure.cost,
            )
        )
    return errors


def measure_operation(
    document: DocumentNode,
    operation_name: str | None,
    schema: GraphQLSchema,
    variables: dict[str, Any] | None = None,
    default_list_size: int = 10,
) -> Measure | None:
    """Depth, aliases and cost of the named operation (see the module docstring for the rules)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    walk = _Walk(document, operation, schema, variables or {}, default_list_size)
    root = schema.get_root_type(operation.operation)
    depth, aliases, cost = walk.selection_set(operation.selection_set, root, None, 0, frozenset())
    return Measure(depth, aliases, cost, walk.nested_too_deeply)


_Totals = tuple[int, int, int]  # depth, aliases, cost


class _Walk:
    def __init__(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        schema: GraphQLSchema,
        variables: dict[str, Any],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if self.variables.get(name) is None and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.default_list_size = default_list_size
        # A fragment spread many times is walked once per page size it is spread under: a document
        # of fragments that each spread the next twice stays linear to check, not exponential.
        self.memo: dict[tuple[str, int | None], _Totals] = {}
        self.nested_too_deeply = False

    def selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        page: int | None,
        nesting: int,
        trail: frozenset[str],
    ) -> _Totals:
        """`page` is the page size a connection field hands to the lists directly inside it."""
        if nesting > _NESTING_CAP:
            self.nested_too_deeply = True
            return 0, 0, 0
        depth = aliases = cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                d, a, c = self.field(selection, parent, page, nesting + 1, trail)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                d, a, c = self.selection_set(selection.selection_set, inner, page, nesting + 1, trail)
            elif isinstance(selection, FragmentSpreadNode):
                d, a, c = self.spread(selection.name.value, page, nesting + 1, trail)
            else:  # pragma: no cover - no other kind of selection exists
                continue
            depth, aliases, cost = max(depth, d), aliases + a, cost + c
        return depth, aliases, cost

    def spread(self, name: str, page: int | None, nesting: int, trail: frozenset[str]) -> _Totals:
        fragment = self.fragments.get(name)
        if fragment is None or name in trail:
            return 0, 0, 0  # unknown or cyclic: validation reports both
        key = (name, page)
        if key not in self.memo:
            inner = self.schema.get_type(fragment.type_condition.name.value)
            self.memo[key] = self.selection_set(fragment.selection_set, inner, page, nesting, trail | {name})
        return self.memo[key]

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        page: int | None,
        nesting: int,
        trail: frozenset[str],
    ) -> _Totals:
        alias = 1 if node.alias is not None else 0
        definition = self._definition(parent, node.name.value)
        if node.selection_set is None:
            return 1, alias, 1
        returns = definition.type if definition else None
        named = get_named_type(returns) if returns else None
        size = self._page_size(node, definition)
        if _is_list(returns):
            passed = None
            if named is not None and is_introspection_type(named):
                multiplier = 1  # as long as the schema is big, and answered from memory
            elif size is not None:
                multiplier = size
            else:
                multiplier = page if page is not None else self.default_list_size
        else:
            multiplier, passed = 1, size
        depth, aliases, cost = self.selection_set(node.selection_set, named, passed, nesting, trail)
        if named is not None and is_introspection_type(named):
            depth = 0  # introspection is one level, however deep its `ofType` chains go
        return depth + 1, alias + aliases, 1 + multiplier * cost

    def _definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type and parent is not None:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields else None

    def _page_size(self, node: FieldNode, definition: GraphQLField | None) -> int | None:
        """The largest of the field's first/last/limit, as sent or defaulted; None without any."""
        sizes = []
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in SIZE_ARGUMENTS:
            value: Any = None
            if name in given:
                sent = given[name]
                if isinstance(sent, IntValueNode):
                    value = int(sent.value)
                elif isinstance(sent, VariableNode):
                    value = self.variables.get(sent.name.value)
            elif definition is not None and name in definition.args:
                value = _schema_default(definition.args[name])
            if isinstance(value, int) and not isinstance(value, bool):
                sizes.append(max(value, 0))
        return max(sizes) if sizes else None


def _schema_default(argument: GraphQLArgument) -> Any:
    # A schema built from SDL keeps the default as a literal; one built in code, as a value.
    default = argument.default
    if default is None:
        return argument.default_value
    if isinstance(default.literal, IntValueNode):
        return int(default.literal.value)
    return default.value


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
