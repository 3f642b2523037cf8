"""Shared `node`-style root fields and keyless shared roots (the audit's "corrupted-supergraph-node-id",
"node" and "shared-root" situations).

- Wallets and threads: `cn_a` and `cn_b` both answer `Query.node: Node`, but each can only give the
  `id` of its own type (the other's `id` is @external there, and the subgraph answers a wrong id for
  it). `node { id }` with no type condition therefore has no valid plan; type-conditioned selections
  must go to the subgraph that owns each type.
- Bins: `nd_node` returns the interface `Handle`; `nd_types` (where `Bin` is @shareable) has the other
  fields; `nd_two` only the keys.
- Gadgets: `sr_name`, `sr_group` and `sr_price` each answer the keyless `Query.gadget` with their own
  fields of a shareable value type: one request needs all three root fields, merged.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

WALLETS = {"w1": {"id": "w1", "owner": "w1-owner"}}
THREADS = {"t1": {"id": "t1", "topic": "t1-topic", "wallet": "w1"}}


def _cn_a_node(_obj: Any, _info: Any, id: str) -> dict[str, Any] | None:
    if id in WALLETS:
        return {"__typename": "Wallet", **WALLETS[id]}
    if id in THREADS:
        # cn_a cannot know a thread's id (it is @external here): it answers a wrong one.
        return {"__typename": "Thread", "id": "never", "wallet": THREADS[id]["wallet"]}
    return None


def _cn_b_node(_obj: Any, _info: Any, id: str) -> dict[str, Any] | None:
    if id in WALLETS:
        return {"__typename": "Wallet", "id": "never", "walletId": id}
    if id in THREADS:
        return {"__typename": "Thread", "id": id, "topic": THREADS[id]["topic"]}
    return None


CN_A = Subgraph(
    "cn_a",
    f"""
{link("@key", "@shareable", "@external")}

type Query {{
  node(id: ID!): Node @shareable
  wallet(id: String!): Wallet
}}

interface Node {{
  id: ID!
}}

type Wallet implements Node @key(fields: "id") {{
  id: ID!
  owner: String!
}}

type Thread implements Node @key(fields: "id") {{
  id: ID! @external
  wallet: Wallet!
}}
""",
    {
        "Query.node": _cn_a_node,
        "Query.wallet": lambda _o, _i, id: WALLETS.get(id),
        "Wallet.__resolve_reference": lambda ref: WALLETS.get(ref["id"]),
        "Thread.__resolve_reference": lambda ref: (
            {"id": ref["id"], "wallet": THREADS[ref["id"]]["wallet"]} if ref["id"] in THREADS else None
        ),
        "Thread.wallet": lambda thread, _i: WALLETS.get(thread["wallet"]),
    },
)

CN_B = Subgraph(
    "cn_b",
    f"""
{link("@key", "@shareable", "@external")}

type Query {{
  node(id: ID!): Node @shareable
  thread(id: String!): Thread
}}

interface Node {{
  id: ID!
}}

type Wallet implements Node @key(fields: "id") {{
  id: ID! @external
  threads: [Thread!]!
}}

type Thread implements Node @key(fields: "id") {{
  id: ID!
  topic: String!
}}
""",
    {
        "Query.node": _cn_b_node,
        "Query.thread": lambda _o, _i, id: THREADS.get(id) and {"id": id, "topic": THREADS[id]["topic"]},
        "Wallet.__resolve_reference": lambda ref: (
            {"id": ref["id"], "walletId": ref["id"]} if ref["id"] in WALLETS else None
        ),
        "Wallet.threads": lambda wallet, _i: [
            {"id": t["id"], "topic": t["topic"]}
            for t in THREADS.values()
            if t["wallet"] == wallet["walletId"]
        ],
        "Thread.__resolve_reference": lambda ref: (
            THREADS.get(ref["id"]) and {"id": ref["id"], "topic": THREADS[ref["id"]]["topic"]}
        ),
    },
)

BINS = {"b-1": {"id": "b-1", "label": "Bin 1", "weight": 10.0}}
AISLES = {"a-1": {"id": "a-1", "label": "Aisle 1"}}

ND_NODE = Subgraph(
    "nd_node",
    f"""
{link("@key")}

type Query {{
  binNode: Handle
  aisleNode: Handle
}}

interface Handle {{
  id: ID!
}}

type Bin implements Handle @key(fields: "id") {{
  id: ID!
}}

type Aisle implements Handle @key(fields: "id") {{
  id: ID!
}}
""",
    {
        "Query.binNode": lambda _o, _i: {"__typename": "Bin", "id": "b-1"},
        "Query.aisleNode": lambda _o, _i: {"__typename": "Aisle", "id": "a-1"},
        "Bin.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in BINS else None,
        "Aisle.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in AISLES else None,
    },
)

ND_TYPES = Subgraph(
    "nd_types",
    f"""
{link("@key", "@shareable")}

interface Handle {{
  id: ID!
}}

type Bin implements Handle @key(fields: "id") @shareable {{
  id: ID!
  label: String!
  weight: Float!
}}

