"""@inaccessible: what it hides from the API schema must not be needed by what stays in it.

The supergraph keeps hidden elements (the router needs them to plan queries); these checks make sure the
API schema derived from it, without them, is still a valid schema.
"""

from __future__ import annotations

from .carry import is_inaccessible
from .issues import Issues
from .merged import MergedType
from .model import ENUM, INPUT_OBJECT, INTERFACE, OBJECT, UNION, Element, base_name, is_required


def check_inaccessible(types: dict[str, MergedType], issues: Issues) -> None:
    hidden_types = {name for name, t in types.items() if is_inaccessible(t)}
    if (
        not hidden_types
        and not any(
            is_inaccessible(f) or any(is_inaccessible(a) for a in f.args.values())
            for t in types.values()
            for f in t.fields.values()
        )
        and not any(is_inaccessible(v) for t in types.values() for v in t.values.values())
    ):
        return
    if "Query" in hidden_types:
        issues.add(
            "QUERY_ROOT_TYPE_INACCESSIBLE",
            'Type "Query" is @inaccessible but is the root query type, which must be in the API schema.',
        )
    for type_ in types.values():
        if type_.name in hidden_types:
            continue
        for owned in type_.fields.values():
            references = [] if is_inaccessible(owned) else [(owned, f"{type_.name}.{owned.name}")]
            if not is_inaccessible(owned):
                references += [
                    (a, f"{type_.name}.{owned.name}({a.name}:)")
                    for a in owned.args.values()
                    if not is_inaccessible(a)
                ]
            for element, coordinate in references:
                assert element.type is not None
                base = base_name(element.type)
                if base in hidden_types:
                    issues.add(
                        "REFERENCED_INACCESSIBLE",
                        f'Type "{base}" is @inaccessible but is referenced by "{coordinate}", which is '
                        "in the API schema: hide that too, or make the type accessible.",
                    )
            for arg in owned.args.values():
                if not is_inaccessible(owned) and is_inaccessible(arg) and is_required(arg):
                    issues.add(
                        "REQUIRED_INACCESSIBLE",
                        f'Argument "{type_.name}.{owned.name}({arg.name}:)" is @inaccessible but is a '
                        "required argument of its field.",
                    )
            if type_.kind == INPUT_OBJECT and is_inaccessible(owned) and is_required(owned):  # type: ignore[arg-type]
                issues.add(
                    "REQUIRED_INACCESSIBLE",
                    f'Input field "{type_.name}.{owned.name}" is @inaccessible but is a required input '
                    "field of its type.",
                )
            if is_inaccessible(owned):
                for interface in type_.interfaces:
                    theirs = types.get(interface)
                    if (
                        theirs
                        and owned.name in theirs.fields
                        and interface not in hidden_types
                        and not (is_inaccessible(theirs.fields[owned.name]))
                    ):
                        issues.add(
                            "IMPLEMENTED_BY_INACCESSIBLE",
                            f'Field "{type_.name}.{owned.name}" is @inaccessible but implements the '
                            f'interface field "{interface}.{owned.name}", which is in the API schema.',
                        )
        children: list[Element] = (
            list(type_.fields.values())
            if type_.kind in (OBJECT, INTERFACE, INPUT_OBJECT)
            else list(type_.values.values())
            if type_.kind == ENUM
            else [types[m] for m in type_.members if m in types]
            if type_.kind == UNION
            else []
        )
        if children and all(is_inaccessible(c) for c in children):
            what = {UNION: "members", ENUM: "values", INPUT_OBJECT: "input fields"}.get(type_.kind, "fields")
            issues.add(
                "ONLY_INACCESSIBLE_CHILDREN",
                f'Type "{type_.name}" is in the API schema but all of its {what} are @inaccessible: '
                "make one accessible, or hide the type too.",
            )
