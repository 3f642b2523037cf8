"""@interfaceObject: `accounts` owns the entity interface `Account` (people and companies); `loyalty`
adds points to every account without knowing the implementations, and returns accounts from its own
root field, so `__typename` and concrete fields need a trip to `accounts`."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

ACCOUNTS = {
    "1": {"__typename": "Person", "id": "1", "name": "Ana", "birthYear": 1990},
    "2": {"__typename": "Company", "id": "2", "name": "Taller SA", "employees": 14},
    "3": {"__typename": "Person", "id": "3", "name": "Beto", "birthYear": None},
    "4": {"__typename": "Company", "id": "4", "name": "Grupo Norte", "employees": 210},
}
POINTS = {"1": (120, "SILVER"), "2": (900, "GOLD"), "3": (5, "BRONZE"), "4": (450, "SILVER")}

ACCOUNTS_SUBGRAPH = Subgraph(
    "accounts",
    f"""
{link("@key")}

type Query {{
  account(id: ID!): Account
  accounts: [Account!]!
}}

interface Account @key(fields: "id") {{
  id: ID!
  name: String!
}}

type Person implements Account @key(fields: "id") {{
  id: ID!
  name: String!
  birthYear: Int
}}

type Company implements Account @key(fields: "id") {{
  id: ID!
  name: String!
  employees: Int!
}}
""",
    {
        "Query.account": lambda _o, _i, id: ACCOUNTS.get(id),
        "Query.accounts": lambda _o, _i: list(ACCOUNTS.values()),
        # A representation typed by the interface resolves to the concrete account (with its __typename).
        "Account.__resolve_reference": lambda ref: ACCOUNTS.get(ref["id"]),
        "Person.__resolve_reference": lambda ref: ACCOUNTS.get(ref["id"]),
        "Company.__resolve_reference": lambda ref: ACCOUNTS.get(ref["id"]),
    },
)


def _loyalty(account_id: str) -> dict | None:
    if account_id not in POINTS:
        return None
    points, tier = POINTS[account_id]
    return {"id": account_id, "points": points, "tier": tier}


LOYALTY = Subgraph(
    "loyalty",
    f"""
{link("@key", "@interfaceObject")}

type Query {{
  topAccounts(first: Int = 2): [Account!]!
}}

enum Tier {{ BRONZE SILVER GOLD }}

type Account @key(fields: "id") @interfaceObject {{
  id: ID!
  points: Int!
  tier: Tier!
}}
""",
    {
        "Query.topAccounts": lambda _o, _i, first=2: [
            _loyalty(i) for i in sorted(POINTS, key=lambda i: -POINTS[i][0])[:first]
        ],
        "Account.__resolve_reference": lambda ref: _loyalty(ref["id"]),
    },
)

SUBGRAPHS = [ACCOUNTS_SUBGRAPH, LOYALTY]

OPERATIONS = [
    Operation("interface_object_fields_on_all", "{ accounts { __typename name points tier } }"),
    Operation("interface_object_root_local_fields", "{ topAccounts { id points tier } }"),
    Operation(
        "interface_object_root_typename_and_concrete_fields",
        "{ topAccounts(first: 3) { __typename id name points ... on Person { birthYear } "
        "... on Company { employees } } }",
    ),
    Operation(
        "interface_object_fields_in_concrete_fragment",
        '{ account(id: "4") { ... on Company { employees tier } ... on Person { points } } }',
    ),
    Operation(
        "interface_object_named_fragment_with_variable",
        "query ($id: ID!) { account(id: $id) { ...Loyal } } fragment Loyal on Account { name points }",
        {"id": "3"},
    ),
]
