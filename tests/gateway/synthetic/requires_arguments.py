"""@requires selecting a field with arguments that the client also selects with other arguments.

`threads` owns threads and their `comments(limit)`; `people` knows who wrote each comment
(`Comment.authorId`); `digest` computes `Thread.topAuthors` from `comments(limit: 3) { authorId }`
and `Thread.firstAuthor` from `comments(limit: 1) { authorId }`; `lead` and `excerpt` need the
bodies of one and of two comments, which `threads` answers itself (so both requirements are ready at
the same moment, yet cannot share one representation). So a representation for `digest`
needs a `comments` list the client may also ask for, with another limit or other fields, in any
order, and whose `authorId` comes from a third subgraph: the required list must reach `digest` as
the requirement says, and the client's `comments` must keep its own arguments and answer.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

COMMENTS = [
    {"id": f"c{i}", "thread": thread, "author": author, "body": f"comment {i}"}
    for i, (thread, author) in enumerate(
        [("t1", "ana"), ("t1", "beto"), ("t1", "ana"), ("t1", "ciro"), ("t2", "dana"), ("t2", "dana")], 1
    )
]
THREADS = {"t1": "Huertos urbanos", "t2": "Bicicletas"}


def _comments(thread: dict[str, Any], _info: Any, limit: int) -> list[dict[str, Any]]:
    found = [c for c in COMMENTS if c["thread"] == thread["id"]][: max(limit, 0)]
    return [{"id": c["id"], "body": c["body"]} for c in found]


THREADS_SUBGRAPH = Subgraph(
    "threads",
    f"""
{link("@key")}

type Query {{
  threads: [Thread]
}}

type Thread @key(fields: "id") {{
  id: ID!
  title: String
  comments(limit: Int!): [Comment]
}}

type Comment @key(fields: "id") {{
  id: ID!
  body: String
}}
""",
    {
        "Query.threads": lambda _o, _i: [{"id": key, "title": title} for key, title in THREADS.items()],
        "Thread.__resolve_reference": lambda ref: ref["id"] in THREADS and {"id": ref["id"]},
        "Thread.comments": _comments,
        "Comment.__resolve_reference": lambda ref: next(
            ({"id": c["id"], "body": c["body"]} for c in COMMENTS if c["id"] == ref["id"]), None
        ),
    },
)

PEOPLE = Subgraph(
    "people",
    f"""
{link("@key")}

type Comment @key(fields: "id") {{
  id: ID!
  authorId: ID
}}
""",
    {
        "Comment.__resolve_reference": lambda ref: next(
            ({"id": c["id"], "authorId": c["author"]} for c in COMMENTS if c["id"] == ref["id"]), None
        ),
    },
)


def _required_authors(thread: dict[str, Any], expected: int) -> list[str]:
    """The authors of the required comments, refusing a representation that lost them."""
    comments = thread.get("comments")
    if not isinstance(comments, list) or any(not isinstance(c, dict) for c in comments):
        raise ValueError(f"comments were not provided: {comments!r}")
    wanted = len([c for c in COMMENTS if c["thread"] == thread["id"]][:expected])
    if len(comments) != wanted or any(not c.get("authorId") for c in comments):
        raise ValueError(f"expected {wanted} comments with their authors, got {comments!r}")
    return [c["authorId"] for c in comments]


def _required_bodies(thread: dict[str, Any], expected: int) -> list[str]:
    comments = thread.get("comments")
    wanted = [c["body"] for c in COMMENTS if c["thread"] == thread["id"]][:expected]
    if not isinstance(comments, list) or [c and c.get("body") for c in comments] != wanted:
        raise ValueError(f"expected the bodies {wanted}, got {comments!r}")
    return wanted


def _top_authors(thread: dict[str, Any], _info: Any) -> list[str]:
    return sorted(set(_required_authors(thread, 3)))


def _first_author(thread: dict[str, Any], _info: Any) -> str | None:
    authors = _required_authors(thread, 1)
    return authors[0] if authors else None


DIGEST = Subgraph(
    "digest",
    f"""
{link("@key", "@external", "@requires")}

type Thread @key(fields: "id") {{
  id: ID!
  comments(limit: Int!): [Comment] @external
  topAuthors: [String] @requires(fields: "comments(limit: 3) {{ authorId }}")
  firstAuthor: String @requires(fields: "comments(limit: 1) {{ authorId }}")
  lead: String @requires(fields: "comments(limit: 1) {{ body }}")
  excerpt: String @requires(fields: "comments(limit: 2) {{ body }}")
}}

