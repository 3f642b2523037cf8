"""From a client request to a response: parse, validate, plan (cached), execute, shape.

Parsing and validation are cached by the operation's text, plans by text, operation name and the
values of the variables that decide `@skip`/`@include` (the only variables that change a plan).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    parse,
    print_ast,
    validate,
)
from graphql.execution.values import get_variable_values

from gateway.executor import Execution, Transport
from gateway.operation import Field, OperationError, Selection, conditions, normalize, select_operation
from gateway.plan import QueryPlan, SelectionTree
from gateway.planner import PlanningError, QueryPlanner
from gateway.shaping import Shaper
from gateway.supergraph import Supergraph

INTROSPECTION = frozenset({"__schema", "__type"})


class LRU(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_fresh(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


@dataclass
class Document:
    ast: DocumentNode | None
    errors: list[dict[str, Any]]
    conditions: dict[str | None, tuple[str, ...]] = field(default_factory=dict)  # per operation name


@dataclass
class Prepared:
    operation_type: str
    root_type: str
    selections: tuple[Selection, ...]
    plan: QueryPlan
    introspection: DocumentNode | None  # the operation's introspection fields, run by graphql-core
    # One fetch asking exactly what the client asked: its answer is the response, unshaped.
    passthrough: bool = False
    shapes: dict = field(default_factory=dict)  # the Shaper's functions, as long-lived as the plan


class GatewayError(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "error")
        self.errors = errors


def _error(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


class Engine:
    def __init__(self, supergraph: Supergraph, cache_size: int = 1000) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.planner = QueryPlanner(supergraph)
        self.documents: LRU = LRU(cache_size)
        self.plans: LRU = LRU(cache_size)
        self.on_plan: Callable[[bool], None] | None = None  # called with "was it cached"

    def document(self, query: str) -> Document:
        found = self.documents.get_fresh(query)
        if found is not None:
            return found
        try:
            ast = parse(query)
        except GraphQLError as exc:
            found = Document(None, [_located(exc, "GRAPHQL_PARSE_FAILED")])
        else:
            problems = validate(self.schema, ast)
            found = Document(
                None if problems else ast, [_located(e, "GRAPHQL_VALIDATION_FAILED") for e in problems]
            )
        self.documents.put(query, found)
        return found

    def prepare(
        self, query: str, operation_name: str | None, variables: dict[str, Any]
    ) -> tuple[Prepared, dict[str, Any]]:
        """The plan for this request and the coerced variables; raises GatewayError."""
        document = self.document(query)
        if document.ast is None:
            raise GatewayError(document.errors)
        try:
            operation = select_operation(document.ast, operation_name)
        except OperationError as exc:
            raise GatewayError([_error(str(exc), exc.code)]) from None
        values = get_variable_values(self.schema, operation.variable_definitions or (), variables)
        if isinstance(values, list):
            raise GatewayError([_located(e, "BAD_USER_INPUT") for e in values])
        coerced = values.coerced
        deciding = document.conditions.get(operation_name)
        if deciding is None:
            deciding = document.conditions[operation_name] = conditions(operation, document.ast)
        key = (query, operation_name, tuple(bool(coerced.get(n)) for n in deciding))
        prepared = self.plans.get_fresh(key)
        if self.on_plan is not None:
            self.on_plan(prepared is not None)
        if prepared is None:
            prepared = self._plan(document.ast, operation, coerced)
            self.plans.put(key, prepared)
        return prepared, coerced

    def _plan(self, document: DocumentNode, operation: OperationDefinitionNode, variables: dict) -> Prepared:
        if operation.operation == OperationType.SUBSCRIPTION:
            raise GatewayError([_error("Subscriptions are not supported by this gateway.", "BAD_USER_INPUT")])
        selections = normalize(document, operation, variables)
        kind = operation.operation.value
        root_type = self.supergraph.mutation_type if kind == "mutation" else self.supergraph.query_type
        definitions = {
            d.variable.name.value: print_ast(d.type)
            + (f" = {print_ast(d.default_value)}" if d.default_value is not None else "")
            for d in operation.variable_definitions or ()
        }
        try:
            plan = self.planner.plan(kind, selections, definitions)
        except PlanningError as exc:
            raise GatewayError([_error(str(exc), "INTERNAL_SERVER_ERROR")]) from None
        introspection = None
        if any(isinstance(s, Field) and s.name in INTROSPECTION for s in selections):
            introspection = _introspection_only(document, operation)
        root = root_type or "Query"
        passthrough = introspection is None and _passthrough(self.supergraph, plan, root, selections)
        return Prepared(kind, root, selections, plan, introspection, passthrough)

    async def execute(
        self,
        prepared: Prepared,
        raw_variables: dict[str, Any],
        coerced: dict[str, Any],
        transport: Transport,
        on_fetch: Callable[[str, str, float], None] | None = None,
    ) -> dict[str, Any]:
        execution = Execution(self.supergraph, prepared.plan, transport, raw_variables, on_fetch)
        await execution.run()
        if prepared.introspection is not None:
            result: ExecutionResult = execute(self.schema, prepared.introspection, variable_values=coerced)  # type: ignore[assignment]
            execution.data.update(result.data or {})
            execution.errors.extend(e.formatted for e in result.errors or ())
        if prepared.passthrough and execution.data:
            if execution.errors:
                return {"errors": execution.errors, "data": execution.data}
            return {"data": execution.data}
        shaper = Shaper(self.supergraph, self.schema, execution.errors, prepared.shapes, execution.lost)
        data = shaper.root(prepared.root_type, prepared.selections, execution.data)
        if execution.errors:
            return {"errors": execution.errors, "data": data}
        return {"data": data}


def _located(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = error.formatted
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _introspection_only(document: DocumentNode, operation: OperationDefinitionNode) -> DocumentNode:
    kept = tuple(
        s
        for s in operation.selection_set.selections
        if isinstance(s, FieldNode) and s.name.value in INTROSPECTION
    )
    only = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=kept),
    )
    others = tuple(d for d in document.definitions if not isinstance(d, OperationDefinitionNode))
    return DocumentNode(definitions=(only, *others))


def _passthrough(sg: Supergraph, plan: QueryPlan, root_type: str, selections: tuple[Selection, ...]) -> bool:
    """Whether the plan is one root fetch whose answer already has the client's exact shape."""
    if len(plan.fetches) != 1:
        return False
    fetch = plan.fetches[0]
    return (
        not fetch.entity
        and not fetch.restores
        and _same_shape(sg, fetch.subgraph, root_type, selections, fetch.selections)
    )


def _same_shape(
    sg: Supergraph, graph: str, type_name: str, selections: tuple[Selection, ...], tree: SelectionTree
) -> bool:
    """The subgraph is asked for exactly these fields, each typed as in the supergraph (so nulls
    propagate alike), none abstract (no `__typename` added) and none an enum (whose values the
    gateway must check against the API schema)."""
    if tree.fragments or len(selections) != len(tree.fields):
        return False
    for selection, (key, (asked, below)) in zip(selections, tree.fields.items(), strict=True):
        if not isinstance(selection, Field) or selection.key != key or selection.signature != asked.signature:
            return False
        info = sg.field(type_name, selection.name)
        source = info.sources.get(graph) if info is not None else None
        if info is None or source is None or source.type is not None or asked.internal:
            return False
        named = sg.types.get(info.type_name)
        if named is None and selection.selections is None:
            continue  # a built-in scalar
        if named is None or named.kind == "enum" or named.abstract:
            return False
        if selection.selections is None or below is None:
            if selection.selections is not None or below is not None:
                return False
            continue
        if not _same_shape(sg, graph, info.type_name, selection.selections, below):
            return False
    return True
