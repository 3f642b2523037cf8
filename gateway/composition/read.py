"""Stage 1, read: one subgraph's SDL into the model, with every directive resolved to its federation name.

A subgraph may call federation's directives anything: `@link(import:)` renames them, `federation__key` is
always there, and Federation 1 subgraphs (no @link to federation) use the plain names. The SDL must also be
valid GraphQL, which graphql-core checks once federation's own definitions are added to it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueDefinitionNode,
    GraphQLError,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    Node,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    build_ast_schema,
    parse,
    validate_schema,
)
from graphql.validation.validate import validate_sdl

from .issues import Issues
from .model import (
    ENUM,
    INPUT_OBJECT,
    INTERFACE,
    OBJECT,
    ROOT_DEFAULTS,
    SCALAR,
    UNION,
    Applied,
    Arg,
    Element,
    Field,
    Subgraph,
    SubgraphSource,
    Type,
)

FEDERATION_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")
FED1_DIRECTIVES = ("key", "external", "requires", "provides", "extends", "tag", "inaccessible")
# Definitions used only to let graphql-core check a subgraph; FieldSet-like arguments take any literal
# here, and the federation checks of later stages look at their values.
FED_DIRECTIVE_SIGNATURES = {
    "key": "(fields: qf__Any!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE",
    "requires": "(fields: qf__Any!) on FIELD_DEFINITION",
    "provides": "(fields: qf__Any!) on FIELD_DEFINITION",
    "external": "(reason: String) on OBJECT | FIELD_DEFINITION",
    "extends": " on OBJECT | INTERFACE",
    "shareable": " repeatable on OBJECT | FIELD_DEFINITION",
    "tag": "(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
    "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | "
    "SCHEMA",
    "inaccessible": " on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | "
    "ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
    "override": "(from: String!, label: String) on FIELD_DEFINITION",
    "composeDirective": "(name: String!) repeatable on SCHEMA",
    "interfaceObject": " on OBJECT",
    "authenticated": " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "requiresScopes": "(scopes: qf__Any!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "policy": "(policies: qf__Any!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "context": "(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "(field: qf__Any) on ARGUMENT_DEFINITION",
    "cost": "(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | "
    "OBJECT | SCALAR",
    "listSize": "(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
    "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
    "cacheTag": "(format: String!) repeatable on OBJECT | INTERFACE | FIELD_DEFINITION",
}
FED_TYPE_NAMES = ("FieldSet", "Scope", "Policy", "ContextFieldValue")
# Types a subgraph library adds for the federation protocol; they never reach the supergraph.
PROTOCOL_TYPES = {"_Any", "_Entity", "_Service", "_FieldSet", "link__Import", "link__Purpose"}
PROTOCOL_FIELDS = {"_entities", "_service"}

NODE_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: OBJECT, ObjectTypeExtensionNode: OBJECT,
    InterfaceTypeDefinitionNode: INTERFACE, InterfaceTypeExtensionNode: INTERFACE,
    UnionTypeDefinitionNode: UNION, UnionTypeExtensionNode: UNION,
    EnumTypeDefinitionNode: ENUM, EnumTypeExtensionNode: ENUM,
    InputObjectTypeDefinitionNode: INPUT_OBJECT, InputObjectTypeExtensionNode: INPUT_OBJECT,
    ScalarTypeDefinitionNode: SCALAR, ScalarTypeExtensionNode: SCALAR,
}  # fmt: skip
EXTENSION_TO_DEFINITION: dict[type, type] = {
    ObjectTypeExtensionNode: ObjectTypeDefinitionNode,
    InterfaceTypeExtensionNode: InterfaceTypeDefinitionNode,
    UnionTypeExtensionNode: UnionTypeDefinitionNode,
    EnumTypeExtensionNode: EnumTypeDefinitionNode,
    InputObjectTypeExtensionNode: InputObjectTypeDefinitionNode,
    ScalarTypeExtensionNode: ScalarTypeDefinitionNode,
}


class SubgraphReader:
    """Turns one SDL into a Subgraph, resolving what each directive name means in it."""

    def __init__(self, source: SubgraphSource, issues: Issues) -> None:
        self.source = source
        self.issues = issues
        self.prefix = f"[{source.name}] "
        self.local_names: dict[str, str] = {}  # local directive name -> federation name ("key")

    def read(self) -> Subgraph | None:
        try:
            document = parse(self.source.sdl)
        except GraphQLSyntaxError as error:
            self.issues.add("INVALID_GRAPHQL", f"{self.prefix}{error.message} (line {_line(error)})")
            return None
        version, self.local_names = self._federation_names(document)
        subgraph = Subgraph(self.source.name, self.source.url, version)
        if not self._valid_graphql(document, subgraph):
            return None
        self._build(document, subgraph)
        return subgraph

    def _federation_names(self, document: DocumentNode) -> tuple[tuple[int, int] | None, dict[str, str]]:
        """The federation version and a map from each local directive name to its federation name."""
        for definition in document.definitions:
            if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                continue
            for directive in definition.directives or ():
                url = _argument(directive, "url")
                match = FEDERATION_URL.match(url.value) if isinstance(url, StringValueNode) else None
                if directive.name.value != "link" or not match:
                    continue
                alias = _argument(directive, "as")
                prefix = alias.value if isinstance(alias, StringValueNode) else "federation"
                names = {f"{prefix}__{name}": name for name in FED_DIRECTIVE_SIGNATURES}
                for name, local in _imports(_argument(directive, "import")):
                    if name.startswith("@") and name[1:] in FED_DIRECTIVE_SIGNATURES:
                        names[local.removeprefix("@")] = name[1:]
                return (int(match.group(1)), int(match.group(2))), names
        return None, {name: name for name in FED1_DIRECTIVES}

    def _valid_graphql(self, document: DocumentNode, subgraph: Subgraph) -> bool:
        """Checks the SDL as GraphQL (known types and directives, interfaces implemented, ...)."""
        definitions = []
        defined = {
            d.name.value
            for d in document.definitions
            if not isinstance(d, SchemaDefinitionNode | SchemaExtensionNode)
        }
        based = _base_definitions(document)
        own = set(self.local_names) | {"link"}
        for definition in document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                continue
            name = definition.name.value
            if isinstance(definition, DirectiveDefinitionNode) and name in own:
                continue  # federation's own definitions, replaced by ours below
            if name in ("link__Import", "link__Purpose") or _is_federation_type(name, subgraph.version):
                continue
            extension = EXTENSION_TO_DEFINITION.get(type(definition))
            if extension is not None and name not in based:
                # Federation allows extending a type defined in another subgraph; validate it as a definition.
                definition = extension(**{key: getattr(definition, key, None) for key in extension.keys})
                based.add(name)
            definitions.append(definition)
        # Only the federation directives the text mentions: validating unused definitions costs time.
        mentioned = set(re.findall(r"@(\w+)", self.source.sdl))
        directives = tuple(sorted((k, v) for k, v in self.local_names.items() if k in mentioned))
        present = tuple(name in defined for name in ("_Any", "_Entity", "_Service", "Query"))
        extra = _validation_definitions(directives, present)
        checked = DocumentNode(definitions=(*definitions, *extra))
        errors: list[GraphQLError] = validate_sdl(checked)
        if not errors:
            errors = list(validate_schema(build_ast_schema(checked, assume_valid_sdl=True)))
        for error in errors:
            self.issues.add("INVALID_GRAPHQL", f"{self.prefix}{self._explain(error.message)}")
        return not errors

    def _explain(self, message: str) -> str:
        match = re.match(r"""Unknown directive ["'](@\w+)["']\.""", message)
        if match is None:
            return message
        name = match.group(1)[1:]
        message = f'Unknown directive "@{name}".'
        if name in FED_DIRECTIVE_SIGNATURES:
            message += (
                f' If you meant the "@{name}" federation directive, you should use fully-qualified name '
                f'"@federation__{name}" or add "@{name}" to the `import` argument of the @link to the '
                "federation specification."
            )
        return message

    def _build(self, document: DocumentNode, subgraph: Subgraph) -> None:
        blocks: dict[str, int] = {}
        for definition in document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                for operation in definition.operation_types or ():
                    subgraph.roots[operation.operation.value] = operation.type.name.value
                continue
            if isinstance(definition, DirectiveDefinitionNode):
                if definition.name.value not in self.local_names and definition.name.value != "link":
                    subgraph.directive_definitions[definition.name.value] = definition
                continue
            name = definition.name.value
            if name in PROTOCOL_TYPES or _is_federation_type(name, subgraph.version):
                continue
            kind = NODE_KINDS[type(definition)]
            is_extension = type(definition) in EXTENSION_TO_DEFINITION
            block = blocks.get(name, 0) + 1 if is_extension else 0
            if is_extension:
                blocks[name] = block
            type_ = subgraph.types.setdefault(name, Type(name, kind=kind))
            self._add_block(type_, definition, block)
        for operation, default in ROOT_DEFAULTS.items():
            if operation not in subgraph.roots and default in subgraph.types:
                subgraph.roots[operation] = default
        for operation, name in list(subgraph.roots.items()):
            if name != ROOT_DEFAULTS[operation] and name in subgraph.types:
                _rename_type(subgraph, name, ROOT_DEFAULTS[operation], self.issues)
                subgraph.roots[operation] = ROOT_DEFAULTS[operation]
        # Every subgraph answers `_entities`/`_service` on Query, so each has a Query, if an empty one.
        subgraph.types.setdefault("Query", Type("Query", kind=OBJECT, has_definition=True))
        subgraph.roots["query"] = "Query"
        query = subgraph.types["Query"]
        for name in PROTOCOL_FIELDS:
            query.fields.pop(name, None)

    def _add_block(self, type_: Type, node: object, block: int) -> None:
        if block == 0:
            type_.has_definition = True
            description = getattr(node, "description", None)
            type_.description = description.value if description else type_.description
        else:
            type_.has_extension = True
        type_.directives += self._applied(getattr(node, "directives", None), block)
        type_.interfaces += [i.name.value for i in getattr(node, "interfaces", None) or ()]
        type_.members += [m.name.value for m in getattr(node, "types", None) or ()]
        for value in getattr(node, "values", None) or ():
            assert isinstance(value, EnumValueDefinitionNode)
            type_.values[value.name.value] = Element(
                value.name.value, _description(value), self._applied(value.directives, block)
            )
        for node_field in getattr(node, "fields", None) or ():
            is_input = isinstance(node_field, InputValueDefinitionNode)
            type_.fields[node_field.name.value] = Field(
                node_field.name.value,
                _description(node_field),
                self._applied(node_field.directives, block),
                type=node_field.type,
                args={}
                if is_input
                else {a.name.value: self._arg(a, block) for a in node_field.arguments or ()},
                default=node_field.default_value if is_input else None,
                block=block,
                parent=type_.name,
            )

    def _arg(self, node: InputValueDefinitionNode, block: int) -> Arg:
        return Arg(
            node.name.value,
            _description(node),
            self._applied(node.directives, block),
            type=node.type,
            default=node.default_value,
        )

    def _applied(self, nodes: Iterable[DirectiveNode] | None, block: int) -> list[Applied]:
        result = []
        for node in nodes or ():
            name = node.name.value
            args = {a.name.value: a.value for a in node.arguments or ()}
            if name in self.local_names:
                result.append(Applied(self.local_names[name], args, block, federation=True))
            else:
                result.append(Applied(name, args, block))
        return result


@functools.lru_cache(maxsize=64)
def _validation_definitions(
    directives: tuple[tuple[str, str], ...], present: tuple[bool, ...]
) -> tuple[Node, ...]:
    """What a subgraph's SDL may use without defining: federation's directives and protocol types."""
    has_any, has_entity, has_service, has_query = present
    extra = [
        "scalar qf__Any",
        "scalar link__Import",
        "enum link__Purpose { SECURITY EXECUTION }",
        "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable "
        "on SCHEMA",
    ]
    extra += [f"directive @{local}{FED_DIRECTIVE_SIGNATURES[name]}" for local, name in directives]
    # The protocol's types, for SDL that prints `_entities`/`_service` without them.
    extra += [f"scalar {name}" for name, has in (("_Any", has_any), ("_Entity", has_entity)) if not has]
    extra += [] if has_service else ["type _Service { sdl: String }"]
    # Subgraph libraries add _entities/_service to Query; a subgraph with only entities has an empty one.
    extra += [] if has_query else ["type Query { qf__service: String }"]
    return parse("\n".join(extra), no_location=True).definitions


def _line(error: GraphQLSyntaxError) -> str:
    return str(error.locations[0].line) if error.locations else "?"


def _description(node: object) -> str | None:
    description = getattr(node, "description", None)
    return description.value if description is not None else None


def _argument(directive: DirectiveNode, name: str) -> ValueNode | None:
    return next((a.value for a in directive.arguments or () if a.name.value == name), None)


def _imports(value: ValueNode | None) -> Iterator[tuple[str, str]]:
    """(name, local name) for each entry of a @link's `import:` list."""
    if not isinstance(value, ListValueNode):
        return
    for item in value.values:
        if isinstance(item, StringValueNode):
            yield item.value, item.value
        elif isinstance(item, ObjectValueNode):
            entries = {f.name.value: f.value for f in item.fields}
            name, alias = entries.get("name"), entries.get("as")
            if isinstance(name, StringValueNode):
                yield name.value, alias.value if isinstance(alias, StringValueNode) else name.value


def _is_federation_type(name: str, version: tuple[int, int] | None) -> bool:
    if version is None:
        return name == "_FieldSet"
    return name in FED_TYPE_NAMES or name.startswith("federation__") or name.startswith("link__")


def _base_definitions(document: DocumentNode) -> set[str]:
    return {
        d.name.value
        for d in document.definitions
        if type(d) in NODE_KINDS and type(d) not in EXTENSION_TO_DEFINITION
    }


def _rename_type(subgraph: Subgraph, old: str, new: str, issues: Issues) -> None:
    """A root type with another name (`schema { query: RootQuery }`) takes the default name, as in Apollo."""
    if new in subgraph.types:
        issues.add(
            f"ROOT_{new.upper()}_USED",
            f'[{subgraph.name}] The schema has a type named "{new}" but it is not set as the root type ("'
            f'{old}" is instead): this is not supported by federation. Rename one of them.',
        )
        return
    type_ = subgraph.types.pop(old)
    type_.name = new
    subgraph.types[new] = type_
    for owner in subgraph.types.values():
        for owned in owner.fields.values():
            owned.parent = owner.name
            owned.type = _replace_named(owned.type, old, new)
            for arg in owned.args.values():
                arg.type = _replace_named(arg.type, old, new)
        owner.members = [new if m == old else m for m in owner.members]


def _replace_named(node: TypeNode, old: str, new: str) -> TypeNode:
    if isinstance(node, NonNullTypeNode):
        return NonNullTypeNode(type=_replace_named(node.type, old, new))
    if isinstance(node, ListTypeNode):
        return ListTypeNode(type=_replace_named(node.type, old, new))
    return NamedTypeNode(name=NameNode(value=new)) if node.name.value == old else node
