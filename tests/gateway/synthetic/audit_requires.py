"""@requires chains and arguments (the audit's "requires-requires", "nested-requires", "include-skip"
and "requires-with-argument" situations).

- Lamps: `rr_mid` @requires an @inaccessible field of `rr_base` (`cost`) and a field of `rr_root`;
  `rr_top` @requires what `rr_mid` computes, so one client field can need two @requires hops, and two
  client fields two independent chains.
- Patrons: `nr_orders` computes `orders` from `lastName` (@requires), and `nr_totals` @requires
  `orders { id }` (a list of an entity it cannot resolve) for two fields.
- Bulbs: `is_c` fields @require `expensive`, which `is_b` @requires from `price`; the client skips or
  includes them with variables that only have default values, and `is_c` raises for the two fields a
  correct plan never asks for.
- Parcels: `rwa_ship` @requires `fee(currency: "EUR")` (a field with an argument) and `weight`; the
  client may ask for `fee` with another argument in the same query.
- Posts: `rwa_authors` @requires `notes(limit: 3) { authorId }`, where `notes` is its own field and
  `authorId` an external field of another subgraph's entity.

@apollo/gateway is wrong on two of these (the audit's failing requires-with-argument cases), and they
stay in the corpus with the answer the spec gives: in
`requires_with_argument_client_other_argument_same_name` Apollo computes `shipping` from the client's
`fee(currency: "USD")`, and in `requires_local_field_with_argument_client_other_limit` it answers the
client's `notes(limit: 1)` with the three notes of the requirement.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

LAMPS = {"l1": {"id": "l1", "cost": 620.0, "onSale": True}, "l2": {"id": "l2", "cost": 80.0, "onSale": False}}

RR_BASE = Subgraph(
    "rr_base",
    f"""
{link("@key", "@inaccessible")}

type Lamp @key(fields: "id") {{
  id: ID!
  cost: Float! @inaccessible
}}
""",
    {
        "Lamp.__resolve_reference": lambda ref: (
            LAMPS.get(ref["id"]) and {"id": ref["id"], "cost": LAMPS[ref["id"]]["cost"]}
        )
    },
)

RR_ROOT = Subgraph(
    "rr_root",
    f"""
{link("@key")}

type Query {{
  lamp: Lamp
  lamps: [Lamp!]!
}}

type Lamp @key(fields: "id") {{
  id: ID!
  onSale: Boolean!
}}
""",
    {
        "Query.lamp": lambda _o, _i: {"id": "l1", "onSale": True},
        "Query.lamps": lambda _o, _i: [
            {"id": lamp["id"], "onSale": lamp["onSale"]} for lamp in LAMPS.values()
        ],
        "Lamp.__resolve_reference": lambda ref: (
            LAMPS.get(ref["id"]) and {"id": ref["id"], "onSale": LAMPS[ref["id"]]["onSale"]}
        ),
    },
)


def _needs(field: str) -> Any:
    def resolve(lamp: dict[str, Any], _info: Any) -> Any:
        if field not in lamp:
            raise ValueError(f"{field} was not provided")
        return lamp[field]

    return resolve


RR_MID = Subgraph(
    "rr_mid",
    f"""
{link("@key", "@external", "@requires")}

type Lamp @key(fields: "id") {{
  id: ID!
  cost: Float! @external
  pricey: Boolean! @requires(fields: "cost")
  onSale: Boolean! @external
  priceyOnSale: Boolean! @requires(fields: "onSale")
}}
""",
    {
        "Lamp.__resolve_reference": lambda ref: dict(ref) if ref["id"] in LAMPS else None,
        "Lamp.pricey": lambda lamp, info: _needs("cost")(lamp, info) > 500,
        "Lamp.priceyOnSale": lambda lamp, info: not _needs("onSale")(lamp, info),
    },
)

RR_TOP = Subgraph(
    "rr_top",
    f"""
{link("@key", "@external", "@requires")}

