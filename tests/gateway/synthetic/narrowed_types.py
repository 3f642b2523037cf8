"""A @shareable field typed abstract in the supergraph but narrower in one subgraph.

`library` owns the union `Media = Book | Movie`, the interface `Item` (implemented by `Book` and
`Movie`) and shelves whose `featured: Media`, `spotlight: Item` and `picks: [Media]` fields are
@shareable. `bookshop` sells only books: its `featured` and `spotlight` are `Book` (an object type)
and its `picks` is `[Book]`, although it declares the union too (so `... on Movie` inside `featured`
is a fragment it rejects, not one it ignores). `kiosk` declares `Media` with only `Movie`, for the
shared `latest: Media`. Each can be the subgraph a shelf comes from, so every fragment the gateway
sends it must be valid in its own schema: conditions on types it lacks are dropped, and conditions on
the abstract type become the object type it declares."""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

MEDIA: dict[str, dict[str, Any]] = {
    "b1": {"__typename": "Book", "id": "b1", "title": "Pedro Páramo", "pages": 124, "isbn": "968-16"},
    "b2": {"__typename": "Book", "id": "b2", "title": "Aura", "pages": 60, "isbn": "968-41"},
    "m1": {"__typename": "Movie", "id": "m1", "title": "Roma", "runtime": 135},
}
SHELVES: dict[str, dict[str, Any]] = {
    "s1": {"id": "s1", "label": "Clásicos", "owner": "Ana", "featured": "b1", "spotlight": "b2",
           "picks": ["b1", "b2"], "latest": "m1"},
    "s2": {"id": "s2", "label": "Cine", "owner": "Beto", "featured": "b2", "spotlight": "m1",
           "picks": ["m1", "b2"], "latest": "m1"},
}  # fmt: skip


def _media(media_id: str, *fields: str) -> dict[str, Any]:
    item = MEDIA[media_id]
    return {"__typename": item["__typename"], "id": item["id"], **{f: item[f] for f in fields if f in item}}


def _library_shelf(shelf_id: str) -> dict[str, Any] | None:
    shelf = SHELVES.get(shelf_id)
    if shelf is None:
        return None
    return {
        "id": shelf["id"],
        "label": shelf["label"],
        "featured": _media(shelf["featured"], "title", "runtime"),
        "spotlight": _media(shelf["spotlight"], "title", "runtime"),
        "picks": [_media(p, "title", "runtime") for p in shelf["picks"]],
        "latest": _media(shelf["latest"], "title", "runtime"),
    }


LIBRARY = Subgraph(
    "library",
    f"""
{link("@key", "@shareable")}

type Query {{
  shelf(id: ID!): Shelf
}}

union Media = Book | Movie

interface Item {{
  id: ID!
  title: String
}}

type Book implements Item @key(fields: "id") {{
  id: ID!
  title: String
}}

type Movie implements Item @key(fields: "id") {{
  id: ID!
  title: String
  runtime: Int
}}

type Shelf @key(fields: "id") {{
  id: ID!
  label: String
  featured: Media @shareable
  spotlight: Item @shareable
  picks: [Media] @shareable
  latest: Media @shareable
}}
""",
    {
        "Query.shelf": lambda _o, _i, id: _library_shelf(id),
        "Shelf.__resolve_reference": lambda ref: _library_shelf(ref["id"]),
        "Book.__resolve_reference": lambda ref: ref["id"] in MEDIA and _media(ref["id"], "title"),
        "Movie.__resolve_reference": lambda ref: ref["id"] in MEDIA and _media(ref["id"], "title", "runtime"),
    },
)


def _book_or_none(media_id: str) -> dict[str, Any] | None:
    # The bookshop knows books only: a shelf featuring a movie features nothing it can name.
    return _media(media_id, "pages", "isbn") if MEDIA[media_id]["__typename"] == "Book" else None


def _bookshop_shelf(shelf_id: str) -> dict[str, Any] | None:
    shelf = SHELVES.get(shelf_id)
    if shelf is None:
        return None
    return {
        "id": shelf["id"],
        "owner": shelf["owner"],
        "featured": _book_or_none(shelf["featured"]),
        "spotlight": _book_or_none(shelf["spotlight"]),
        "picks": [_book_or_none(p) for p in shelf["picks"]],
    }


