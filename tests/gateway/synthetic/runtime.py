"""A tiny generic Federation v2 subgraph server on graphql-core, for gateway tests.

A `Subgraph` is its SDL (as a subgraph author writes it, with `extend schema @link(...)`) plus
resolvers keyed "Type.field" and "Type.__resolve_reference". The runtime adds what the subgraph
specification asks of every subgraph (`_service`, `_entities`, `_Any`, `_Entity`, the federation
directive definitions), so any gateway can compose and query it. Objects are plain dicts: a field
without a resolver reads the dict key, and abstract types resolve by the dict's `__typename`.

`create_app` mounts many scenarios' subgraphs on one Starlette app at `/{scenario}/{subgraph}`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    execute,
    parse,
    validate,
)
from graphql.language import ListValueNode, ObjectValueNode, StringValueNode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Resolver = Callable[..., Any]


def link(*imports: str, version: str = "2.3") -> str:
    """The `extend schema @link(...)` line that opts a subgraph SDL into Federation v2."""
    names = ", ".join(f'"{name}"' for name in imports)
    return f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: [{names}])'


@dataclass(frozen=True)
class Operation:
    """One client operation of a scenario's corpus."""

    name: str
    query: str
    variables: dict[str, Any] | None = None
    # True when a correct gateway answers with errors (a failing field, a validation error, ...).
    errors: bool = False
    operation_name: str | None = None
    # The data the spec gives where @apollo/gateway is known to answer otherwise: ours must give
    # it (with errors exactly when `errors` says), and Apollo must still differ, so a fixed Apollo
    # is noticed.
    spec_data: dict[str, Any] | None = None
    # The error paths where @apollo/gateway's differ (it gives a failed fetch's error no path; ours
    # puts it at the fields the fetch owed): ours must give exactly these, and Apollo must still differ.
    spec_error_paths: list[list[str | int]] | None = None


# Federation v2 directives under their spec names; `{fs}` is the FieldSet scalar's name in the subgraph.
_DIRECTIVES = {
    "key": "directive @{name}(fields: {fs}!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE",
    "requires": "directive @{name}(fields: {fs}!) on FIELD_DEFINITION",
    "provides": "directive @{name}(fields: {fs}!) on FIELD_DEFINITION",
    "external": "directive @{name}(reason: String) on OBJECT | FIELD_DEFINITION",
    "shareable": "directive @{name} repeatable on OBJECT | FIELD_DEFINITION",
    "extends": "directive @{name} on OBJECT | INTERFACE",
    "override": "directive @{name}(from: String!, label: String) on FIELD_DEFINITION",
    "inaccessible": (
        "directive @{name} on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
        " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
    ),
    "tag": (
        "directive @{name}(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
        " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"
    ),
    "interfaceObject": "directive @{name} on OBJECT",
    "composeDirective": "directive @{name}(name: String!) repeatable on SCHEMA",
    "authenticated": "directive @{name} on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
}

_LINK_DEFINITIONS = """
directive @link(url: String!, as: String, import: [link__Import], for: link__Purpose) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
scalar _Any
type _Service { sdl: String }
"""


@dataclass
class Subgraph:
    """One subgraph: its SDL, its resolvers, and switches that make it misbehave for failure tests.

    `delay` (seconds) slows every request; `fail_status` answers every request with that HTTP status
    instead of GraphQL. Both are plain attributes, so a test may flip them while the server runs.
    """

    name: str
    sdl: str
    resolvers: dict[str, Resolver] = field(default_factory=dict)
    delay: float = 0.0
    fail_status: int | None = None
    # Every operation received, in order, so a test can count fetches (e.g. that entity look-ups batch).
    received: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.schema = build_subgraph_schema(self.sdl, self.resolvers)
        self._documents: dict[str, DocumentNode | list[GraphQLError]] = {}

    def _document(self, query: str) -> DocumentNode | list[GraphQLError]:
        """Parsed and validated once per distinct query text: gateways repeat the same fetches."""
        cached = self._documents.get(query)
        if cached is None:
            try:
                document = parse(query)
            except GraphQLError as error:
                cached = [error]
            else:
                errors = validate(self.schema, document)
                cached = errors or document
            self._documents[query] = cached
        return cached

    async def execute(self, body: dict[str, Any]) -> dict[str, Any]:
        query = body.get("query")
        if not isinstance(query, str):
            return {"errors": [{"message": "the request has no query"}]}
        document = self._document(query)
        if isinstance(document, list):
            return {"errors": [error.formatted for error in document]}
        result = execute(
            self.schema,
            document,
            variable_values=body.get("variables") or {},
            operation_name=body.get("operationName"),
        )
        if inspect.isawaitable(result):
            result = await result
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [error.formatted for error in result.errors]
        return response


