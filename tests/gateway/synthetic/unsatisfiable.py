"""Operations no plan can satisfy: the gateway must refuse them whole, at planning, with a code.

- `catalog` lists products; `reviews` rates them and has its own root field. Composition refuses a
  supergraph where `reviews` declares its key `resolvable: false` (no plan reaches `Product.rating`
  from `products`), so the scenario composes the resolvable version and then marks the key as not
  resolvable in the supergraph (`edit_supergraph`), as a hand-edited file or a composer that does
  not check satisfiability would hand it to `qf serve --supergraph`.
- `media` declares the entity interface `Media` with no implementation anywhere; `ratings` holds it as
  an @interfaceObject. Its fields resolve in `ratings`, but nothing can say which concrete type a
  `Media` is, so `__typename` has no answer.

@apollo/gateway refuses the same operations at planning (HTTP 500, no data); ours answers HTTP 400
with `QUERY_PLANNING_FAILED` and no data either, and sends nothing to any subgraph.
"""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

PRODUCTS = {"p1": {"id": "p1", "name": "Mesa", "rating": 4}, "p2": {"id": "p2", "name": "Silla", "rating": 2}}

CATALOG = Subgraph(
    "catalog",
    f"""
{link("@key")}

type Query {{
  products: [Product]
}}

type Product @key(fields: "id") {{
  id: ID!
  name: String
}}
""",
    {
        "Query.products": lambda _o, _i: [{"id": p["id"], "name": p["name"]} for p in PRODUCTS.values()],
        "Product.__resolve_reference": lambda ref: (
            ref["id"] in PRODUCTS and {"id": ref["id"], "name": PRODUCTS[ref["id"]]["name"]}
        ),
    },
)

REVIEWS = Subgraph(
    "reviews",
    f"""
{link("@key")}

type Query {{
  topProduct: Product
}}

type Product @key(fields: "id") {{
  id: ID!
  rating: Int
}}
""",
    {
        "Query.topProduct": lambda _o, _i: {"id": "p1", "rating": PRODUCTS["p1"]["rating"]},
        "Product.__resolve_reference": lambda ref: (
            ref["id"] in PRODUCTS and {"id": ref["id"], "rating": PRODUCTS[ref["id"]]["rating"]}
        ),
    },
)

MEDIA = Subgraph(
    "media",
    f"""
{link("@key")}

type Query {{
  version: String
}}

interface Media @key(fields: "id") {{
  id: ID!
}}
""",
    {"Query.version": lambda _o, _i: "2024.1"},
)

RATINGS = Subgraph(
    "ratings",
    f"""
{link("@key", "@interfaceObject")}

type Query {{
  topMedia: [Media]
}}

type Media @key(fields: "id") @interfaceObject {{
  id: ID!
  stars: Int
}}
""",
    {
        "Query.topMedia": lambda _o, _i: [{"id": "m1", "stars": 5}, {"id": "m2", "stars": 3}],
        "Media.__resolve_reference": lambda ref: {"id": ref["id"], "stars": 4},
    },
)

SUBGRAPHS = [CATALOG, REVIEWS, MEDIA, RATINGS]

RESOLVABLE_REVIEWS_KEY = '@join__type(graph: REVIEWS, key: "id")'


def edit_supergraph(sdl: str) -> str:
    """The composed supergraph with `reviews`' key on Product marked not resolvable."""
    assert RESOLVABLE_REVIEWS_KEY in sdl, "the supergraph no longer prints reviews' key this way"
    return sdl.replace(RESOLVABLE_REVIEWS_KEY, '@join__type(graph: REVIEWS, key: "id", resolvable: false)')


OPERATIONS = [
    Operation("unsatisfiable_field_behind_non_resolvable_key", "{ products { name rating } }", errors=True),
    Operation(
        "unsatisfiable_field_beside_satisfiable_root_field",
        "{ topProduct { rating } products { id rating } }",
        errors=True,
    ),
    Operation(
        "unsatisfiable_field_in_a_fragment",
        "query Shelf { products { ...Rated } } fragment Rated on Product { id rating }",
        errors=True,
    ),
    Operation("satisfiable_from_the_non_resolvable_side", "{ topProduct { rating name } }"),
    Operation("satisfiable_keys_only", "{ products { id name } topProduct { id } }"),
    Operation(
        "interface_object_without_implementations_typename", "{ topMedia { __typename stars } }", errors=True
    ),
    Operation(
        "interface_object_without_implementations_beside_other_root_field",
        "{ version topMedia { id __typename } }",
        errors=True,
    ),
    Operation("interface_object_without_implementations_fields_only", "{ topMedia { id stars } }"),
    Operation(
        "interface_object_without_implementations_fragment_on_interface",
        "{ version topMedia { ... on Media { stars } } }",
    ),
]
