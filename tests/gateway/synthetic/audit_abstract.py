"""Abstract types spread over six subgraphs (the audit's "abstract-types" situation).

`catalog` owns a plain (non-entity) interface `Item` with two entity implementations, `Novel` and
`Comic`, a second interface `Related` whose implementations narrow the field type (`related: [Novel]`
for `related: [Item]`), a hidden interface field, a shareable value type `Size`, and a union `Issuer`
of a keyless `Studio` and a local `Indie`. `studios` extends that union with a member catalog does not
know (`extend union Issuer = Studio | Collective`) and gives `Studio.contact` an object type where
`Indie.contact` and `Collective.contact` are strings. `shipping` computes a delivery estimate from an
argument plus a @requires on the value type; `ratings` answers ratings whose `item` is the interface and
@requires a list of entities (`related { id }`); `novels` and `comics` each add a `title`.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

ITEMS: dict[str, dict[str, Any]] = {
    "n1": {
        "__typename": "Novel",
        "id": "n1",
        "code": "NV-1",
        "size": {"format": "pocket", "grams": 0.5},
        "maker": "m1",
        "secret": True,
        "issuer": {"__typename": "Indie", "contact": "ines@ink.test"},
        "title": "Tide Lines",
    },
    "n2": {
        "__typename": "Novel",
        "id": "n2",
        "code": "NV-2",
        "size": {"format": "hardcover", "grams": 1.4},
        "maker": "m2",
        "secret": False,
        "issuer": {"__typename": "Studio", "id": "s2"},
        "title": "Salt Road",
    },
    "c1": {
        "__typename": "Comic",
        "id": "c1",
        "code": "CM-1",
        "size": {"format": "pocket", "grams": 0.2},
        "maker": "m1",
        "secret": False,
        "issuer": {"__typename": "Studio", "id": "s1"},
        "title": "Moth Patrol",
    },
    "c2": {
        "__typename": "Comic",
        "id": "c2",
        "code": "CM-2",
        "size": {"format": "folio", "grams": 0.3},
        "maker": "m2",
        "secret": True,
        "issuer": {"__typename": "Indie", "contact": "olga@zine.test"},
        "title": "Night Ferry",
    },
}
MAKERS = {"m1": "ines@ink.test", "m2": "olga@zine.test"}
STUDIOS = {
    "s1": {"id": "s1", "name": "Kite Studio", "contact": {"address": "kite@studio.test"}},
    "s2": {"id": "s2", "name": "Anvil Press", "contact": {"address": "anvil@press.test"}},
}
RATINGS = [
    {"id": 1, "body": "loved it", "stars": 5, "item": "n1"},
    {"id": 2, "body": "fine", "stars": 3, "item": "n1"},
    {"id": 3, "body": "great art", "stars": 4, "item": "c1"},
]


def _catalog_view(item_id: str) -> dict[str, Any] | None:
    item = ITEMS.get(item_id)
    if item is None:
        return None
    return {key: item[key] for key in ("__typename", "id", "code", "size", "maker", "secret", "issuer")}


def _related(item: dict[str, Any], _info: Any) -> list[dict[str, Any] | None]:
    return [
        _catalog_view(other["id"])
        for other in ITEMS.values()
        if other["__typename"] == item["__typename"] and other["id"] != item["id"]
    ]


def _maker(item: dict[str, Any], _info: Any) -> dict[str, Any]:
    return {"handle": MAKERS[item["maker"]]}


def _item_count(maker: dict[str, Any], _info: Any) -> int:
    owner = next(key for key, handle in MAKERS.items() if handle == maker["handle"])
    return sum(1 for item in ITEMS.values() if item["maker"] == owner)


CATALOG = Subgraph(
    "catalog",
    f"""
{link("@key", "@shareable", "@inaccessible")}

type Query {{
  items: [Item]
  relatedTo(id: ID!): [Item]
}}

interface Item {{
  id: ID!
  code: String
  size: Size
  maker: Maker
  secret: Boolean @inaccessible
}}

interface Related {{
  related: [Item]
}}

type Size @shareable {{
  format: String
  grams: Float
}}

