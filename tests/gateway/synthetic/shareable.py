"""@shareable: a root field both subgraphs answer, a value type (`Money`) either resolves, and an entity
field both own, so a plan can stay in one subgraph."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

STORE = {"name": "Ferretería Centro", "city": "Puebla"}
PRODUCTS = {
    "s1": {"sku": "s1", "name": "Drill", "price": {"amount": 1200, "currency": "MXN"}},
    "s2": {"sku": "s2", "name": "Saw", "price": {"amount": 450, "currency": "MXN"}},
    "s3": {"sku": "s3", "name": "Level", "price": None},
}
STOCK = {"s1": {"units": 2, "cost": {"amount": 900, "currency": "MXN"}}, "s2": {"units": 40, "cost": None}}


def _stock(sku: str) -> dict:
    stock = STOCK.get(sku, {"units": 0, "cost": None})
    return {
        "sku": sku,
        "name": PRODUCTS[sku]["name"],
        "units": stock["units"],
        "replacementCost": stock["cost"],
    }


CATALOG = Subgraph(
    "catalog",
    f"""
{link("@key", "@shareable")}

type Query {{
  store: Store! @shareable
  products: [Product!]!
}}

type Store @shareable {{
  name: String!
  city: String
}}

type Money @shareable {{
  amount: Int!
  currency: String!
}}

type Product @key(fields: "sku") {{
  sku: ID!
  name: String! @shareable
  price: Money
}}
""",
    {
        "Query.store": lambda _o, _i: {"name": STORE["name"], "city": STORE["city"]},
        "Query.products": lambda _o, _i: list(PRODUCTS.values()),
        "Product.__resolve_reference": lambda ref: PRODUCTS.get(ref["sku"]),
    },
)

INVENTORY = Subgraph(
    "inventory",
    f"""
{link("@key", "@shareable")}

type Query {{
  store: Store! @shareable
  lowStock(below: Int! = 5): [Product!]!
}}

type Store @shareable {{
  name: String!
  warehouses: Int!
}}

type Money @shareable {{
  amount: Int!
  currency: String!
}}

type Product @key(fields: "sku") {{
  sku: ID!
  name: String! @shareable
  units: Int!
  replacementCost: Money
}}
""",
    {
        "Query.store": lambda _o, _i: {"name": STORE["name"], "warehouses": 3},
        "Query.lowStock": lambda _o, _i, below=5: [
            _stock(sku) for sku in PRODUCTS if STOCK.get(sku, {"units": 0})["units"] < below
        ],
        "Product.__resolve_reference": lambda ref: _stock(ref["sku"]) if ref["sku"] in PRODUCTS else None,
    },
)

SUBGRAPHS = [CATALOG, INVENTORY]

OPERATIONS = [
    Operation("shared_root_field", "{ store { name } }"),
    Operation("shared_root_fields_from_both", "{ store { name city warehouses } }"),
    Operation(
        "value_type_from_either", "{ products { name price { amount currency } replacementCost { amount } } }"
    ),
    Operation("shared_entity_field_stays_local", "{ lowStock { sku name units } }"),
    Operation(
        "shared_entity_field_plus_fetch",
        "query ($below: Int!) { lowStock(below: $below) { name price { currency amount } "
        "replacementCost { __typename currency } } }",
        {"below": 50},
    ),
]
