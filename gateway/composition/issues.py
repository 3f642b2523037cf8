"""Problems composition reports, and the phrases several stages build their messages from.

Messages and codes follow @apollo/composition, so that callers (and the tests comparing us with Apollo)
can rely on the code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


class Issues:
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


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def listed_subgraphs(described: list[str]) -> str:
    """`subgraph A`, or `subgraphs A, B and C`, for subgraphs already described (quoted, annotated)."""
    if len(described) == 1:
        return f"subgraph {described[0]}"
    return f"subgraphs {', '.join(described[:-1])} and {described[-1]}"


def subgraph_names(names: Iterable[str]) -> str:
    return listed_subgraphs([f'"{name}"' for name in names])


def extension_with_no_base(subgraph: str, type_name: str) -> str:
    """EXTENSION_WITH_NO_BASE's message: found when upgrading Federation 1 subgraphs, and when merging."""
    return (
        f'[{subgraph}] Type "{type_name}" is an extension type, but there is no type definition for "'
        f'{type_name}" in any subgraph: define it (without `extend`) in the subgraph that owns it.'
    )
