"""@interfaceObject beyond the basics (the audit's "simple-interface-object",
"interface-object-with-requires", "non-resolvable-interface-object" and the interface-object part of
"typename").

- `io_a` owns two entity interfaces: `Named` (implemented by `Person`) and `Profile` (`Staff`, `Guest`;
  `Staff.isActive` is shareable). `io_b` sees both as @interfaceObject types, adds `username` and
  `displayName` and has its own root fields; `io_c` adds a shareable `Profile.isActive` (always false).
  An @interfaceObject subgraph answers `__typename` with the interface name, so any type condition or
  `__typename` on its objects needs an entity call to the owner first.
- `io_d` sees `Tagged` (owned by `io_a`) as an @interfaceObject and @requires the interface field
  `title` for `slug`.
- `nri_a` returns `Produce` through an @interfaceObject whose key it marks `resolvable: false`;
  `nri_b` owns the interface and its implementations. `Orphan` is the other way round: `nri_a` owns an
  entity interface nothing implements, `nri_b` sees it as an @interfaceObject; only fields asked of
  `nri_b` without type conditions can be answered.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

PEOPLE = {
    "u1": {"id": "u1", "name": "Uma", "age": 11, "username": "uma_u"},
    "u2": {"id": "u2", "name": "Vic", "age": 22, "username": "vic_v"},
}
PROFILES = {
    "p1": {"__typename": "Staff", "id": "p1", "displayName": "Alice", "isLead": True, "isActive": True},
    "p2": {"__typename": "Staff", "id": "p2", "displayName": "Bob", "isLead": False, "isActive": True},
    "p3": {"__typename": "Guest", "id": "p3", "displayName": "Charlie", "isLead": False, "isActive": False},
}
ARTICLES = {
    "t1": {"id": "t1", "title": "Rivers", "views": 40},
    "t2": {"id": "t2", "title": "Deserts", "views": 75},
}


def _person(person_id: str) -> dict[str, Any] | None:
    person = PEOPLE.get(person_id)
    return (
        None
        if person is None
        else {"__typename": "Person", "id": person["id"], "name": person["name"], "age": person["age"]}
    )


def _profile(profile_id: str) -> dict[str, Any] | None:
    profile = PROFILES.get(profile_id)
    if profile is None:
        return None
    return {k: profile[k] for k in ("__typename", "id", "isLead", "isActive")}


def _article(article_id: str) -> dict[str, Any] | None:
    article = ARTICLES.get(article_id)
    return None if article is None else {"__typename": "Article", **article}


IO_A = Subgraph(
    "io_a",
    f"""
{link("@key", "@shareable")}

type Query {{
  people: [Named!]!
  posts: [Tagged]
}}

interface Named @key(fields: "id") {{
  id: ID!
  name: String
}}

type Person implements Named @key(fields: "id") {{
  id: ID!
  name: String
  age: Int
}}

interface Profile @key(fields: "id") {{
  id: ID!
}}

type Staff implements Profile @key(fields: "id") {{
  id: ID!
  isLead: Boolean!
  isActive: Boolean! @shareable
}}

type Guest implements Profile @key(fields: "id") {{
  id: ID!
  isLead: Boolean!
}}

interface Tagged @key(fields: "id") {{
  id: ID!
  title: String
}}

type Article implements Tagged @key(fields: "id") {{
  id: ID!
  title: String
  views: Int
}}
""",
    {
        "Query.people": lambda _o, _i: [_person(p) for p in PEOPLE],
        "Query.posts": lambda _o, _i: [_article(a) for a in ARTICLES],
        "Named.__resolve_reference": lambda ref: _person(ref["id"]),
        "Person.__resolve_reference": lambda ref: _person(ref["id"]),
        "Profile.__resolve_reference": lambda ref: _profile(ref["id"]),
        "Staff.__resolve_reference": lambda ref: (
            _profile(ref["id"]) if PROFILES.get(ref["id"], {}).get("__typename") == "Staff" else None
        ),
        "Guest.__resolve_reference": lambda ref: (
            _profile(ref["id"]) if PROFILES.get(ref["id"], {}).get("__typename") == "Guest" else None
        ),
        "Tagged.__resolve_reference": lambda ref: _article(ref["id"]),
        "Article.__resolve_reference": lambda ref: _article(ref["id"]),
    },
)

IO_B = Subgraph(
    "io_b",
    f"""
{link("@key", "@interfaceObject")}