type Lamp @key(fields: "id") {{
  id: ID!
  pricey: Boolean! @external
  affordable: Boolean! @requires(fields: "pricey")
  priceyOnSale: Boolean! @external
  affordableOnSale: Boolean! @requires(fields: "priceyOnSale")
}}
""",
    {
        "Lamp.__resolve_reference": lambda ref: dict(ref) if ref["id"] in LAMPS else None,
        "Lamp.affordable": lambda lamp, info: not _needs("pricey")(lamp, info),
        "Lamp.affordableOnSale": lambda lamp, info: not _needs("priceyOnSale")(lamp, info),
    },
)

NR_PROFILE = Subgraph(
    "nr_profile",
    f"""
{link("@key", version="2.5")}

type Patron @key(fields: "id") {{
  id: ID!
  firstName: String!
  lastName: String!
  address: String
}}

type Query {{
  patron: Patron
}}
""",
    {
        # An integer id: the subgraph serializes it as the ID "7".
        "Query.patron": lambda _o, _i: {
            "id": 7,
            "firstName": "Iris",
            "lastName": "Moreno",
            "address": "Calle 5",
        },
        "Patron.__resolve_reference": lambda ref: (
            {"id": ref["id"], "firstName": "Iris", "lastName": "Moreno", "address": "Calle 5"}
            if ref["id"] == "7"
            else None
        ),
    },
)


def _orders(patron: dict[str, Any], _info: Any) -> list[dict[str, str]]:
    if not patron.get("lastName"):
        raise ValueError("lastName is required")
    return [{"id": f"{patron['lastName']}-1"}, {"id": f"{patron['lastName']}-2"}]


NR_ORDERS = Subgraph(
    "nr_orders",
    f"""
{link("@key", "@requires", "@external", version="2.5")}

type Order @key(fields: "id") {{
  id: ID!
}}

type Patron @key(fields: "id") {{
  id: ID!
  lastName: String! @external
  orders: [Order!] @requires(fields: "lastName")
}}
""",
    {"Patron.orders": _orders},
)


def _order_ids(patron: dict[str, Any]) -> list[str]:
    orders = patron.get("orders")
    if not isinstance(orders, list):
        raise ValueError("orders is required to be a list")
    return [o["id"] for o in orders]


NR_TOTALS = Subgraph(
    "nr_totals",
    f"""
{link("@key", "@requires", "@external", version="2.5")}

type Order @key(fields: "id", resolvable: false) {{
  id: ID!
}}

type Patron @key(fields: "id") {{
  id: ID!
  orders: [Order!] @external
  orderTotal: Int @requires(fields: "orders {{ id }}")
  ordersByStatus: Int @requires(fields: "orders {{ id }}")
}}
""",
    {
        "Patron.orderTotal": lambda patron, _i: 10 * len(_order_ids(patron)),
        "Patron.ordersByStatus": lambda patron, _i: len([i for i in _order_ids(patron) if i.endswith("1")]),
    },
)

BULBS = {"b1": {"id": "b1", "price": 699.99}}

IS_A = Subgraph(
    "is_a",
    f"""
{link("@key")}

type Query {{
  bulb: Bulb
}}

type Bulb @key(fields: "id") {{
  id: ID!
  price: Float!
}}
""",
    {
        "Query.bulb": lambda _o, _i: dict(BULBS["b1"]),
        "Bulb.__resolve_reference": lambda ref: BULBS.get(ref["id"]) and dict(BULBS[ref["id"]]),
    },
)

IS_B = Subgraph(
    "is_b",
    f"""
{link("@key", "@external", "@requires")}

type Bulb @key(fields: "id") {{
  id: ID!
  price: Float! @external
  expensive: Boolean! @requires(fields: "price")
}}
""",
    {
        "Bulb.__resolve_reference": lambda ref: dict(ref) if ref["id"] in BULBS else None,
        "Bulb.expensive": lambda bulb, _i: _needs("price")(bulb, _i) > 500,
    },
)


def _never(_bulb: Any, _info: Any) -> bool:
    raise ValueError("this field must never be resolved")


IS_C = Subgraph(
    "is_c",
    f"""
{link("@key", "@external", "@requires")}

