"""Federation 1 subgraphs (no `@link`), composed the way Apollo upgrades them (the audit's
"fed1-external-extends", "fed1-external-extension" and "fed1-external-extends-resolvable" situations).

- `f1_people` owns `Person`. `f1_lottery` re-declares it with `@extends` and `f1_raffle` with
  `extend type`; both mark `id` and `alias` @external, add a field of their own, and `@provides` the
  alias on one root field. An external alias that is not provided must come from `f1_people` (the
  subgraphs answer "never" for it); a provided one is taken as is.
- `f1_gadgets` owns `Gadget` by `id name`; `f1_prices` extends it with two keys (`id name` and `upc`)
  whose fields are all @external. In Federation 1 the key fields of an extension are still resolvable
  by the extending subgraph, so `upc` comes from `f1_prices` after an entity call by `id name`.

The same supergraph holds Federation 2 subgraphs that extend an entity the old way (the audit's
"fed2-external-extends", "fed2-external-extension" and "mysterious-external" situations):

- `x_accounts` owns `Account` (with a shareable `handle`). `x_draw` re-declares it with `@extends` and
  `x_pick` with `extend type`, both with `id` and `handle` @external and `@provides(fields: "handle")`
  on one root field. The key field `id` stays resolvable by them; an unprovided `handle` must come from
  `x_accounts` (they answer "never").
- `x_prices` declares `extend type Item @key(fields: "id") { id: ID! @external price: Float }` and has
  its own root field returning items; `x_items` owns the item names.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

PEOPLE = {
    "p1": {"id": "p1", "alias": "Quill", "nickname": "Q", "seat": "A-1", "ticket": "T-100"},
    "p2": {"id": "p2", "alias": "Rook", "nickname": None, "seat": "B-7", "ticket": "T-200"},
}


def _never_unless_provided(person: dict[str, Any], _info: Any) -> str:
    return person.get("alias") or "never"


F1_PEOPLE = Subgraph(
    "f1_people",
    """
type Query {
  personById(id: ID): Person
}

type Person @key(fields: "id") {
  id: ID!
  alias: String!
  nickname: String
}
""",
    {
        "Query.personById": lambda _o, _i, id=None: PEOPLE.get(id),
        "Person.__resolve_reference": lambda ref: PEOPLE.get(ref["id"]),
    },
)

F1_LOTTERY = Subgraph(
    "f1_lottery",
    """
type Query {
  luckyPerson: Person
  luckyPersonWithAlias: Person @provides(fields: "alias")
}

type Person @key(fields: "id") @extends {
  id: ID! @external
  alias: String! @external
  seat: ID
}
""",
    {
        "Query.luckyPerson": lambda _o, _i: {"id": "p1", "seat": PEOPLE["p1"]["seat"]},
        "Query.luckyPersonWithAlias": lambda _o, _i: {
            "id": "p1",
            "seat": PEOPLE["p1"]["seat"],
            "alias": PEOPLE["p1"]["alias"],
        },
        "Person.__resolve_reference": lambda ref: (
            {"id": ref["id"], "seat": PEOPLE[ref["id"]]["seat"]} if ref["id"] in PEOPLE else None
        ),
        "Person.alias": _never_unless_provided,
    },
)

F1_RAFFLE = Subgraph(
    "f1_raffle",
    """
type Query {
  rafflePerson: Person
  rafflePersonWithAlias: Person @provides(fields: "alias")
}

extend type Person @key(fields: "id") {
  id: ID! @external
  alias: String! @external
  ticket: ID
}
""",
    {
        "Query.rafflePerson": lambda _o, _i: {"id": "p2", "ticket": PEOPLE["p2"]["ticket"]},
        "Query.rafflePersonWithAlias": lambda _o, _i: {
            "id": "p2",
            "ticket": PEOPLE["p2"]["ticket"],
            "alias": PEOPLE["p2"]["alias"],
        },
        "Person.__resolve_reference": lambda ref: (
            {"id": ref["id"], "ticket": PEOPLE[ref["id"]]["ticket"]} if ref["id"] in PEOPLE else None
        ),
        "Person.alias": _never_unless_provided,
    },
)

GADGETS = {"g1": {"id": "g1", "name": "Gizmo", "pid": "g1-pid", "upc": "upc-1", "price": 12.5}}

F1_GADGETS = Subgraph(
    "f1_gadgets",
    """
