"""Several keys on one type: `identity` knows an account by `id` and by `email`, `billing` only by
`id`, `mail` only by `email`; going from billing to mail must hop through identity."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

ACCOUNTS = [
    {"id": "a1", "email": "ana@example.mx", "displayName": "Ana"},
    {"id": "a2", "email": "bo@example.mx", "displayName": "Bo"},
    {"id": "a3", "email": "cy@example.mx", "displayName": "Cy"},
]
PLANS = {"a1": "PRO", "a2": "FREE", "a3": "TEAM"}
NEWSLETTERS = {"ana@example.mx": ["news", "offers"], "cy@example.mx": ["news"]}
INVOICES = [
    {"number": "F-001", "amount": 300, "account": "a1"},
    {"number": "F-002", "amount": 120, "account": "a3"},
    {"number": "F-003", "amount": 90, "account": "a1"},
]


def _account_by(field: str, value: str) -> dict | None:
    return next((a for a in ACCOUNTS if a[field] == value), None)


IDENTITY = Subgraph(
    "identity",
    f"""
{link("@key")}

type Query {{
  accounts: [Account!]!
}}

type Account @key(fields: "id") @key(fields: "email") {{
  id: ID!
  email: String!
  displayName: String!
}}
""",
    {
        "Query.accounts": lambda _o, _i: ACCOUNTS,
        "Account.__resolve_reference": lambda ref: (
            _account_by("id", ref["id"]) if "id" in ref else _account_by("email", ref["email"])
        ),
    },
)

BILLING = Subgraph(
    "billing",
    f"""
{link("@key")}

type Query {{
  invoices: [Invoice!]!
}}

type Invoice {{
  number: String!
  amount: Int!
  account: Account!
}}

type Account @key(fields: "id") {{
  id: ID!
  plan: String!
}}
""",
    {
        "Query.invoices": lambda _o, _i: INVOICES,
        "Invoice.account": lambda invoice, _i: {"id": invoice["account"], "plan": PLANS[invoice["account"]]},
        "Account.__resolve_reference": lambda ref: {"id": ref["id"], "plan": PLANS[ref["id"]]},
    },
)

MAIL = Subgraph(
    "mail",
    f"""
{link("@key")}

type Query {{
  subscribers(list: String!): [Account!]!
}}

type Account @key(fields: "email") {{
  email: String!
  newsletters: [String!]!
}}
""",
    {
        "Query.subscribers": lambda _o, _i, list: [
            {"email": e, "newsletters": n} for e, n in NEWSLETTERS.items() if list in n
        ],
        "Account.__resolve_reference": lambda ref: {
            "email": ref["email"],
            "newsletters": NEWSLETTERS.get(ref["email"], []),
        },
    },
)

SUBGRAPHS = [IDENTITY, BILLING, MAIL]

OPERATIONS = [
    Operation("billing_to_mail_via_identity", "{ invoices { number account { plan newsletters } } }"),
    Operation("mail_to_billing_via_identity", '{ subscribers(list: "news") { email plan displayName } }'),
    Operation("identity_fans_out", "{ accounts { displayName plan newsletters } }"),
    Operation(
        "both_keys_and_aliases",
        "query ($list: String!) { subscribers(list: $list) { __typename key: id mail: email p: plan } }",
        {"list": "offers"},
    ),
]