type Comment @key(fields: "id") {{
  id: ID!
  authorId: ID @external
  body: String @external
}}
""",
    {
        "Thread.__resolve_reference": lambda ref: dict(ref) if ref["id"] in THREADS else None,
        "Thread.topAuthors": _top_authors,
        "Thread.firstAuthor": _first_author,
        "Thread.lead": lambda thread, _i: " / ".join(_required_bodies(thread, 1)),
        "Thread.excerpt": lambda thread, _i: " / ".join(_required_bodies(thread, 2)),
    },
)

SUBGRAPHS = [THREADS_SUBGRAPH, PEOPLE, DIGEST]


def _page(thread: str, limit: int, *fields: str) -> list[dict[str, Any]]:
    """The client's `comments(limit)` of a thread, with the fields it asked, as the spec answers them."""
    named = {"id": "id", "body": "body", "authorId": "author"}
    found = [c for c in COMMENTS if c["thread"] == thread][:limit]
    return [{f: c[named[f]] for f in fields} for c in found]


TOP = {"t1": ["ana", "beto"], "t2": ["dana"]}
FIRST = {"t1": "ana", "t2": "dana"}


def _per_thread(*fields: tuple[str, Any]) -> dict[str, Any]:
    """The answer for both threads, each field's value given by a function of the thread's id."""
    return {"threads": [{name: value(t) for name, value in fields} for t in THREADS]}


# @apollo/gateway answers every operation below but two with the wrong `comments`: it asks one
# `comments` field for both the client and the requirement (or for two requirements), so one side
# gets the other's list. Each carries the answer the spec gives.
OPERATIONS = [
    Operation("requires_argument_alone", "{ threads { id topAuthors } }"),
    Operation(
        "requires_argument_client_other_limit_before",
        "{ threads { id comments(limit: 10) { body } topAuthors } }",
        spec_data=_per_thread(
            ("id", str), ("comments", lambda t: _page(t, 10, "body")), ("topAuthors", TOP.get)
        ),
    ),
    Operation(
        "requires_argument_client_other_limit_after",
        "{ threads { id topAuthors comments(limit: 10) { body } } }",
        spec_data=_per_thread(
            ("id", str), ("topAuthors", TOP.get), ("comments", lambda t: _page(t, 10, "body"))
        ),
    ),
    Operation(
        "requires_argument_client_same_limit",
        "{ threads { topAuthors comments(limit: 3) { body } } }",
    ),
    Operation(
        "requires_argument_client_other_limit_same_subfield",
        "{ threads { topAuthors comments(limit: 1) { id authorId } } }",
        spec_data=_per_thread(("topAuthors", TOP.get), ("comments", lambda t: _page(t, 1, "id", "authorId"))),
    ),
    Operation(
        "requires_argument_client_alias_on_required_name",
        "{ threads { topAuthors comments: title recent: comments(limit: 2) { body } } }",
        spec_data=_per_thread(
            ("topAuthors", TOP.get), ("comments", THREADS.get), ("recent", lambda t: _page(t, 2, "body"))
        ),
    ),
    Operation(
        "requires_argument_client_variable_limit",
        "query ($n: Int!) { threads { topAuthors comments(limit: $n) { id body authorId } } }",
        {"n": 4},
        spec_data=_per_thread(
            ("topAuthors", TOP.get), ("comments", lambda t: _page(t, 4, "id", "body", "authorId"))
        ),
    ),
    Operation(
        "requires_argument_two_requirements_other_limits",
        "{ threads { topAuthors firstAuthor } }",
        spec_data=_per_thread(("topAuthors", TOP.get), ("firstAuthor", FIRST.get)),
    ),
    Operation(
        "requires_argument_two_local_requirements",
        "{ threads { lead excerpt } }",
        spec_data=_per_thread(
            ("lead", lambda t: _page(t, 1, "body")[0]["body"]),
            ("excerpt", lambda t: " / ".join(c["body"] for c in _page(t, 2, "body"))),
        ),
    ),
    Operation(
        "requires_argument_local_requirement_client_other_limit",
        "{ threads { excerpt comments(limit: 1) { body } lead } }",
        spec_data=_per_thread(
            ("excerpt", lambda t: " / ".join(c["body"] for c in _page(t, 2, "body"))),
            ("comments", lambda t: _page(t, 1, "body")),
            ("lead", lambda t: _page(t, 1, "body")[0]["body"]),
        ),
    ),
    Operation(
        "requires_argument_two_requirements_and_client_limit",
        "{ threads { firstAuthor comments(limit: 2) { body } topAuthors } }",
        spec_data=_per_thread(
            ("firstAuthor", FIRST.get), ("comments", lambda t: _page(t, 2, "body")), ("topAuthors", TOP.get)
        ),
    ),
]
