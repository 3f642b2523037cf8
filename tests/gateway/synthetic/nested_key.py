"""A nested key, `@key(fields: "id organization { id }")`: employee ids repeat across organizations."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

ORGANIZATIONS = {"acme": {"id": "acme", "name": "Acme"}, "globex": {"id": "globex", "name": "Globex"}}

EMPLOYEES = [
    {"id": "1", "organization": "acme", "name": "Ana", "title": "Engineer"},
    {"id": "2", "organization": "acme", "name": "Beto", "title": None},
    {"id": "1", "organization": "globex", "name": "Carla", "title": "Manager"},
]

SALARIES = {
    ("1", "acme"): {"amount": 50000, "currency": "MXN"},
    ("2", "acme"): {"amount": 42000, "currency": "MXN"},
    ("1", "globex"): {"amount": 3000, "currency": "USD"},
}


def _employee(id: str, organization: str) -> dict | None:
    found = next((e for e in EMPLOYEES if (e["id"], e["organization"]) == (id, organization)), None)
    return found and {**found, "organization": ORGANIZATIONS[organization]}


def _payroll_employee(id: str, organization: str) -> dict:
    return {"id": id, "organization": {"id": organization}, "salary": SALARIES.get((id, organization))}


HR = Subgraph(
    "hr",
    f"""
{link("@key")}

type Query {{
  employees: [Employee!]!
  employee(key: EmployeeKey!): Employee
}}

input EmployeeKey {{
  id: ID!
  organizationId: ID!
}}

type Organization @key(fields: "id") {{
  id: ID!
  name: String!
}}

type Employee @key(fields: "id organization {{ id }}") {{
  id: ID!
  organization: Organization!
  name: String!
  title: String
}}
""",
    {
        "Query.employees": lambda _o, _i: [_employee(e["id"], e["organization"]) for e in EMPLOYEES],
        "Query.employee": lambda _o, _i, key: _employee(key["id"], key["organizationId"]),
        "Organization.__resolve_reference": lambda ref: ORGANIZATIONS.get(ref["id"]),
        "Employee.__resolve_reference": lambda ref: _employee(ref["id"], ref["organization"]["id"]),
    },
)

PAYROLL = Subgraph(
    "payroll",
    f"""
{link("@key")}

type Query {{
  topEarners(currency: String = "MXN"): [Employee!]!
}}

type Organization @key(fields: "id", resolvable: false) {{
  id: ID!
}}

type Salary {{
  amount: Int!
  currency: String!
}}

type Employee @key(fields: "id organization {{ id }}") {{
  id: ID!
  organization: Organization!
  salary: Salary
}}
""",
    {
        "Query.topEarners": lambda _o, _i, currency="MXN": [
            _payroll_employee(i, o)
            for (i, o), s in sorted(SALARIES.items(), key=lambda item: -item[1]["amount"])
            if s["currency"] == currency
        ],
        "Employee.__resolve_reference": lambda ref: _payroll_employee(ref["id"], ref["organization"]["id"]),
    },
)

SUBGRAPHS = [HR, PAYROLL]

OPERATIONS = [
    Operation(
        "employees_with_salary", "{ employees { id name organization { id } salary { amount currency } } }"
    ),
    Operation(
        "input_object_variable",
        "query ($key: EmployeeKey!) { employee(key: $key) { name title salary { amount } } }",
        {"key": {"id": "1", "organizationId": "globex"}},
    ),
    Operation(
        "input_object_literal_with_variable_inside",
        'query ($org: ID!) { employee(key: {id: "2", organizationId: $org}) { name salary { currency } } }',
        {"org": "acme"},
    ),
    Operation(
        "from_payroll_back_to_hr",
        "{ topEarners { salary { amount } name title organization { id name } } }",
    ),
    Operation(
        "default_overridden_by_literal",
        '{ topEarners(currency: "USD") { __typename name organization { __typename name } } }',
    ),
]