type Query {
  gadgetInOwner: Gadget
}

type Gadget @key(fields: "id name") {
  id: ID
  name: String
  pid: ID
}
""",
    {
        "Query.gadgetInOwner": lambda _o, _i: {k: GADGETS["g1"][k] for k in ("id", "name", "pid")},
        "Gadget.__resolve_reference": lambda ref: next(
            (
                {k: g[k] for k in ("id", "name", "pid")}
                for g in GADGETS.values()
                if g["id"] == ref.get("id") and g["name"] == ref.get("name")
            ),
            None,
        ),
    },
)


def _price_gadget(ref: dict[str, Any]) -> dict[str, Any] | None:
    if "upc" in ref:
        found = next((g for g in GADGETS.values() if g["upc"] == ref["upc"]), None)
    else:
        found = next(
            (g for g in GADGETS.values() if g["id"] == ref.get("id") and g["name"] == ref.get("name")), None
        )
    return None if found is None else {k: found[k] for k in ("id", "name", "upc", "price")}


F1_PRICES = Subgraph(
    "f1_prices",
    """
type Query {
  gadgetInPrices: Gadget
}

extend type Gadget @key(fields: "id name") @key(fields: "upc") {
  id: ID @external
  name: String @external
  upc: String @external
  price: Float!
}
""",
    {
        "Query.gadgetInPrices": lambda _o, _i: {k: GADGETS["g1"][k] for k in ("id", "name", "upc", "price")},
        "Gadget.__resolve_reference": _price_gadget,
    },
)

ACCOUNTS = {
    "a1": {"id": "a1", "handle": "lumen", "nickname": "Lu", "seat": "S-9", "ticket": "K-1"},
    "a2": {"id": "a2", "handle": "cobalt", "nickname": None, "seat": "S-4", "ticket": "K-2"},
}


def _handle_unless_provided(account: dict[str, Any], _info: Any) -> str:
    return account.get("handle") or "never"


X_ACCOUNTS = Subgraph(
    "x_accounts",
    f"""
{link("@key", "@shareable")}

type Query {{
  accountById(id: ID): Account
}}

type Account @key(fields: "id") {{
  id: ID!
  handle: String! @shareable
  nickname: String
}}
""",
    {
        "Query.accountById": lambda _o, _i, id=None: ACCOUNTS.get(id),
        "Account.__resolve_reference": lambda ref: ACCOUNTS.get(ref["id"]),
    },
)

X_DRAW = Subgraph(
    "x_draw",
    f"""
{link("@key", "@external", "@extends", "@provides")}

type Query {{
  drawnAccount: Account
  drawnAccountWithHandle: Account @provides(fields: "handle")
}}

type Account @key(fields: "id") @extends {{
  id: ID! @external
  handle: String! @external
  seat: ID
}}
""",
    {
        "Query.drawnAccount": lambda _o, _i: {"id": "a1", "seat": ACCOUNTS["a1"]["seat"]},
        "Query.drawnAccountWithHandle": lambda _o, _i: {
            "id": "a1",
            "seat": ACCOUNTS["a1"]["seat"],
            "handle": ACCOUNTS["a1"]["handle"],
        },
        "Account.__resolve_reference": lambda ref: (
            {"id": ref["id"], "seat": ACCOUNTS[ref["id"]]["seat"]} if ref["id"] in ACCOUNTS else None
        ),
        "Account.handle": _handle_unless_provided,
    },
)

X_PICK = Subgraph(
    "x_pick",
    f"""
{link("@key", "@external", "@provides")}

type Query {{
  pickedAccount: Account
  pickedAccountWithHandle: Account @provides(fields: "handle")
}}