BOOKSHOP = Subgraph(
    "bookshop",
    f"""
{link("@key", "@shareable")}

type Query {{
  bookshopShelf(id: ID!): Shelf
}}

union Media = Book | Movie

type Book @key(fields: "id") {{
  id: ID!
  pages: Int
  isbn: String
}}

type Movie @key(fields: "id") {{
  id: ID!
}}

type Shelf @key(fields: "id") {{
  id: ID!
  owner: String
  featured: Book @shareable
  spotlight: Book @shareable
  picks: [Book] @shareable
}}
""",
    {
        "Query.bookshopShelf": lambda _o, _i, id: _bookshop_shelf(id),
        "Shelf.__resolve_reference": lambda ref: _bookshop_shelf(ref["id"]),
        "Book.__resolve_reference": lambda ref: _book_or_none(ref["id"]) if ref["id"] in MEDIA else None,
    },
)


def _movie_or_none(media_id: str) -> dict[str, Any] | None:
    return _media(media_id) if MEDIA[media_id]["__typename"] == "Movie" else None


def _kiosk_shelf(shelf_id: str) -> dict[str, Any] | None:
    shelf = SHELVES.get(shelf_id)
    if shelf is None:
        return None
    return {"id": shelf["id"], "latest": _movie_or_none(shelf["latest"]), "screens": len(shelf["picks"])}


KIOSK = Subgraph(
    "kiosk",
    f"""
{link("@key", "@shareable")}

type Query {{
  kioskShelf(id: ID!): Shelf
}}

union Media = Movie

type Movie @key(fields: "id") {{
  id: ID!
}}

type Shelf @key(fields: "id") {{
  id: ID!
  screens: Int
  latest: Media @shareable
}}
""",
    {
        "Query.kioskShelf": lambda _o, _i, id: _kiosk_shelf(id),
        "Shelf.__resolve_reference": lambda ref: _kiosk_shelf(ref["id"]),
        "Movie.__resolve_reference": lambda ref: ref["id"] in MEDIA and _movie_or_none(ref["id"]),
    },
)

SUBGRAPHS = [LIBRARY, BOOKSHOP, KIOSK]

_FEATURED = "featured { __typename ... on Book { id title pages } ... on Movie { id runtime } }"

OPERATIONS = [
    Operation(
        "narrowed_union_from_object_typed_subgraph", '{ bookshopShelf(id: "s1") { owner ' + _FEATURED + " } }"
    ),
    Operation("narrowed_union_from_owner", '{ shelf(id: "s1") { label ' + _FEATURED + " } }"),
    Operation(
        "narrowed_interface_from_object_typed_subgraph",
        '{ bookshopShelf(id: "s1") { spotlight { id title ... on Book { isbn } '
        "... on Movie { runtime } } } }",
    ),
    Operation(
        "narrowed_interface_fragment_on_interface",
        '{ bookshopShelf(id: "s1") { spotlight { ... on Item { title } ... on Book { pages } } } }',
    ),
    Operation(
        "narrowed_list_of_object_type",
        '{ bookshopShelf(id: "s1") { picks { ... on Book { id pages title } ... on Movie { runtime } } } }',
    ),
    Operation(
        "narrowed_union_with_fewer_members",
        '{ kioskShelf(id: "s2") { screens latest { __typename ... on Movie { id title runtime } '
        "... on Book { pages } } } }",
    ),
    # Apollo asks bookshop for `featured { isbn }` without `__typename`, then drops the `... on Book`
    # part it cannot place, answering `featured: {}`.
    Operation(
        "narrowed_entity_fetch_to_object_typed_subgraph",
        '{ shelf(id: "s1") { label owner featured { ... on Book { isbn } } } }',
        spec_data={"shelf": {"label": "Clásicos", "owner": "Ana", "featured": {"isbn": "968-16"}}},
    ),
    Operation(
        "narrowed_typename_only",
        '{ bookshopShelf(id: "s1") { featured { __typename } spotlight { __typename } } }',
    ),
]
