"""Every refusal the subgraphs raise carries an `extensions.code`: a scan of services/ (issue 13).

`ShapeErrors` gives a `QFError` its code and keeps its message; any other exception reaching a resolver
leaves as "Internal server error; it has been logged." and the person loses the reason. So each `raise`
under services/ raises a `QFError` subclass, unless its module never runs under GraphQL (importers, the
command line, settings) or the exception is turned into a `QFError` where it is caught (listed below,
with where). A GraphQLError built by hand names its code or wraps a `QFError`.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import types
from collections.abc import Iterator
from pathlib import Path

from graphql import GraphQLError

from services.common.errors import BadUserInput, Forbidden, QFError

SERVICES = Path(__file__).resolve().parents[2] / "services"

# Modules no resolver runs: command line, start-up, importers and offline tools.
OFFLINE = (
    "services.common.embedded",
    "services.common.migrations",
    "services.common.settings",
    "services.mapping.counterparts.evaluation",  # the gold file, read by `qf` and tests
    "services.mapping.counterparts.glossary",  # read when the proposer is built (import, calibrate)
    "services.mapping.counterparts.handwritten",  # the reader of those two files
    "services.common.renec.standards",  # RENEC's list, read by the importers
    "services.mapping.importer",
    "services.mapping.sources.",
    "services.registry.importer",
    "services.registry.renec_folder",  # the RENEC folder, read by the importer
    "services.registry.structures",  # the structure files, read by the importer
    "services.registry.sync",
)
# Exceptions of resolver code that are not QFErrors, and where each becomes one.
CAUGHT = {
    ("services.credits.conversion", "ConversionError"): "services/credits/schema.py convert_credits",
}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SERVICES.rglob("*.py")):
        parts = path.relative_to(SERVICES.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _raised(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    """(line, the callee of the exception) for each `raise`; a name bound to an exception built earlier
    in the function (`invalid = BadUserInput(...)`, then `raise invalid`) stands for that call."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    seen: set[int] = set()
    for scope in [*functions, tree]:  # a raise counts once, in the first function that holds it
        built = {
            target.id: node.value.func
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(scope):
            if not isinstance(node, ast.Raise) or node.exc is None or id(node) in seen:
                continue  # a bare `raise` re-raises what an `except` caught
            seen.add(id(node))
            if isinstance(node.exc, ast.Call):
                yield node.lineno, node.exc.func
            elif isinstance(node.exc, ast.Name) and node.exc.id in built:
                yield node.lineno, built[node.exc.id]
            else:
                yield node.lineno, node.exc  # a class raised without arguments


def _resolve(namespace: object, callee: ast.expr) -> object:
    """What a dotted name means in a module (or among the builtins, as Python looks it up)."""
    first, *rest = ast.unparse(callee).split(".")
    value = getattr(namespace, first) if hasattr(namespace, first) else getattr(builtins, first)
    for name in rest:
        value = getattr(value, name)
    return value


def problems(name: str, source: str, namespace: object, where: str) -> list[str]:
    """What in one module's source could leave a resolver without a code."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(source)
    for line, callee in _raised(tree):
        raised = _resolve(namespace, callee)
        if isinstance(raised, type) and issubclass(raised, QFError | GraphQLError):
            continue  # a GraphQLError's code is checked where it is built, below
        if (name, getattr(raised, "__name__", "")) not in CAUGHT:
            found.append((line, f"{where}:{line} raises {ast.unparse(callee)}"))
    for node in ast.walk(tree):
        built = isinstance(node, ast.Call) and ast.unparse(node.func) == "GraphQLError"
        if built and not {k.arg for k in node.keywords} & {"extensions", "original_error"}:
            found.append((node.lineno, f"{where}:{node.lineno} builds a GraphQLError without a code"))
    return [problem for _, problem in sorted(found)]


def resolver_modules() -> Iterator[tuple[str, Path]]:
    for name, path in modules():
        if not name.startswith(OFFLINE):
            yield name, path


def test_every_error_a_resolver_raises_has_a_code() -> None:
    found = [
        problem
        for name, path in resolver_modules()
        for problem in problems(
            name,
            path.read_text(encoding="utf-8"),
            importlib.import_module(name),
            str(path.relative_to(SERVICES.parent)),
        )
    ]
    assert found == []


def test_every_qf_error_names_a_code() -> None:
    for name, _ in resolver_modules():
        importlib.import_module(name)
    classes, seen = [QFError], []
    while classes:
        cls = classes.pop()
        seen.append(cls)
        classes.extend(cls.__subclasses__())
    assert all(cls.code and cls.code.isupper() for cls in seen), [(c, c.code) for c in seen]


def test_the_scan_reports_what_has_no_code() -> None:
    """The scan can fail: a ValueError, a bare class and a hand-built GraphQLError are reported; QFErrors,
    also through a variable, and re-raises are not."""
    source = """
def resolve(x):
    invalid = BadUserInput("bad", argument="x")
    if x == 1:
        raise invalid
    if x == 2:
        raise Forbidden("no")
    if x == 3:
        raise ValueError("lost reason")
    if x == 4:
        raise KeyError
    try:
        pass
    except KeyError:
        raise
    raise GraphQLError("no code")
"""
    namespace = types.SimpleNamespace(
        BadUserInput=BadUserInput, Forbidden=Forbidden, GraphQLError=GraphQLError
    )
    assert problems("services.example", source, namespace, "example.py") == [
        "example.py:9 raises ValueError",
        "example.py:11 raises KeyError",
        "example.py:16 builds a GraphQLError without a code",
    ]
