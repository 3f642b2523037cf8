"""@provides in less obvious places (the audit's "nested-provides", "provides-on-interface",
"provides-on-union" and "circular-reference-interface" situations).

Subgraphs that a good plan never needs raise from their resolvers ("use the providing subgraph"), as
the audit's do, so a plan that ignores a @provides shows up as errors.

- Kits: `np_topics` provides `topics { id name subTopics { id name } }` (nested external lists) on its
  root field; `np_all` and `np_sub` also know kits and topics.
- Gallery: `pi_b` provides `pets { id name }` where `pets` is an interface list of keyless
  implementations; `Tabby.age` lives only in `pi_c`, reachable through the parent `Painting`'s key.
- Feed: `pu_b` provides `... on Essay { headline }` on a union root field `pu_a` shares.
- Tomes: `cr_a`'s interface field `samePrice: Volume` is narrowed to `Tome` with
  `@provides(fields: "cost")` in the implementation.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link


def _punish(subgraph: str) -> Any:
    def resolve(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError(f"a good plan does not ask {subgraph} for this")

    return resolve


TOPICS = {
    "t1": {"id": "t1", "name": "Topic one", "subTopics": ["t2"]},
    "t2": {"id": "t2", "name": "Topic two", "subTopics": ["t3"]},
    "t3": {"id": "t3", "name": "Topic three", "subTopics": ["t1"]},
}
KITS = {"k1": {"id": "k1", "topics": ["t1", "t2"]}, "k2": {"id": "k2", "topics": ["t3", "t2"]}}


def _provided_topic(topic_id: str) -> dict[str, Any]:
    topic = TOPICS[topic_id]
    return {
        "id": topic["id"],
        "name": topic["name"],
        "subTopics": [{"id": s, "name": TOPICS[s]["name"]} for s in topic["subTopics"]],
    }


NP_ALL = Subgraph(
    "np_all",
    f"""
{link("@key", "@shareable")}

type Kit @key(fields: "id") {{
  id: ID!
}}
""",
    {"Kit.__resolve_reference": _punish("np_all")},
)

NP_TOPICS = Subgraph(
    "np_topics",
    f"""
{link("@key", "@shareable", "@external", "@provides")}

type Query {{
  kits: [Kit] @shareable @provides(fields: "topics {{ id name subTopics {{ id name }} }}")
}}

type Kit @key(fields: "id") {{
  id: ID!
  topics: [Topic] @external
}}

type Topic @key(fields: "id") {{
  id: ID!
  name: String
  subTopics: [Topic] @external
}}
""",
    {
        "Query.kits": lambda _o, _i: [
            {"id": k["id"], "topics": [_provided_topic(t) for t in k["topics"]]} for k in KITS.values()
        ],
        "Kit.__resolve_reference": _punish("np_topics"),
        "Topic.__resolve_reference": lambda ref: {"id": ref["id"], "name": TOPICS[ref["id"]]["name"]},
    },
)

NP_SUB = Subgraph(
    "np_sub",
    f"""
{link("@key", "@shareable")}

type Kit @key(fields: "id") {{
  id: ID!
  topics: [Topic] @shareable
}}

type Topic @key(fields: "id") {{
  id: ID!
  subTopics: [Topic] @shareable
}}
""",
    {
        "Kit.__resolve_reference": _punish("np_sub"),
        "Kit.topics": _punish("np_sub"),
        "Topic.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in TOPICS else None,
        "Topic.subTopics": lambda topic, _i: [{"id": s} for s in TOPICS[topic["id"]]["subTopics"]],
    },
)

PETS = {
    "a1": {"__typename": "Hound", "id": "a1", "name": "Fido", "age": 4},
    "a2": {"__typename": "Tabby", "id": "a2", "name": "Whiskers", "age": 6},
}
PAINTINGS = {"m1": {"id": "m1", "pets": ["a1", "a2"]}}

PI_B = Subgraph(
    "pi_b",
    f"""
{link("@key", "@shareable", "@provides", "@external")}

type Query {{
  gallery: Exhibit @shareable @provides(fields: "pets {{ id name }}")
}}

interface Exhibit {{
  id: ID!
  pets: [Pet]
}}

interface Pet {{
  id: ID!
  name: String
}}

type Painting implements Exhibit {{
  id: ID! @shareable
  pets: [Pet] @external
}}

type Hound implements Pet {{
  id: ID! @external
  name: String @external
}}

type Tabby implements Pet {{
  id: ID! @external
  name: String @external
}}
""",
    {
        "Query.gallery": lambda _o, _i: {
            "__typename": "Painting",
            "id": "m1",
            "pets": [{k: PETS[p][k] for k in ("__typename", "id", "name")} for p in PAINTINGS["m1"]["pets"]],
        },
    },
)


def _pet_age(pet: dict[str, Any], _info: Any) -> int:
    return PETS[pet["id"]]["age"]


PI_C = Subgraph(
    "pi_c",
    f"""
{link("@key", "@shareable")}

interface Exhibit {{
  id: ID!
  pets: [Pet]
}}

interface Pet {{
  id: ID!
  name: String
}}

type Painting implements Exhibit @key(fields: "id") {{
  id: ID!
  pets: [Pet] @shareable
}}

type Hound implements Pet @key(fields: "id") {{
  id: ID!
  name: String @shareable
  age: Int
}}

