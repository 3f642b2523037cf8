"""What the supergraph keeps of an element's definitions across subgraphs: description and directives.

Of the directives only @inaccessible and @tag (federation's) and @deprecated and @specifiedBy (GraphQL's)
reach the supergraph; the rest of federation's vocabulary becomes join facts instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import print_ast

from .model import Applied, Element


def merged_description(elements: Iterable[Element | None]) -> str | None:
    """The description most subgraphs give (a non-empty one wins over an empty one), as Apollo picks it."""
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


def carried_directives(elements: Iterable[Element | None]) -> list[Applied]:
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
            result.append(Applied(name, applications[best].args, federation=applications[best].federation))
    return result


def is_inaccessible(element: Element) -> bool:
    return any(d.name == "inaccessible" and d.federation for d in element.directives)
