"""Validation kept per document shape: the same query with other literal values is not validated anew.

The gateway writes the literals of a client's query into the documents it sends on
(`standard(code: "EC0630")`), so with distinct requests strawberry's `ValidationCache`, keyed by the
whole document, missed every time, and validating (~0.6 ms for the registry's smallest query) was the
larger part of a subgraph's CPU for such a request.

A document's shape is its text with the scalar literals of field arguments cut out (their kind kept):
`standard(code: "EC0630")` and `standard(code: "EC0217.01")` share one. Whether a document is valid
depends on its shape alone, except for what those literals say; so once one document of a shape has
passed every rule, another of the same shape passes them all exactly when each of its cut-out literals
is a valid value of the input type found at its place (what `ValuesOfCorrectTypeRule` checks, by the same
graphql-core function). That is checked per literal on a hit; anything else (a literal that does not fit,
a shape never seen, a document that failed) is validated in full, so every error is graphql-core's own,
with its message and locations. The document executed is always the request's own: nothing of an
earlier request's document (its locations, its values) is used.

Not cut out, so part of the shape: literals in directives and variable defaults, nulls, list and object
structure. A document in which a field with a cut-out literal shares its response name with another field
is not kept (OverlappingFieldsCanBeMerged compares such fields' argument values), nor is one without
source locations, nor one with fragment arguments.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterator
from typing import Any, NamedTuple

from graphql import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    Visitor,
    visit,
)
from graphql.utilities.validate_input_value import validate_input_literal
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

_LEAVES = (StringValueNode, IntValueNode, FloatValueNode, BooleanValueNode, EnumValueNode)


class Shape(NamedTuple):
    key: tuple[Any, ...]  # the text between the cut-out literals, their kinds, the validation rules
    leaves: list[ValueNode]  # the cut-out literals, in the order of the text


def shape_of(document: DocumentNode, source: str, rules: tuple[Any, ...]) -> Shape | None:
    """The document's shape (see the module), or None when it is not one to keep."""
    leaves: list[ValueNode] = []
    names: Counter[str] = Counter()
    literal_names: set[str] = set()

    def values(value: ValueNode) -> None:
        if isinstance(value, _LEAVES):
            leaves.append(value)
        elif isinstance(value, ListValueNode):
            for item in value.values:
                values(item)
        elif isinstance(value, ObjectValueNode):
            for field in value.fields:
                values(field.value)

    def selections(selection_set: SelectionSetNode | None) -> bool:
        for selection in selection_set.selections if selection_set is not None else ():
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                names[name] += 1
                before = len(leaves)
                for argument in selection.arguments or ():
                    values(argument.value)
                if len(leaves) > before:
                    literal_names.add(name)
                if not selections(selection.selection_set):
                    return False
            elif isinstance(selection, InlineFragmentNode):
                if not selections(selection.selection_set):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                if getattr(selection, "arguments", None):  # fragment arguments: not kept
                    return False
            else:
                return False
        return True

    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            return None
        if not selections(definition.selection_set):
            return None
    if any(names[name] > 1 for name in literal_names):
        return None
    if any(leaf.loc is None for leaf in leaves):
        return None
    pieces: list[Any] = []
    start = 0
    for leaf in leaves:  # in the text's order: the walk follows the document
        loc = leaf.loc
        assert loc is not None
        if loc.start < start:
            return None
        pieces.append(source[start : loc.start])
        pieces.append(type(leaf))
        start = loc.end
    pieces.append(source[start:])
    return Shape((tuple(pieces), rules), leaves)


def leaf_types(schema: GraphQLSchema, document: DocumentNode, leaves: list[ValueNode]) -> list[Any] | None:
    """The input type at each leaf's place, as validation finds it; None when one has none."""
    wanted = {id(leaf) for leaf in leaves}
    found: dict[int, GraphQLInputType | None] = {}
    type_info = TypeInfo(schema)

    class Types(Visitor):
        def enter(self, node: Any, *_: Any) -> None:
            if id(node) in wanted:
                found[id(node)] = type_info.get_input_type()

    visit(document, TypeInfoVisitor(type_info, Types()))
    types = [found.get(id(leaf)) for leaf in leaves]
    return None if any(t is None for t in types) else types


def literals_fit(leaves: list[ValueNode], types: list[Any]) -> bool:
    """Whether every leaf is a valid value of its input type (ValuesOfCorrectTypeRule's own check)."""
    errors: list[GraphQLError] = []

    def on_error(error: GraphQLError, _path: Any) -> None:
        errors.append(error)

    for leaf, input_type in zip(leaves, types, strict=True):
        validate_input_literal(leaf, input_type, on_error)
        if errors:
            return False
    return True


class ShapeCache:
    """Per schema: each valid shape's input types at its cut-out literals, the newest `maxsize` shapes."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.types: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> list[Any] | None:
        types = self.types.get(key)
        if types is not None:
            self.types.move_to_end(key)
        return types

    def put(self, key: tuple[Any, ...], types: list[Any]) -> None:
        self.types[key] = types
        self.types.move_to_end(key)
        while len(self.types) > self.maxsize:
            self.types.popitem(last=False)


class ShapeValidationCache(SchemaExtension):
    """Validation through a `ShapeCache` (see the module); a schema builds it per request from its cache:
    `extensions=[lambda: ShapeValidationCache(cache)]`."""

    def __init__(self, cache: ShapeCache) -> None:
        super().__init__()
        self.cache = cache

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        source = document.loc.source.body if document is not None and document.loc is not None else None
        if document is None or source is None or not context.validation_rules:
            yield
            return
        rules = tuple(context.validation_rules)
        shape = shape_of(document, source, rules)
        types = self.cache.get(shape.key) if shape is not None else None
        if shape is not None and types is not None and literals_fit(shape.leaves, types):
            context.pre_execution_errors = []  # this shape passed every rule; its literals fit
            yield
            return
        schema = context.schema._schema
        errors = validate_document(schema, document, rules)
        context.pre_execution_errors = errors
        if shape is not None and not errors:
            found = leaf_types(schema, document, shape.leaves)
            if found is not None:
                self.cache.put(shape.key, found)
        yield