type Tabby implements Pet @key(fields: "id") {{
  id: ID!
  name: String @shareable
  age: Int
}}
""",
    {
        "Painting.__resolve_reference": lambda ref: (
            {"__typename": "Painting", "id": ref["id"]} if ref["id"] in PAINTINGS else None
        ),
        "Painting.pets": lambda painting, _i: [
            {k: PETS[p][k] for k in ("__typename", "id", "name")} for p in PAINTINGS[painting["id"]]["pets"]
        ],
        "Hound.__resolve_reference": _punish("pi_c"),
        "Tabby.__resolve_reference": lambda ref: PETS.get(ref["id"]),
        "Hound.age": _pet_age,
        "Tabby.age": _pet_age,
    },
)

FEED = [
    {"__typename": "Essay", "id": "e1", "headline": "On kites"},
    {"__typename": "Clip", "id": "v1", "headline": "Kite festival"},
]

PU_A = Subgraph(
    "pu_a",
    f"""
{link("@key", "@shareable")}

type Query {{
  feedItems: [FeedItem] @shareable
}}

union FeedItem = Essay | Clip

type Essay @key(fields: "id") {{
  id: ID!
}}

type Clip @key(fields: "id") {{
  id: ID!
}}
""",
    {"Query.feedItems": _punish("pu_a")},
)

PU_B = Subgraph(
    "pu_b",
    f"""
{link("@key", "@shareable", "@provides", "@external")}

type Query {{
  feedItems: [FeedItem] @shareable @provides(fields: "... on Essay {{ headline }}")
}}

union FeedItem = Essay | Clip

type Essay @key(fields: "id") {{
  id: ID!
  headline: String @external
}}

type Clip @key(fields: "id") {{
  id: ID!
}}
""",
    {
        "Query.feedItems": lambda _o, _i: [
            dict(item) if item["__typename"] == "Essay" else {"__typename": "Clip", "id": item["id"]}
            for item in FEED
        ],
    },
)


def _feed_item(kind: str) -> Any:
    def resolve(ref: dict[str, Any]) -> dict[str, Any] | None:
        return next((dict(i) for i in FEED if i["id"] == ref["id"] and i["__typename"] == kind), None)

    return resolve


PU_C = Subgraph(
    "pu_c",
    f"""
{link("@key", "@shareable")}

type Essay @key(fields: "id") {{
  id: ID!
  headline: String @shareable
}}

type Clip @key(fields: "id") {{
  id: ID!
  headline: String @shareable
}}
""",
    {"Essay.__resolve_reference": _punish("pu_c"), "Clip.__resolve_reference": _feed_item("Clip")},
)

TOMES = {"1": {"id": "1", "cost": 10.99}, "2": {"id": "2", "cost": 4.5}, "3": {"id": "3", "cost": 10.99}}


def _same_price(tome: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    cost = TOMES[tome["id"]]["cost"]
    other = next((t for t in TOMES.values() if t["cost"] == cost and t["id"] != tome["id"]), None)
    return None if other is None else {"__typename": "Tome", **other}


CR_A = Subgraph(
    "cr_a",
    f"""
{link("@key", "@external", "@provides")}

type Query {{
  volume: Volume
}}

interface Volume {{
  samePrice: Volume
}}

type Tome implements Volume @key(fields: "id") {{
  id: ID!
  samePrice: Tome @provides(fields: "cost")
  cost: Float @external
}}
""",
    {
        "Query.volume": lambda _o, _i: {"__typename": "Tome", **TOMES["1"]},
        "Tome.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in TOMES else None,
        "Tome.samePrice": _same_price,
    },
)

CR_B = Subgraph(
    "cr_b",
    f"""
{link("@key", "@shareable")}

type Tome @key(fields: "id") {{
  id: ID!
  cost: Float @shareable
}}
""",
    {"Tome.__resolve_reference": lambda ref: dict(TOMES[ref["id"]]) if ref["id"] in TOMES else None},
)

SUBGRAPHS = [NP_ALL, NP_TOPICS, NP_SUB, PI_B, PI_C, PU_A, PU_B, PU_C, CR_A, CR_B]

OPERATIONS = [
    Operation("nested_provides_one_level", "{ kits { id topics { id name } } }"),
    Operation("nested_provides_two_levels", "{ kits { id topics { id name subTopics { id name } } } }"),
    Operation(
        "nested_provides_beyond_provided_depth",
        "{ kits { topics { subTopics { id subTopics { id name } } } } }",
    ),
    Operation("provides_on_interface_list", "{ gallery { id pets { id name } } }"),
    Operation(
        "provides_on_interface_plus_parent_entity_call",
        "{ gallery { id pets { id name ... on Tabby { age } } } }",
    ),
    Operation(
        "provides_on_union_member", "{ feedItems { ... on Essay { id headline } ... on Clip { id } } }"
    ),
    Operation(
        "provides_on_union_other_member_fetched",
        "{ feedItems { ... on Essay { id headline } ... on Clip { id headline } } }",
    ),
    Operation(
        "circular_interface_provides_typename",
        "{ volume { samePrice { ... on Volume { samePrice { __typename } } } } }",
    ),
    Operation(
        "circular_interface_provides_merged_fragments",
        "{ volume { __typename samePrice { __typename ... on Tome { id } samePrice { __typename "
        "... on Tome { id } } } ... on Tome { __typename id cost samePrice { id cost } } } }",
    ),
]
