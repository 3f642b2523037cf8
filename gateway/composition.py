"""Composition: Federation subgraph SDLs into one supergraph SDL in Apollo's join format.

The gateway (and Apollo's router and gateway) read the result; it follows @apollo/composition's rules
and error codes, and the tests compare both on the same inputs. In stages, each reporting every problem
it finds before the next runs (a later stage assumes the earlier ones passed, as Apollo's do):

1. read: parse each SDL, resolve federation directive names (`@link` imports, `federation__` names,
   Federation 1's plain names) and check the subgraph is valid GraphQL;
2. upgrade Federation 1 subgraphs as Apollo does (type extensions become definitions, fields several
   subgraphs resolve become @shareable, unused @external fields go);
3. validate each subgraph's federation directives (@key, @requires, @provides, @external, ...);
4. merge types by name into the supergraph, checking sharing, override and type compatibility;
5. check that every query path can be planned (a conservative form of Apollo's satisfiability check).

Not done (Apollo does them): the full satisfiability check, @composeDirective, @context/@fromContext;
@authenticated, @requiresScopes, @policy, @cost and @listSize are accepted but not carried into the
supergraph.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueDefinitionNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
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
    SelectionSetNode,
    StringValueNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    build_ast_schema,
    parse,
    print_ast,
    validate_schema,
)
from graphql.validation.validate import validate_sdl

__all__ = ["CompositionError", "CompositionIssue", "SubgraphSource", "compose"]


@dataclass(frozen=True)
class SubgraphSource:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionIssue:
    code: str  # Apollo's error code, e.g. INVALID_FIELD_SHARING
    message: str


class CompositionError(Exception):
    def __init__(self, issues: list[CompositionIssue]) -> None:
        self.issues = issues
        super().__init__(self.__str__())

    def __str__(self) -> str:
        lines = [f"composition failed with {len(self.issues)} error(s):"]
        lines += [f"- {issue.code}: {issue.message}" for issue in self.issues]
        return "\n".join(lines)


# --- federation vocabulary ---------------------------------------------------------------------------

FEDERATION_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")
ROOT_DEFAULTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
FED1_DIRECTIVES = ("key", "external", "requires", "provides", "extends", "tag", "inaccessible")
# Definitions used only to let graphql-core check a subgraph; FieldSet-like arguments take any literal
# here, and the federation checks below look at their values.
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
EXECUTABLE_LOCATIONS = {
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
}  # fmt: skip

OBJECT, INTERFACE, UNION, ENUM, INPUT_OBJECT, SCALAR = (
    "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "SCALAR",
)  # fmt: skip
KIND_NAMES = {
    OBJECT: "Object Type", INTERFACE: "Interface Type", UNION: "Union Type", ENUM: "Enum Type",
    INPUT_OBJECT: "Input Object Type", SCALAR: "Scalar Type",
}  # fmt: skip
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


class _Issues:
    """Collects problems; `check()` raises them all at the end of a stage."""

    def __init__(self) -> None:
        self.items: list[CompositionIssue] = []

    def add(self, code: str, message: str) -> None:
        issue = CompositionIssue(code, message)
        if issue not in self.items:
            self.items.append(issue)

    def check(self) -> None:
        if self.items:
            raise CompositionError(list(self.items))


# --- the model of one subgraph ---------------------------------------------------------------------------


@dataclass
class Applied:
    """A directive application. `name` is the federation name ("key") for federation directives."""

    name: str
    args: dict[str, ValueNode]
    block: int = 0  # 0: in the type's definition, n: in its n-th extension
    federation: bool = False

    def string(self, arg: str) -> str | None:
        value = self.args.get(arg)
        return value.value if isinstance(value, StringValueNode) else None

    def boolean(self, arg: str, default: bool) -> bool:
        value = self.args.get(arg)
        return value.value if isinstance(value, BooleanValueNode) else default


@dataclass
class Element:
    name: str
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)

    def applied(self, name: str) -> list[Applied]:
        return [d for d in self.directives if d.federation and d.name == name]

    def has(self, name: str) -> bool:
        return any(d.federation and d.name == name for d in self.directives)


@dataclass
class Arg(Element):
    type: TypeNode = None  # type: ignore[assignment]
    default: ValueNode | None = None


@dataclass
class Field(Element):
    type: TypeNode = None  # type: ignore[assignment]
    args: dict[str, Arg] = field(default_factory=dict)
    default: ValueNode | None = None  # input fields only
    block: int = 0
    parent: str = ""

    @property
    def coordinate(self) -> str:
        return f"{self.parent}.{self.name}"


@dataclass
class Type(Element):
    kind: str = OBJECT
    fields: dict[str, Field] = field(default_factory=dict)  # object, interface and input fields
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, Element] = field(default_factory=dict)
    has_definition: bool = False
    has_extension: bool = False


@dataclass
class Subgraph:
    name: str
    url: str
    version: tuple[int, int] | None  # the linked federation version; None for Federation 1
    types: dict[str, Type] = field(default_factory=dict)
    roots: dict[str, str] = field(default_factory=dict)
    directive_definitions: dict[str, DirectiveDefinitionNode] = field(default_factory=dict)

    @property
    def is_fed2(self) -> bool:
        return self.version is not None

    def lookup(self, type_name: str, field_name: str) -> Field | None:
        owner = self.types.get(type_name)
        return owner.fields.get(field_name) if owner else None

    def implementations(self, interface: str) -> list[Type]:
        return [t for t in self.types.values() if t.kind == OBJECT and interface in t.interfaces]

    def is_interface_object(self, type_: Type) -> bool:
        return type_.kind == OBJECT and type_.has("interfaceObject")


def _printed(node: TypeNode | ValueNode) -> str:
    return print_ast(node)


def _base_name(node: TypeNode) -> str:
    while not isinstance(node, NamedTypeNode):
        node = node.type
    return node.name.value


def _named(name: str) -> NamedTypeNode:
    return NamedTypeNode(name=NameNode(value=name))


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _subgraph_names(names: Iterable[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return f"subgraphs {', '.join(quoted[:-1])} and {quoted[-1]}"


# --- stage 1: read --------------------------------------------------------------------------------------


class _Reader:
    """Turns one SDL into a Subgraph, resolving what each directive name means in it."""

    def __init__(self, source: SubgraphSource, issues: _Issues) -> None:
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


def _rename_type(subgraph: Subgraph, old: str, new: str, issues: _Issues) -> None:
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
    return _named(new) if node.name.value == old else node


# --- field sets (@key, @requires, @provides) ----------------------------------------------------------------


def _parse_field_set(text: str) -> SelectionSetNode:
    document = parse("{" + text + "}", no_location=True)
    if len(document.definitions) != 1:
        raise GraphQLError(f'Invalid field set "{text}"')
    return document.definitions[0].selection_set  # type: ignore[attr-defined]


def _is_composite(subgraph: Subgraph, type_name: str) -> bool:
    type_ = subgraph.types.get(type_name)
    return type_ is not None and type_.kind in (OBJECT, INTERFACE, UNION)


def _possible_types(subgraph: Subgraph, type_name: str) -> set[str]:
    type_ = subgraph.types.get(type_name)
    if type_ is None:
        return set()
    if type_.kind == INTERFACE:
        return {t.name for t in subgraph.implementations(type_name)}
    if type_.kind == UNION:
        return set(type_.members)
    return {type_name}


def _targets(
    subgraph: Subgraph, parent: str, fields: str | None, implementations: bool = True
) -> list[Field]:
    """The fields a field set selects (leniently: what does not parse or exist is skipped)."""
    try:
        selection = _parse_field_set(fields or "")
    except GraphQLError:
        return []
    found: list[Field] = []

    def walk(type_name: str, selection_set: SelectionSetNode) -> None:
        owner = subgraph.types.get(type_name)
        for node in selection_set.selections:
            if isinstance(node, InlineFragmentNode):
                walk(node.type_condition.name.value if node.type_condition else type_name, node.selection_set)
            elif isinstance(node, FieldNode) and owner is not None and node.name.value in owner.fields:
                selected = owner.fields[node.name.value]
                found.append(selected)
                if implementations and owner.kind == INTERFACE:
                    found.extend(
                        impl.fields[selected.name]
                        for impl in subgraph.implementations(owner.name)
                        if selected.name in impl.fields
                    )
                if node.selection_set:
                    walk(_base_name(selected.type), node.selection_set)

    walk(parent, selection)
    return found


def _print_selection(selection_set: SelectionSetNode) -> str:
    """`a b { c }`: a field set printed the compact way Apollo prints them."""
    parts = []
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            text = node.name.value
            if node.arguments:
                text += "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in node.arguments) + ")"
        else:
            assert isinstance(node, InlineFragmentNode)
            text = f"... on {node.type_condition.name.value}" if node.type_condition else "..."
        if node.selection_set:
            text += " { " + _print_selection(node.selection_set) + " }"
        parts.append(text)
    return " ".join(parts)


class _Facts:
    """What federation directives imply in one subgraph: Apollo's FederationMetadata."""

    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        composite = [t for t in subgraph.types.values() if t.kind in (OBJECT, INTERFACE)]
        # A key field marked @external on a type extension is not really external (Federation 1 habit).
        self.fake_external: set[str] = set()
        for type_ in composite:
            for key in type_.applied("key"):
                if key.block > 0 or type_.has("extends"):
                    self.fake_external |= {
                        f.coordinate
                        for f in _targets(subgraph, type_.name, key.string("fields"), implementations=False)
                        if f.has("external")
                    }
        self.external: set[str] = set()
        for type_ in composite:
            on_type = subgraph.is_fed2 and type_.kind == OBJECT and type_.has("external")
            for owned in type_.fields.values():
                if (owned.has("external") or on_type) and owned.coordinate not in self.fake_external:
                    self.external.add(owned.coordinate)
        self.provided: set[str] = set()
        self.shareable: set[str] = set()
        self.used: set[str] = set()
        for type_ in composite:
            for key in type_.applied("key"):
                targets = {f.coordinate for f in _targets(subgraph, type_.name, key.string("fields"))}
                self.shareable |= targets
                self.used |= targets
            shareable_blocks = {d.block for d in type_.applied("shareable")} if subgraph.is_fed2 else set()
            for owned in type_.fields.values():
                if type_.kind == OBJECT and (
                    (subgraph.is_fed2 and owned.has("shareable")) or owned.block in shareable_blocks
                ):
                    self.shareable.add(owned.coordinate)
                for requires in owned.applied("requires"):
                    self.used |= {
                        f.coordinate for f in _targets(subgraph, type_.name, requires.string("fields"))
                    }
                base = _base_name(owned.type)
                for provides in owned.applied("provides"):
                    if _is_composite(subgraph, base):
                        targets = {f.coordinate for f in _targets(subgraph, base, provides.string("fields"))}
                        self.provided |= targets
                        self.used |= targets
                        if type_.kind == OBJECT:
                            self.shareable |= targets & self.external
            if type_.kind == INTERFACE:
                for impl in subgraph.implementations(type_.name):
                    self.used |= {
                        impl.fields[name].coordinate for name in type_.fields if name in impl.fields
                    }

    def is_external(self, owned: Field) -> bool:
        return owned.coordinate in self.external

    def is_fully_external(self, owned: Field) -> bool:
        return owned.coordinate in self.external and owned.coordinate not in self.provided

    def is_partially_external(self, owned: Field) -> bool:
        return owned.coordinate in self.external and owned.coordinate in self.provided

    def is_shareable(self, owned: Field) -> bool:
        return owned.coordinate in self.shareable

    def is_used(self, owned: Field) -> bool:
        return owned.coordinate in self.used


