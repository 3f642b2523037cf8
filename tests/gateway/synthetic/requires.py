"""@external + @requires: shipping needs a product's weight (a nested selection of `dimensions`), and
quotes need the shipping estimate, which itself needs the weight: a requires of a requires over three
subgraphs."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

PRODUCTS = {
    "u1": {"upc": "u1", "name": "Desk", "price": 2500, "dimensions": {"size": "large", "weight": 30.0}},
    "u2": {"upc": "u2", "name": "Lamp", "price": 400, "dimensions": {"size": "small", "weight": 1.5}},
    "u3": {"upc": "u3", "name": "Gift card", "price": 100, "dimensions": None},
    "u4": {"upc": "u4", "name": "Chair", "price": 900, "dimensions": {"size": "medium", "weight": None}},
}


def _estimate(product: dict, zone: int = 1) -> int | None:
    # No dimensions, or no weight: the estimate is unknown, not an error.
    weight = (product.get("dimensions") or {}).get("weight")
    if weight is None:
        return None
    return int(weight * 10) * zone


def _total(product: dict) -> int | None:
    if product.get("shippingEstimate") is None:
        return product["price"]
    return product["price"] + product["shippingEstimate"]


CATALOG = Subgraph(
    "catalog",
    f"""
{link("@key", "@shareable")}

type Query {{
  products: [Product!]!
  product(upc: String!): Product
}}

type Product @key(fields: "upc") {{
  upc: String!
  name: String!
  price: Int!
  dimensions: Dimensions
}}

type Dimensions @shareable {{
  size: String
  weight: Float
}}
""",
    {
        "Query.products": lambda _o, _i: list(PRODUCTS.values()),
        "Query.product": lambda _o, _i, upc: PRODUCTS.get(upc),
        "Product.__resolve_reference": lambda ref: PRODUCTS.get(ref["upc"]),
    },
)

SHIPPING = Subgraph(
    "shipping",
    f"""
{link("@key", "@shareable", "@external", "@requires")}

type Product @key(fields: "upc") {{
  upc: String!
  dimensions: Dimensions @external
  shippingEstimate: Int @requires(fields: "dimensions {{ weight }}")
  shippingQuote(zone: Int = 1): Int @requires(fields: "dimensions {{ weight }}")
  heavy: Boolean @requires(fields: "dimensions {{ weight }}")
}}

type Dimensions @shareable {{
  size: String
  weight: Float
}}
""",
    {
        # The representation carries the required fields: that is all shipping ever sees of a product.
        "Product.__resolve_reference": lambda ref: ref,
        "Product.shippingEstimate": lambda product, _i: _estimate(product),
        "Product.shippingQuote": lambda product, _i, zone=1: _estimate(product, zone),
        "Product.heavy": lambda product, _i: (
            None if _estimate(product) is None else (product["dimensions"]["weight"] or 0) > 10
        ),
    },
)

QUOTES = Subgraph(
    "quotes",
    f"""
{link("@key", "@external", "@requires")}

type Product @key(fields: "upc") {{
  upc: String!
  price: Int! @external
  shippingEstimate: Int @external
  total: Int @requires(fields: "price shippingEstimate")
}}
""",
    {
        "Product.__resolve_reference": lambda ref: ref,
        "Product.total": lambda product, _i: _total(product),
    },
)

SUBGRAPHS = [CATALOG, SHIPPING, QUOTES]

OPERATIONS = [
    Operation("nested_requires", "{ products { name shippingEstimate heavy } }"),
    Operation("requires_chain_only_last", '{ product(upc: "u1") { total } }'),
    Operation("requires_chain_list", "{ products { upc name price shippingEstimate total } }"),
    Operation(
        "requires_with_argument_and_aliases",
        'query ($zone: Int) { product(upc: "u2") { near: shippingQuote far: shippingQuote(zone: $zone) '
        "total } }",
        {"zone": 4},
    ),
    Operation(
        "required_value_null", '{ product(upc: "u3") { name dimensions { size } shippingEstimate total } }'
    ),
    Operation(
        "skip_requires_field",
        'query ($noShipping: Boolean!) { product(upc: "u4") { name heavy @skip(if: $noShipping) '
        "total @include(if: true) } }",
        {"noShipping": True},
    ),
    Operation(
        "requires_in_fragments",
        "{ products { ...Cost } } fragment Cost on Product { __typename ... on Product { total heavy } }",
    ),
]