type Query {{
  otherPeople: [Named!]!
  profiles: [Profile!]!
  staffOnly: [Profile!]!
}}

type Named @key(fields: "id") @interfaceObject {{
  id: ID!
  username: String
}}

type Profile @key(fields: "id") @interfaceObject {{
  id: ID!
  displayName: String
}}
""",
    {
        "Query.otherPeople": lambda _o, _i: [
            {"id": p["id"], "username": p["username"]} for p in PEOPLE.values()
        ],
        "Query.profiles": lambda _o, _i: [
            {"id": p["id"], "displayName": p["displayName"]} for p in PROFILES.values()
        ],
        "Query.staffOnly": lambda _o, _i: [
            {"id": p["id"], "displayName": p["displayName"]}
            for p in PROFILES.values()
            if p["__typename"] == "Staff"
        ],
        "Named.__resolve_reference": lambda ref: (
            {"id": ref["id"], "username": PEOPLE[ref["id"]]["username"]} if ref["id"] in PEOPLE else None
        ),
        "Profile.__resolve_reference": lambda ref: (
            {"id": ref["id"], "displayName": PROFILES[ref["id"]]["displayName"]}
            if ref["id"] in PROFILES
            else None
        ),
    },
)

IO_C = Subgraph(
    "io_c",
    f"""
{link("@key", "@interfaceObject", "@shareable")}

type Profile @key(fields: "id") @interfaceObject {{
  id: ID!
  isActive: Boolean! @shareable
}}
""",
    {
        "Profile.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in PROFILES else None,
        "Profile.isActive": lambda _p, _i: False,
    },
)


def _slug(tagged: dict[str, Any], _info: Any) -> str:
    if not tagged.get("title"):
        raise ValueError("the required field title was not provided")
    return tagged["title"].lower() + "-" + tagged["id"]


IO_D = Subgraph(
    "io_d",
    f"""
{link("@key", "@interfaceObject", "@external", "@requires")}

type Query {{
  otherPosts: [Tagged]
}}

type Tagged @key(fields: "id") @interfaceObject {{
  id: ID!
  title: String @external
  slug: String @requires(fields: "title")
}}
""",
    {
        "Query.otherPosts": lambda _o, _i: [{"id": a} for a in ARTICLES],
        "Tagged.__resolve_reference": lambda ref: dict(ref) if ref["id"] in ARTICLES else None,
        "Tagged.slug": _slug,
    },
)

PRODUCE = {
    "f1": {"__typename": "Loaf", "id": "f1", "name": "Rye", "crust": "thick"},
    "f2": {"__typename": "Melon", "id": "f2", "name": "Honeydew", "weight": 900},
}

NRI_A = Subgraph(
    "nri_a",
    f"""
{link("@key", "@interfaceObject")}

type Query {{
  crate: Produce
  crates: [Produce]
  orphan: Orphan
}}

type Produce @key(fields: "id", resolvable: false) @interfaceObject {{
  id: ID!
}}

interface Orphan @key(fields: "id") {{
  id: ID!
}}
""",
    {
        # Orphan has no implementation anywhere: whatever nri_a returns cannot be typed.
        "Query.orphan": lambda _o, _i: {"id": "o1"},
        "Query.crate": lambda _o, _i: {"id": "f1"},
        "Query.crates": lambda _o, _i: [{"id": p} for p in PRODUCE],
    },
)

NRI_B = Subgraph(
    "nri_b",
    f"""
{link("@key", "@interfaceObject")}

