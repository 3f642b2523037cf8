"""The supergraph's SDL, printed as @apollo/composition prints it.

Routers read this text, and tests compare it with Apollo's, so the order matters as much as the content:
the schema with its @link, directive definitions, then types, each sorted by name regardless of case;
within a type, join directives in Apollo's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graphql import GraphQLError, StringValueNode, build_ast_schema, parse, print_ast, validate_schema

from .issues import Issues
from .merged import JoinField, MergedField, MergedSupergraph, MergedType
from .model import ENUM, INPUT_OBJECT, INTERFACE, OBJECT, ROOT_DEFAULTS, SCALAR, UNION, Applied, Arg, Element

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


def applied_text(directives: Iterable[Applied]) -> list[str]:
    return [_directive(d.name, [(k, print_ast(v)) for k, v in d.args.items()]) for d in directives]


def _member_directives(joins: list[str], directives: list[Applied]) -> list[str]:
    """A field's or enum value's directives in Apollo's order: @inaccessible, the join ones, the others."""
    hidden = [d for d in directives if d.name == "inaccessible"]
    return applied_text(hidden) + joins + applied_text([d for d in directives if d.name != "inaccessible"])


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
    text = f"{arg.name}: {print_ast(arg.type)}"
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
    directives += applied_text(type_.directives)
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
            line = f"{owned.name}{_arguments_text(owned.args, '  ')}: {print_ast(owned.type)}"
            lines.append(_description_lines(owned.description, "  ") + "  " + " ".join([line, *extras]))
    # As Apollo prints: a blank line before each described member but the first.
    body = "".join(
        ("\n" if i and line.lstrip().startswith('"') else "") + line + "\n" for i, line in enumerate(lines)
    )
    return text + "\n{\n" + body + "}"


def print_supergraph(supergraph: MergedSupergraph) -> str:
    """The whole supergraph SDL: the schema and its @link, spec definitions, merged types."""
    minor = _join_minor(supergraph.version)
    elements: list[Element] = []
    for type_ in supergraph.types.values():
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
    for text in supergraph.directives:
        definitions["@" + text.split("@", 1)[1].split("(")[0].split(" ")[0]] = text
    graphs = [
        f"  {graph} @join__graph(name: {_string(s.name)}, url: {_string(s.url)})"
        for graph, s in zip(supergraph.graphs, supergraph.subgraphs, strict=True)
    ]
    definitions["join__Graph"] = "enum join__Graph {\n" + "\n".join(graphs) + "\n}"
    for type_ in supergraph.types.values():
        definitions[type_.name] = _type_text(type_)
    roots = [f"  {op}: {name}" for op, name in ROOT_DEFAULTS.items() if name in supergraph.types]
    schema = "schema\n" + "".join(f"  {link}\n" for link in links) + "{\n" + "\n".join(roots) + "\n}"
    # Apollo's order: the schema, directives, then types, each sorted by name regardless of case.
    ordered = sorted(definitions, key=lambda n: (not n.startswith("@"), n.lstrip("@").lower(), n))
    return "\n\n".join([schema, *(definitions[name] for name in ordered)])


def check_printed_supergraph(text: str, issues: Issues) -> None:
    """The supergraph must itself be valid GraphQL (e.g. interface fields implemented compatibly)."""
    try:
        errors = validate_schema(build_ast_schema(parse(text, no_location=True), assume_valid_sdl=True))
    except (GraphQLError, TypeError) as error:  # e.g. a type referenced but defined nowhere
        errors = [error if isinstance(error, GraphQLError) else GraphQLError(str(error))]
    for error in errors:
        issues.add("INVALID_GRAPHQL", f"In the composed supergraph: {error.message}")