type Novel implements Item & Related @key(fields: "id") {{
  id: ID!
  code: String
  size: Size @shareable
  maker: Maker
  related: [Novel]
  secret: Boolean
  issuer: Issuer
}}

type Comic implements Item & Related @key(fields: "id") {{
  id: ID!
  code: String
  size: Size @shareable
  maker: Maker
  related: [Comic]
  secret: Boolean
  issuer: Issuer
}}

union Issuer = Studio | Indie

type Studio {{
  id: ID! @shareable
}}

type Indie {{
  contact: String
}}

type Maker @key(fields: "handle") {{
  handle: ID!
  itemCount: Int @shareable
}}
""",
    {
        "Query.items": lambda _o, _i: [_catalog_view(key) for key in ITEMS],
        "Query.relatedTo": lambda _o, info, id: _related(ITEMS[id], info) if id in ITEMS else [],
        "Novel.__resolve_reference": lambda ref: _catalog_view(ref["id"]),
        "Comic.__resolve_reference": lambda ref: _catalog_view(ref["id"]),
        "Novel.related": _related,
        "Comic.related": _related,
        "Novel.maker": _maker,
        "Comic.maker": _maker,
        "Maker.__resolve_reference": lambda ref: (
            {"handle": ref["handle"]} if ref["handle"] in MAKERS.values() else None
        ),
        "Maker.itemCount": _item_count,
    },
)


def _title_of(kind: str) -> Any:
    def resolve(ref: dict[str, Any]) -> dict[str, Any] | None:
        item = ITEMS.get(ref["id"])
        if item is None or item["__typename"] != kind:
            return None
        return {"id": item["id"], "title": item["title"]}

    return resolve


NOVELS = Subgraph(
    "novels",
    f"""
{link("@key")}

type Query {{
  novels: [Novel]
}}

type Novel @key(fields: "id") {{
  id: ID!
  title: String
}}
""",
    {
        "Query.novels": lambda _o, _i: [
            {"id": i["id"], "title": i["title"]} for i in ITEMS.values() if i["__typename"] == "Novel"
        ],
        "Novel.__resolve_reference": _title_of("Novel"),
    },
)

COMICS = Subgraph(
    "comics",
    f"""
{link("@key")}

type Query {{
  comics: [Comic]
}}

type Comic @key(fields: "id") {{
  id: ID!
  title: String
}}
""",
    {
        "Query.comics": lambda _o, _i: [
            {"id": i["id"], "title": i["title"]} for i in ITEMS.values() if i["__typename"] == "Comic"
        ],
        "Comic.__resolve_reference": _title_of("Comic"),
    },
)


def _delivery(item: dict[str, Any], _info: Any, zip: str | None = None) -> dict[str, str] | None:
    size = item.get("size")
    if not zip or not size:
        return None
    if size["format"] == "pocket" and size["grams"] < 1:
        return {"eta": "1 day", "fastest": "same day"}
    if size["format"] == "hardcover" and size["grams"] >= 1:
        return {"eta": "3 days", "fastest": "2 days"}
    return None


def _shipping_reference(ref: dict[str, Any]) -> dict[str, Any] | None:
    if ref["id"] not in ITEMS:
        return None
    return {"id": ref["id"], "size": ref.get("size")}


SHIPPING = Subgraph(
    "shipping",
    f"""
{link("@key", "@shareable", "@external", "@requires")}

interface Item {{
  id: ID!
  size: Size
  delivery(zip: String): Delivery
}}

type Novel implements Item @key(fields: "id") {{
  id: ID!
  size: Size @external
  delivery(zip: String): Delivery @requires(fields: "size {{ format grams }}")
}}

type Comic implements Item @key(fields: "id") {{
  id: ID!
  size: Size @external
  delivery(zip: String): Delivery @requires(fields: "size {{ format grams }}")
}}

type Size @shareable {{
  format: String
  grams: Float
}}

