"""Unions whose members live in different subgraphs: search returns songs and podcasts it knows only by
id; `music` and `podcasts` own their fields; `music` also has a union with a value-type member."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

SONGS = {
    "s1": {"id": "s1", "title": "Cielito lindo", "artist": "Pedro Infante", "seconds": 180},
    "s2": {"id": "s2", "title": "La bamba", "artist": None, "seconds": 160},
}
PODCASTS = {"p1": {"id": "p1", "title": "Radio Ambulante", "host": "Daniel Alarcón", "episodes": 300}}
INDEX = [("Song", "s1"), ("Podcast", "p1"), ("Song", "s2")]

SEARCH = Subgraph(
    "search",
    f"""
{link("@key")}

type Query {{
  search(term: String!): [SearchResult!]!
}}

union SearchResult = Song | Podcast

type Song @key(fields: "id") {{
  id: ID!
}}

type Podcast @key(fields: "id") {{
  id: ID!
}}
""",
    {
        # Every term matches everything: the point is where the members' fields come from.
        "Query.search": lambda _o, _i, term: [{"__typename": t, "id": i} for t, i in INDEX],
    },
)

MUSIC = Subgraph(
    "music",
    f"""
{link("@key")}

type Query {{
  featured: [Featured!]!
}}

union Featured = Song | Album

type Album {{
  title: String!
  songs: [Song!]!
}}

type Song @key(fields: "id") {{
  id: ID!
  title: String!
  artist: String
  seconds: Int!
}}
""",
    {
        "Query.featured": lambda _o, _i: [
            {"__typename": "Album", "title": "Clásicos", "songs": list(SONGS.values())},
            {"__typename": "Song", **SONGS["s2"]},
        ],
        "Song.__resolve_reference": lambda ref: SONGS.get(ref["id"]),
    },
)

PODCASTS_SUBGRAPH = Subgraph(
    "podcasts",
    f"""
{link("@key")}

type Podcast @key(fields: "id") {{
  id: ID!
  title: String!
  host: String!
  episodes: Int!
}}
""",
    {"Podcast.__resolve_reference": lambda ref: PODCASTS.get(ref["id"])},
)

SUBGRAPHS = [SEARCH, MUSIC, PODCASTS_SUBGRAPH]

OPERATIONS = [
    Operation(
        "members_from_two_subgraphs",
        '{ search(term: "a") { __typename ... on Song { title artist } ... on Podcast { title host } } }',
    ),
    Operation("typename_only", '{ search(term: "a") { __typename } }'),
    Operation(
        "one_member_only",
        "query ($t: String!) { search(term: $t) { ... on Podcast { id episodes } } }",
        {"t": "x"},
    ),
    Operation(
        "same_alias_for_both_members",
        '{ search(term: "b") { ... on Song { length: seconds } ... on Podcast { length: episodes } } }',
    ),
    Operation(
        "local_union_with_value_member",
        "{ featured { __typename ... on Album { title songs { title } } ... on Song { id artist } } }",
    ),
    Operation(
        "named_fragments_on_members",
        '{ search(term: "c") { ...S ...P } } '
        "fragment S on Song { id title } fragment P on Podcast { id host }",
    ),
]