type Bulb @key(fields: "id") {{
  id: ID!
  expensive: Boolean! @external
  included: Boolean! @requires(fields: "expensive")
  skipped: Boolean! @requires(fields: "expensive")
  neverIncluded: Boolean! @requires(fields: "expensive")
  neverSkipped: Boolean! @requires(fields: "expensive")
}}
""",
    {
        "Bulb.__resolve_reference": lambda ref: dict(ref) if ref["id"] in BULBS else None,
        "Bulb.included": lambda bulb, info: isinstance(_needs("expensive")(bulb, info), bool),
        "Bulb.skipped": lambda bulb, info: isinstance(_needs("expensive")(bulb, info), bool),
        "Bulb.neverIncluded": _never,
        "Bulb.neverSkipped": _never,
    },
)

PARCELS = {
    "p1": {"upc": "p1", "name": "Small box", "fee": 11, "weight": 1},
    "p2": {"upc": "p2", "name": "Crate", "fee": 22, "weight": 2},
}
RATES = {"EUR": 1, "USD": 2}


def _fee(parcel: dict[str, Any], _info: Any, currency: str) -> int | None:
    return parcel["fee"] * RATES[currency] if currency in RATES else None


RWA_CATALOG = Subgraph(
    "rwa_catalog",
    f"""
{link("@key")}

type Query {{
  parcels: [Parcel]
}}

type Parcel @key(fields: "upc") {{
  upc: String!
  name: String
  fee(currency: String!): Int
  weight: Int
}}
""",
    {
        "Query.parcels": lambda _o, _i: [dict(p) for p in PARCELS.values()],
        "Parcel.__resolve_reference": lambda ref: PARCELS.get(ref["upc"]) and dict(PARCELS[ref["upc"]]),
        "Parcel.fee": _fee,
    },
)


def _shipping(parcel: dict[str, Any], _info: Any) -> int:
    if "fee" not in parcel or "weight" not in parcel:
        raise ValueError("fee and weight are required")
    return parcel["fee"] * parcel["weight"] * 10


RWA_SHIP = Subgraph(
    "rwa_ship",
    f"""
{link("@key", "@external", "@requires")}