class _FieldSetProblem(Exception):
    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _FieldSetChecker:
    """Validates one @key/@requires/@provides application the way Apollo's validateFieldSet does."""

    def __init__(self, subgraph: Subgraph, facts: _Facts, issues: _Issues) -> None:
        self.subgraph = subgraph
        self.facts = facts
        self.issues = issues

    def check(
        self,
        directive: Applied,
        parent: str,
        target: str,
        *,
        allow_unexternal_leaves: bool = False,
        allow_arguments: bool = False,
        on_field: Callable[[Field], None] | None = None,
    ) -> None:
        name = directive.name
        code = name.upper()
        value = directive.args.get("fields")
        printed = f"@{name}(fields: {print_ast(value) if value is not None else ''})"
        prefix = f"[{self.subgraph.name}] On {target}, for {printed}: "
        if not isinstance(value, StringValueNode):
            self.issues.add(
                f"{code}_INVALID_FIELDS_TYPE",
                f'{prefix}Invalid value for argument "fields": must be a string.',
            )
            return
        try:
            selection = _parse_field_set(value.value)
            self._walk(name, parent, selection, on_field)
        except GraphQLError as error:
            self.issues.add(f"{code}_INVALID_FIELDS", prefix + error.message)
            return
        except _FieldSetProblem as problem:
            self.issues.add(problem.code or f"{code}_INVALID_FIELDS", prefix + problem.message)
            return
        for problem_code, message in self._externals(name, parent, selection, False, allow_unexternal_leaves,
                                                     allow_arguments):  # fmt: skip
            self.issues.add(problem_code, prefix + message)

    def _walk(
        self,
        directive: str,
        type_name: str,
        selection_set: SelectionSetNode,
        on_field: Callable[[Field], None] | None,
    ) -> None:
        owner = self.subgraph.types.get(type_name)
        for node in selection_set.selections:
            if node.directives:
                found = ", ".join(print_ast(d) for d in node.directives)
                raise _FieldSetProblem(
                    f"{directive.upper()}_DIRECTIVE_IN_FIELDS_ARG",
                    f"cannot have directive applications in the @{directive}(fields:) argument but found "
                    f"{found}.",
                )
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else type_name
                if not _is_composite(self.subgraph, condition):
                    raise _FieldSetProblem(None, f'Unknown type "{condition}" in the inline fragment.')
                if condition != type_name and not (
                    _possible_types(self.subgraph, condition) & _possible_types(self.subgraph, type_name)
                ):
                    raise _FieldSetProblem(
                        None,
                        f'Fragment cannot be spread here as objects of type "{type_name}" can never be of '
                        f'type "{condition}".',
                    )
                self._walk(directive, condition, node.selection_set, on_field)
                continue
            if not isinstance(node, FieldNode):
                raise _FieldSetProblem(None, "named fragments are not supported in a field set.")
            if node.alias:
                raise _FieldSetProblem(
                    None,
                    f'Cannot use alias "{node.alias.value}" in "{node.alias.value}: {node.name.value}": '
                    f"aliases are not currently supported in @{directive}",
                )
            if node.name.value == "__typename":
                continue
            selected = (
                owner.fields.get(node.name.value) if owner and owner.kind in (OBJECT, INTERFACE) else None
            )
            if selected is None:
                hint = (
                    "the field should either be added to this subgraph or, if it should not be resolved by "
                    "this subgraph, you need to add it to this subgraph with @external"
                    if directive == "key"
                    else "if the field is defined in another subgraph, you need to add it to this subgraph "
                    "with @external"
                )
                raise _FieldSetProblem(
                    None, f'Cannot query field "{node.name.value}" on type "{type_name}" ({hint}).'
                )
            if on_field is not None:
                on_field(selected)
            given = {a.name.value for a in node.arguments or ()}
            for unknown in sorted(given - set(selected.args)):
                raise _FieldSetProblem(
                    None,
                    f'Unknown argument "{unknown}" found in value: "{selected.coordinate}" has no argument '
                    f'"{unknown}".',
                )
            for arg in selected.args.values():
                if isinstance(arg.type, NonNullTypeNode) and arg.default is None and arg.name not in given:
                    raise _FieldSetProblem(
                        None,
                        f'Missing mandatory value for argument "{arg.name}" of field "{selected.coordinate}'
                        '".',
                    )
            base = _base_name(selected.type)
            composite = _is_composite(self.subgraph, base)
            if composite and not node.selection_set:
                raise _FieldSetProblem(
                    None,
                    f'Field "{selected.coordinate}" of type "{_printed(selected.type)}" must have a '
                    "selection of subfields.",
                )
            if not composite and node.selection_set:
                raise _FieldSetProblem(
                    None,
                    f'Field "{selected.coordinate}" must not have a selection since type "'
                    f'{_printed(selected.type)}" has no subfields.',
                )
            if node.selection_set:
                self._walk(directive, base, node.selection_set, on_field)

    def _externals(
        self,
        directive: str,
        type_name: str,
        selection_set: SelectionSetNode,
        external_parent: bool,
        allow_unexternal_leaves: bool,
        allow_arguments: bool,
    ) -> Iterator[tuple[str, str]]:
        owner = self.subgraph.types[type_name]
        for node in selection_set.selections:
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else type_name
                yield from self._externals(
                    directive,
                    condition,
                    node.selection_set,
                    external_parent,
                    allow_unexternal_leaves,
                    allow_arguments,
                )
                continue
            assert isinstance(node, FieldNode)
            if node.name.value == "__typename":
                continue
            selected = owner.fields[node.name.value]
            external = self.facts.is_external(selected)
            if not allow_arguments and selected.args:
                yield (
                    f"{directive.upper()}_FIELDS_HAS_ARGS",
                    f"field {selected.coordinate} cannot be included because it has arguments (fields with "
                    f"argument are not allowed in @{directive})",
                )
            if (
                not external
                and not node.selection_set
                and not allow_unexternal_leaves
                and not external_parent
            ):
                fake = selected.coordinate in self.facts.fake_external
                yield (
                    f"{directive.upper()}_FIELDS_MISSING_EXTERNAL",
                    f'field "{selected.coordinate}" should not be part of a @{directive} since it is already '
                    + (
                        '"effectively" provided by this subgraph (while it is marked @external, it is a '
                        "@key field of an extension type, which are not internally considered external for "
                        "historical/backward compatibility reasons)"
                        if fake
                        else "provided by this subgraph (it is not marked @external): mark it @external, "
                        f"or remove it from the @{directive}"
                    ),
                )
            if node.selection_set:
                nested_external = (
                    external_parent
                    or external
                    or (
                        owner.kind == INTERFACE
                        and any(
                            selected.name in impl.fields
                            and self.facts.is_external(impl.fields[selected.name])
                            for impl in self.subgraph.implementations(owner.name)
                        )
                    )
                )
                yield from self._externals(
                    directive, _base_name(selected.type), node.selection_set, nested_external,
                    allow_unexternal_leaves, allow_arguments,
                )  # fmt: skip


# --- stage 2: Federation 1 subgraphs, upgraded as Apollo does ------------------------------------------


def _is_type_extension(type_: Type) -> bool:
    extends = type_.has("extends")
    return (
        (type_.has_extension or extends)
        and type_.kind in (OBJECT, INTERFACE)
        and (extends or not type_.has_definition)
    )


def _upgrade(originals: list[Subgraph], issues: _Issues) -> list[Subgraph]:
    facts = {s.name: _Facts(s) for s in originals}
    upgraded = []
    for original in originals:
        if original.is_fed2:
            upgraded.append(original)
            continue
        subgraph = copy.deepcopy(original)
        others = [s for s in originals if s.name != original.name]
        _upgrade_one(subgraph, original, others, facts, issues)
        subgraph.version = (2, 0)  # what Apollo links an upgraded subgraph to
        upgraded.append(subgraph)
    return upgraded


def _upgrade_one(
    subgraph: Subgraph, original: Subgraph, others: list[Subgraph], facts: dict[str, _Facts], issues: _Issues
) -> None:
    roots = set(subgraph.roots.values())
    for type_ in subgraph.types.values():
        if type_.name in roots or not _is_type_extension(type_):
            continue
        if not any(o.types.get(type_.name) and o.types[type_.name].has_definition for o in others):
            issues.add(
                "EXTENSION_WITH_NO_BASE",
                f'[{subgraph.name}] Type "{type_.name}" is an extension type, but there is no type '
                f'definition for "{type_.name}" in any subgraph: define it (without `extend`) in the '
                "subgraph that owns it.",
            )

    def drop(element: Element, name: str) -> None:
        element.directives = [d for d in element.directives if not (d.federation and d.name == name)]

    for type_ in subgraph.types.values():
        if type_.kind == INTERFACE:
            for owned in type_.fields.values():
                drop(owned, "external")
        if type_.kind == OBJECT:
            drop(type_, "external")
    # Key fields of extensions are "@external" only out of habit: they are resolvable where declared.
    for type_ in subgraph.types.values():
        if type_.kind not in (OBJECT, INTERFACE) or not (_is_type_extension(type_) or type_.name in roots):
            continue
        keys = type_.applied("key")
        if keys:
            for key in keys:
                for owned in _targets(subgraph, type_.name, key.string("fields"), implementations=False):
                    if owned.parent == type_.name:
                        drop(owned, "external")
        else:
            for other in others:
                other_type = other.types.get(type_.name)
                other_keys = other_type.applied("key") if other_type else []
                if other_keys:
                    for owned in _targets(
                        other, type_.name, other_keys[0].string("fields"), implementations=False
                    ):
                        if owned.parent == type_.name and owned.name in type_.fields:
                            drop(type_.fields[owned.name], "external")
    _drop_inactive_field_sets(subgraph)
    for type_ in subgraph.types.values():
        if _is_type_extension(type_) or type_.name in roots:
            type_.has_definition, type_.has_extension = True, False
            for element in [type_, *type_.fields.values()]:
                for directive in element.directives:
                    directive.block = 0
            for owned in type_.fields.values():
                owned.block = 0
        if type_.kind == INTERFACE:
            drop(type_, "key")
            for owned in type_.fields.values():
                drop(owned, "provides")
                drop(owned, "requires")
        if type_.kind == OBJECT:
            for owned in type_.fields.values():
                if not _is_composite(subgraph, _base_name(owned.type)):
                    drop(owned, "provides")
    current = _Facts(subgraph)
    for type_ in list(subgraph.types.values()):
        if type_.kind not in (OBJECT, INTERFACE):
            continue
        for owned in list(type_.fields.values()):
            if current.is_external(owned) and not current.is_used(owned):
                del type_.fields[owned.name]
        if not type_.fields and type_.name != "Query":
            if _is_referenced(subgraph, type_.name):
                issues.add(
                    "TYPE_WITH_ONLY_UNUSED_EXTERNAL",
                    f"[{subgraph.name}] Type {type_.name} contains only external fields and all those "
                    "fields are all unused (they do not appear in any @key, @provides or @requires).",
                )
            else:
                del subgraph.types[type_.name]
    # What several subgraphs resolve was implicitly shared in Federation 1; Federation 2 says so explicitly.
    original_facts = facts[original.name]
    for type_ in subgraph.types.values():
        if type_.kind != OBJECT or type_.name == subgraph.roots.get("subscription"):
            continue
        if type_.has("key") or type_.name in roots:
            for owned in type_.fields.values():
                original_field = original.lookup(type_.name, owned.name)
                if original_field is not None and original_facts.is_shareable(original_field):
                    continue
                elsewhere = [
                    other
                    for other in others
                    if (theirs := other.lookup(type_.name, owned.name)) is not None
                    and (
                        not facts[other.name].is_external(theirs)
                        or facts[other.name].is_partially_external(theirs)
                    )
                ]
                if elsewhere and not owned.has("shareable"):
                    owned.directives.append(Applied("shareable", {}, owned.block, federation=True))
        elif any(
            type_.name in other.types and other.types[type_.name].kind in (OBJECT, INTERFACE)
            for other in others
        ) and not type_.has("shareable"):
            type_.directives.append(Applied("shareable", {}, 0, federation=True))


