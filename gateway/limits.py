"""What one request may ask of the gateway (DESIGN.md section 6), checked before any work it could cost.

Every limit exceeded becomes one `BAD_USER_INPUT` error with `extensions.limit`, `max` and `actual`.
In the order the gateway applies them:

- **Body**: bytes of the request body (`check_body_size`), counted while it is read.
- **Tokens**: lexical tokens and comments of the document, counted by the parser, which stops there.
- **Operations** and **definitions** in one document (`check_document`): a client sends one
  operation and its fragments, not thousands.
- **Depth, aliases, fields, repeats and cost** of the operations (`measure_operation`, then `refusals`;
  `check_operation` does both), measured on the
  parsed document before validation, normalisation or planning. Fragments count wherever they are
  spread, but each fragment is measured once (memoised) however often it is spread, so a fan-out of
  fragments that each spread the next twice is measured in linear time, never expanded; cycles (which
  validation refuses anyway) are cut.

- **Depth**: levels of fields; `{ standards { edges { node { code } } } }` has depth 4. An
  introspection field (`__schema`, `__type`) counts as one level whatever it selects.
- **Aliases**: aliased fields, counted once per place a fragment is spread.
- **Fields**: fields of the operation as if every fragment were written out.
- **Repeats**: how often one response key (or one fragment spread) is written directly in the same
  selection set. `{ code code code ... }` means the same as `{ code }` but costs validation time
  quadratic in the repetitions.
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

The body size limit is the server's to apply while reading (`check_body_size`).
"""

from __future__ import annotations

import re
from collections import Counter
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
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    Token,
    VariableNode,
    get_named_type,
    is_introspection_type,
)
from graphql.language.lexer import Lexer
from graphql.language.parser import Parser, nested_too_deeply_error
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from gateway.settings import GatewaySettings

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
    max_tokens: int = 15_000
    max_operations: int = 50
    max_definitions: int = 500
    max_fields: int = 2_000
    max_repeats: int = 10
    default_list_size: int = 10

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> Limits:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            max_tokens=settings.max_tokens,
            max_operations=settings.max_operations,
            max_definitions=settings.max_definitions,
            max_fields=settings.max_fields,
        )


@dataclass(frozen=True)
class Measure:
    """What an operation asks for; `nested_too_deeply` when the walk stopped at its cap."""

    depth: int
    aliases: int
    cost: int
    fields: int = 0
    repeats: int = 0  # the most times one response key is written directly in one selection set
    repeated: str = ""  # that key
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


_PARSER_LIMIT = re.compile(r"Document contains more than (\d+) (tokens|comments)")
# GraphQL's tokens, comments included, closely enough to count them without building them.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*|\.\.\.|[!$&():=@\[\]{}|]'
    r"|-?[0-9][0-9.eE+-]*|[_A-Za-z][_0-9A-Za-z]*"
)


def parse_document(text: str, limits: Limits) -> DocumentNode:
    """The parsed document; GraphQLSyntaxError for bad syntax, and a coded refusal (also a
    GraphQLError) for more than `max_tokens` tokens or comments.

    A document far over the limit is counted before it is parsed: the parser would allocate some
    400 bytes a token before reaching its own limit, and the heap of a long-running process does not
    always give such peaks back. The parser's exact count stays the rule for what passes the estimate.
    """
    for tokens, _ in enumerate(_TOKEN.finditer(text), 1):
        if tokens > limits.max_tokens:
            raise _too_many_tokens(limits, "tokens")
    lexer = Lexer(Source(text))
    parser = Parser(
        lexer.source, lexer=lexer, max_lexical_tokens=limits.max_tokens, max_comments=limits.max_tokens
    )
    try:
        return parser.parse_document()
    except GraphQLSyntaxError as exc:
        over = _PARSER_LIMIT.search(exc.message)
        if over is None:
            raise
        raise _too_many_tokens(limits, over[2]) from None
    except RecursionError:
        raise nested_too_deeply_error(parser) from None
    finally:
        _unlink(lexer.token)


def _unlink(token: Token | None) -> None:
    """Cut the parser's chain of tokens, which links each to the previous and the next: a cycle only
    the cyclic garbage collector frees, so a process refusing documents one after the other would hold
    the tokens of many of them until it runs. The AST keeps the tokens it uses for locations."""
    while token is not None:
        previous = token.prev
        token.prev = token.next = None
        token = previous


