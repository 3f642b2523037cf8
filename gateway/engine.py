"""From a client request to a response: parse, check the limits, validate, plan (cached), execute, shape.

Nothing is expanded before the limits pass (gateway/limits.py): a document is parsed with a token
budget, counted, measured (fragments once each) and only then validated, normalised and planned.
Accepted documents are cached by their text, plans by text, operation name and the values of the
variables that decide `@skip`/`@include` (the only variables that change a plan); both caches are
bounded in entries and in characters of text (gateway/cache.py), and nothing refused is cached.
"""

from __future__ import annotations

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
    print_ast,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from gateway.cache import BoundedCache
from gateway.errors import GatewayError as GatewayError  # what `Engine.prepare` raises, for its callers
from gateway.errors import OperationRefused, graphql_error, located_error
from gateway.executor import Execution, Transport
from gateway.introspection import NoIntrospection
from gateway.limits import Limits, Measure, check_document, measure_operation, parse_document, refusals
from gateway.operation import Field, Selection, conditions, normalize, select_operation
from gateway.passthrough import Unshaped, unshaped_fields, whole_response
from gateway.plan import QueryPlan
from gateway.planner import QueryPlanner
from gateway.shaping import Shaper
from gateway.supergraph import Supergraph

INTROSPECTION = frozenset({"__schema", "__type"})


# Verdicts on an operation's cost kept per document: one per set of page sizes a client sends.
_COST_VERDICTS = 16


@dataclass
class Document:
    """A parsed, measured and validated document: only accepted documents are made and cached."""

    ast: DocumentNode
    measures: dict[str | None, Measure]  # per operation name, with page sizes the schema's defaults
    sizes: dict[str | None, tuple[str, ...]]  # the Int variables that may set a page size, per operation
    conditions: dict[str | None, tuple[str, ...]] = field(default_factory=dict)  # per operation name
    verdicts: dict[tuple, list[dict[str, Any]]] = field(default_factory=dict)  # cost refusals by sizes


@dataclass(frozen=True)
class Prepared:
    """An operation ready to run, as the plan cache shares it between requests: nothing in it changes
    but `shapes`, the Shaper's cache of the functions it generated for it."""

    operation_type: str
    root_type: str
    selections: tuple[Selection, ...]
    plan: QueryPlan
    introspection: DocumentNode | None  # the operation's introspection fields, run by graphql-core
    # One fetch asking exactly what the client asked: its answer is the response, unshaped.
    passthrough: bool = False
    # The client's fields whose subtree one fetch answered exactly: taken as they are (`passthrough`).
    unshaped: Unshaped = frozenset()
    shapes: dict = field(default_factory=dict)  # the Shaper's functions, as long-lived as the plan


