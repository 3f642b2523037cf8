"""Errors and nulls: a field that raises (the error keeps its path), a null where the schema promises
non-null (the null propagates to the nearest nullable parent, with an error at the null), an entity the
other subgraph does not know (its fields are null; an error for each non-null one), a list with a
failing element, and a subgraph that is down (HTTP 500): an error at each field it owed, once per field
however many objects it was for."""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

BOOKS = {
    "b1": {"id": "b1", "title": "Balún Canán"},
    "b2": {"id": "b2", "title": "Los de abajo"},
    "b3": {"id": "b3", "title": "Santa"},
    "b4": {"id": "b4", "title": None},  # a broken record: `title` is non-null in the schema
}
# b3 is unknown to `ratings`; b2's rating fails; b4's stock is missing although non-null.
RATINGS = {
    "b1": {"stars": 4.5, "stock": 3},
    "b2": {"stars": "fail", "stock": 1},
    "b4": {"stars": 3.0, "stock": None},
}


class Unavailable(Exception):
    """What a resolver raises for a value it cannot produce now."""


def _stars(book: dict, _info: Any) -> float | None:
    if book["stars"] == "fail":
        raise Unavailable(f"rating service timed out for {book['id']}")
    return book["stars"]


def _always_fails(_o: Any, _i: Any) -> str:
    raise Unavailable("this field always fails")


LIBRARY = Subgraph(
    "library",
    f"""
{link("@key")}

type Query {{
  books: [Book]
  strictBooks: [Book!]
  book(id: ID!): Book
  mustHaveBook: Book!
  broken: String
  greeting: String
  shelves: [Shelf]
}}

type Shelf {{
  name: String!
  books: [Book!]!
}}

type Book @key(fields: "id") {{
  id: ID!
  title: String!
}}
""",
    {
        "Query.books": lambda _o, _i: [BOOKS[k] for k in ("b1", "b2", "b3", "b4")],
        "Query.strictBooks": lambda _o, _i: [BOOKS[k] for k in ("b1", "b4")],
        "Query.book": lambda _o, _i, id: BOOKS.get(id),
        "Query.mustHaveBook": lambda _o, _i: None,
        "Query.broken": _always_fails,
        "Query.greeting": lambda _o, _i: "hola",
        "Query.shelves": lambda _o, _i: [
            {"name": "A", "books": [BOOKS["b1"], BOOKS["b2"]]},
            {"name": "B", "books": [BOOKS["b1"], BOOKS["b3"]]},  # b3 has no stock: shelf B is null
        ],
        "Book.__resolve_reference": lambda ref: BOOKS.get(ref["id"]),
    },
)

RATINGS_SUBGRAPH = Subgraph(
    "ratings",
    f"""
{link("@key", "@external", "@requires")}

type Book @key(fields: "id") {{
  id: ID!
  stars: Float
  stock: Int!
  loans: Int @external
  loanNote: String @requires(fields: "loans")
}}
""",
    {
        "Book.__resolve_reference": lambda ref: RATINGS.get(ref["id"]) and {**ref, **RATINGS[ref["id"]]},
        "Book.stars": _stars,
        "Book.loanNote": lambda book, _i: f"{book['loans']} loans",
    },
)

# Always answers HTTP 500: every field it owns fails, and nothing else must.
DOWN = Subgraph(
    "down",
    f"""
{link("@key")}

type Query {{
  weather: String
}}

type Book @key(fields: "id") {{
  id: ID!
  loans: Int
  shelfMark: String!
}}
""",
    {"Query.weather": lambda _o, _i: "soleado"},
    fail_status=500,
)

SUBGRAPHS = [LIBRARY, RATINGS_SUBGRAPH, DOWN]

OPERATIONS = [
    Operation("root_field_error_keeps_path", "{ greeting broken }", errors=True),
    Operation("entity_field_error_keeps_path", '{ book(id: "b2") { title stars } }', errors=True),
    Operation("entity_not_found_is_null", '{ book(id: "b3") { title stars } }'),
    Operation("missing_root_entity", '{ book(id: "b9") { title stars } }'),
    Operation("list_with_failing_element", "{ books { id stars } }", errors=True),
    Operation("non_null_in_subgraph_entity_propagates", '{ book(id: "b4") { id stock } }', errors=True),
    Operation("non_null_propagates_in_nullable_list", "{ books { id title } }", errors=True),
    Operation("non_null_propagates_through_non_null_list", "{ greeting strictBooks { title } }", errors=True),
    Operation("non_null_root_nulls_data", "{ mustHaveBook { id } }", errors=True),
    # An entity the other subgraph does not know, in a non-null list: its shelf is null, the error at
    # the null (Apollo notes it in extensions.valueCompletion).
    Operation(
        "entity_null_in_non_null_list_nulls_its_parent",
        "{ greeting shelves { name books { id stock } } }",
        errors=True,
    ),
    # b3's null (no entity) and b4's (the subgraph's own error): one error each. Apollo drops the
    # first, as it drops every value completion error once a subgraph gave one.
    Operation(
        "entity_null_next_to_a_subgraph_error",
        "{ books { id stock } }",
        errors=True,
        spec_error_paths=[["books", 2, "stock"], ["books", 3, "stock"]],
    ),
    # A failed fetch: its error at each field it owed (Apollo's has no path).
    Operation("failing_subgraph_root", "{ greeting weather }", errors=True, spec_error_paths=[["weather"]]),
    Operation(
        "failing_subgraph_two_root_fields",
        "{ greeting weather again: weather }",
        errors=True,
        spec_error_paths=[["weather"], ["again"]],
    ),
    Operation(
        "failing_subgraph_entity_fetch",
        '{ book(id: "b1") { title loans } }',
        errors=True,
        spec_error_paths=[["book", "loans"]],
    ),
    # Over four books: one error per field, at the first book, not one per book.
    Operation(
        "failing_subgraph_entity_fetch_over_a_list",
        "{ books { id loans stars } }",
        errors=True,
        spec_error_paths=[["books", 0, "loans"], ["books", 1, "stars"]],
    ),
    # A non-null field the failed fetch owed: every book is null, still one error.
    Operation(
        "failing_subgraph_non_null_field_over_a_list",
        "{ greeting books { id shelfMark } }",
        errors=True,
        spec_error_paths=[["books", 0, "shelfMark"]],
    ),
    # The failed fetch only had the @requires input of loanNote: the error is at loanNote.
    Operation(
        "failing_subgraph_costs_the_field_requiring_it",
        "{ books { id loanNote } }",
        errors=True,
        spec_error_paths=[["books", 0, "loanNote"]],
    ),
    Operation(
        "error_in_aliased_entity_field",
        '{ good: book(id: "b1") { s: stars } bad: book(id: "b2") { s: stars } }',
        errors=True,
    ),
    Operation("missing_required_variable", "query ($id: ID!) { book(id: $id) { title } }", {}, errors=True),
    Operation(
        "variable_of_wrong_type",
        "query ($id: ID!) { book(id: $id) { title } }",
        {"id": {"no": 1}},
        errors=True,
    ),
    Operation("syntax_error", '{ book(id: "b1") { title }', errors=True),
    Operation("unknown_operation_name", "query A { greeting }", operation_name="B", errors=True),
]
