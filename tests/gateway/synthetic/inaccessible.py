"""@inaccessible: a hidden field (which another subgraph still @requires), a hidden type and a hidden
enum value. Clients asking for any of them get a validation error; introspection does not show them."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

USERS = [
    {"id": "1", "name": "Ana", "status": "ACTIVE", "internalScore": 91},
    {"id": "2", "name": "Beto", "status": "SUSPENDED", "internalScore": 12},
    {"id": "3", "name": "Cris", "status": "ACTIVE", "internalScore": None},
]
ARCHIVED = [{"id": "9", "name": "Old", "status": "ARCHIVED", "internalScore": 0}]
AUDIT = [{"id": "e1", "action": "login"}]


def _risk(user: dict) -> str | None:
    score = user.get("internalScore")
    return None if score is None else ("low" if score >= 50 else "high")


USERS_SUBGRAPH = Subgraph(
    "users",
    f"""
{link("@key", "@inaccessible")}

type Query {{
  users(status: Status): [User!]!
  auditLog: [AuditEntry!]! @inaccessible
}}

enum Status {{
  ACTIVE
  SUSPENDED
  ARCHIVED @inaccessible
}}

type User @key(fields: "id") {{
  id: ID!
  name: String!
  status: Status!
  internalScore: Int @inaccessible
}}

type AuditEntry @inaccessible {{
  id: ID!
  action: String!
}}
""",
    {
        "Query.users": lambda _o, _i, status=None: [
            u for u in USERS + ARCHIVED if status == u["status"] or (status is None and u not in ARCHIVED)
        ],
        "Query.auditLog": lambda _o, _i: AUDIT,
        "User.__resolve_reference": lambda ref: next((u for u in USERS if u["id"] == ref["id"]), None),
    },
)

RISK = Subgraph(
    "risk",
    f"""
{link("@key", "@external", "@requires")}

type User @key(fields: "id") {{
  id: ID!
  internalScore: Int @external
  riskLabel: String @requires(fields: "internalScore")
}}
""",
    {
        "User.__resolve_reference": lambda ref: ref,
        "User.riskLabel": lambda user, _i: _risk(user),
    },
)

SUBGRAPHS = [USERS_SUBGRAPH, RISK]

OPERATIONS = [
    Operation("visible_fields", "{ users { id name status } }"),
    Operation("requires_an_inaccessible_field", "{ users { name riskLabel } }"),
    Operation(
        "visible_enum_value_variable",
        "query ($s: Status) { users(status: $s) { name riskLabel } }",
        {"s": "SUSPENDED"},
    ),
    Operation("hidden_field_is_invalid", "{ users { name internalScore } }", errors=True),
    Operation("hidden_root_field_is_invalid", "{ auditLog { id } }", errors=True),
    Operation("hidden_enum_value_literal_is_invalid", "{ users(status: ARCHIVED) { name } }", errors=True),
    Operation(
        "hidden_enum_value_variable_is_invalid",
        "query ($s: Status) { users(status: $s) { name } }",
        {"s": "ARCHIVED"},
        errors=True,
    ),
    Operation(
        "introspection_hides_them",
        '{ hidden: __type(name: "AuditEntry") { name } user: __type(name: "User") { fields { name } } '
        'status: __type(name: "Status") { enumValues { name } } }',
    ),
]
