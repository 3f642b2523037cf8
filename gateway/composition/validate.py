"""Stage 3, validate: each subgraph's federation directives, on their own (before anything is merged).

@key, @requires and @provides must select fields that exist, with the right @external marks; @external,
@shareable and @interfaceObject must be where they mean something; an interface's @key must be on its
implementations. Messages are Apollo's (validateFieldSet and its neighbours).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import (
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    NonNullTypeNode,
    SelectionSetNode,
    StringValueNode,
    print_ast,
)

from .facts import FederationFacts
from .fieldsets import is_composite, parse_field_set, possible_types, print_selection
from .issues import Issues, quoted
from .model import INTERFACE, OBJECT, UNION, Applied, Field, Subgraph, Type, base_name


def validate_subgraph(subgraph: Subgraph, issues: Issues) -> None:
    """Reports every misused federation directive of one (Federation 2, or upgraded) subgraph."""
    facts = FederationFacts(subgraph)
    checker = _FieldSetChecker(subgraph, facts, issues)
    prefix = f"[{subgraph.name}] "

    def no_abstract_key_fields(selected: Field) -> None:
        base = subgraph.types.get(base_name(selected.type))
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
                base = base_name(owned.type)
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
                elif not is_composite(subgraph, base):
                    issues.add(
                        "PROVIDES_ON_NON_OBJECT_FIELD",
                        f'{prefix}Invalid @provides directive on field "{owned.coordinate}": field has '
                        f'type "{print_ast(owned.type)}" which is not a Composite Type (@provides only '
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
        selection = parse_field_set(fields or "")
    except GraphQLError:
        return None

    def canon(selection_set: SelectionSetNode) -> str:
        parts = []
        for node in selection_set.selections:
            head = (
                node.name.value
                if isinstance(node, FieldNode)
                else f"...{print_selection(SelectionSetNode(selections=(node,)))}"
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


def _check_interface_keys(subgraph: Subgraph, interface: Type, issues: Issues) -> None:
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
                f"implementation type{'s' if len(missing) > 1 else ''} {quoted(missing)}: add the same "
                "@key to them.",
            )
        elif unresolvable:
            issues.add(
                "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                f'[{subgraph.name}] Key {printed} on interface type "{interface.name}" should be '
                'resolvable on all implementation types, but is declared with argument "@key(resolvable:)" '
                f"set to false in {quoted(unresolvable)}.",
            )


class _FieldSetProblem(Exception):
    """The first problem in a field set: Apollo reports one per application, so the walk stops there."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _FieldSetChecker:
    """Validates one @key/@requires/@provides application the way Apollo's validateFieldSet does."""

    def __init__(self, subgraph: Subgraph, facts: FederationFacts, issues: Issues) -> None:
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
            selection = parse_field_set(value.value)
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
                if not is_composite(self.subgraph, condition):
                    raise _FieldSetProblem(None, f'Unknown type "{condition}" in the inline fragment.')
                if condition != type_name and not (
                    possible_types(self.subgraph, condition) & possible_types(self.subgraph, type_name)
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
            base = base_name(selected.type)
            composite = is_composite(self.subgraph, base)
            if composite and not node.selection_set:
                raise _FieldSetProblem(
                    None,
                    f'Field "{selected.coordinate}" of type "{print_ast(selected.type)}" must have a '
                    "selection of subfields.",
                )
            if not composite and node.selection_set:
                raise _FieldSetProblem(
                    None,
                    f'Field "{selected.coordinate}" must not have a selection since type "'
                    f'{print_ast(selected.type)}" has no subfields.',
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
                    directive, base_name(selected.type), node.selection_set, nested_external,
                    allow_unexternal_leaves, allow_arguments,
                )  # fmt: skip