class Engine:
    def __init__(
        self,
        supergraph: Supergraph,
        limits: Limits | None = None,
        *,
        introspection: bool = True,
        cache_entries: int = 1000,
        cache_chars: int = 1024 * 1024,
    ) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.limits = limits or Limits()
        self.introspection = introspection
        self._rules = specified_rules if introspection else (*specified_rules, NoIntrospection)
        self.planner = QueryPlanner(supergraph)
        # A parsed document takes some 60-90 bytes per character of its text: 1 Mi characters of
        # documents and as many of plans keep each cache near 100 MB at the very worst.
        self.documents: BoundedCache[str, Document] = BoundedCache(cache_entries, cache_chars)
        self.plans: BoundedCache[tuple, Prepared] = BoundedCache(cache_entries, cache_chars)
        self.on_plan: Callable[[bool], None] | None = None  # called with "was it cached"

    def document(self, query: str) -> Document:
        """The accepted document for this text; raises OperationRefused with every refusal."""
        found = self.documents.get(query)
        if found is not None:
            return found
        try:
            ast = parse_document(query, self.limits)
        except GraphQLError as exc:
            code = (exc.extensions or {}).get("code", "GRAPHQL_PARSE_FAILED")
            raise OperationRefused.of([located_error(exc, code)]) from None
        over = check_document(ast, self.limits)
        if over:
            raise OperationRefused.of([e.formatted for e in over])
        operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
        names = [o.name.value if o.name else None for o in operations]
        measures: dict[str | None, Measure] = {}
        for name in names:
            # Every operation is measured, not only the one asked for: validation reads them all.
            measure = measure_operation(ast, name, self.schema)
            if measure is not None:
                over = [e for e in refusals(measure, self.limits) if e.extensions["limit"] != "cost"]
                if over:
                    raise OperationRefused.of([e.formatted for e in over])
                measures[name] = measure
        # Without introspection, "Did you mean ...?" would spell the schema out to anyone guessing.
        problems = validate(self.schema, ast, self._rules, hide_suggestions=not self.introspection)
        if problems:
            raise OperationRefused.of([_validation_error(e) for e in problems])
        sizes = {
            name: tuple(
                d.variable.name.value for d in operation.variable_definitions or () if _is_int(d.type)
            )
            for operation, name in zip(operations, names, strict=True)
        }
        found = Document(ast, measures, sizes)
        self.documents.put(query, found, len(query))
        return found

    def prepare(
        self, query: str, operation_name: str | None, variables: dict[str, Any]
    ) -> tuple[Prepared, dict[str, Any]]:
        """The plan for this request and the coerced variables; raises OperationRefused."""
        document = self.document(query)
        operation = select_operation(document.ast, operation_name)
        if operation.variable_definitions:
            values = get_variable_values(
                self.schema,
                operation.variable_definitions,
                variables,
                hide_suggestions=not self.introspection,
            )
            if isinstance(values, list):
                raise OperationRefused.of([located_error(e, "BAD_USER_INPUT") for e in values])
            coerced = values.coerced
        else:
            coerced = {}  # what coercion gives without definitions (variables sent are ignored), for less
        over = self._over_budget(document, operation.name.value if operation.name else None, coerced)
        if over:
            raise OperationRefused.of(over)
        deciding = document.conditions.get(operation_name)
        if deciding is None:
            deciding = document.conditions[operation_name] = conditions(operation, document.ast)
        key = (query, operation_name, tuple(bool(coerced.get(n)) for n in deciding))
        prepared = self.plans.get(key)
        if self.on_plan is not None:
            self.on_plan(prepared is not None)
        if prepared is None:
            # A refusal (OperationRefused) is not cached: nothing refused takes room in a cache.
            prepared = self._plan(document.ast, operation, coerced)
            self.plans.put(key, prepared, len(query))
        return prepared, coerced

    def _over_budget(
        self, document: Document, operation_name: str | None, coerced: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The cost refusal of the operation named so in the document (None: its only, anonymous one)
        with these page sizes, measured once per set of sizes."""
        sizes = tuple(coerced.get(n) for n in document.sizes.get(operation_name, ()))
        key = (operation_name, sizes)
        verdict = document.verdicts.get(key)
        if verdict is None:
            measure = document.measures.get(operation_name) if not sizes else None
            if measure is None:
                measure = measure_operation(
                    document.ast, operation_name, self.schema, coerced, self.limits.default_list_size
                )
            verdict = [e.formatted for e in refusals(measure, self.limits)] if measure else []
            if len(document.verdicts) >= _COST_VERDICTS:
                document.verdicts.clear()
            document.verdicts[key] = verdict
        return verdict

    def _plan(self, document: DocumentNode, operation: OperationDefinitionNode, variables: dict) -> Prepared:
        if operation.operation == OperationType.SUBSCRIPTION:
            raise OperationRefused("Subscriptions are not supported by this gateway.", "BAD_USER_INPUT")
        selections = normalize(document, operation, variables)
        kind = operation.operation.value
        root_type = self.supergraph.mutation_type if kind == "mutation" else self.supergraph.query_type
        definitions = {
            d.variable.name.value: print_ast(d.type)
            + (f" = {print_ast(d.default_value)}" if d.default_value is not None else "")
            for d in operation.variable_definitions or ()
        }
        # A valid operation no plan can satisfy is refused whole, before anything is fetched
        # (PlanningError, a request error: see why in gateway/errors.py).
        plan = self.planner.plan(kind, selections, definitions)
        introspection = None
        if any(isinstance(s, Field) and s.name in INTROSPECTION for s in selections):
            introspection = _introspection_only(document, operation)
        root = root_type or "Query"
        passthrough = introspection is None and whole_response(self.supergraph, plan, root, selections)
        unshaped = unshaped_fields(self.supergraph, plan, root, selections)
        return Prepared(kind, root, selections, plan, introspection, passthrough, unshaped)

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
        shaper = Shaper(
            self.supergraph, self.schema, execution.errors, prepared.shapes, execution.lost, prepared.unshaped
        )
        data = shaper.root(prepared.root_type, prepared.selections, execution.data)
        if execution.errors:
            return {"errors": execution.errors, "data": data}
        return {"data": data}


def _is_int(type_node: Any) -> bool:
    inner = getattr(type_node, "type", type_node)  # NonNull wraps the named type
    return getattr(getattr(inner, "name", None), "value", None) == "Int"


def _validation_error(error: GraphQLError) -> dict[str, Any]:
    if error.message.endswith("Validation aborted."):
        # graphql-core stops validating past its budget of errors or of work on fragments.
        message = (
            "The document is too complex to validate: it repeats fields or fragments too often, or has "
            "too many errors. Select each field once and fix the first errors."
        )
        return graphql_error(message, "GRAPHQL_VALIDATION_FAILED")
    return located_error(error, (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED")


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