def _too_many_tokens(limits: Limits, what: str) -> GraphQLError:
    return _refusal(
        f"The document holds more than {limits.max_tokens} {what}; send a shorter document "
        "(one operation and the fragments it uses).",
        "tokens",
        limits.max_tokens,
        limits.max_tokens + 1,
    )


def check_document(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Refusals of a document with more operations or definitions than a client sends."""
    definitions = len(document.definitions)
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    errors = []
    if operations > limits.max_operations:
        errors.append(
            _refusal(
                f"The document holds {operations} operations, over the limit of {limits.max_operations}; "
                "send the operation you run (and its fragments) only.",
                "operations",
                limits.max_operations,
                operations,
            )
        )
    if definitions > limits.max_definitions:
        errors.append(
            _refusal(
                f"The document holds {definitions} definitions, over the limit of "
                f"{limits.max_definitions}; send only the fragments the operation uses.",
                "definitions",
                limits.max_definitions,
                definitions,
            )
        )
    return errors


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
    return refusals(measure, limits)


def refusals(measure: Measure, limits: Limits) -> list[GraphQLError]:
    """One error per limit `measure` exceeds."""
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
    if measure.fields > limits.max_fields:
        errors.append(
            _refusal(
                f"The query selects {measure.fields} fields (fragments counted wherever they are spread), "
                f"over the limit of {limits.max_fields}; ask for fewer fields, or split the query.",
                "fields",
                limits.max_fields,
                measure.fields,
            )
        )
    if measure.repeats > limits.max_repeats:
        errors.append(
            _refusal(
                f"`{measure.repeated}` is selected {measure.repeats} times in one selection set, over the "
                f"limit of {limits.max_repeats}; select each field once (repeating it changes nothing in "
                "the answer).",
                "repeats",
                limits.max_repeats,
                measure.repeats,
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
    """Depth, aliases, fields, repeats and cost of the named operation (the module docstring has the
    rules); None when the document has no such operation."""
    operation = _operation(document, operation_name)
    if operation is None:
        return None
    walk = _Walk(document, operation, schema, variables or {}, default_list_size)
    root = schema.get_root_type(operation.operation)
    depth, aliases, cost, fields = walk.selection_set(operation.selection_set, root, None, 0, frozenset())
    return Measure(depth, aliases, cost, fields, walk.repeats, walk.repeated, walk.nested_too_deeply)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


_Totals = tuple[int, int, int, int]  # depth, aliases, cost, fields


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
        # Raw JSON variables: an integral float is the Int it will be coerced to.
        self.variables = {
            name: int(value) if isinstance(value, float) and value.is_integer() else value
            for name, value in variables.items()
        }
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
        self.repeats = 0
        self.repeated = ""

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
            return 0, 0, 0, 0
        self._count_repeats(selection_set)
        depth = aliases = cost = fields = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                d, a, c, f = self.field(selection, parent, page, nesting + 1, trail)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                d, a, c, f = self.selection_set(selection.selection_set, inner, page, nesting + 1, trail)
            elif isinstance(selection, FragmentSpreadNode):
                d, a, c, f = self.spread(selection.name.value, page, nesting + 1, trail)
            else:  # pragma: no cover - no other kind of selection exists
                continue
            depth, aliases, cost, fields = max(depth, d), aliases + a, cost + c, fields + f
        return depth, aliases, cost, fields

    def _count_repeats(self, selection_set: SelectionSetNode) -> None:
        if len(selection_set.selections) <= self.repeats:
            return  # cannot beat the worst seen
        keys = Counter(
            (s.alias or s.name).value
            if isinstance(s, FieldNode)
            else f"...{s.name.value}"
            if isinstance(s, FragmentSpreadNode)
            else ""
            for s in selection_set.selections
        )
        keys.pop("", None)  # inline fragments: their own selections are counted where they are
        if keys:
            key, count = keys.most_common(1)[0]
            if count > self.repeats:
                self.repeats, self.repeated = count, key

    def spread(self, name: str, page: int | None, nesting: int, trail: frozenset[str]) -> _Totals:
        fragment = self.fragments.get(name)
        if fragment is None or name in trail:
            return 0, 0, 0, 0  # unknown or cyclic: validation reports both
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
            return 1, alias, 1, 1
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
        depth, aliases, cost, fields = self.selection_set(node.selection_set, named, passed, nesting, trail)
        if named is not None and is_introspection_type(named):
            depth = 0  # introspection is one level, however deep its `ofType` chains go
        return depth + 1, alias + aliases, 1 + multiplier * cost, 1 + fields

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
