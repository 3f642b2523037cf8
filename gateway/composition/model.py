"""The in-memory model of a subgraph: its types, fields and the directives applied to them.

Reading builds it from SDL; the upgrade rewrites it; validation and the merge read it. Directives keep
their federation name ("key", whatever the subgraph calls it) so that no later stage resolves names again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    NamedTypeNode,
    NonNullTypeNode,
    StringValueNode,
    TypeNode,
    ValueNode,
)

OBJECT, INTERFACE, UNION, ENUM, INPUT_OBJECT, SCALAR = (
    "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "SCALAR",
)  # fmt: skip
ROOT_DEFAULTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}


@dataclass(frozen=True)
class SubgraphSource:
    name: str
    url: str
    sdl: str


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


def base_name(node: TypeNode) -> str:
    """`Product` for `[Product!]!`."""
    while not isinstance(node, NamedTypeNode):
        node = node.type
    return node.name.value


def is_required(element: Arg | Field) -> bool:
    """A non-null argument or input field without a default: callers must give it."""
    return isinstance(element.type, NonNullTypeNode) and element.default is None
