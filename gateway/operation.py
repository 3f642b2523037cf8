"""A client operation reduced to what planning and response shaping need.

Named fragments are inlined, `@skip`/`@include` are decided (their variables are part of the plan
cache key, see `conditions`), arguments and other directives are printed once, so the planner and the
executor walk plain tuples instead of the AST.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    print_ast,
    visit,
)

from gateway.errors import OperationError


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the response key: the alias, or the name
    name: str
    arguments: str  # printed, "(code: $code)" or ""
    directives: str  # printed directives other than skip/include, " @foo" or ""
    selections: tuple[Selection, ...] | None  # None for leaves
    variables: frozenset[str]  # used by the arguments and directives of this field only
    internal: bool = False  # asked by the gateway for itself (a key, a @requires), not by the client
    restore_as: str | None = None  # the response key to put back when the subgraph query aliased it
    alias: str = ""  # for an internal field: its reserved key when the response key is taken (`_alias`)

    @property
    def signature(self) -> tuple[str, str, str]:
        return (self.name, self.arguments, self.directives)


@dataclass(frozen=True, slots=True)
class Fragment:
    condition: str | None
    selections: tuple[Selection, ...]


Selection = Field | Fragment

# Where a key or @requires field goes when the client uses its name as an alias for something else.
INTERNAL_ALIAS = "_qf_"


def _alias(name: str, arguments: str, directives: str) -> str:
    """The reserved response key of a field the gateway asks for itself: one per distinct field, so
    `comments(limit: 3)` for a @requires never shares a key with the client's `comments(limit: 10)`
    or with another requirement's `comments(limit: 1)`, and a representation reads the right one."""
    if not arguments and not directives:
        return INTERNAL_ALIAS + name
    digest = hashlib.blake2s((arguments + directives).encode(), digest_size=4).hexdigest()
    return f"{INTERNAL_ALIAS}{name}_{digest}"


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) != 1:
            raise OperationError("The document holds several operations; say which in operationName.")
        return operations[0]
    for operation in operations:
        if operation.name and operation.name.value == name:
            return operation
    raise OperationError(f'Unknown operation named "{name}".')


def conditions(operation: OperationDefinitionNode, document: DocumentNode) -> tuple[str, ...]:
    """The variables that decide a `@skip` or `@include` somewhere in the operation."""
    names: set[str] = set()

    class Collect(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            if node.name.value in ("skip", "include"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)

    visit(operation, Collect())
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            visit(definition, Collect())
    return tuple(sorted(names))


def normalize(
    document: DocumentNode, operation: OperationDefinitionNode, variables: dict[str, object]
) -> tuple[Selection, ...]:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        for directive in node.directives or ():
            if directive.name.value in ("skip", "include"):
                argument = directive.arguments[0].value if directive.arguments else None
                if isinstance(argument, VariableNode):
                    value = bool(variables.get(argument.name.value))
                else:
                    value = isinstance(argument, BooleanValueNode) and argument.value
                if (directive.name.value == "skip") == value:
                    return False
        return True

    def selections(node: SelectionSetNode | None) -> tuple[Selection, ...]:
        result: list[Selection] = []
        for selection in node.selections if node else ():
            if not included(selection):  # type: ignore[arg-type]
                continue
            if isinstance(selection, FieldNode):
                result.append(_field(selection, selections(selection.selection_set)))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                result.append(Fragment(condition, selections(selection.selection_set)))
            else:
                definition = fragments[selection.name.value]
                result.append(
                    Fragment(definition.type_condition.name.value, selections(definition.selection_set))
                )
        return tuple(result)

    return selections(operation.selection_set)


def _field(node: FieldNode, children: tuple[Selection, ...], internal: bool = False) -> Field:
    arguments = ""
    if node.arguments:
        arguments = "(" + ", ".join(print_ast(a) for a in node.arguments) + ")"
    kept = [d for d in node.directives or () if d.name.value not in ("skip", "include")]
    directives = "".join(" " + print_ast(d) for d in kept)
    used = _VariablesUsed()
    for part in (*(node.arguments or ()), *kept):
        visit(part, used)
    return Field(
        key=node.alias.value if node.alias else node.name.value,
        name=node.name.value,
        arguments=arguments,
        directives=directives,
        selections=children if node.selection_set else None,
        variables=frozenset(used.names),
        internal=internal,
        alias=_alias(node.name.value, arguments, directives) if internal else "",
    )


class _VariablesUsed(Visitor):
    """The names of the variables a node uses. (One class for every field: graphql-core's Visitor
    does real work when a subclass is defined, too much to repeat per field.)"""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, variable: VariableNode, *_: object) -> None:
        self.names.add(variable.name.value)


def fields_of(selection_set: SelectionSetNode) -> tuple[Selection, ...]:
    """A field set of the supergraph (a key, a @requires) in the same form as client selections."""
    result: list[Selection] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            children = fields_of(selection.selection_set) if selection.selection_set else ()
            result.append(_field(selection, children, internal=True))
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            result.append(Fragment(condition, fields_of(selection.selection_set)))
    return tuple(result)


class FieldSets:
    """`fields_of` once per field set of a supergraph: its keys, @requires and @provides are read on
    every plan. Kept by node identity (each node held, so its id is never reused): bounded by the
    supergraph, never by what clients send."""

    def __init__(self) -> None:
        self._read: dict[int, tuple[SelectionSetNode, tuple[Selection, ...]]] = {}

    def __call__(self, selection_set: SelectionSetNode) -> tuple[Selection, ...]:
        read = self._read.get(id(selection_set))
        if read is None:
            read = self._read[id(selection_set)] = (selection_set, fields_of(selection_set))
        return read[1]