type Delivery {{
  eta: String
  fastest: String
}}
""",
    {
        "Novel.__resolve_reference": _shipping_reference,
        "Comic.__resolve_reference": _shipping_reference,
        "Novel.delivery": _delivery,
        "Comic.delivery": _delivery,
    },
)


def _rating(rating: dict[str, Any]) -> dict[str, Any]:
    item = ITEMS[rating["item"]]
    return {**rating, "item": {"__typename": item["__typename"], "id": item["id"]}}


def _ratings_reference(ref: dict[str, Any]) -> dict[str, Any] | None:
    item = ITEMS.get(ref["id"])
    if item is None:
        return None
    return {"__typename": item["__typename"], "id": item["id"], "related": ref.get("related")}


def _ratings(item: dict[str, Any], _info: Any) -> list[dict[str, Any]]:
    return [_rating(r) for r in RATINGS if r["item"] == item["id"]]


def _average(item: dict[str, Any], _info: Any) -> float:
    stars = [r["stars"] for r in RATINGS if r["item"] == item["id"]]
    return sum(stars) / len(stars) if stars else 0.0


def _ratings_of_related(item: dict[str, Any], _info: Any) -> list[dict[str, Any]]:
    related_ids = [r["id"] for r in item["related"] or [] if r]
    return [_rating(r) for r in RATINGS if r["item"] in related_ids]


RATINGS_SUBGRAPH = Subgraph(
    "ratings",
    f"""
{link("@key", "@shareable", "@requires", "@external")}

type Query {{
  rating(id: Int!): Rating
}}

interface Item {{
  id: ID!
  ratingCount: Int!
  ratingAvg: Float!
  ratings: [Rating!]!
}}

interface Related {{
  related: [Item]
}}

type Novel implements Item & Related @key(fields: "id") {{
  id: ID!
  ratingCount: Int!
  ratingAvg: Float! @shareable
  ratings: [Rating!]!
  related: [Novel] @external
  ratingsOfRelated: [Rating!]! @requires(fields: "related {{ id }}")
}}

type Comic implements Item & Related @key(fields: "id") {{
  id: ID!
  ratingCount: Int!
  ratingAvg: Float! @shareable
  ratings: [Rating!]!
  related: [Comic] @external
  ratingsOfRelated: [Rating!]! @requires(fields: "related {{ id }}")
}}

type Rating {{
  id: Int!
  body: String!
  item: Item
}}
""",
    {
        "Query.rating": lambda _o, _i, id: next((_rating(r) for r in RATINGS if r["id"] == id), None),
        "Novel.__resolve_reference": _ratings_reference,
        "Comic.__resolve_reference": _ratings_reference,
        "Novel.ratings": _ratings,
        "Comic.ratings": _ratings,
        "Novel.ratingCount": lambda item, info: len(_ratings(item, info)),
        "Comic.ratingCount": lambda item, info: len(_ratings(item, info)),
        "Novel.ratingAvg": _average,
        "Comic.ratingAvg": _average,
        "Novel.ratingsOfRelated": _ratings_of_related,
        "Comic.ratingsOfRelated": _ratings_of_related,
    },
)

STUDIOS_SUBGRAPH = Subgraph(
    "studios",
    f"""
{link("@key")}

type Studio @key(fields: "id") {{
  id: ID!
  name: String
  contact: Contact
}}

type Contact {{
  address: String
}}

type Collective @key(fields: "id") {{
  id: ID!
  name: String
  contact: String
}}

extend union Issuer = Studio | Collective
""",
    {
        "Studio.__resolve_reference": lambda ref: STUDIOS.get(ref["id"]),
        "Collective.__resolve_reference": lambda ref: {
            "id": ref["id"],
            "name": f"Collective {ref['id']}",
            "contact": f"{ref['id']}@collective.test",
        },
    },
)

SUBGRAPHS = [CATALOG, NOVELS, COMICS, SHIPPING, RATINGS_SUBGRAPH, STUDIOS_SUBGRAPH]

_ISSUER_QUERY = """
{ items { id ratings { item { id
  ... on Comic { issuer { ...Issuer } }
  ... on Novel { issuer { ...Issuer } } } } } }
