"""Argument values no field may receive, refused for every field of every subgraph before any resolver.

Two things PostgreSQL cannot take reach it otherwise as an INTERNAL_SERVER_ERROR (or, worse, as a
misleading error from whatever query failed):

- text with a NUL character (U+0000), which no PostgreSQL text value can hold, or with an unpaired
  surrogate (from a JSON escape such as "\\ud800"), which is not text at all and cannot be encoded;
- ids beyond PostgreSQL's bigint, or not numbers at all, where an integer id is expected.

`RefuseUnstorableText` walks the operation's literals (nested input objects and lists included) and
the variables they use, and answers BAD_USER_INPUT naming the argument; `int_id` is the one way an
`ID` argument becomes the integer of a bigint column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

from services.common.errors import BadUserInput

BIGINT_MAX = 2**63 - 1

# One pass finds either: a NUL, or any surrogate code point (valid text has none once decoded).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,19}")


def unstorable(text: str) -> str | None:
    """What makes `text` impossible to store, in words, or None when it is fine."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (U+0000)"
    return f"an unpaired surrogate (U+{ord(found.group()):04X}), which is not a character"


def shown(value: object, limit: int = 40) -> str:
    """A hostile value as it may appear in a message: quoted, escaped and cut short."""
    text = repr(str(value))
    return text if len(text) <= limit else f"{text[: limit - 4]}...'"


def int_id(value: object, *, argument: str = "id", what: str = "an id") -> int:
    """An `ID` argument as the integer it names: ASCII digits only (not the signs, spaces, underscores and
    other scripts' digits `int()` takes), within PostgreSQL's bigint."""
    text = str(value)
    if not _DIGITS.fullmatch(text) or int(text) > BIGINT_MAX:
        raise BadUserInput(
            f"{shown(value)} is not {what}; ids here are whole numbers from 0 to {BIGINT_MAX}.",
            argument=argument,
        )
    return int(text)


# --- the operation walk -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """Where a value sits: `argument` (a path such as filter.search) of `field`, at `node`."""

    field: str
    argument: str
    node: Node


# A value's path is built only for the value that is refused: each step keeps its parent's step, so a
# hostile nesting thousands deep costs one tuple per level, not a string as long as its depth.
_Step = tuple[Any, str] | None


def _path(step: _Step) -> str:
    parts: list[str] = []
    while step is not None:
        step, part = step
        parts.append(part)
    return "".join(reversed(parts))


def _values(value: ValueNode) -> Iterator[tuple[ValueNode, _Step]]:
    """Every value inside a literal with its path, iteratively: hostile literals can nest deeply."""
    stack: list[tuple[ValueNode, _Step]] = [(value, None)]
    while stack:
        node, step = stack.pop()
        yield node, step
        if isinstance(node, ListValueNode):
            stack.extend((item, (step, f"[{i}]")) for i, item in enumerate(node.values))
        elif isinstance(node, ObjectValueNode):
            stack.extend((f.value, (step, f".{f.name.value}")) for f in node.fields)


def _json_strings(value: Any) -> Iterator[tuple[str, _Step]]:
    """Every string (dictionary keys included) inside a JSON variable value, with its path."""
    stack: list[tuple[Any, _Step]] = [(value, None)]
    while stack:
        item, step = stack.pop()
        if isinstance(item, str):
            yield item, step
        elif isinstance(item, list):
            stack.extend((v, (step, f"[{i}]")) for i, v in enumerate(item))
        elif isinstance(item, dict):
            for key, v in item.items():
                yield str(key), step
                stack.append((v, (step, f".{key}")))


class _Finder(Visitor):
    """The first unstorable literal, and where each variable is used."""

    def __init__(self) -> None:
        super().__init__()
        self.literal: tuple[_Place, str] | None = None
        self.defaults: dict[str, ValueNode] = {}
        self.uses: dict[str, list[_Place]] = {}

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
        if node.default_value is not None:
            self.defaults[node.variable.name.value] = node.default_value
        return self.SKIP

    def enter_argument(self, node: ArgumentNode, *args: Any) -> Any:
        owner = args[-1][-1]  # visit() passes (key, parent, path, ancestors); the last holds the field
        field = owner.name.value if isinstance(owner, (FieldNode, DirectiveNode)) else "?"
        if isinstance(owner, DirectiveNode):
            field = f"@{field}"
        for value, step in _values(node.value):
            if isinstance(value, VariableNode):
                place = _Place(field, node.name.value + _path(step), value)
                self.uses.setdefault(value.name.value, []).append(place)
            elif isinstance(value, StringValueNode) and self.literal is None:
                problem = unstorable(value.value)
                if problem is not None:
                    self.literal = (_Place(field, node.name.value + _path(step), value), problem)
        return self.SKIP


def _refusal(place: _Place, problem: str, variable: str | None = None) -> GraphQLError:
    source = f", from the variable ${variable}" if variable else ""
    # A path into a hostile nesting can be as long as the body; its start says where to look.
    argument = place.argument if len(place.argument) <= 200 else place.argument[:197] + "..."
    message = (
        f"`{argument}` (an argument of `{place.field}`{source}) contains {problem}; no text in "
        "this API may contain one. Remove it and send the request again."
    )
    extensions: dict[str, Any] = {"argument": argument, "field": place.field}
    if variable:
        extensions["variable"] = variable
    return GraphQLError(message, nodes=[place.node], original_error=BadUserInput(message, **extensions))


def _clean(variables: dict[str, Any]) -> bool:
    """True when no string in the variables can be unstorable (False: maybe; walk them to find out).

    Serialised in C, a NUL shows as its escape and a lone surrogate stays raw: one scan of one string.
    orjson first (an `_entities` batch's variables are its whole body): it refuses a lone surrogate
    outright, so what it writes is clean unless it holds a NUL's escape.
    """
    try:
        return b"\\u0000" not in orjson.dumps(variables)
    except TypeError:  # orjson's refusal: a surrogate, or what only the standard library writes
        pass
    try:
        text = json.dumps(variables, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):  # not JSON after all, or nested past the encoder
        return False
    return "\\u0000" not in text and unstorable(text) is None


def find_unstorable(
    document: DocumentNode, variables: dict[str, Any] | None, source: str | None = None
) -> GraphQLError | None:
    """The refusal of the first unstorable string the operation's arguments would receive, if any.

    With the operation's `source`, the common case costs two scans and no walk: a literal holds a NUL or
    a surrogate only through a `\\u` escape or raw in the source, and clean variables hold none.
    """
    variables = variables or {}
    if source is not None and "\\u" not in source and unstorable(source) is None and _clean(variables):
        return None
    finder = _Finder()
    visit(document, finder)
    if finder.literal is not None:
        return _refusal(*finder.literal)
    for name, places in finder.uses.items():
        used = places[0]
        if name not in variables and name in finder.defaults:
            for value, step in _values(finder.defaults[name]):
                if isinstance(value, StringValueNode) and (problem := unstorable(value.value)):
                    return _refusal(_Place(used.field, used.argument + _path(step), value), problem, name)
            continue
        for text, step in _json_strings(variables.get(name)):
            if problem := unstorable(text):
                return _refusal(_Place(used.field, used.argument + _path(step), used.node), problem, name)
    return None


class RefuseUnstorableText(SchemaExtension):
    """Answers BAD_USER_INPUT, without executing anything, when an argument holds unstorable text."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            refused = find_unstorable(document, context.variables, context.query)
            if refused is not None:
                context.result = ExecutionResult(data=None, errors=[refused])
        yield
