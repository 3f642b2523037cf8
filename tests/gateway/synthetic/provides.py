"""@provides: reviews keep a copy of a user's username and display name (nested provides), and a board
provides its members' usernames on a list field; anything else about a user comes from accounts."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

USERS = {
    "1": {
        "id": "1",
        "username": "ana",
        "email": "ana@example.mx",
        "profile": {"displayName": "Ana R.", "avatar": "a.png"},
    },
    "2": {"id": "2", "username": "beto", "email": None, "profile": {"displayName": "Beto", "avatar": None}},
    "3": {"id": "3", "username": "cris", "email": "c@example.mx", "profile": None},
}

REVIEWS = [
    {"id": "r1", "body": "Great", "author": "1"},
    {"id": "r2", "body": "Meh", "author": "2"},
    {"id": "r3", "body": "Fine", "author": "3"},
]

BOARDS = {"b1": {"id": "b1", "members": ["1", "3"]}, "b2": {"id": "b2", "members": []}}


def _provided(user_id: str) -> dict:
    """What reviews store about an author: the key and the provided fields, not the email."""
    user = USERS[user_id]
    profile = user["profile"] and {"displayName": user["profile"]["displayName"]}
    return {"id": user_id, "username": user["username"], "profile": profile}


ACCOUNTS = Subgraph(
    "accounts",
    f"""
{link("@key", "@shareable")}

type Query {{
  user(id: ID!): User
}}

type User @key(fields: "id") {{
  id: ID!
  username: String! @shareable
  email: String
  profile: Profile @shareable
}}

type Profile @shareable {{
  displayName: String!
  avatar: String
}}
""",
    {
        "Query.user": lambda _o, _i, id: USERS.get(id),
        "User.__resolve_reference": lambda ref: USERS.get(ref["id"]),
    },
)

REVIEWS_SUBGRAPH = Subgraph(
    "reviews",
    f"""
{link("@key", "@shareable", "@external", "@provides")}

type Query {{
  latestReviews: [Review!]!
  board(id: ID!): Board
}}

type Review {{
  id: ID!
  body: String!
  author: User! @provides(fields: "username profile {{ displayName }}")
}}

type Board {{
  id: ID!
  members: [User!]! @provides(fields: "username")
}}

type User @key(fields: "id") {{
  id: ID!
  username: String! @external
  profile: Profile @external
}}

type Profile @shareable {{
  displayName: String! @external
}}
""",
    {
        "Query.latestReviews": lambda _o, _i: REVIEWS,
        "Query.board": lambda _o, _i, id: BOARDS.get(id),
        "Review.author": lambda review, _i: _provided(review["author"]),
        "Board.members": lambda board, _i: [_provided(m) for m in board["members"]],
        "User.__resolve_reference": lambda ref: {"id": ref["id"]},
    },
)

SUBGRAPHS = [ACCOUNTS, REVIEWS_SUBGRAPH]

OPERATIONS = [
    Operation("provided_field_only", "{ latestReviews { body author { id username } } }"),
    Operation("nested_provided", "{ latestReviews { author { username profile { displayName } } } }"),
    Operation(
        "provided_and_not_provided", "{ latestReviews { author { username email profile { avatar } } } }"
    ),
    Operation(
        "provides_on_list_field",
        '{ board(id: "b1") { members { username } } empty: board(id: "b2") { members { id } } }',
    ),
    Operation(
        "list_provides_plus_fetch",
        '{ board(id: "b1") { id members { __typename username email profile { displayName avatar } } } }',
    ),
    Operation("owner_root", '{ user(id: "2") { username email profile { displayName avatar } } }'),
]
