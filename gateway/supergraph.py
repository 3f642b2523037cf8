"""The supergraph: which subgraph resolves which field, by which keys, read from join__ directives.

The input is a supergraph SDL in the format @apollo/composition prints (the join spec,
https://specs.apollo.dev/join/v0.3 to v0.5), whether ours (`gateway.composition`) or composed elsewhere,
so the gateway can run in front of anybody's Federation v2 subgraphs. From it come two things:

- the routing facts the planner needs (`Supergraph`: types, fields, their sources and keys), and
- the API schema clients see: the supergraph without the join/link machinery and without anything
  marked `@inaccessible`, built with graphql-core for validation and introspection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    Node,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    parse,
    parse_type,
    print_ast,
)

SUPERGRAPH_TYPE_PREFIXES = ("join__", "link__")
SPEC_DIRECTIVES = ("link", "join__")


class SupergraphError(ValueError):
    """The text is not a supergraph this gateway can run."""


@dataclass(frozen=True)
class Subgraph:
    name: str
    url: str


@dataclass(frozen=True)
class Key:
    graph: str
    fields: str
    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True)
class FieldSource:
    """How one subgraph knows a field."""

    graph: str
    external: bool = False
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    used_overridden: bool = False
    type: str | None = None  # the subgraph's own type for the field, when it differs from the supergraph's
    type_name: str | None = None  # that type's named type (`Book` for `[Book!]`)

    @property
    def resolvable(self) -> bool:
        return not self.external and not self.used_overridden


@dataclass
class FieldInfo:
    name: str
    type_name: str
    list_depth: int  # how many lists wrap the named type: one '@' each in a response path
    sources: dict[str, FieldSource]


@dataclass
class TypeInfo:
    name: str
    kind: str  # object, interface, union, enum, input, scalar
    # In the supergraph's order: planning walks it, and must not depend on the process's hash seed.
    graphs: dict[str, None] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)
    interface_object_in: set[str] = field(default_factory=set)
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    implements: dict[str, set[str]] = field(default_factory=dict)  # graph -> interfaces
    members: dict[str, set[str]] = field(default_factory=dict)  # graph -> union members

    @property
    def abstract(self) -> bool:
        return self.kind in ("interface", "union")


class Supergraph:
    def __init__(self, sdl: str) -> None:
        try:
            document = parse(sdl)
        except Exception as exc:  # graphql-core raises GraphQLSyntaxError
            raise SupergraphError(f"The supergraph SDL does not parse: {exc}") from exc
        self.sdl = sdl
        self.subgraphs: dict[str, Subgraph] = {}
        self.types: dict[str, TypeInfo] = {}
        self._graph_names: dict[str, str] = {}  # join__Graph enum value -> subgraph name
        self._possible: dict[str, frozenset[str]] = {}
        self._api_possible: dict[str, frozenset[str]] = {}
        self._read(document)
        self.api_schema: GraphQLSchema = build_ast_schema(api_document(document))
        self.query_type = self.api_schema.query_type.name if self.api_schema.query_type else "Query"
        mutation = self.api_schema.mutation_type
        self.mutation_type = mutation.name if mutation else None

    # -- reading the join directives

    def _read(self, document: DocumentNode) -> None:
        for definition in document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == "join__Graph":
                for value in definition.values or ():
                    args = _directive_args(_directives(value, "join__graph")[0])
                    name = args["name"]
                    self._graph_names[value.name.value] = name
                    self.subgraphs[name] = Subgraph(name, args["url"])
        if not self.subgraphs:
            raise SupergraphError("The supergraph names no subgraphs (no join__Graph enum).")
        for definition in document.definitions:
            if not isinstance(definition, TypeDefinitionNode):
                continue
            name = definition.name.value
            if name.startswith(SUPERGRAPH_TYPE_PREFIXES):
                continue
            self.types[name] = self._read_type(definition)

    def _graph(self, args: dict) -> str:
        return self._graph_names[args["graph"]]

    def _read_type(self, node: TypeDefinitionNode) -> TypeInfo:
        kind = {
            ObjectTypeDefinitionNode: "object",
            InterfaceTypeDefinitionNode: "interface",
            UnionTypeDefinitionNode: "union",
            EnumTypeDefinitionNode: "enum",
            InputObjectTypeDefinitionNode: "input",
            ScalarTypeDefinitionNode: "scalar",
        }[type(node)]
        info = TypeInfo(node.name.value, kind)
        for directive in _directives(node, "join__type"):
            args = _directive_args(directive)
            graph = self._graph(args)
            info.graphs[graph] = None
            if args.get("isInterfaceObject"):
                info.interface_object_in.add(graph)
            if args.get("key"):
                selection = parse_field_set(args["key"])
                info.keys.append(Key(graph, args["key"], selection, args.get("resolvable", True)))
        for directive in _directives(node, "join__implements"):
            args = _directive_args(directive)
            info.implements.setdefault(self._graph(args), set()).add(args["interface"])
        for directive in _directives(node, "join__unionMember"):
            args = _directive_args(directive)
            info.members.setdefault(self._graph(args), set()).add(args["member"])
        if isinstance(node, UnionTypeDefinitionNode) and not info.members:
            # A union without join__unionMember (older supergraphs): every member in every graph.
            for graph in info.graphs:
                info.members[graph] = {t.name.value for t in node.types or ()}
        if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            for definition in node.fields or ():
                info.fields[definition.name.value] = self._read_field(definition, info)
        return info

    def _read_field(self, node: FieldDefinitionNode, owner: TypeInfo) -> FieldInfo:
        type_name, list_depth = _named(node.type)
        printed = print_ast(node.type)
        sources: dict[str, FieldSource] = {}
        joins = _directives(node, "join__field")
        for directive in joins:
            args = _directive_args(directive)
            if "graph" not in args:
                continue  # a field the gateway itself must answer (e.g. interface object __typename)
            graph = self._graph(args)
            # Composition prints every subgraph's type once one differs; only the differing ones matter.
            own = args.get("type") if args.get("type") != printed else None
            sources[graph] = FieldSource(
                graph,
                external=bool(args.get("external")),
                requires=parse_field_set(args["requires"]) if args.get("requires") else None,
                provides=parse_field_set(args["provides"]) if args.get("provides") else None,
                used_overridden=bool(args.get("usedOverridden")),
                type=own,
                type_name=_named(parse_type(own))[0] if own else None,
            )
        if not joins:
            sources = {graph: FieldSource(graph) for graph in owner.graphs}
        return FieldInfo(node.name.value, type_name, list_depth, sources)

    # -- questions the planner asks

    def field(self, type_name: str, field_name: str) -> FieldInfo | None:
        info = self.types.get(type_name)
        return info.fields.get(field_name) if info else None

    def can_resolve(self, graph: str, type_name: str, field_name: str) -> bool:
        info = self.field(type_name, field_name)
        if info is None:
            return False
        source = info.sources.get(graph)
        return source is not None and source.resolvable

    def type_in(self, graph: str, type_name: str, field_name: str) -> str:
        """The named type of a field as `graph` declares it: narrower than the supergraph's when a
        @shareable field is an object type there (`featured: Book` for `featured: Media`)."""
        info = self.field(type_name, field_name)
        assert info is not None
        source = info.sources.get(graph)
        return source.type_name if source is not None and source.type_name else info.type_name

    def resolvers(self, type_name: str, field_name: str) -> list[str]:
        info = self.field(type_name, field_name)
        if info is None:
            return []
        return [g for g, source in info.sources.items() if source.resolvable]

    def entity_keys(self, type_name: str, graph: str) -> list[Key]:
        """Keys by which `graph` can be asked for an entity of this type."""
        info = self.types.get(type_name)
        return [k for k in info.keys if k.graph == graph and k.resolvable] if info else []

    def possible_types(self, type_name: str) -> frozenset[str]:
        """The concrete types an abstract type may be in any subgraph, @inaccessible ones included
        (itself for an object type). Planning needs them all; what clients see is `api_possible`."""
        found = self._possible.get(type_name)
        if found is None:
            info = self.types.get(type_name)
            if info is None or not info.abstract:
                found = frozenset([type_name])
            elif info.kind == "union":
                found = frozenset().union(*info.members.values())
            else:
                found = frozenset(
                    name
                    for name, other in self.types.items()
                    if other.kind == "object" and any(type_name in i for i in other.implements.values())
                )
            self._possible[type_name] = found
        return found

    def api_possible(self, type_name: str) -> frozenset[str]:
        """The concrete types of the API schema an abstract type may be."""
        found = self._api_possible.get(type_name)
        if found is None:
            schema_type = self.api_schema.get_type(type_name)
            if schema_type is None:
                found = frozenset()
            elif not self.types[type_name].abstract:
                found = frozenset([type_name])
            else:
                found = frozenset(t.name for t in self.api_schema.get_possible_types(schema_type))  # type: ignore[arg-type]
            self._api_possible[type_name] = found
        return found

    def possible_types_in(self, graph: str, type_name: str) -> list[str]:
        """The concrete types `graph` can return where it returns `type_name`."""
        info = self.types[type_name]
        if info.kind == "object":
            return [type_name]
        if info.kind == "union":
            return sorted(info.members.get(graph, ()))
        return sorted(
            name
            for name, other in self.types.items()
            if other.kind == "object" and type_name in other.implements.get(graph, ())
        )

    def is_interface_object(self, graph: str, type_name: str) -> bool:
        info = self.types.get(type_name)
        return info is not None and graph in info.interface_object_in

    def applies(self, condition: str | None, type_name: str) -> bool:
        """Whether a fragment on `condition` applies to an object of concrete type `type_name`."""
        return condition is None or condition == type_name or type_name in self.possible_types(condition)


def parse_field_set(fields: str) -> SelectionSetNode:
    """A FieldSet (`"id organization { id }"`) as a selection set."""
    operation = parse("{" + fields + "}", no_location=True).definitions[0]
    return operation.selection_set  # type: ignore[attr-defined]


def _named(type_node: TypeNode) -> tuple[str, int]:
    list_depth = 0
    while not isinstance(type_node, NamedTypeNode):
        if isinstance(type_node, ListTypeNode):
            list_depth += 1
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value, list_depth


def _directives(node: Node, name: str) -> list[DirectiveNode]:
    return [d for d in getattr(node, "directives", None) or () if d.name.value == name]


def _directive_args(directive: DirectiveNode) -> dict:
    args: dict = {}
    for argument in directive.arguments or ():
        value = argument.value
        if isinstance(value, StringValueNode | EnumValueNode | BooleanValueNode):
            args[argument.name.value] = value.value
    return args


# -- the API schema


def _inaccessible_name(document: DocumentNode) -> str:
    """The name `@inaccessible` goes by in this supergraph (a @link may rename it with `as:`)."""
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            for link in _directives(definition, "link"):
                args = _directive_args(link)
                if "/inaccessible/" in args.get("url", ""):
                    return args.get("as", "inaccessible")
    return "inaccessible"


def _spec_directive_names(document: DocumentNode) -> set[str]:
    """Directives that belong to the supergraph's machinery, not to the API (link, join, tag, ...)."""
    names = {"link", "inaccessible", "tag", "authenticated", "requiresScopes", "policy", "cost", "listSize"}
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            for link in _directives(definition, "link"):
                args = _directive_args(link)
                url = args.get("url", "")
                spec = url.rstrip("/").split("/")[-2] if url.count("/") >= 2 else ""
                if args.get("as"):
                    names.add(args["as"])
                elif spec:
                    names.add(spec)
    return names