def _imports(document: DocumentNode) -> dict[str, str]:
    """Federation names the SDL imports through @link, mapped to the name used in this SDL.

    An SDL without a federation @link is a Federation 1 subgraph: every directive goes by its bare
    name and the field-set scalar is `_FieldSet`.
    """
    if not _links_federation(document):
        return {**{name: name for name in _DIRECTIVES}, "FieldSet": "_FieldSet"}
    names: dict[str, str] = {}
    for definition in document.definitions:
        if not isinstance(definition, SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            arguments = {argument.name.value: argument.value for argument in directive.arguments}
            url = arguments.get("url")
            if not (isinstance(url, StringValueNode) and "specs.apollo.dev/federation/" in url.value):
                continue
            imported = arguments.get("import")
            for item in imported.values if isinstance(imported, ListValueNode) else ():
                if isinstance(item, StringValueNode):
                    names[item.value.lstrip("@")] = item.value.lstrip("@")
                elif isinstance(item, ObjectValueNode):
                    fields = {f.name.value: f.value for f in item.fields}
                    original, alias = fields.get("name"), fields.get("as", fields.get("name"))
                    if isinstance(original, StringValueNode) and isinstance(alias, StringValueNode):
                        names[original.value.lstrip("@")] = alias.value.lstrip("@")
    return names


def _links_federation(document: DocumentNode) -> bool:
    for definition in document.definitions:
        if not isinstance(definition, SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            url = next((a.value for a in directive.arguments if a.name.value == "url"), None)
            if isinstance(url, StringValueNode) and "specs.apollo.dev/federation/" in url.value:
                return True
    return False


# An extension of a type the SDL never defines is that type's definition here (Federation 1 style
# `extend type`, or `extend union` of a union another subgraph owns).
_EXTENSION_AS_DEFINITION: dict[type, tuple[type, tuple[str, ...]]] = {
    ObjectTypeExtensionNode: (ObjectTypeDefinitionNode, ("interfaces", "directives", "fields")),
    InterfaceTypeExtensionNode: (InterfaceTypeDefinitionNode, ("interfaces", "directives", "fields")),
    UnionTypeExtensionNode: (UnionTypeDefinitionNode, ("directives", "types")),
    EnumTypeExtensionNode: (EnumTypeDefinitionNode, ("directives", "values")),
    InputObjectTypeExtensionNode: (InputObjectTypeDefinitionNode, ("directives", "fields")),
}


def _as_definition(node: Any, defined: set[str]) -> Any:
    if not isinstance(node, TypeExtensionNode) or node.name.value in defined:
        return node
    target = _EXTENSION_AS_DEFINITION.get(type(node))
    if target is None:
        return node
    definition_class, attributes = target
    return definition_class(name=node.name, loc=node.loc, **{a: getattr(node, a) for a in attributes})


def _federation_definitions(imports: dict[str, str]) -> str:
    """Definitions of every federation directive: imported ones by their SDL name, the rest namespaced."""
    fieldset = imports.get("FieldSet", "federation__FieldSet")
    lines = [_LINK_DEFINITIONS, f"scalar {fieldset}"]
    for spec_name, template in _DIRECTIVES.items():
        name = imports.get(spec_name, f"federation__{spec_name}")
        lines.append(template.format(name=name, fs=fieldset))
    return "\n".join(lines)


def _has_resolvable_key(node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode, key_name: str) -> bool:
    for directive in node.directives or ():
        if directive.name.value != key_name:
            continue
        resolvable = next((a.value for a in directive.arguments if a.name.value == "resolvable"), None)
        if getattr(resolvable, "value", True) is not False:
            return True
    return False


def build_subgraph_schema(sdl: str, resolvers: dict[str, Resolver]) -> GraphQLSchema:
    document = parse(sdl)
    imports = _imports(document)
    key_name = imports.get("key", "federation__key")
    defined = {d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)}
    definitions = [_as_definition(d, defined) for d in document.definitions]
    entities = sorted(
        {
            d.name.value
            for d in definitions
            if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
            and _has_resolvable_key(d, key_name)
        }
    )
    has_query = any(
        isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and d.name.value == "Query"
        for d in definitions
    )
    extra = [_federation_definitions(imports)]
    root_fields = ["_service: _Service!"]
    if entities:
        extra.append(f"union _Entity = {' | '.join(entities)}")
        root_fields.append("_entities(representations: [_Any!]!): [_Entity]!")
    extra.append(f"{'extend type' if has_query else 'type'} Query {{ {' '.join(root_fields)} }}")
    full = DocumentNode(definitions=(*definitions, *parse("\n".join(extra)).definitions))
    schema = build_ast_schema(full)
    _attach(schema, sdl, resolvers)
    return schema


def _attach(schema: GraphQLSchema, sdl: str, resolvers: dict[str, Resolver]) -> None:
    references: dict[str, Resolver] = {}
    for coordinate, resolver in resolvers.items():
        type_name, _, field_name = coordinate.partition(".")
        if field_name == "__resolve_reference":
            references[type_name] = resolver
            continue
        graphql_type = schema.type_map.get(type_name)
        if not isinstance(graphql_type, GraphQLObjectType) or field_name not in graphql_type.fields:
            raise ValueError(f"resolver for {coordinate}, which the SDL does not define")
        graphql_type.fields[field_name].resolve = resolver

    query = schema.query_type
    assert query is not None
    # The subgraph answers `_service { sdl }` with the SDL exactly as written, as the spec asks.
    query.fields["_service"].resolve = lambda _obj, _info: {"sdl": sdl}
    if "_entities" in query.fields:
        query.fields["_entities"].resolve = _entities_resolver(references)


def _entities_resolver(references: dict[str, Resolver]) -> Resolver:
    async def resolve(_obj: Any, info: GraphQLResolveInfo, representations: list[Any]) -> list[Any]:
        async def one(representation: Any) -> Any:
            if not isinstance(representation, dict) or not isinstance(representation.get("__typename"), str):
                return GraphQLError("a representation must be an object with a __typename")
            typename = representation["__typename"]
            resolver = references.get(typename)
            # An entity without a reference resolver is its own representation (all it has is the key).
            found = resolver(representation) if resolver else dict(representation)
            if inspect.isawaitable(found):
                found = await found
            if isinstance(found, dict) and "__typename" not in found:
                found = {**found, "__typename": typename}
            return found

        # Errors are returned, not raised, so one bad representation nulls only its own element.
        return list(await asyncio.gather(*(one(r) for r in representations), return_exceptions=True))

    return resolve


def create_app(scenarios: dict[str, Iterable[Subgraph]]) -> Starlette:
    """One app for all scenarios: POST /{scenario}/{subgraph} speaks GraphQL over JSON."""
    routes = []
    for scenario, subgraphs in scenarios.items():
        for subgraph in subgraphs:
            # A Route, not a Mount: Starlette's Mount answers POST on the bare path with a 307.
            routes.append(Route(f"/{scenario}/{subgraph.name}", _endpoint(subgraph), methods=["POST"]))
    return Starlette(routes=routes)


def _endpoint(subgraph: Subgraph) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        if subgraph.delay:
            await asyncio.sleep(subgraph.delay)
        if subgraph.fail_status is not None:
            return Response("synthetic failure", status_code=subgraph.fail_status)
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return Response(orjson.dumps({"errors": [{"message": "the body is not JSON"}]}), 400)
        if not isinstance(body, dict):
            return Response(orjson.dumps({"errors": [{"message": "the body is not an object"}]}), 400)
        subgraph.received.append(body)
        result = await subgraph.execute(body)
        return Response(orjson.dumps(result), media_type="application/json")

    return endpoint