"""

OPERATIONS = [
    Operation("abstract_shareable_value_type_on_interface", "{ items { id size { format grams } } }"),
    Operation("abstract_covariant_root_list", '{ relatedTo(id: "n1") { id code } }'),
    Operation(
        "abstract_requires_with_argument_through_interface",
        '{ novelish: relatedTo(id: "n1") { id code delivery(zip: "0100") { fastest eta } } '
        'comicish: relatedTo(id: "c1") { id code delivery(zip: "0100") { fastest eta } } }',
    ),
    Operation(
        "abstract_requires_argument_missing",
        "{ items { id delivery { eta } } }",
    ),
    Operation(
        "abstract_same_field_in_many_fragments_and_other_interface",
        "{ items { code ... on Item { code } ... on Novel { code } ... on Comic { code } "
        "... on Related { __typename kind: __typename } } }",
    ),
    Operation(
        "abstract_entity_behind_interface_field_plus_fragment",
        "{ items { creator: maker { handle itemCount } ... on Comic { title } } }",
    ),
    Operation(
        "abstract_interface_from_other_subgraph_with_fragments",
        "{ items { id ratings { item { code ... on Comic { title } ... on Novel { ratingCount } } } } }",
    ),
    Operation("abstract_interface_field_from_other_subgraph", "{ items { id ratings { id } } }"),
    Operation(
        "abstract_include_default_true",
        "query ($withTitle: Boolean = true) { items { id ratings { item { id "
        "... on Novel @include(if: $withTitle) { title } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_include_default_false",
        "query ($withTitle: Boolean = false) { items { id ratings { item { id "
        "... on Novel @include(if: $withTitle) { title } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_skip_default_false",
        "query ($noTitle: Boolean = false) { items { id ratings { item { id "
        "... on Novel @skip(if: $noTitle) { title } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_skip_default_true",
        "query ($noTitle: Boolean = true) { items { id ratings { item { id "
        "... on Novel @skip(if: $noTitle) { title } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_skipped_fragment_beside_plain_fragment",
        "query ($noTitle: Boolean = true) { items { id ratings { item { id "
        "... on Novel @skip(if: $noTitle) { title } ... on Novel { code } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_kept_fragment_beside_plain_fragment",
        "query ($noTitle: Boolean = false) { items { id ratings { item { id "
        "... on Novel @skip(if: $noTitle) { title } ... on Novel { code } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_nested_fragment_inside_included",
        "query ($on: Boolean = true) { items { id ratings { item { id "
        "... on Novel @include(if: $on) { title ... on Novel { code } } ... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_nested_skip_inside_include_same_variable",
        "query ($on: Boolean = true) { items { id ratings { item { id "
        "... on Novel @include(if: $on) { title ... on Novel @skip(if: $on) { code } } "
        "... on Comic { code } } } } }",
    ),
    Operation(
        "abstract_include_with_explicit_variable",
        "query ($on: Boolean = true) { items { id ratings { item { id "
        "... on Novel @include(if: $on) { title } ... on Comic @include(if: $on) { title } } } } }",
        {"on": False},
    ),
    Operation(
        "abstract_union_members_across_subgraphs",
        _ISSUER_QUERY + "fragment Issuer on Issuer { ... on Studio { id name } ... on Indie { contact } }",
    ),
    Operation(
        "abstract_union_fragment_on_member_unknown_to_owner",
        _ISSUER_QUERY + "fragment Issuer on Issuer { ... on Studio { id name } ... on Indie { contact } "
        "... on Collective { name } }",
    ),
    Operation(
        "abstract_union_same_field_different_types_aliased",
        _ISSUER_QUERY + "fragment Issuer on Issuer { ... on Studio { contactObj: contact { address } } "
        "... on Indie { contactStr: contact } ... on Collective { contactStr: contact } }",
    ),
    Operation(
        "abstract_requires_list_of_entities",
        "{ items { id ... on Novel { ratingsOfRelated { id body } } "
        "... on Comic { ratingAvg ratingsOfRelated { id } } } }",
    ),
    Operation(
        "abstract_root_from_other_subgraph_to_interface",
        "{ rating(id: 3) { body item { __typename id code size { grams } ... on Comic { title issuer { "
        "__typename ... on Studio { name } } } } } }",
    ),
    Operation("abstract_hidden_interface_field_is_invalid", "{ items { id secret } }", errors=True),
]
