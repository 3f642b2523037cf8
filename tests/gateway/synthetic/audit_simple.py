"""The audit's "simple-requires-provides" and "simple-entity-call" situations, in one small graph:
readers (`sp_accounts`, plus an email in `sp_mail`), goods (`sp_goods`), critiques that @provide the
author's handle (`sp_notes`), and stock data that @requires a good's cost and mass (`sp_stock`).
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

READERS = {"r1": {"id": "r1", "handle": "reader-one", "email": "one@readers.test"}}
GOODS = {
    "g1": {"sku": "g1", "title": "Teapot", "cost": 11, "mass": 1},
    "g2": {"sku": "g2", "title": "Kettle", "cost": 22, "mass": 2},
}
CRITIQUES = {
    "c1": {"id": "c1", "text": "Pours well", "author": "r1", "good": "g1"},
    "c2": {"id": "c2", "text": "Loud whistle", "author": "r1", "good": "g2"},
}
AVAILABLE = {"g1"}

SP_ACCOUNTS = Subgraph(
    "sp_accounts",
    f"""
{link("@key", "@shareable")}

type Query {{
  me: Reader
}}

type Reader @key(fields: "id") {{
  id: ID!
  handle: String @shareable
}}
""",
    {
        "Query.me": lambda _o, _i: {"id": "r1", "handle": READERS["r1"]["handle"]},
        "Reader.__resolve_reference": lambda ref: (
            READERS.get(ref["id"]) and {"id": ref["id"], "handle": READERS[ref["id"]]["handle"]}
        ),
    },
)

SP_MAIL = Subgraph(
    "sp_mail",
    f"""
{link("@key", version="2.0")}

type Reader @key(fields: "id") {{
  id: ID!
  email: String!
}}
""",
    {
        "Reader.__resolve_reference": lambda ref: (
            READERS.get(ref["id"]) and {"id": ref["id"], "email": READERS[ref["id"]]["email"]}
        )
    },
)

SP_GOODS = Subgraph(
    "sp_goods",
    f"""
{link("@key")}

type Query {{
  goods: [Good]
}}

type Good @key(fields: "sku") {{
  sku: String!
  title: String
  cost: Int
  mass: Int
}}
""",
    {
        "Query.goods": lambda _o, _i: [dict(g) for g in GOODS.values()],
        "Good.__resolve_reference": lambda ref: GOODS.get(ref["sku"]) and dict(GOODS[ref["sku"]]),
    },
)


def _critique(critique_id: str) -> dict[str, Any]:
    return dict(CRITIQUES[critique_id])


SP_NOTES = Subgraph(
    "sp_notes",
    f"""
{link("@key", "@external", "@provides")}

type Critique @key(fields: "id") {{
  id: ID!
  text: String
  author: Reader @provides(fields: "handle")
  good: Good
}}

type Reader @key(fields: "id") {{
  id: ID!
  handle: String @external
  critiques: [Critique]
}}

type Good @key(fields: "sku") {{
  sku: String!
  critiques: [Critique]
}}
""",
    {
        "Critique.__resolve_reference": lambda ref: CRITIQUES.get(ref["id"]) and _critique(ref["id"]),
        "Critique.author": lambda c, _i: {"id": c["author"], "handle": READERS[c["author"]]["handle"]},
        "Critique.good": lambda c, _i: {"sku": c["good"]},
        "Reader.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in READERS else None,
        "Reader.critiques": lambda r, _i: [
            _critique(c) for c, v in CRITIQUES.items() if v["author"] == r["id"]
        ],
        "Good.__resolve_reference": lambda ref: {"sku": ref["sku"]} if ref["sku"] in GOODS else None,
        "Good.critiques": lambda g, _i: [_critique(c) for c, v in CRITIQUES.items() if v["good"] == g["sku"]],
    },
)


def _freight(good: dict[str, Any], _info: Any) -> int:
    if "cost" not in good or "mass" not in good:
        raise ValueError("cost and mass are required")
    return good["cost"] * good["mass"] * 10


SP_STOCK = Subgraph(
    "sp_stock",
    f"""
{link("@key", "@external", "@requires")}

type Good @key(fields: "sku") {{
  sku: String!
  mass: Int @external
  cost: Int @external
  available: Boolean
  freight: Int @requires(fields: "cost mass")
  freightTag: String @requires(fields: "cost mass")
}}
""",
    {
        "Good.__resolve_reference": lambda ref: dict(ref) if ref["sku"] in GOODS else None,
        "Good.available": lambda g, _i: g["sku"] in AVAILABLE,
        "Good.freight": _freight,
        "Good.freightTag": lambda g, info: f"#{g['sku']}#{_freight(g, info)}#",
    },
)

SUBGRAPHS = [SP_ACCOUNTS, SP_MAIL, SP_GOODS, SP_NOTES, SP_STOCK]

OPERATIONS = [
    Operation("simple_entity_call", "{ me { id email } }"),
    Operation("simple_root_only", "{ me { id } }"),
    Operation("simple_entity_list", "{ me { id critiques { id } } }"),
    Operation(
        "simple_provided_and_fetched",
        "{ me { critiques { id author { id handle } good { available } } } }",
    ),
    Operation("simple_owner_root_field", "{ goods { title } }"),
    Operation("simple_owner_root_external_elsewhere", "{ goods { cost } }"),
    Operation("simple_requires_from_owner_root", "{ goods { freight } }"),
    Operation("simple_requires_with_required_fields_selected", "{ goods { freight mass cost } }"),
    Operation(
        "simple_requires_after_provides",
        "{ goods { critiques { id author { handle } good { title freight } } } }",
    ),
    Operation("simple_back_into_same_subgraph", "{ me { critiques { good { critiques { id } } } } }"),
    Operation("simple_nested_entity_field", "{ me { critiques { good { available } } } }"),
    Operation("simple_nested_requires", "{ me { critiques { good { freight } } } }"),
    Operation("simple_nested_two_requires", "{ me { critiques { good { freight freightTag } } } }"),
]