type Aisle implements Handle @key(fields: "id") {{
  id: ID!
  label: String!
}}
""",
    {
        "Bin.__resolve_reference": lambda ref: BINS.get(ref["id"]),
        "Aisle.__resolve_reference": lambda ref: AISLES.get(ref["id"]),
    },
)

ND_TWO = Subgraph(
    "nd_two",
    f"""
{link("@key")}

interface Handle {{
  id: ID!
}}

type Bin implements Handle @key(fields: "id") {{
  id: ID!
}}

type Aisle implements Handle @key(fields: "id") {{
  id: ID!
}}
""",
    {
        "Bin.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in BINS else None,
        "Aisle.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in AISLES else None,
    },
)

GADGET = {
    "id": "1",
    "name": "Gadget 1",
    "group": {"id": "g1", "name": "Group 1"},
    "price": {"id": "pr1", "amount": 100, "currency": "EUR"},
}

SR_NAME = Subgraph(
    "sr_name",
    f"""
{link("@shareable")}

type Query {{
  gadget: Gadget! @shareable
  gadgets: [Gadget!]! @shareable
}}

type Gadget {{
  id: ID! @shareable
  name: String!
}}
""",
    {
        "Query.gadget": lambda _o, _i: {"id": GADGET["id"], "name": GADGET["name"]},
        "Query.gadgets": lambda _o, _i: [{"id": GADGET["id"], "name": GADGET["name"]}],
    },
)

SR_GROUP = Subgraph(
    "sr_group",
    f"""
{link("@shareable")}

type Query {{
  gadget: Gadget! @shareable
  gadgets: [Gadget!]! @shareable
}}

type Gadget {{
  id: ID! @shareable
  group: Group!
}}

type Group {{
  id: ID!
  name: String!
}}
""",
    {
        "Query.gadget": lambda _o, _i: {"id": GADGET["id"], "group": GADGET["group"]},
        "Query.gadgets": lambda _o, _i: [{"id": GADGET["id"], "group": GADGET["group"]}],
    },
)

SR_PRICE = Subgraph(
    "sr_price",
    f"""
{link("@shareable")}

type Query {{
  gadget: Gadget! @shareable
  gadgets: [Gadget!]! @shareable
}}

type Gadget {{
  id: ID! @shareable
  price: Money!
}}

type Money {{
  id: ID!
  amount: Int!
  currency: String!
}}
""",
    {
        "Query.gadget": lambda _o, _i: {"id": GADGET["id"], "price": GADGET["price"]},
        "Query.gadgets": lambda _o, _i: [{"id": GADGET["id"], "price": GADGET["price"]}],
    },
)

SUBGRAPHS = [CN_A, CN_B, ND_NODE, ND_TYPES, ND_TWO, SR_NAME, SR_GROUP, SR_PRICE]

OPERATIONS = [
    Operation("node_id_without_type_condition_has_no_plan", '{ node(id: "w1") { id } }', errors=True),
    Operation(
        "node_typename_only",
        '{ wallet: node(id: "w1") { __typename } thread: node(id: "t1") { __typename } }',
    ),
    Operation(
        "node_type_conditions_routed_to_owner",
        '{ wallet: node(id: "w1") { ... on Wallet { id owner } } '
        'thread: node(id: "t1") { ... on Thread { id topic } } }',
    ),
    Operation(
        "node_type_conditions_not_matching",
        '{ wallet: node(id: "w1") { ... on Thread { id } } thread: node(id: "t1") { ... on Wallet { id } } }',
    ),
    Operation(
        "node_type_conditions_not_matching_with_typename",
        '{ wallet: node(id: "w1") { __typename ... on Thread { id } } '
        'thread: node(id: "t1") { __typename ... on Wallet { id } } }',
    ),
    Operation(
        "node_id_plus_type_condition_has_no_plan",
        '{ wallet: node(id: "w1") { id ... on Thread { id } } '
        'thread: node(id: "t1") { __typename ... on Wallet { id } } }',
        errors=True,
    ),
    Operation("node_owner_root_thread", '{ thread(id: "t1") { id } }'),
    Operation("node_owner_root_wallet", '{ wallet(id: "w1") { id } }'),
    Operation("node_entity_call_from_thread", '{ thread(id: "t1") { id topic wallet { id } } }'),
    Operation("node_entity_call_from_wallet", '{ wallet(id: "w1") { id owner threads { id } } }'),
    Operation(
        "handle_fragment_fields_from_other_subgraph",
        "{ binNode { ... on Bin { id label __typename weight } } }",
    ),
    Operation("handle_typename_and_fragment", "{ aisleNode { __typename id ... on Aisle { label } } }"),
    Operation(
        "shared_root_three_subgraphs", "{ gadget { id name group { id name } price { amount currency } } }"
    ),
    Operation("shared_root_three_subgraphs_list", "{ gadgets { id name group { name } price { amount } } }"),
    Operation("shared_root_two_of_three", "{ gadget { price { currency } group { id } } }"),
]