type Parcel @key(fields: "upc") {{
  upc: String!
  weight: Int @external
  fee(currency: String!): Int @external
  shipping: Int @requires(fields: \"\"\"fee(currency: "EUR") weight\"\"\")
}}
""",
    {
        "Parcel.__resolve_reference": lambda ref: dict(ref) if ref["upc"] in PARCELS else None,
        "Parcel.shipping": _shipping,
    },
)

POSTS = ["t1", "t2"]
NOTES = [
    {"id": f"n{i}", "post": post, "authorId": author, "body": f"note {i}"}
    for i, (post, author) in enumerate(
        [("t1", "w1"), ("t1", "w2"), ("t1", "w3"), ("t1", "w1"), ("t2", "w2"), ("t2", "w2"), ("t2", "w1")], 1
    )
]
WRITERS = {"w1": "Nadia", "w2": "Omar", "w3": "Pia"}

RWA_FEED = Subgraph(
    "rwa_feed",
    f"""
{link("@key", "@external", "@requires")}

type Query {{
  feed: [Post]
}}

type Post @key(fields: "id") {{
  id: ID!
}}

type Note @key(fields: "id") {{
  id: ID!
  authorId: ID
  body: String!
}}
""",
    {
        "Query.feed": lambda _o, _i: [{"id": p} for p in POSTS],
        "Post.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in POSTS else None,
        "Note.__resolve_reference": lambda ref: next((dict(n) for n in NOTES if n["id"] == ref["id"]), None),
    },
)


def _post_author(post: dict[str, Any], _info: Any) -> dict[str, str] | None:
    notes = post.get("notes")
    if notes is None:
        return None
    if len(notes) != 3:
        raise ValueError("expected 3 notes")
    author = notes[2]["authorId"]
    return {"id": author, "name": WRITERS[author]}


RWA_AUTHORS = Subgraph(
    "rwa_authors",
    f"""
{link("@key", "@external", "@requires")}

type Post @key(fields: "id") {{
  id: ID!
  author: Author @requires(fields: "notes(limit: 3) {{ authorId }}")
  notes(limit: Int!): [Note]
}}

type Note @key(fields: "id") {{
  id: ID!
  date: String
  authorId: ID @external
}}

type Author {{
  id: ID!
  name: String
}}
""",
    {
        "Post.__resolve_reference": lambda ref: dict(ref) if ref["id"] in POSTS else None,
        "Post.author": _post_author,
        "Post.notes": lambda post, _i, limit: [
            {"id": n["id"], "date": f"2024-01-0{n['id'][1:]}"} for n in NOTES if n["post"] == post["id"]
        ][:limit],
        "Note.__resolve_reference": lambda ref: next(
            ({"id": n["id"], "date": f"2024-01-0{n['id'][1:]}"} for n in NOTES if n["id"] == ref["id"]), None
        ),
    },
)

SUBGRAPHS = [
    RR_BASE,
    RR_ROOT,
    RR_MID,
    RR_TOP,
    NR_PROFILE,
    NR_ORDERS,
    NR_TOTALS,
    IS_A,
    IS_B,
    IS_C,
    RWA_CATALOG,
    RWA_SHIP,
    RWA_FEED,
    RWA_AUTHORS,
]

OPERATIONS = [
    Operation("requires_requires_two_hops", "{ lamp { affordable } }"),
    Operation("requires_requires_first_hop", "{ lamp { pricey } }"),
    Operation("requires_requires_both_hops_selected", "{ lamp { pricey affordable } }"),
    Operation("requires_requires_other_chain", "{ lamp { affordableOnSale } }"),
    Operation("requires_requires_two_chains", "{ lamp { affordable affordableOnSale } }"),
    Operation("requires_requires_list", "{ lamps { id affordable priceyOnSale affordableOnSale onSale } }"),
    Operation("requires_inaccessible_required_field_is_invalid", "{ lamp { cost } }", errors=True),
    Operation("nested_requires_two_fields_same_requirement", "{ patron { ordersByStatus orderTotal } }"),
    Operation("nested_requires_with_requirement_selected", "{ patron { id orders { id } orderTotal } }"),
    Operation("nested_requires_single", "{ patron { orderTotal } }"),
    Operation(
        "include_default_false_skips_requires_chain",
        "query ($on: Boolean = false) { bulb { price neverIncluded @include(if: $on) } }",
    ),
    Operation(
        "skip_default_true_skips_requires_chain",
        "query ($off: Boolean = true) { bulb { price neverSkipped @skip(if: $off) } }",
    ),
    Operation(
        "include_default_true_runs_requires_chain",
        "query ($on: Boolean = true) { bulb { price included @include(if: $on) } }",
    ),
    Operation(
        "skip_default_false_runs_requires_chain",
        "query ($off: Boolean = false) { bulb { price skipped @skip(if: $off) } }",
    ),
    Operation(
        "include_variable_overrides_default",
        "query ($on: Boolean = true) { bulb { price neverIncluded @include(if: $on) included } }",
        {"on": False},
    ),
    Operation(
        "include_literal_false_on_requires_field",
        "{ bulb { neverIncluded @include(if: false) neverSkipped @skip(if: true) skipped } }",
    ),
    Operation("requires_with_argument", "{ parcels { upc name shipping } }"),
    Operation(
        "requires_with_argument_and_client_argument",
        '{ parcels { usd: fee(currency: "USD") shipping fee(currency: "EUR") } }',
    ),
    Operation(
        "requires_with_argument_client_other_argument_same_name",
        '{ parcels { fee(currency: "USD") shipping } }',
        spec_data={"parcels": [{"fee": 22, "shipping": 110}, {"fee": 44, "shipping": 440}]},
    ),
    Operation(
        "requires_local_field_with_argument_and_external_subfield", "{ feed { id author { id name } } }"
    ),
    Operation(
        "requires_local_field_with_argument_client_other_limit",
        "{ feed { id notes(limit: 1) { id body } author { name } } }",
        spec_data={
            "feed": [
                {"id": "t1", "notes": [{"id": "n1", "body": "note 1"}], "author": {"name": "Pia"}},
                {"id": "t2", "notes": [{"id": "n5", "body": "note 5"}], "author": {"name": "Nadia"}},
            ]
        },
    ),
]
