"""Mutations: root mutation fields run one after another, in document order, even when consecutive ones
belong to different subgraphs. `cart` and `orders` share one in-memory store so the order of effects
shows in the answers; every operation starts with `resetStore` so it answers the same each run."""

from __future__ import annotations

import itertools
from typing import Any

from .runtime import Operation, Subgraph, link

PRICES = {"nail": 2, "glue": 30, "tape": 15}

STORE: dict[str, Any] = {"cart": {}, "orders": [], "step": itertools.count(1)}


def _reset(_o: Any, _i: Any) -> bool:
    STORE.update(cart={}, orders=[], step=itertools.count(1))
    return True


def _cart() -> dict:
    items = [{"sku": sku, "quantity": n} for sku, n in STORE["cart"].items()]
    return {"id": "cart", "items": items, "step": next(STORE["step"])}


def _add(_o: Any, _i: Any, item: dict) -> dict:
    sku, quantity = item["sku"], item.get("quantity", 1)
    STORE["cart"][sku] = STORE["cart"].get(sku, 0) + quantity
    return _cart()


def _add_many(_o: Any, _i: Any, skus: list[str]) -> dict:
    for sku in skus:
        STORE["cart"][sku] = STORE["cart"].get(sku, 0) + 1
    return _cart()


def _place(_o: Any, _i: Any, note: str | None = None) -> dict:
    total = sum(PRICES[sku] * n for sku, n in STORE["cart"].items())
    order = {"id": f"o{len(STORE['orders']) + 1}", "total": total, "note": note, "step": next(STORE["step"])}
    STORE["orders"].append(order)
    STORE["cart"] = {}
    return order


CART = Subgraph(
    "cart",
    f"""
{link("@key")}

type Query {{
  cart: Cart!
}}

type Mutation {{
  resetStore: Boolean!
  addToCart(item: CartItemInput!): Cart!
  addAll(skus: [String!]!): Cart!
}}

input CartItemInput {{
  sku: String!
  quantity: Int = 1
}}

type Cart {{
  id: ID!
  step: Int!
  items: [CartItem!]!
}}

type CartItem {{
  sku: String!
  quantity: Int!
  product: Product!
}}

type Product @key(fields: "sku") {{
  sku: String!
}}
""",
    {
        "Query.cart": lambda _o, _i: _cart(),
        "Mutation.resetStore": _reset,
        "Mutation.addToCart": _add,
        "Mutation.addAll": _add_many,
        "CartItem.product": lambda item, _i: {"sku": item["sku"]},
    },
)

ORDERS = Subgraph(
    "orders",
    f"""
{link("@key")}

type Mutation {{
  placeOrder(note: String): Order!
}}

type Order {{
  id: ID!
  step: Int!
  total: Int!
  note: String
}}

type Product @key(fields: "sku") {{
  sku: String!
  price: Int!
}}

type Query {{
  orderCount: Int!
}}
""",
    {
        "Mutation.placeOrder": _place,
        "Query.orderCount": lambda _o, _i: len(STORE["orders"]),
        "Product.__resolve_reference": lambda ref: {"sku": ref["sku"], "price": PRICES.get(ref["sku"], 0)},
    },
)

SUBGRAPHS = [CART, ORDERS]

OPERATIONS = [
    Operation(
        "serial_across_subgraphs",
        """mutation {
          resetStore
          first: addToCart(item: {sku: "nail", quantity: 10}) { step items { sku quantity } }
          order: placeOrder(note: "uno") { id step total note }
          again: addToCart(item: {sku: "glue"}) { step items { sku quantity } }
          second: placeOrder { id step total note }
        }""",
    ),
    Operation(
        "input_object_and_list_variables",
        """mutation ($item: CartItemInput!, $skus: [String!]!, $note: String = "por defecto") {
          resetStore
          addToCart(item: $item) { items { sku quantity } }
          addAll(skus: $skus) { step items { sku quantity } }
          placeOrder(note: $note) { total note }
        }""",
        {"item": {"sku": "tape", "quantity": 2}, "skus": ["nail", "tape"]},
    ),
    Operation(
        "mutation_result_needs_entity_fetch",
        """mutation {
          __typename
          resetStore
          addAll(skus: ["glue", "nail", "glue"]) { __typename items { quantity product { sku price } } }
        }""",
    ),
    Operation(
        "list_variable_coerced_from_single_value",
        "mutation ($skus: [String!]!) { resetStore addAll(skus: $skus) { items { sku } } }",
        {"skus": "tape"},
    ),
]
