"""`@key(resolvable: false)`: the blog references people by id but cannot resolve them itself."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

POSTS = [
    {"slug": "hola", "title": "Hola mundo", "author": "u1"},
    {"slug": "notas", "title": "Notas", "author": "u2"},
    {"slug": "anonimo", "title": "Sin firma", "author": None},
]
PEOPLE = {
    "u1": {"id": "u1", "name": "Lucía", "bio": "Editor"},
    "u2": {"id": "u2", "name": "Mateo", "bio": None},
}


def _post(post: dict | None) -> dict | None:
    return post and {**post, "author": post["author"] and {"id": post["author"]}}


BLOG = Subgraph(
    "blog",
    f"""
{link("@key")}

type Query {{
  posts: [Post!]!
  post(slug: String!): Post
}}

type Post {{
  slug: String!
  title: String!
  author: Person
}}

type Person @key(fields: "id", resolvable: false) {{
  id: ID!
}}
""",
    {
        "Query.posts": lambda _o, _i: [_post(p) for p in POSTS],
        "Query.post": lambda _o, _i, slug: _post(next((p for p in POSTS if p["slug"] == slug), None)),
    },
)

PEOPLE_SUBGRAPH = Subgraph(
    "people",
    f"""
{link("@key")}

type Query {{
  person(id: ID!): Person
}}

type Person @key(fields: "id") {{
  id: ID!
  name: String!
  bio: String
}}
""",
    {
        "Query.person": lambda _o, _i, id: PEOPLE.get(id),
        "Person.__resolve_reference": lambda ref: PEOPLE.get(ref["id"]),
    },
)

SUBGRAPHS = [BLOG, PEOPLE_SUBGRAPH]

OPERATIONS = [
    Operation("key_only_needs_no_fetch", "{ posts { title author { id } } }"),
    Operation("fields_from_owner", "{ posts { slug author { name bio } } }"),
    Operation(
        "one_post_fragment",
        '{ post(slug: "notas") { ...P } } fragment P on Post { author { __typename name } }',
    ),
    Operation("owner_root", '{ person(id: "u1") { name bio } nobody: person(id: "u9") { name } }'),
]