type Query {{
  produceById(id: ID!): Produce
  orphanObject: Orphan
}}

type Orphan @key(fields: "id") @interfaceObject {{
  id: ID!
  note: String
}}

interface Produce @key(fields: "id") {{
  id: ID!
  name: String
}}

type Loaf implements Produce @key(fields: "id") {{
  id: ID!
  name: String
  crust: String
}}

type Melon implements Produce @key(fields: "id") {{
  id: ID!
  name: String
  weight: Int
}}
""",
    {
        "Query.produceById": lambda _o, _i, id: PRODUCE.get(id),
        "Query.orphanObject": lambda _o, _i: {"id": "o1", "note": "no implementations"},
        "Orphan.__resolve_reference": lambda ref: {"id": ref["id"], "note": "no implementations"},
        "Produce.__resolve_reference": lambda ref: PRODUCE.get(ref["id"]),
        "Loaf.__resolve_reference": lambda ref: PRODUCE.get(ref["id"]),
        "Melon.__resolve_reference": lambda ref: PRODUCE.get(ref["id"]),
    },
)

SUBGRAPHS = [IO_A, IO_B, IO_C, IO_D, NRI_A, NRI_B]

OPERATIONS = [
    Operation("io_root_in_object_subgraph_needs_owner_field", "{ otherPeople { id name username } }"),
    Operation("io_root_in_owner_needs_object_field", "{ people { id name username } }"),
    Operation("io_concrete_fragment_from_object_root", "{ otherPeople { ... on Person { age } } }"),
    Operation("io_concrete_fragment_from_owner_root", "{ people { ... on Person { age } } }"),
    Operation(
        "io_mixed_fragment_and_interface_fields_object_root",
        "{ otherPeople { ... on Person { age id name username } id name } }",
    ),
    Operation(
        "io_mixed_fragment_and_interface_fields_owner_root",
        "{ people { ... on Person { age id name username } id name } }",
    ),
    Operation("io_local_field_only", "{ profiles { displayName } }"),
    Operation("io_local_field_behind_type_condition", "{ profiles { ... on Staff { displayName } } }"),
    Operation("io_typename_needs_owner", "{ profiles { displayName __typename } }"),
    Operation("io_typename_behind_type_condition", "{ profiles { ... on Staff { __typename } } }"),
    Operation("io_shareable_field_from_other_object_subgraph", "{ profiles { id isActive } }"),
    Operation("io_shareable_field_behind_type_condition", "{ profiles { id ... on Staff { isActive } } }"),
    Operation("io_typename_only_list", "{ staffOnly { __typename } }"),
    Operation("io_typename_aliases", "{ staffOnly { __typename kind: __typename displayName } }"),
    Operation("io_requires_from_object_root", "{ otherPosts { id title slug } }"),
    Operation("io_requires_from_owner_root", "{ posts { id title slug } }"),
    Operation("io_requires_concrete_fragment_object_root", "{ otherPosts { ... on Article { views } } }"),
    Operation("io_requires_concrete_fragment_owner_root", "{ posts { ... on Article { views } } }"),
    Operation(
        "io_requires_mixed_object_root",
        "{ otherPosts { ... on Article { views id title slug } id title } }",
    ),
    Operation("io_requires_mixed_owner_root", "{ posts { ... on Article { views slug } id title } }"),
    Operation("non_resolvable_io_key_only", "{ crate { id } }"),
    Operation("non_resolvable_io_interface_field", "{ crates { id name } }"),
    Operation("non_resolvable_io_type_condition", "{ crate { ... on Loaf { id crust } } }"),
    Operation("orphan_io_fields_without_type_condition", "{ orphanObject { id note } }"),
    Operation("orphan_interface_without_implementations", "{ orphan { id } }", errors=True),
    Operation("non_resolvable_io_typename", "{ crates { __typename id ... on Melon { weight } } }"),
]