def api_document(document: DocumentNode) -> DocumentNode:
    """The supergraph minus join/link types and directives and minus everything `@inaccessible`."""
    hidden = _inaccessible_name(document)
    machinery = _spec_directive_names(document)

    def visible(node: Node) -> bool:
        return not _directives(node, hidden)

    def clean_directives(node: Node) -> tuple[DirectiveNode, ...]:
        return tuple(
            d
            for d in getattr(node, "directives", None) or ()
            if d.name.value not in machinery and not d.name.value.startswith(SPEC_DIRECTIVES)
        )

    hidden_types = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode)
        and (not visible(d) or d.name.value.startswith(SUPERGRAPH_TYPE_PREFIXES))
    }

    def shown(type_node: TypeNode) -> bool:
        return _named(type_node)[0] not in hidden_types

    definitions: list[Node] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            definitions.append(_copy(definition, directives=()))
            continue
        if isinstance(definition, DirectiveDefinitionNode):
            name = definition.name.value
            if name not in machinery and not name.startswith(SPEC_DIRECTIVES):
                definitions.append(definition)
            continue
        if isinstance(definition, EnumTypeExtensionNode) or not isinstance(definition, TypeDefinitionNode):
            continue
        if definition.name.value in hidden_types:
            continue
        changes: dict = {"directives": clean_directives(definition)}
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            changes["fields"] = tuple(
                _copy(
                    f,
                    directives=clean_directives(f),
                    arguments=tuple(
                        _copy(a, directives=clean_directives(a))
                        for a in f.arguments or ()
                        if visible(a) and shown(a.type)
                    ),
                )
                for f in definition.fields or ()
                if visible(f) and shown(f.type)
            )
            changes["interfaces"] = tuple(
                i for i in definition.interfaces or () if i.name.value not in hidden_types
            )
        elif isinstance(definition, InputObjectTypeDefinitionNode):
            changes["fields"] = tuple(
                _copy(f, directives=clean_directives(f))
                for f in definition.fields or ()
                if visible(f) and shown(f.type)
            )
        elif isinstance(definition, UnionTypeDefinitionNode):
            changes["types"] = tuple(t for t in definition.types or () if t.name.value not in hidden_types)
        elif isinstance(definition, EnumTypeDefinitionNode):
            changes["values"] = tuple(
                _copy(v, directives=clean_directives(v)) for v in definition.values or () if visible(v)
            )
        definitions.append(_copy(definition, **changes))
    return DocumentNode(definitions=tuple(definitions))


def _copy(node: Node, **changes: object) -> Node:
    return type(node)(**{**{key: getattr(node, key, None) for key in node.keys}, **changes})
