"""The client-facing contract: a supergraph's API schema as SDL, and the breaking changes between two.

Portal teams generate typed clients from the API schema (the supergraph without its `join__`/`link`
machinery, what introspection shows). A breaking change to it (a field removed, a type changed, an
argument made required: graphql-core's `find_breaking_changes`) breaks their builds, so it must be a
decision written down: each one's description must appear in the changelog, word for word, before the
recorded schema may change.
"""

from __future__ import annotations

from graphql import build_schema, find_breaking_changes, print_schema

from gateway.supergraph import Supergraph


def api_sdl(supergraph_sdl: str) -> str:
    """The API schema clients see, printed as SDL."""
    return print_schema(Supergraph(supergraph_sdl).api_schema) + "\n"


def breaking_changes(recorded_sdl: str, current_sdl: str) -> list[str]:
    """What would break a client written against `recorded_sdl`, one sentence each."""
    changes = find_breaking_changes(build_schema(recorded_sdl), build_schema(current_sdl))
    return sorted(change.description for change in changes)


def unrecorded(changes: list[str], changelog: str) -> list[str]:
    """The changes the changelog does not name (its text holds each description as graphql-core words it)."""
    return [change for change in changes if change not in changelog]