def _drop_inactive_field_sets(subgraph: Subgraph) -> None:
    """Federation 1 ignored @requires/@provides selections of fields that are not external; so does Apollo."""

    def is_external(owner: Type, name: str) -> bool:
        owned = owner.fields.get(name)
        if owned is not None and owned.has("external"):
            return True
        return owner.kind == INTERFACE and any(
            name in impl.fields and impl.fields[name].has("external")
            for impl in subgraph.implementations(owner.name)
        )

    def keep(type_name: str, selection_set: SelectionSetNode) -> SelectionSetNode | None:
        owner = subgraph.types.get(type_name)
        kept = []
        for node in selection_set.selections:
            if isinstance(node, FieldNode) and owner is not None and is_external(owner, node.name.value):
                kept.append(node)
                continue
            if node.selection_set is None:
                continue
            if isinstance(node, FieldNode):
                owned = owner.fields.get(node.name.value) if owner else None
                inner = keep(_base_name(owned.type), node.selection_set) if owned else None
            else:
                condition = node.type_condition.name.value if node.type_condition else type_name
                inner = keep(condition, node.selection_set)
            if inner is not None:
                kept.append(copy.copy(node))
                kept[-1].selection_set = inner
        return SelectionSetNode(selections=tuple(kept)) if kept else None

    for type_ in subgraph.types.values():
        if type_.kind not in (OBJECT, INTERFACE):
            continue
        for owned in type_.fields.values():
            rewritten = []
            for directive in owned.directives:
                parent = type_.name if directive.name == "requires" else _base_name(owned.type)
                text = directive.string("fields")
                if not directive.federation or directive.name not in ("requires", "provides") or text is None:
                    rewritten.append(directive)
                    continue
                try:
                    selection = _parse_field_set(text)
                except GraphQLError:
                    rewritten.append(directive)
                    continue
                kept = keep(parent, selection)
                if kept is not None:
                    printed = _print_selection(kept)
                    fields_value = (
                        StringValueNode(value=printed) if printed != _print_selection(selection) else None
                    )
                    if fields_value is not None:
                        directive = Applied(directive.name, {"fields": fields_value}, directive.block, True)
                    rewritten.append(directive)
            owned.directives = rewritten


def _is_referenced(subgraph: Subgraph, name: str) -> bool:
    for type_ in subgraph.types.values():
        if name in type_.members or name in type_.interfaces:
            return True
        for owned in type_.fields.values():
            if _base_name(owned.type) == name or any(_base_name(a.type) == name for a in owned.args.values()):
                return True
    return False


# --- stage 3: each subgraph's federation directives ---------------------------------------------------------


def _validate(subgraph: Subgraph, issues: _Issues) -> None:
    facts = _Facts(subgraph)
    checker = _FieldSetChecker(subgraph, facts, issues)
    prefix = f"[{subgraph.name}] "

    def no_abstract_key_fields(selected: Field) -> None:
        base = subgraph.types.get(_base_name(selected.type))
        if base is not None and base.kind in (INTERFACE, UNION):
            kind = "Interface" if base.kind == INTERFACE else "Union"
            raise _FieldSetProblem(
                "KEY_FIELDS_SELECT_INVALID_TYPE",
                f'field "{selected.coordinate}" is a {kind} type which is not allowed in @key',
            )

    for type_ in subgraph.types.values():
        if type_.kind not in (OBJECT, INTERFACE):
            continue
        for key in type_.applied("key"):
            if type_.kind == INTERFACE and (subgraph.version or (2, 0)) < (2, 3):
                issues.add(
                    "KEY_UNSUPPORTED_ON_INTERFACE",
                    f'{prefix}Cannot use @key on interface "{type_.name}": @key is not yet supported on '
                    "interfaces before federation 2.3 (link federation/v2.3 or later).",
                )
                continue
            checker.check(
                key, type_.name, f'type "{type_.name}"', allow_unexternal_leaves=True,
                on_field=no_abstract_key_fields,
            )  # fmt: skip
        for owned in type_.fields.values():
            target = f'field "{owned.coordinate}"'
            for requires in owned.applied("requires"):
                if type_.kind == INTERFACE:
                    issues.add(
                        "REQUIRES_UNSUPPORTED_ON_INTERFACE",
                        f'{prefix}Cannot use @requires on field "{owned.coordinate}" of parent type "'
                        f'{type_.name}": @requires is not yet supported within interfaces',
                    )
                    continue
                checker.check(requires, type_.name, target, allow_arguments=True)
            for provides in owned.applied("provides"):
                base = _base_name(owned.type)
                if type_.kind == INTERFACE:
                    issues.add(
                        "PROVIDES_UNSUPPORTED_ON_INTERFACE",
                        f'{prefix}Cannot use @provides on field "{owned.coordinate}" of parent type "'
                        f'{type_.name}": @provides is not yet supported within interfaces',
                    )
                elif facts.is_external(owned):
                    issues.add(
                        "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
                        f'{prefix}Cannot have both @provides and @external on field "{owned.coordinate}"',
                    )
                elif not _is_composite(subgraph, base):
                    issues.add(
                        "PROVIDES_ON_NON_OBJECT_FIELD",
                        f'{prefix}Invalid @provides directive on field "{owned.coordinate}": field has '
                        f'type "{_printed(owned.type)}" which is not a Composite Type (@provides only '
                        "applies to fields returning objects, interfaces or unions)",
                    )
                else:
                    checker.check(provides, base, target)
            if type_.kind == INTERFACE and owned.has("external"):
                issues.add(
                    "EXTERNAL_ON_INTERFACE",
                    f'{prefix}Interface type field "{owned.coordinate}" is marked @external but @external '
                    "is not allowed on interface fields (it is nonsensical).",
                )
            if facts.is_external(owned) and not facts.is_used(owned):
                issues.add(
                    "EXTERNAL_UNUSED",
                    f'{prefix}Field "{owned.coordinate}" is marked @external but is not used in any '
                    "federation directive (@key, @provides, @requires) or to satisfy an interface; the "
                    "field declaration has no use and should be removed (or the field should not be "
                    "@external).",
                )
            if type_.kind == INTERFACE and owned.has("shareable"):
                issues.add(
                    "INVALID_SHAREABLE_USAGE",
                    f'{prefix}Invalid use of @shareable on field "{owned.coordinate}": only object type '
                    "fields can be marked with @shareable",
                )
            if len(owned.applied("shareable")) > 1:
                issues.add(
                    "INVALID_SHAREABLE_USAGE",
                    f'{prefix}Invalid duplicate application of @shareable on field "{owned.coordinate}"',
                )
        if type_.kind == INTERFACE:
            _check_interface_keys(subgraph, type_, issues)
        if type_.has("interfaceObject") and not type_.has("key"):
            issues.add(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'{prefix}The @interfaceObject directive can only be applied to entity types but type "'
                f'{type_.name}" has no @key in this subgraph.',
            )


def _normalized(subgraph: Subgraph, fields: str | None) -> str | None:
    """A field set in a canonical form (sorted selections) to compare keys."""
    try:
        selection = _parse_field_set(fields or "")
    except GraphQLError:
        return None

    def canon(selection_set: SelectionSetNode) -> str:
        parts = []
        for node in selection_set.selections:
            head = (
                node.name.value
                if isinstance(node, FieldNode)
                else f"...{_print_selection(SelectionSetNode(selections=(node,)))}"
            )
            parts.append(
                head
                + (
                    " {" + canon(node.selection_set) + "}"
                    if node.selection_set and isinstance(node, FieldNode)
                    else ""
                )
            )
        return " ".join(sorted(parts))

    return canon(selection)


def _check_interface_keys(subgraph: Subgraph, interface: Type, issues: _Issues) -> None:
    implementations = subgraph.implementations(interface.name)
    for key in interface.applied("key"):
        wanted = _normalized(subgraph, key.string("fields"))
        missing, unresolvable = [], []
        for impl in implementations:
            match = next(
                (k for k in impl.applied("key") if _normalized(subgraph, k.string("fields")) == wanted), None
            )
            if match is None:
                missing.append(impl.name)
            elif key.boolean("resolvable", True) and not match.boolean("resolvable", True):
                unresolvable.append(impl.name)
        printed = f'@key(fields: "{key.string("fields")}")'
        if missing:
            issues.add(
                "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                f'[{subgraph.name}] Key {printed} on interface type "{interface.name}" is missing on '
                f"implementation type{'s' if len(missing) > 1 else ''} {_quoted(missing)}: add the same "
                "@key to them.",
            )
        elif unresolvable:
            issues.add(
                "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                f'[{subgraph.name}] Key {printed} on interface type "{interface.name}" should be '
                'resolvable on all implementation types, but is declared with argument "@key(resolvable:)" '
                f"set to false in {_quoted(unresolvable)}.",
            )


# --- stage 4: merge ---------------------------------------------------------------------------------------


@dataclass
class JoinField:
    graph: str | None  # None: resolved through an @interfaceObject, by no subgraph's own type
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None


@dataclass
class MergedField(Element):
    type: TypeNode | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    default: ValueNode | None = None
    joins: list[JoinField] | None = None  # None: every subgraph that has the type resolves it


@dataclass
class MergedValue(Element):
    graphs: list[str] = field(default_factory=list)


@dataclass
class MergedType(Element):
    kind: str = OBJECT
    joins: list[dict[str, object]] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    fields: dict[str, MergedField] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    member_joins: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, MergedValue] = field(default_factory=dict)