extend type Account @key(fields: "id") {{
  id: ID! @external
  handle: String! @external
  ticket: ID
}}
""",
    {
        "Query.pickedAccount": lambda _o, _i: {"id": "a2", "ticket": ACCOUNTS["a2"]["ticket"]},
        "Query.pickedAccountWithHandle": lambda _o, _i: {
            "id": "a2",
            "ticket": ACCOUNTS["a2"]["ticket"],
            "handle": ACCOUNTS["a2"]["handle"],
        },
        "Account.__resolve_reference": lambda ref: (
            {"id": ref["id"], "ticket": ACCOUNTS[ref["id"]]["ticket"]} if ref["id"] in ACCOUNTS else None
        ),
        "Account.handle": _handle_unless_provided,
    },
)

ITEMS = {
    "1": {"id": "1", "name": "Lantern", "price": 100.0},
    "2": {"id": "2", "name": "Compass", "price": 200.0},
}

X_ITEMS = Subgraph(
    "x_items",
    f"""
{link("@key")}

type Query {{
  items: [Item]
}}

type Item @key(fields: "id") {{
  id: ID!
  name: String
}}
""",
    {
        "Query.items": lambda _o, _i: [{"id": i["id"], "name": i["name"]} for i in ITEMS.values()],
        "Item.__resolve_reference": lambda ref: (
            ITEMS.get(ref["id"]) and {"id": ref["id"], "name": ITEMS[ref["id"]]["name"]}
        ),
    },
)

X_PRICES = Subgraph(
    "x_prices",
    f"""
{link("@key", "@external")}

extend type Item @key(fields: "id") {{
  id: ID! @external
  price: Float
}}

type Query {{
  cheapestItem: Item
}}
""",
    {
        "Query.cheapestItem": lambda _o, _i: min(ITEMS.values(), key=lambda i: i["price"]),
        "Item.__resolve_reference": lambda ref: (
            ITEMS.get(ref["id"]) and {"id": ref["id"], "price": ITEMS[ref["id"]]["price"]}
        ),
    },
)

SUBGRAPHS = [
    F1_PEOPLE,
    F1_LOTTERY,
    F1_RAFFLE,
    F1_GADGETS,
    F1_PRICES,
    X_ACCOUNTS,
    X_DRAW,
    X_PICK,
    X_ITEMS,
    X_PRICES,
]

OPERATIONS = [
    Operation(
        "fed1_extends_external_from_owner",
        '{ luckyPerson { id alias } personById(id: "p2") { id alias nickname } }',
    ),
    Operation("fed1_extends_local_field", "{ luckyPerson { id seat } }"),
    Operation("fed1_extends_provided_field", "{ luckyPersonWithAlias { id alias seat } }"),
    Operation("fed1_extends_owner_fields_through_extension", "{ luckyPerson { nickname seat alias } }"),
    Operation("fed1_extension_external_from_owner", "{ rafflePerson { id alias ticket } }"),
    Operation("fed1_extension_provided_field", "{ rafflePersonWithAlias { alias ticket nickname } }"),
    Operation(
        "fed1_owner_to_both_extensions",
        '{ personById(id: "p1") { alias seat ticket } }',
    ),
    Operation("fed1_extension_key_fields_resolvable", "{ gadgetInOwner { id pid price upc name } }"),
    Operation("fed1_extension_root_to_owner", "{ gadgetInPrices { upc price pid } }"),
    Operation(
        "fed2_extends_external_from_owner",
        '{ drawnAccount { id handle } accountById(id: "a2") { id handle nickname } }',
    ),
    Operation("fed2_extends_local_field", "{ drawnAccount { id seat } }"),
    Operation("fed2_extends_provided_field", "{ drawnAccountWithHandle { id handle seat } }"),
    Operation("fed2_extension_external_from_owner", "{ pickedAccount { id handle ticket } }"),
    Operation("fed2_extension_provided_field", "{ pickedAccountWithHandle { handle ticket nickname } }"),
    Operation("fed2_owner_to_both_extensions", '{ accountById(id: "a1") { handle seat ticket } }'),
    Operation("mysterious_external_root_in_extension", "{ cheapestItem { id price name } }"),
    Operation("mysterious_external_owner_root", "{ items { name price id } }"),
]
