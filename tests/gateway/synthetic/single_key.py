"""A single `@key(fields: "id")`: products live in `catalog`, their reviews in `reviews`.

Also the scenario where the general query language is exercised across an entity boundary:
@skip/@include, variables with defaults, fragments, aliases and __typename at every level.
"""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

PRODUCTS = {
    "p1": {"id": "p1", "name": "Hammer", "price": 12, "category": "TOOLS", "description": "Steel head"},
    "p2": {"id": "p2", "name": "Rake", "price": 20, "category": "GARDEN", "description": None},
    "p3": {"id": "p3", "name": "Kettle", "price": 35, "category": "KITCHEN", "description": "1.5 litres"},
    "p4": {"id": "p4", "name": "Trowel", "price": 7, "category": "GARDEN", "description": None},
}

REVIEWS = {
    "r1": {"id": "r1", "body": "Solid", "rating": 5, "product": "p1"},
    "r2": {"id": "r2", "body": "Handle broke", "rating": 2, "product": "p1"},
    "r3": {"id": "r3", "body": "Does the job", "rating": 4, "product": "p2"},
    "r4": {"id": "r4", "body": "Boils fast", "rating": 5, "product": "p3"},
    "r5": {"id": "r5", "body": "Loud", "rating": 3, "product": "p3"},
}


def _reviews_of(product_id: str, min_rating: int) -> list[dict]:
    return [r for r in REVIEWS.values() if r["product"] == product_id and r["rating"] >= min_rating]


CATALOG = Subgraph(
    "catalog",
    f"""
{link("@key")}

type Query {{
  products(first: Int = 10, category: Category): [Product!]!
  product(id: ID!): Product
}}

enum Category {{ TOOLS GARDEN KITCHEN }}

type Product @key(fields: "id") {{
  id: ID!
  name: String!
  price: Int!
  category: Category!
  description: String
}}
""",
    {
        "Query.products": lambda _o, _i, first=10, category=None: [
            p for p in PRODUCTS.values() if category in (None, p["category"])
        ][:first],
        "Query.product": lambda _o, _i, id: PRODUCTS.get(id),
        "Product.__resolve_reference": lambda ref: PRODUCTS.get(ref["id"]),
    },
)

REVIEWS_SUBGRAPH = Subgraph(
    "reviews",
    f"""
{link("@key")}

type Query {{
  topReviews(minRating: Int = 4, first: Int): [Review!]!
  review(id: ID!): Review
}}

type Review @key(fields: "id") {{
  id: ID!
  body: String!
  rating: Int!
  product: Product!
}}

type Product @key(fields: "id") {{
  id: ID!
  reviews(minRating: Int = 1): [Review!]!
  reviewCount: Int!
}}
""",
    {
        "Query.topReviews": lambda _o, _i, minRating=4, first=None: [
            r for r in REVIEWS.values() if r["rating"] >= minRating
        ][:first],
        "Query.review": lambda _o, _i, id: REVIEWS.get(id),
        "Review.__resolve_reference": lambda ref: REVIEWS.get(ref["id"]),
        "Review.product": lambda review, _i: {"id": review["product"]},
        "Product.__resolve_reference": lambda ref: {"id": ref["id"]},
        "Product.reviews": lambda product, _i, minRating=1: _reviews_of(product["id"], minRating),
        "Product.reviewCount": lambda product, _i: len(_reviews_of(product["id"], 0)),
    },
)

SUBGRAPHS = [CATALOG, REVIEWS_SUBGRAPH]

OPERATIONS = [
    Operation("root_only", '{ product(id: "p1") { id name price category description } }'),
    Operation("entity_fetch", '{ product(id: "p1") { name reviews { body rating } } }'),
    Operation("batched_list", "{ products { id name reviewCount } }"),
    Operation("reverse_direction", "{ topReviews { body product { name price } } }"),
    Operation(
        "round_trip",
        '{ product(id: "p3") { name reviews { rating product { name reviews { id } reviewCount } } } }',
    ),
    Operation("missing_entity_root", '{ product(id: "nope") { name reviews { id } } }'),
    Operation(
        "same_field_twice_with_arguments",
        """{
          product(id: "p1") {
            praise: reviews(minRating: 4) { id body }
            all: reviews { id }
            reviews(minRating: 3) { rating }
          }
          other: product(id: "p3") { title: name }
        }""",
    ),
    Operation(
        "aliases_on_entity_fields",
        "{ items: products(first: 3) { key: id label: name count: reviewCount best: reviews(minRating: 5) "
        "{ text: body } } }",
    ),
    Operation(
        "typename_everywhere",
        '{ __typename product(id: "p1") { __typename reviews { __typename product { __typename name } } } }',
    ),
    Operation("typename_only_entity", "{ topReviews(minRating: 5) { product { __typename id } } }"),
    Operation(
        "variables_scalars_and_defaults",
        """query Reviews($id: ID!, $min: Int = 3, $first: Int) {
          product(id: $id) { name reviews(minRating: $min) { rating } }
          topReviews(first: $first) { id }
        }""",
        {"id": "p1", "first": 2},
    ),
    Operation(
        "variable_enum_and_explicit_null",
        "query ($category: Category, $first: Int) { products(category: $category, first: $first) { name } }",
        {"category": "GARDEN", "first": None},
    ),
    Operation(
        "skip_include_variables_off",
        """query ($withReviews: Boolean!, $hidePrice: Boolean = false) {
          products(first: 3) {
            name price @skip(if: $hidePrice) reviews @include(if: $withReviews) { rating }
          }
        }""",
        {"withReviews": False},
    ),
    Operation(
        "skip_include_variables_on",
        """query ($withReviews: Boolean!, $hidePrice: Boolean = false) {
          products(first: 3) {
            name price @skip(if: $hidePrice) reviews @include(if: $withReviews) { rating }
          }
        }""",
        {"withReviews": True, "hidePrice": True},
    ),
    Operation(
        "skip_include_literals_on_fragments",
        """{
          product(id: "p1") {
            name
            ...ReviewBits @include(if: false)
            ... @skip(if: false) { price reviewCount }
            ... on Product @skip(if: true) { description }
          }
        }
        fragment ReviewBits on Product { reviews { id } }""",
    ),
    Operation(
        "skip_whole_entity_fetch_both_ways",
        """query ($on: Boolean!) {
          product(id: "p2") { name reviewCount @skip(if: $on) reviews @include(if: $on) { body } }
        }""",
        {"on": True},
    ),
    Operation(
        "named_fragments_nested_across_subgraphs",
        """query { products(first: 2) { ...Card } review(id: "r4") { ...ReviewCard } }
        fragment Card on Product { id ...Price reviews { ...ReviewCard } }
        fragment Price on Product { price category }
        fragment ReviewCard on Review { body product { name } }""",
    ),
    Operation(
        "inline_fragments_merge",
        """{ product(id: "p3") {
          ... on Product { name reviews { id } }
          ... { reviews { rating } }
          reviews { body }
        } }""",
    ),
    Operation(
        "operation_name_selects",
        'query First { product(id: "p1") { name } } query Second { product(id: "p2") { reviewCount } }',
        operation_name="Second",
    ),
]