@dataclass
class _Override:
    """What @override decided for one field: which subgraphs no longer resolve it."""

    used: set[int] = field(default_factory=set)  # overridden, but still needed there by a key or @requires
    unused: set[int] = field(default_factory=set)
    unknown_target: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)

    def overridden(self, index: int) -> bool:
        return index in self.used or index in self.unused


OVERRIDE_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
OVERRIDE_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def _graph_enum_names(names: Sequence[str]) -> list[str]:
    """join__Graph values: Apollo's sanitized, upper-cased subgraph names, numbered when they collide."""
    sanitized = []
    for name in names:
        value = re.sub(r"\W", "_", name)
        value = "_" + value if re.match(r"^\d", value) else value
        value = value + "_" if re.search(r"_\d+$", value) else value
        sanitized.append(value.upper())
    result = []
    for index, value in enumerate(sanitized):
        same = [i for i, other in enumerate(sanitized) if other == value]
        result.append(value if len(same) == 1 else f"{value}_{same.index(index) + 1}")
    return result


def _required(element: Field | Arg) -> bool:
    return isinstance(element.type, NonNullTypeNode) and element.default is None


def _same_value(a: ValueNode | None, b: ValueNode | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and print_ast(a) == print_ast(b))


class _Merger:
    def __init__(self, subgraphs: list[Subgraph], issues: _Issues) -> None:
        self.subgraphs = subgraphs
        self.issues = issues
        self.facts = [_Facts(s) for s in subgraphs]
        self.names = [s.name for s in subgraphs]
        self.graphs = _graph_enum_names(self.names)
        self.types: dict[str, MergedType] = {}
        self.directives: list[str] = []  # printed executable directive definitions
        self.enum_usage: dict[str, dict[str, str]] = {}  # enum -> {"Input"/"Output": an example coordinate}
        self.version = max((s.version or (2, 0) for s in subgraphs), default=(2, 0))
        self.overridden_coordinates = {
            owned.coordinate
            for s in subgraphs
            if s.is_fed2
            for t in s.types.values()
            for owned in t.fields.values()
            if owned.has("override")
        }

    # -- the whole merge, in Apollo's order (kinds first; unions and implementations before fields,
    # since field types are compared with them; enums last, once it is known where they are used)

    def merge(self) -> None:
        self._add_types()
        for type_ in self.types.values():
            if type_.kind in (OBJECT, INTERFACE):
                self._merge_implements(type_)
            if type_.kind == UNION:
                self._merge_union(type_)
        order = (SCALAR, INPUT_OBJECT, INTERFACE, OBJECT)
        for kind in order:
            for type_ in [t for t in self.types.values() if t.kind == kind]:
                self._merge_type(type_)
        for type_ in [t for t in self.types.values() if t.kind == UNION]:
            self._merge_common(type_)
        self._merge_directive_definitions()
        for type_ in [t for t in self.types.values() if t.kind == ENUM]:
            self._merge_type(type_)
        for name, type_ in list(self.types.items()):
            if type_.kind == OBJECT and not type_.fields:
                del self.types[name]
        if "Query" not in self.types:
            self.issues.add(
                "NO_QUERIES", "No queries found in any subgraph: a supergraph must have a query root type."
            )
        self._add_interface_object_fields()
        self._check_implementations()
        self._check_inaccessible()

    def _sources(self, type_: MergedType) -> dict[int, Type]:
        found = {}
        for index, subgraph in enumerate(self.subgraphs):
            theirs = subgraph.types.get(type_.name)
            if theirs is not None and self._kind(subgraph, theirs) == type_.kind:
                found[index] = theirs
        return found

    @staticmethod
    def _kind(subgraph: Subgraph, type_: Type) -> str:
        return INTERFACE if subgraph.is_interface_object(type_) else type_.kind

    def _add_types(self) -> None:
        mismatched: list[str] = []
        interface_objects: set[str] = set()
        for subgraph in self.subgraphs:
            for type_ in subgraph.types.values():
                kind = self._kind(subgraph, type_)
                if subgraph.is_interface_object(type_):
                    interface_objects.add(type_.name)
                if type_.name not in self.types:
                    self.types[type_.name] = MergedType(type_.name, kind=kind)
                elif self.types[type_.name].kind != kind and type_.name not in mismatched:
                    mismatched.append(type_.name)
        for name in mismatched:
            described = {}
            for subgraph in self.subgraphs:
                if name in subgraph.types:
                    theirs = subgraph.types[name]
                    label = (
                        "Interface Object Type (Object Type with @interfaceObject)"
                        if subgraph.is_interface_object(theirs)
                        else KIND_NAMES[theirs.kind]
                    )
                    described.setdefault(label, []).append(subgraph.name)
            parts = [f"{label} in {_subgraph_names(names)}" for label, names in described.items()]
            self.issues.add(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as {" but ".join(parts)}; a type must '
                "be the same kind in every subgraph.",
            )
        for name in sorted(interface_objects - set(mismatched)):
            if not any(s.types.get(name) and s.types[name].kind == INTERFACE for s in self.subgraphs):
                defining = [s.name for s in self.subgraphs if name in s.types]
                self.issues.add(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which it is '
                    f"defined (it is defined in {_subgraph_names(defining)} but should be defined as an "
                    "interface in at least one subgraph)",
                )

    def _merge_implements(self, type_: MergedType) -> None:
        for index, source in self._sources(type_).items():
            for interface in source.interfaces:
                type_.implements.append((self.graphs[index], interface))
                if interface not in type_.interfaces:
                    type_.interfaces.append(interface)

    def _merge_union(self, type_: MergedType) -> None:
        sources = self._sources(type_)
        for source in sources.values():
            for member in source.members:
                if member not in type_.members:
                    type_.members.append(member)
        for member in type_.members:
            for index, source in sources.items():
                if member in source.members:
                    type_.member_joins.append((self.graphs[index], member))

    def _merge_common(self, type_: MergedType) -> dict[int, Type]:
        sources = self._sources(type_)
        self._check_extension_with_no_base(type_, sources)
        type_.description = self._description(sources.values())
        for index, source in sources.items():
            subgraph = self.subgraphs[index]
            interface_object = subgraph.is_interface_object(source)
            keys = source.applied("key")
            if not keys:
                type_.joins.append({"graph": self.graphs[index], "isInterfaceObject": interface_object})
            for key in keys:
                type_.joins.append(
                    {
                        "graph": self.graphs[index],
                        "key": key.string("fields"),
                        "extension": key.block > 0 or source.has("extends"),
                        "resolvable": key.boolean("resolvable", True),
                        "isInterfaceObject": interface_object,
                    }
                )
        type_.directives = self._carried(sources.values())
        return sources

    def _check_extension_with_no_base(self, type_: MergedType, sources: dict[int, Type]) -> None:
        if type_.kind == OBJECT and type_.name in ROOT_DEFAULTS.values():
            return
        if any(s.has_definition for s in sources.values()):
            return
        for index, source in sources.items():
            if source.has_extension:
                self.issues.add(
                    "EXTENSION_WITH_NO_BASE",
                    f'[{self.names[index]}] Type "{type_.name}" is an extension type, but there is no type '
                    f'definition for "{type_.name}" in any subgraph: define it (without `extend`) in the '
                    "subgraph that owns it.",
                )

    def _merge_type(self, type_: MergedType) -> None:
        sources = self._merge_common(type_)
        if type_.kind == OBJECT:
            self._merge_fields(type_, sources, shared=True)
        elif type_.kind == INTERFACE:
            self._check_interface_keys(type_, sources)
            self._merge_fields(type_, sources, shared=False)
        elif type_.kind == INPUT_OBJECT:
            self._merge_input(type_, sources)
        elif type_.kind == ENUM:
            self._merge_enum(type_, sources)

    # -- descriptions and the directives the supergraph keeps

    @staticmethod
    def _description(elements: Iterable[Element | None]) -> str | None:
        counts: dict[str, int] = {}
        for element in elements:
            if element is not None and element.description is not None:
                counts[element.description] = counts.get(element.description, 0) + 1
        if not counts:
            return None
        non_empty = [d for d in counts if d]
        if len(counts) == 1 or len(non_empty) == 1:
            return non_empty[0] if non_empty else next(iter(counts))
        return max(non_empty, key=lambda d: counts[d])

    @staticmethod
    def _carried(elements: Iterable[Element | None]) -> list[Applied]:
        """@inaccessible, @tag, @deprecated, @specifiedBy of the sources, merged as Apollo merges them."""
        result: list[Applied] = []
        candidates: dict[str, list[Applied]] = {}
        for element in elements:
            for directive in element.directives if element is not None else ():
                name = directive.name
                if (directive.federation and name in ("inaccessible", "tag")) or (
                    not directive.federation and name in ("deprecated", "specifiedBy")
                ):
                    candidates.setdefault(name, []).append(directive)
        for name, applications in candidates.items():
            printed = [tuple(sorted((k, print_ast(v)) for k, v in a.args.items())) for a in applications]
            if name == "tag":  # repeatable: each distinct application once
                seen = set()
                for application, key in zip(applications, printed, strict=True):
                    if key not in seen:
                        seen.add(key)
                        result.append(Applied(name, application.args, federation=True))
            else:  # the most common application
                best = max(range(len(applications)), key=lambda i: (printed.count(printed[i]), -i))
                result.append(
                    Applied(name, applications[best].args, federation=applications[best].federation)
                )
        return result

    @staticmethod
    def _inaccessible(element: Element) -> bool:
        return any(d.name == "inaccessible" and d.federation for d in element.directives)

    # -- object and interface fields

    def _field_sources(
        self, type_: MergedType, sources: dict[int, Type]
    ) -> dict[str, dict[int, Field | None]]:
        """Per field, every subgraph knowing the type (None where it lacks the field), as Apollo maps it."""
        knowing = [
            index
            for index, subgraph in enumerate(self.subgraphs)
            if type_.name in subgraph.types
            or any(
                (itf := subgraph.types.get(name)) is not None and subgraph.is_interface_object(itf)
                for name in type_.interfaces
            )
        ]
        result: dict[str, dict[int, Field | None]] = {}
        for index, source in sources.items():
            for owned in source.fields.values():
                result.setdefault(owned.name, dict.fromkeys(knowing))[index] = owned
        return result

    def _abstracted(self, type_: MergedType, name: str, index: int) -> list[Field]:
        """Fields of @interfaceObject types standing in subgraph `index` for field `name` of `type_`."""
        subgraph = self.subgraphs[index]
        if type_.kind != OBJECT or type_.name in subgraph.types:
            return []
        found = []
        for interface in type_.interfaces:
            merged = self.types.get(interface)
            theirs = subgraph.types.get(interface)
            if (
                merged
                and name in merged.fields
                and theirs
                and theirs.kind == OBJECT
                and name in theirs.fields
            ):
                found.append(theirs.fields[name])
        return found

    def _merge_fields(self, type_: MergedType, sources: dict[int, Type], shared: bool) -> None:
        subscription = type_.name == "Subscription"
        for name, field_sources in self._field_sources(type_, sources).items():
            merged = type_.fields[name] = MergedField(name)
            override = self._check_override(type_, merged, field_sources)
            if subscription:
                shareable = [f for f in field_sources.values() if f is not None and f.has("shareable")]
                if shareable:
                    self.issues.add(
                        "INVALID_FIELD_SHARING",
                        'Fields on root level subscription object cannot be marked as shareable ("'
                        f'{type_.name}.{name}")',
                    )
            self._merge_field(type_, merged, field_sources, override)
            if shared:
                self._check_sharing(type_, merged, field_sources, override)

    def _merge_field(
        self, type_: MergedType, merged: MergedField, sources: dict[int, Field | None], override: _Override
    ) -> None:
        coordinate = f"{type_.name}.{merged.name}"
        externals = {i for i, s in sources.items() if s is not None and self.facts[i].is_external(s)}
        every_external = all(
            (i in externals)
            if s is not None
            else all(self.facts[i].is_external(f) for f in self._abstracted(type_, merged.name, i))
            for i, s in sources.items()
        )
        if every_external:
            defining = [self.names[i] for i, s in sources.items() if s is not None]
            self.issues.add(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is listed ('
                f"{_subgraph_names(defining)}): some subgraph must define it without @external.",
            )
            merged.type = next(s.type for s in sources.values() if s is not None)
            return
        kept = {i: (None if i in externals else s) for i, s in sources.items()}
        for index in externals:
            source = sources[index]
            assert source is not None
            for directive in self._carried([source]):
                self.issues.add(
                    "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                    f"[{self.names[index]}] Cannot apply merged directive {_applied_text([directive])[0]} "
                    f'to external field "{coordinate}": apply it where the field is resolved.',
                )
        defined = {i: s for i, s in kept.items() if s is not None}
        if defined:
            merged.description = self._description(defined.values())
            merged.directives = self._carried(defined.values())
            merged.args = self._merge_arguments(coordinate, defined)
        typed = defined or {i: s for i, s in sources.items() if s is not None}
        merged.type, all_equal = self._merge_type_reference(coordinate, typed, is_input=False, what="field")
        if externals:
            self._check_external_types(coordinate, merged, sources, externals, all_equal)
        if self._needs_join_field(type_, sources, externals, all_equal, override):
            merged.joins = []
            for index, source in sources.items():
                if source is None or (index in override.unused and index not in override.labels):
                    continue
                merged.joins.append(self._join_field(index, source, all_equal, override))

    def _join_field(self, index: int, source: Field, all_equal: bool, override: _Override) -> JoinField:
        subgraph = self.subgraphs[index]
        requires = source.applied("requires")
        provides = source.applied("provides")
        overrides = source.applied("override") if subgraph.is_fed2 else []
        return JoinField(
            graph=self.graphs[index],
            requires=requires[0].string("fields") if requires else None,
            provides=provides[0].string("fields") if provides else None,
            type=None if all_equal else _printed(source.type),
            external=self.facts[index].is_external(source),
            override=overrides[-1].string("from") if overrides else None,
            used_overridden=index in override.used,
            override_label=override.labels.get(index),
        )

    def _needs_join_field(
        self,
        type_: MergedType,
        sources: dict[int, Field | None],
        externals: set[int],
        all_equal: bool,
        override: _Override,
    ) -> bool:
        if not all_equal or override.used or override.labels:
            return True
        for index, source in sources.items():
            if source is not None and index not in override.unused:
                if index in externals or source.has("provides") or source.has("requires"):
                    return True
            elif type_.name in self.subgraphs[index].types:
                return True  # a subgraph has the type without the field: say which ones have it
        return False

    def _check_sharing(
        self, type_: MergedType, merged: MergedField, sources: dict[int, Field | None], override: _Override
    ) -> None:
        shareable: list[str] = []
        unshareable: list[tuple[int, str]] = []
        resolving: list[str] = []
        for index, source in sources.items():
            label = f'"{self.names[index]}"'
            if source is None:
                candidates = [
                    (f, f'{label} (through @interfaceObject field "{f.coordinate}")')
                    for f in self._abstracted(type_, merged.name, index)
                ]
            elif override.overridden(index):
                continue
            else:
                candidates = [(source, label)]
            for candidate, described in candidates:
                if self.facts[index].is_fully_external(candidate):
                    continue
                resolving.append(described)
                if self.facts[index].is_shareable(candidate):
                    shareable.append(described)
                else:
                    unshareable.append((index, described))
        if unshareable and (shareable or len(unshareable) > 1):
            coordinate = f"{type_.name}.{merged.name}"

            def listed(items: list[str]) -> str:
                return ("subgraph " if len(items) == 1 else "subgraphs ") + (
                    items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
                )

            where = listed([d for _, d in unshareable]) if shareable else "all of them"
            extra = ""
            unknown = [d for i, d in unshareable if i in override.unknown_target]
            if unknown:
                extra = (
                    f' (please note that "{coordinate}" has an @override directive in {unknown[0]} that '
                    "targets an unknown subgraph so this could be due to misspelling the @override(from:) "
                    "argument)"
                )
            self.issues.add(
                "INVALID_FIELD_SHARING",
                f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is resolved '
                f"from {listed(resolving)} and defined as non-shareable in {where}{extra}. Mark it "
                "@shareable in every subgraph that resolves it, or make a single subgraph resolve it "
                "(@external, @override).",
            )

    def _check_override(
        self, type_: MergedType, merged: MergedField, sources: dict[int, Field | None]
    ) -> _Override:
        result = _Override()
        coordinate = f"{type_.name}.{merged.name}"
        if coordinate not in self.overridden_coordinates:
            return result
        known: dict[str, int] = {}
        abstracted: set[str] = set()
        overrides: dict[str, Applied] = {}
        for index, source in sources.items():
            if source is None:
                if self._abstracted(type_, merged.name, index):
                    known[self.names[index]] = index
                    abstracted.add(self.names[index])
                continue
            known[self.names[index]] = index
            applied = source.applied("override") if self.subgraphs[index].is_fed2 else []
            if applied:
                overrides[self.names[index]] = applied[0]
        for name, directive in overrides.items():
            index = known[name]
            source = sources[index]
            assert source is not None
            origin = directive.string("from") or ""
            if self.subgraphs[index].types[type_.name].kind == INTERFACE:
                self.issues.add(
                    "OVERRIDE_ON_INTERFACE",
                    f'@override cannot be used on field "{coordinate}" on subgraph "{name}": @override is '
                    "not supported on interface type fields.",
                )
                continue
            if self.subgraphs[index].is_interface_object(self.subgraphs[index].types[type_.name]):
                self.issues.add(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    "@override is not yet supported on fields of @interfaceObject types: cannot be used on "
                    f'field "{coordinate}" on subgraph "{name}".',
                )
                continue
            if origin not in self.names:
                result.unknown_target.add(index)
            elif origin == name:
                self.issues.add(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{origin}" are the same for overridden field "'
                    f'{coordinate}": @override(from:) must name the subgraph the field moves away from.',
                )
            elif origin in overrides:
                self.issues.add(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{name}" is also marked with directive @override in '
                    f'subgraph "{origin}". Only one @override directive is allowed per field.',
                )
            elif origin not in known:
                pass  # the field already left that subgraph: Apollo only hints that @override can go
            elif origin in abstracted:
                self.issues.add(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    f'Invalid @override on field "{coordinate}" of subgraph "{name}": source subgraph "'
                    f'{origin}" does not have field "{coordinate}" but abstract it in an @interfaceObject '
                    "type and overriding abstracted fields is not supported.",
                )
            else:
                self._apply_override(
                    coordinate, name, index, origin, known[origin], sources, directive, result
                )
        return result

    def _apply_override(
        self,
        coordinate: str,
        name: str,
        index: int,
        origin: str,
        origin_index: int,
        sources: dict[int, Field | None],
        directive: Applied,
        result: _Override,
    ) -> None:
        source, origin_field = sources[index], sources[origin_index]
        assert source is not None and origin_field is not None
        conflict = next((d for d in ("requires", "provides") if origin_field.has(d)), None)
        conflict_in = origin
        if conflict is None and self.facts[index].is_external(source):
            conflict, conflict_in = "external", name
        if conflict is not None:
            self.issues.add(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                f'@override cannot be used on field "{coordinate}" on subgraph "{name}" since "{coordinate}'
                f'" on "{conflict_in}" is marked with directive "@{conflict}"',
            )
            return
        if self.facts[origin_index].is_external(origin_field):
            pass  # not resolved there anyway
        elif self.facts[origin_index].is_used(origin_field):
            result.used.add(origin_index)
        else:
            result.unused.add(origin_index)
        label = directive.string("label")
        if label is not None:
            percent = OVERRIDE_PERCENT.match(label)
            if OVERRIDE_LABEL.match(label) or (percent and 0 <= float(percent.group(1)) <= 100):
                result.labels[index] = result.labels[origin_index] = label
            else:
                self.issues.add(
                    "OVERRIDE_LABEL_INVALID",
                    f'Invalid @override label "{label}" on field "{coordinate}" on subgraph "{name}": '
                    "labels must start with a letter and after that may contain alphanumerics, "
                    "underscores, minuses, colons, periods, or slashes. Alternatively, labels may be of "
                    'the form "percent(x)" where x is a float between 0-100 inclusive.',
                )

    # -- types of fields and arguments

    def _is_subtype(self, general: TypeNode, specific: TypeNode) -> bool:
        return _printed(general) == _printed(specific) or self._is_strict_subtype(general, specific)

    def _is_strict_subtype(self, general: TypeNode, specific: TypeNode) -> bool:
        """Apollo's default subtyping: non-null to nullable, list/non-null propagation, object to abstract."""
        if isinstance(specific, ListTypeNode):
            return isinstance(general, ListTypeNode) and self._is_subtype(general.type, specific.type)
        if isinstance(specific, NonNullTypeNode):
            if isinstance(general, NonNullTypeNode):
                return self._is_subtype(general.type, specific.type)
            return self._is_subtype(general, specific.type)
        if not isinstance(general, NamedTypeNode):
            return False
        abstract = self.types.get(general.name.value)
        concrete = self.types.get(specific.name.value)
        if abstract is None or concrete is None or concrete.kind not in (OBJECT, INTERFACE):
            return False
        if abstract.kind == UNION:
            return concrete.kind == OBJECT and concrete.name in abstract.members
        return abstract.kind == INTERFACE and abstract.name in concrete.interfaces

    def _merge_type_reference(
        self, coordinate: str, sources: dict[int, Field] | dict[int, Arg], is_input: bool, what: str
    ) -> tuple[TypeNode, bool]:
        merged: TypeNode | None = None
        subtypes = incompatible = False
        for source in sources.values():
            if merged is None or _printed(merged) == _printed(source.type):
                merged = source.type
            elif self._is_strict_subtype(merged, source.type):
                subtypes = True
                merged = source.type if is_input else merged
            elif self._is_strict_subtype(source.type, merged):
                subtypes = True
                merged = merged if is_input else source.type
            else:
                incompatible = True
        assert merged is not None
        base = _base_name(merged)
        if base in self.types and self.types[base].kind == ENUM:
            self.enum_usage.setdefault(base, {}).setdefault("Input" if is_input else "Output", coordinate)
        if incompatible:
            by_type: dict[str, list[str]] = {}
            for index, source in sources.items():
                by_type.setdefault(_printed(source.type), []).append(self.names[index])
            described = " but ".join(f'type "{t}" in {_subgraph_names(n)}' for t, n in by_type.items())
            self.issues.add(
                "FIELD_ARGUMENT_TYPE_MISMATCH" if what == "argument" else "FIELD_TYPE_MISMATCH",
                f'Type of {what} "{coordinate}" is incompatible across subgraphs: it has {described}; make '
                "them agree (they may differ only in nullability, or by a subtype).",
            )
            return merged, False
        return merged, not subtypes

    def _merge_arguments(self, coordinate: str, sources: dict[int, Field]) -> dict[str, Arg]:
        names: list[str] = []
        for source in sources.values():
            names += [name for name in source.args if name not in names]
        merged: dict[str, Arg] = {}
        for name in names:
            arg_coordinate = f"{coordinate}({name}:)"
            lacking = [self.names[i] for i, s in sources.items() if name not in s.args]
            if lacking:
                requiring = [
                    self.names[i] for i, s in sources.items() if name in s.args and _required(s.args[name])
                ]
                if requiring:
                    self.issues.add(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "{arg_coordinate}" is required in some subgraphs but does not appear in '
                        f"all subgraphs: it is required in {_subgraph_names(requiring)} but does not "
                        f"appear in {_subgraph_names(lacking)}; add it everywhere or make it optional.",
                    )
                continue  # optional arguments some subgraphs lack are left out, as in Apollo
            args = {i: s.args[name] for i, s in sources.items()}
            merged[name] = self._merge_input_value(arg_coordinate, args, "argument", "Argument")
        return merged

    def _merge_input_value(self, coordinate: str, sources: dict[int, Arg], what: str, label: str) -> Arg:
        result = Arg(
            coordinate.split("(")[-1].rstrip(":)") if what == "argument" else coordinate.split(".")[-1]
        )
        result.description = self._description(sources.values())
        result.directives = self._carried(sources.values())
        result.type, _ = self._merge_type_reference(coordinate, sources, is_input=True, what=what)
        result.default = self._merge_default(coordinate, sources, label)
        return result

    def _merge_default(
        self, coordinate: str, sources: dict[int, Arg] | dict[int, Field], label: str
    ) -> ValueNode | None:
        merged: ValueNode | None = None
        seen = inconsistent = incompatible = False
        for source in sources.values():
            if merged is None:
                merged = source.default
                inconsistent = inconsistent or (seen and source.default is not None)
            elif not _same_value(merged, source.default):
                inconsistent = True
                incompatible = incompatible or source.default is not None
            seen = True
        if incompatible:
            described = "; ".join(
                (f"default value {print_ast(s.default)}" if s.default is not None else "no default value")
                + f' in subgraph "{self.names[i]}"'
                for i, s in sources.items()
            )
            code = (
                "FIELD_ARGUMENT_DEFAULT_MISMATCH" if label == "Argument" else "INPUT_FIELD_DEFAULT_MISMATCH"
            )
            self.issues.add(
                code, f'{label} "{coordinate}" has incompatible default values across subgraphs: {described}.'
            )
        return merged if (not inconsistent or incompatible) else None

    def _check_external_types(
        self,
        coordinate: str,
        merged: MergedField,
        sources: dict[int, Field | None],
        externals: set[int],
        all_equal: bool,
    ) -> None:
        assert merged.type is not None
        for index in sorted(externals):
            source = sources[index]
            assert source is not None
            name = self.names[index]
            if not (
                _printed(merged.type) == _printed(source.type)
                or (not all_equal and self._is_strict_subtype(merged.type, source.type))
            ):
                self.issues.add(
                    "EXTERNAL_TYPE_MISMATCH",
                    f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                    f'@external): it has type "{_printed(merged.type)}" in the supergraph but type "'
                    f'{_printed(source.type)}" in subgraph "{name}".',
                )
            for arg in merged.args.values():
                theirs = source.args.get(arg.name)
                if theirs is None:
                    self.issues.add(
                        "EXTERNAL_ARGUMENT_MISSING",
                        f'Field "{coordinate}" is missing argument "{coordinate}({arg.name}:)" in subgraph '
                        f'"{name}" where it is marked @external: declare the same arguments there.',
                    )
                    continue
                if not self._is_subtype(arg.type, theirs.type):
                    self.issues.add(
                        "EXTERNAL_ARGUMENT_TYPE_MISMATCH",
                        f'Type of argument "{coordinate}({arg.name}:)" is incompatible across subgraphs '
                        f'(where "{coordinate}" is marked @external): it has type "{_printed(arg.type)}" '
                        f'but type "{_printed(theirs.type)}" in subgraph "{name}".',
                    )
                if not _same_value(arg.default, theirs.default):
                    self.issues.add(
                        "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
                        f'Argument "{coordinate}({arg.name}:)" has incompatible defaults across subgraphs '
                        f'(where "{coordinate}" is marked @external), in subgraph "{name}".',
                    )

    # -- interfaces

    def _implementations(self, interface: str) -> list[str]:
        return [t.name for t in self.types.values() if t.kind == OBJECT and interface in t.interfaces]

    def _check_interface_keys(self, type_: MergedType, sources: dict[int, Type]) -> None:
        implementations = self._implementations(type_.name)
        for index, source in sources.items():
            subgraph = self.subgraphs[index]
            if subgraph.is_interface_object(source):
                defined = [name for name in implementations if name in subgraph.types]
                if defined:
                    self.issues.add(
                        "INTERFACE_OBJECT_USAGE_ERROR",
                        f'[{subgraph.name}] Interface type "{type_.name}" is defined as an '
                        f'@interfaceObject in subgraph "{subgraph.name}" so that subgraph should not '
                        f'define any of the implementation types of "{type_.name}", but it defines '
                        f"{_quoted(defined)}",
                    )
                continue
            resolvable = next((k for k in source.applied("key") if k.boolean("resolvable", True)), None)
            if resolvable is None:
                continue
            known = {t.name for t in subgraph.implementations(type_.name)}
            missing = [name for name in implementations if name not in known]
            if missing:
                self.issues.add(
                    "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                    f'[{subgraph.name}] Interface type "{type_.name}" has a resolvable key (@key(fields: "'
                    f'{resolvable.string("fields")}")) in subgraph "{subgraph.name}" but that subgraph is '
                    f'missing some of the supergraph implementation types of "{type_.name}". Subgraph "'
                    f'{subgraph.name}" should define type{"s" if len(missing) > 1 else ""} '
                    f'{_quoted(missing)} (and have {"them" if len(missing) > 1 else "it"} implement "'
                    f'{type_.name}").',
                )

    def _add_interface_object_fields(self) -> None:
        """Fields an @interfaceObject adds to an interface also appear on its implementations."""
        for type_ in self.types.values():
            if type_.kind != OBJECT:
                continue
            for interface_name in type_.interfaces:
                interface = self.types.get(interface_name)
                if interface is None:
                    continue
                for name, interface_field in interface.fields.items():
                    if name in type_.fields or not self._provided_by_interface_object(interface_name, name):
                        continue
                    type_.fields[name] = MergedField(
                        name,
                        interface_field.description,
                        list(interface_field.directives),
                        type=interface_field.type,
                        args=dict(interface_field.args),
                        joins=[JoinField(graph=None)],
                    )

    def _provided_by_interface_object(self, interface: str, name: str) -> bool:
        for index, subgraph in enumerate(self.subgraphs):
            theirs = subgraph.types.get(interface)
            if (
                theirs
                and subgraph.is_interface_object(theirs)
                and name in theirs.fields
                and not self.facts[index].is_external(theirs.fields[name])
            ):
                return True
        return False

    def _check_implementations(self) -> None:
        for type_ in self.types.values():
            for interface_name in type_.interfaces:
                interface = self.types.get(interface_name)
                for name in interface.fields if interface else ():
                    if name in type_.fields:
                        continue
                    declaring = [
                        s.name
                        for s in self.subgraphs
                        if (i := s.types.get(interface_name)) and i.kind == INTERFACE and name in i.fields
                    ]
                    implementing = [
                        s.name
                        for s in self.subgraphs
                        if (t := s.types.get(type_.name)) is not None and interface_name in t.interfaces
                    ]
                    self.issues.add(
                        "INTERFACE_FIELD_NO_IMPLEM",
                        f'Interface field "{interface_name}.{name}" is declared in '
                        f'{_subgraph_names(declaring)} but type "{type_.name}", which implements "'
                        f'{interface_name}" only in {_subgraph_names(implementing)} does not have field "'
                        f'{name}": add it there.',
                    )

    # -- inputs, enums, directives

    def _merge_input(self, type_: MergedType, sources: dict[int, Type]) -> None:
        for name, field_sources in self._field_sources(type_, sources).items():
            coordinate = f"{type_.name}.{name}"
            defined = {i: s for i, s in field_sources.items() if s is not None}
            merged = MergedField(name, self._description(defined.values()), self._carried(defined.values()))
            merged.type, all_equal = self._merge_type_reference(
                coordinate, defined, is_input=True, what="field"
            )
            if not all_equal:
                merged.joins = [
                    JoinField(graph=self.graphs[i], type=_printed(s.type)) for i, s in defined.items()
                ]
            merged.default = self._merge_default(coordinate, defined, "Input field")
            lacking = [self.names[i] for i, s in field_sources.items() if s is None]
            if lacking and not self._inaccessible(merged):
                requiring = [self.names[i] for i, s in defined.items() if _required(s)]
                if requiring:
                    self.issues.add(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {_subgraph_names(requiring)} but does "
                        f"not appear in {_subgraph_names(lacking)}; add it everywhere or make it optional.",
                    )
                continue  # inputs keep only the fields every subgraph accepts
            type_.fields[name] = merged
        if not type_.fields:
            self.issues.add(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{type_.name}" are consistently defined in all '
                "the subgraphs defining that type. As only fields common to all subgraphs are merged, this "
                "would result in an empty type.",
            )

    def _merge_enum(self, type_: MergedType, sources: dict[int, Type]) -> None:
        usage = self.enum_usage.get(type_.name, {"Output": ""})
        position = "Both" if len(usage) == 2 else next(iter(usage))
        names: list[str] = []
        for source in sources.values():
            names += [name for name in source.values if name not in names]
        for name in names:
            values = [s.values.get(name) for s in sources.values()]
            value = MergedValue(name, self._description(values), self._carried(values))
            value.graphs = [self.graphs[i] for i, s in sources.items() if name in s.values]
            lacking = [self.names[i] for i, s in sources.items() if name not in s.values]
            if lacking and position != "Output" and not self._inaccessible(value):
                if position == "Input":
                    continue  # input-only enums keep the values every subgraph accepts
                having = [self.names[i] for i, s in sources.items() if name in s.values]
                self.issues.add(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{type_.name}" is used as both input type (for example, as type of "'
                    f'{usage["Input"]}") and output type (for example, as type of "{usage["Output"]}"), '
                    f'but value "{name}" is not defined in all the subgraphs defining "{type_.name}": "'
                    f'{name}" is defined in {_subgraph_names(having)} but not in {_subgraph_names(lacking)}'
                    "; define the same values everywhere.",
                )
            type_.values[name] = value
        if not type_.values:
            self.issues.add(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{type_.name}" are defined consistently in all the '
                "subgraphs defining that type. As only values common to all subgraphs are merged, this "
                "would result in an empty type.",
            )

    def _merge_directive_definitions(self) -> None:
        """Executable directives (used in operations) that every subgraph defines reach the supergraph."""
        names: list[str] = []
        for subgraph in self.subgraphs:
            names += [n for n in subgraph.directive_definitions if n not in names]
        for name in names:
            definitions = [s.directive_definitions.get(name) for s in self.subgraphs]
            if any(d is None for d in definitions):
                continue
            locations = None
            for definition in definitions:
                assert definition is not None
                own = {loc.value for loc in definition.locations} & EXECUTABLE_LOCATIONS
                locations = own if locations is None else locations & own
            if not locations:
                continue
            first = definitions[0]
            assert first is not None
            common = [
                arg for arg in first.arguments or () if all(
                    any(a.name.value == arg.name.value for a in d.arguments or ()) for d in definitions if d
                )
            ]  # fmt: skip
            args = f"({', '.join(print_ast(a) for a in common)})" if common else ""
            repeatable = " repeatable" if all(d is not None and d.repeatable for d in definitions) else ""
            ordered = [loc.value for loc in first.locations if loc.value in locations]
            self.directives.append(f"directive @{name}{args}{repeatable} on {' | '.join(ordered)}")

    # -- @inaccessible: what it hides must not be needed by what stays

    def _check_inaccessible(self) -> None:
        hidden_types = {name for name, t in self.types.items() if self._inaccessible(t)}
        if (
            not hidden_types
            and not any(
                self._inaccessible(f) or any(self._inaccessible(a) for a in f.args.values())
                for t in self.types.values()
                for f in t.fields.values()
            )
            and not any(self._inaccessible(v) for t in self.types.values() for v in t.values.values())
        ):
            return
        if "Query" in hidden_types:
            self.issues.add(
                "QUERY_ROOT_TYPE_INACCESSIBLE",
                'Type "Query" is @inaccessible but is the root query type, which must be in the API schema.',
            )
        for type_ in self.types.values():
            if type_.name in hidden_types:
                continue
            for owned in type_.fields.values():
                references = [] if self._inaccessible(owned) else [(owned, f"{type_.name}.{owned.name}")]
                if not self._inaccessible(owned):
                    references += [
                        (a, f"{type_.name}.{owned.name}({a.name}:)")
                        for a in owned.args.values()
                        if not self._inaccessible(a)
                    ]
                for element, coordinate in references:
                    assert element.type is not None
                    base = _base_name(element.type)
                    if base in hidden_types:
                        self.issues.add(
                            "REFERENCED_INACCESSIBLE",
                            f'Type "{base}" is @inaccessible but is referenced by "{coordinate}", which is '
                            "in the API schema: hide that too, or make the type accessible.",
                        )
                for arg in owned.args.values():
                    if not self._inaccessible(owned) and self._inaccessible(arg) and _required(arg):
                        self.issues.add(
                            "REQUIRED_INACCESSIBLE",
                            f'Argument "{type_.name}.{owned.name}({arg.name}:)" is @inaccessible but is a '
                            "required argument of its field.",
                        )
                if type_.kind == INPUT_OBJECT and self._inaccessible(owned) and _required(owned):  # type: ignore[arg-type]
                    self.issues.add(
                        "REQUIRED_INACCESSIBLE",
                        f'Input field "{type_.name}.{owned.name}" is @inaccessible but is a required input '
                        "field of its type.",
                    )
                if self._inaccessible(owned):
                    for interface in type_.interfaces:
                        theirs = self.types.get(interface)
                        if (
                            theirs
                            and owned.name in theirs.fields
                            and interface not in hidden_types
                            and not (self._inaccessible(theirs.fields[owned.name]))
                        ):
                            self.issues.add(
                                "IMPLEMENTED_BY_INACCESSIBLE",
                                f'Field "{type_.name}.{owned.name}" is @inaccessible but implements the '
                                f'interface field "{interface}.{owned.name}", which is in the API schema.',
                            )
            children: list[Element] = (
                list(type_.fields.values())
                if type_.kind in (OBJECT, INTERFACE, INPUT_OBJECT)
                else list(type_.values.values())
                if type_.kind == ENUM
                else [self.types[m] for m in type_.members if m in self.types]
                if type_.kind == UNION
                else []
            )
            if children and all(self._inaccessible(c) for c in children):
                what = {UNION: "members", ENUM: "values", INPUT_OBJECT: "input fields"}.get(
                    type_.kind, "fields"
                )
                self.issues.add(
                    "ONLY_INACCESSIBLE_CHILDREN",
                    f'Type "{type_.name}" is in the API schema but all of its {what} are @inaccessible: '
                    "make one accessible, or hide the type too.",
                )


# --- stage 5: can every query be planned? ------------------------------------------------------------------


class _Satisfiability:
    """A conservative form of Apollo's satisfiability check: reports query paths no subgraph can reach.

    Walks the API from the root fields. A state is a type and the subgraphs that may have returned it; a
    field is reachable if a subgraph resolving it is one of those, or one they can jump to through a
    resolvable @key whose fields they resolve. Where this model is unsure (@requires conditions, nested key
    fields, @provides paths, @interfaceObject fields) it assumes the path works, so it never rejects what
    Apollo accepts, and it catches the usual mistakes: fields only in subgraphs whose keys are all
    `resolvable: false`, key fields moved away with @override, value-type fields some subgraph lacks.
    """

    def __init__(self, merger: _Merger) -> None:
        self.merger = merger
        self.index = {graph: i for i, graph in enumerate(merger.graphs)}

    def check(self) -> None:
        seen: set[tuple[str, frozenset[str]]] = set()
        reported: set[str] = set()
        pending: list[tuple[str, frozenset[str], list[str]]] = []
        for root in ROOT_DEFAULTS.values():
            type_ = self.merger.types.get(root)
            for owned in type_.fields.values() if type_ else ():
                resolvers = self._resolvers(type_, owned)
                if resolvers and not self.merger._inaccessible(owned):
                    assert owned.type is not None
                    pending.append((_base_name(owned.type), frozenset(resolvers), [root, owned.name]))
        while pending:
            name, options, path = pending.pop()
            if (name, options) in seen or name not in self.merger.types:
                continue
            seen.add((name, options))
            type_ = self.merger.types[name]
            if type_.kind in (INTERFACE, UNION):
                for runtime in sorted({t for g in options for t in self._possible(name, g)}):
                    narrowed = frozenset(g for g in options if runtime in self._possible(name, g))
                    pending.append((runtime, narrowed, [*path, f"... on {runtime}"]))
            if type_.kind != OBJECT:
                continue
            reachable = self._closure(type_, options)
            for owned in type_.fields.values():
                resolvers = self._resolvers(type_, owned)
                if resolvers is None or self.merger._inaccessible(owned):
                    continue
                available = resolvers & reachable
                coordinate = f"{name}.{owned.name}"
                if not available:
                    if coordinate not in reported:
                        reported.add(coordinate)
                        self._report(type_, owned.name, [*path, owned.name], options, resolvers)
                    continue
                assert owned.type is not None
                pending.append((_base_name(owned.type), frozenset(available), [*path, owned.name]))

    def _resolvers(self, type_: MergedType, owned: MergedField) -> set[str] | None:
        """The graphs that resolve a field; None when it is resolved through an @interfaceObject."""
        if owned.joins is None:
            return {str(j["graph"]) for j in type_.joins}
        if any(j.graph is None for j in owned.joins):
            return None
        resolvers = set()
        for join in owned.joins:
            assert join.graph is not None
            index = self.index[join.graph]
            provided = f"{type_.name}.{owned.name}" in self.merger.facts[index].provided
            if not join.used_overridden and (not join.external or provided):
                resolvers.add(join.graph)
        return resolvers

    def _closure(self, type_: MergedType, options: frozenset[str]) -> set[str]:
        """The subgraphs reachable from `options` through resolvable keys of the type."""
        reached = set(options)
        keys = [(str(j["graph"]), str(j["key"])) for j in type_.joins if j.get("key") and j.get("resolvable")]
        changed = True
        while changed:
            changed = False
            for graph, key in keys:
                if graph in reached:
                    continue
                try:
                    selections = _parse_field_set(key).selections
                except GraphQLError:
                    continue
                needed = [n.name.value for n in selections if isinstance(n, FieldNode)]
                if all(self._resolvable(type_, name, reached) for name in needed if name != "__typename"):
                    reached.add(graph)
                    changed = True
        return reached

    def _resolvable(self, type_: MergedType, name: str, reached: set[str]) -> bool:
        owned = type_.fields.get(name)
        if owned is None:
            return False
        resolvers = self._resolvers(type_, owned)
        return resolvers is None or bool(resolvers & reached)

    def _possible(self, abstract: str, graph: str) -> set[str]:
        subgraph = self.merger.subgraphs[self.index[graph]]
        type_ = subgraph.types.get(abstract)
        if type_ is None or subgraph.is_interface_object(type_):
            return set()
        return _possible_types(subgraph, abstract)

    def _report(
        self, type_: MergedType, name: str, path: list[str], options: frozenset[str], resolvers: set[str]
    ) -> None:
        names = {graph: s.name for graph, s in zip(self.merger.graphs, self.merger.subgraphs, strict=True)}
        query = path[-1]
        for step in reversed(path[1:-1]):
            query = f"{step} {{ {query} }}"
        query = "{ " + query + " }" if path[0] == "Query" else f"{path[0].lower()} {{ {query} }}"
        origin = _subgraph_names(sorted(names[g] for g in options))
        target = _subgraph_names(sorted(names[g] for g in resolvers)) if resolvers else "no subgraph"
        keyed = [str(j["graph"]) for j in type_.joins if j.get("key") and j.get("resolvable")]
        why = (
            f'none of the @key of "{type_.name}" there are resolvable (they are all `resolvable: false`)'
            if resolvers and not set(keyed) & resolvers
            else f'no resolvable @key of "{type_.name}" there has fields that {origin} resolve'
        )
        self.merger.issues.add(
            "SATISFIABILITY_ERROR",
            f"The following supergraph API query:\n{query}\ncannot be satisfied by the subgraphs because: "
            f'from {origin}, field "{type_.name}.{name}" is resolved by {target}, which cannot be reached: '
            f'{why}. Add the field to {origin}, or a resolvable @key of "{type_.name}" to the subgraph '
            "that resolves it.",
        )


# --- printing -------------------------------------------------------------------------------------------

LINK_PURPOSE = '''enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''
INACCESSIBLE_DEFINITION = (
    "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | "
    "SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
TAG_DEFINITION = (
    "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
    "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"
)


def _join_minor(version: tuple[int, int]) -> int:
    """The join spec version Apollo picks for the newest federation version the subgraphs link."""
    return 5 if version >= (2, 8) else 4 if version >= (2, 7) else 3


def _spec_definitions(minor: int) -> dict[str, str]:
    field_args = (
        "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: "
        "Boolean, override: String, usedOverridden: Boolean"
    )
    field_args += ", overrideLabel: String" if minor >= 4 else ""
    field_args += ", contextArguments: [join__ContextArgument!]" if minor >= 5 else ""
    definitions = {
        "@join__enumValue": "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
        "@join__field": f"directive @join__field({field_args}) repeatable on FIELD_DEFINITION | "
        "INPUT_FIELD_DEFINITION",
        "@join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "@join__implements": (
            "directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | "
            "INTERFACE"
        ),
        "@join__type": (
            "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, "
            "resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | "
            "INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR"
        ),
        "@join__unionMember": (
            "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION"
        ),
        "@link": (
            "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) "
            "repeatable on SCHEMA"
        ),
        "join__FieldSet": "scalar join__FieldSet",
        "link__Import": "scalar link__Import",
        "link__Purpose": LINK_PURPOSE,
    }
    if minor >= 4:
        definitions["@join__directive"] = (
            "directive @join__directive(graphs: [join__Graph!], name: String!, args: "
            "join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
        )
        definitions["join__DirectiveArguments"] = "scalar join__DirectiveArguments"
    if minor >= 5:
        definitions["join__ContextArgument"] = (
            "input join__ContextArgument {\n  name: String!\n  type: String!\n  context: String!\n  "
            "selection: join__FieldValue!\n}"
        )
        definitions["join__FieldValue"] = "scalar join__FieldValue"
    return definitions


def _string(value: str) -> str:
    return print_ast(StringValueNode(value=value))


def _description_lines(text: str | None, indent: str) -> str:
    if text is None:
        return ""
    printed = print_ast(StringValueNode(value=text, block=True))
    return "\n".join(indent + line if line else line for line in printed.split("\n")) + "\n"


def _directive(name: str, args: Sequence[tuple[str, str]]) -> str:
    return f"@{name}({', '.join(f'{k}: {v}' for k, v in args)})" if args else f"@{name}"


def _applied_text(directives: Iterable[Applied]) -> list[str]:
    return [_directive(d.name, [(k, print_ast(v)) for k, v in d.args.items()]) for d in directives]


def _member_directives(joins: list[str], directives: list[Applied]) -> list[str]:
    """A field's or enum value's directives in Apollo's order: @inaccessible, the join ones, the others."""
    hidden = [d for d in directives if d.name == "inaccessible"]
    return _applied_text(hidden) + joins + _applied_text([d for d in directives if d.name != "inaccessible"])


def _join_field_text(join: JoinField) -> str:
    args: list[tuple[str, str]] = []
    if join.graph is not None:
        args.append(("graph", join.graph))
    for name, value in (("requires", join.requires), ("provides", join.provides), ("type", join.type)):
        if value is not None:
            args.append((name, _string(value)))
    if join.external:
        args.append(("external", "true"))
    if join.override is not None:
        args.append(("override", _string(join.override)))
    if join.used_overridden:
        args.append(("usedOverridden", "true"))
    if join.override_label is not None:
        args.append(("overrideLabel", _string(join.override_label)))
    return _directive("join__field", args)


def _join_type_text(join: dict[str, object]) -> str:
    args = [("graph", str(join["graph"]))]
    if join.get("key") is not None:
        args.append(("key", _string(str(join["key"]))))
    if join.get("extension"):
        args.append(("extension", "true"))
    if join.get("resolvable") is False:
        args.append(("resolvable", "false"))
    if join.get("isInterfaceObject"):
        args.append(("isInterfaceObject", "true"))
    return _directive("join__type", args)


def _arguments_text(args: dict[str, Arg], indent: str) -> str:
    if not args:
        return ""
    printed = [_input_value_text(a) for a in args.values()]
    if not any(a.description for a in args.values()):
        return "(" + ", ".join(printed) + ")"
    inner = indent + "  "
    lines = [
        _description_lines(a.description, inner) + inner + text
        for a, text in zip(args.values(), printed, strict=True)
    ]
    return "(\n" + "\n".join(lines) + "\n" + indent + ")"


def _input_value_text(arg: Arg | MergedField, joins: Sequence[JoinField] | None = None) -> str:
    assert arg.type is not None
    text = f"{arg.name}: {_printed(arg.type)}"
    if arg.default is not None:
        text += f" = {print_ast(arg.default)}"
    extras = _member_directives([_join_field_text(j) for j in joins or ()], arg.directives)
    return " ".join([text, *extras])


def _type_text(type_: MergedType) -> str:
    keyword = {OBJECT: "type", INTERFACE: "interface", UNION: "union", ENUM: "enum", INPUT_OBJECT: "input",
               SCALAR: "scalar"}[type_.kind]  # fmt: skip
    head = f"{keyword} {type_.name}"
    if type_.interfaces:
        head += " implements " + " & ".join(type_.interfaces)
    directives = [
        _directive("join__implements", [("graph", g), ("interface", _string(i))]) for g, i in type_.implements
    ]
    directives += [_join_type_text(j) for j in type_.joins]
    directives += [
        _directive("join__unionMember", [("graph", g), ("member", _string(m))]) for g, m in type_.member_joins
    ]
    directives += _applied_text(type_.directives)
    text = _description_lines(type_.description, "") + head + "".join(f"\n  {d}" for d in directives)
    if type_.kind == SCALAR:
        return text
    if type_.kind == UNION:
        return text + ("\n = " + " | ".join(type_.members) if type_.members else "")
    lines = []
    if type_.kind == ENUM:
        for value in type_.values.values():
            joins = [_directive("join__enumValue", [("graph", g)]) for g in value.graphs]
            extras = _member_directives(joins, value.directives)
            lines.append(_description_lines(value.description, "  ") + "  " + " ".join([value.name, *extras]))
    elif type_.kind == INPUT_OBJECT:
        for owned in type_.fields.values():
            lines.append(
                _description_lines(owned.description, "  ") + "  " + _input_value_text(owned, owned.joins)
            )
    else:
        for owned in type_.fields.values():
            assert owned.type is not None
            extras = _member_directives([_join_field_text(j) for j in owned.joins or ()], owned.directives)
            line = f"{owned.name}{_arguments_text(owned.args, '  ')}: {_printed(owned.type)}"
            lines.append(_description_lines(owned.description, "  ") + "  " + " ".join([line, *extras]))
    # As Apollo prints: a blank line before each described member but the first.
    body = "".join(
        ("\n" if i and line.lstrip().startswith('"') else "") + line + "\n" for i, line in enumerate(lines)
    )
    return text + "\n{\n" + body + "}"


def _print_supergraph(merger: _Merger) -> str:
    minor = _join_minor(merger.version)
    elements: list[Element] = []
    for type_ in merger.types.values():
        elements.append(type_)
        for owned in type_.fields.values():
            elements += [owned, *owned.args.values()]
        elements += list(type_.values.values())
    used = {d.name for e in elements for d in e.directives if d.federation}
    links = ['@link(url: "https://specs.apollo.dev/link/v1.0")']
    links.append(f'@link(url: "https://specs.apollo.dev/join/v0.{minor}", for: EXECUTION)')
    definitions = _spec_definitions(minor)
    if "tag" in used:
        links.append('@link(url: "https://specs.apollo.dev/tag/v0.3")')
        definitions["@tag"] = TAG_DEFINITION
    if "inaccessible" in used:
        links.append('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')
        definitions["@inaccessible"] = INACCESSIBLE_DEFINITION
    for text in merger.directives:
        definitions["@" + text.split("@", 1)[1].split("(")[0].split(" ")[0]] = text
    graphs = [
        f"  {graph} @join__graph(name: {_string(s.name)}, url: {_string(s.url)})"
        for graph, s in zip(merger.graphs, merger.subgraphs, strict=True)
    ]
    definitions["join__Graph"] = "enum join__Graph {\n" + "\n".join(graphs) + "\n}"
    for type_ in merger.types.values():
        definitions[type_.name] = _type_text(type_)
    roots = [f"  {op}: {name}" for op, name in ROOT_DEFAULTS.items() if name in merger.types]
    schema = "schema\n" + "".join(f"  {link}\n" for link in links) + "{\n" + "\n".join(roots) + "\n}"
    # Apollo's order: the schema, directives, then types, each sorted by name regardless of case.
    ordered = sorted(definitions, key=lambda n: (not n.startswith("@"), n.lstrip("@").lower(), n))
    return "\n\n".join([schema, *(definitions[name] for name in ordered)])


def _check_printed(text: str, issues: _Issues) -> None:
    """The supergraph must itself be valid GraphQL (e.g. interface fields implemented compatibly)."""
    try:
        errors = validate_schema(build_ast_schema(parse(text, no_location=True), assume_valid_sdl=True))
    except (GraphQLError, TypeError) as error:  # e.g. a type referenced but defined nowhere
        errors = [error if isinstance(error, GraphQLError) else GraphQLError(str(error))]
    for error in errors:
        issues.add("INVALID_GRAPHQL", f"In the composed supergraph: {error.message}")


# --- the entry point --------------------------------------------------------------------------------------


def compose(subgraphs: Sequence[SubgraphSource]) -> str:
    """The supergraph SDL of these subgraphs; raises CompositionError listing every problem found."""
    issues = _Issues()
    seen: set[str] = set()
    for source in subgraphs:
        if source.name == "_" or not source.name:
            issues.add(
                "INVALID_SUBGRAPH_NAME", f'Invalid name "{source.name}" for a subgraph: this name is reserved'
            )
        elif source.name in seen:
            issues.add(
                "INVALID_SUBGRAPH_NAME", f'Two subgraphs are named "{source.name}": names must be unique'
            )
        seen.add(source.name)
    if not subgraphs:
        issues.add(
            "NO_QUERIES", "No subgraphs to compose: a supergraph needs at least one subgraph with queries."
        )
    issues.check()
    # Apollo keeps subgraphs sorted by name; the order decides the join__Graph enum and the field order.
    read = [_Reader(source, issues).read() for source in sorted(subgraphs, key=lambda s: s.name)]
    issues.check()
    upgraded = _upgrade([s for s in read if s is not None], issues)
    issues.check()
    for subgraph in upgraded:
        _validate(subgraph, issues)
    issues.check()
    merger = _Merger(upgraded, issues)
    merger.merge()
    issues.check()
    _Satisfiability(merger).check()
    issues.check()
    text = _print_supergraph(merger)
    _check_printed(text, issues)
    issues.check()
    return text
