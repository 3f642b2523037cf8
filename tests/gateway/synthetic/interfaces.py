"""Interfaces whose implementations live in different subgraphs: `catalog` lists media (books and
movies), `books` and `movies` add their own fields, and `movies` knows only the movie implementation of
`Media` yet returns it from a root field."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

MEDIA = {
    "m1": {"__typename": "Book", "id": "m1", "title": "Pedro Páramo", "author": "Juan Rulfo"},
    "m2": {"__typename": "Movie", "id": "m2", "title": "Roma"},
    "m3": {"__typename": "Book", "id": "m3", "title": "Aura", "author": "Carlos Fuentes"},
    "m4": {"__typename": "Movie", "id": "m4", "title": "Amores perros"},
}
PAGES = {"m1": 124, "m3": None}
MOVIES = {"m2": {"runtime": 135, "director": "Alfonso Cuarón"}, "m4": {"runtime": 154, "director": None}}

CATALOG = Subgraph(
    "catalog",
    f"""
{link("@key")}

type Query {{
  media: [Media!]!
  mediaItem(id: ID!): Media
}}

interface Media {{
  id: ID!
  title: String!
}}

type Book implements Media @key(fields: "id") {{
  id: ID!
  title: String!
  author: String!
}}

type Movie implements Media @key(fields: "id") {{
  id: ID!
  title: String!
}}
""",
    {
        "Query.media": lambda _o, _i: list(MEDIA.values()),
        "Query.mediaItem": lambda _o, _i, id: MEDIA.get(id),
        "Book.__resolve_reference": lambda ref: MEDIA.get(ref["id"]),
        "Movie.__resolve_reference": lambda ref: MEDIA.get(ref["id"]),
    },
)

BOOKS = Subgraph(
    "books",
    f"""
{link("@key")}

type Book @key(fields: "id") {{
  id: ID!
  pages: Int
}}
""",
    {"Book.__resolve_reference": lambda ref: {"id": ref["id"], "pages": PAGES.get(ref["id"])}},
)

MOVIES_SUBGRAPH = Subgraph(
    "movies",
    f"""
{link("@key")}

type Query {{
  recommendations: [Media!]!
}}

interface Media {{
  id: ID!
}}

type Movie implements Media @key(fields: "id") {{
  id: ID!
  runtime: Int!
  director: String
}}
""",
    {
        "Query.recommendations": lambda _o, _i: [
            {"__typename": "Movie", "id": i, **MOVIES[i]} for i in ("m4", "m2")
        ],
        "Movie.__resolve_reference": lambda ref: {"id": ref["id"], **MOVIES[ref["id"]]},
    },
)

SUBGRAPHS = [CATALOG, BOOKS, MOVIES_SUBGRAPH]

OPERATIONS = [
    Operation(
        "implementations_from_other_subgraphs",
        "{ media { __typename id title ... on Book { author pages } ... on Movie { runtime director } } }",
    ),
    Operation("interface_fields_only", "{ media { id title } }"),
    Operation(
        "named_fragments_on_each_type",
        'query ($id: ID!) { mediaItem(id: $id) { ...BookBits ...MovieBits } other: mediaItem(id: "m1") '
        "{ ...BookBits ...MovieBits } } fragment BookBits on Book { title pages } "
        "fragment MovieBits on Movie { title runtime }",
        {"id": "m2"},
    ),
    Operation(
        "fragment_on_interface_nested",
        "{ media { ... on Media { __typename ...Titled } } } "
        "fragment Titled on Media { title ... on Movie { director } }",
    ),
    Operation(
        "root_in_subgraph_knowing_one_implementation",
        "{ recommendations { __typename id title ... on Movie { runtime } ... on Book { author } } }",
    ),
    Operation(
        "skip_on_inline_fragments",
        "query ($books: Boolean!) { media { id ... on Book @include(if: $books) { pages } "
        "... on Movie @skip(if: $books) { runtime } } }",
        {"books": False},
    ),
    Operation("missing_item", '{ mediaItem(id: "m404") { __typename title } }'),
]
