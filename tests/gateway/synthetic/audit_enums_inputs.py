"""Enums and input objects that differ per subgraph (the audit's "enum-intersection",
"input-object-intersection" and "simple-inaccessible" situations).

- Levels: `en_a` has `enum Level { BASIC HIDDEN @inaccessible }` and returns HIDDEN for one member;
  `en_b` only knows BASIC. HIDDEN is not in the API schema: as an argument it is invalid, as a result
  it cannot be returned.
- Rosters: `in_a`'s `RosterFilter` has `first`, `in_b`'s has `first` and `skip`; the supergraph keeps
  the intersection, so `skip` is invalid everywhere (the subgraphs answer nothing when they see it).
- Pals: `si_friends` hides an argument (with an inaccessible enum default) and an enum value that its
  `kind` field returns.

A hidden enum value coming back from a subgraph becomes null, with a field error (@apollo/gateway
reports it in `extensions.valueCompletion`, which the differential test counts as errors).
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

MEMBERS = {"u1": {"id": "u1", "level": "BASIC"}, "u2": {"id": "u2", "level": "HIDDEN"}}

EN_A = Subgraph(
    "en_a",
    f"""
{link("@key", "@inaccessible", "@shareable")}

type Query {{
  members: [Member]
  membersByLevel(level: Level!): [Member]
}}

type Member @key(fields: "id") {{
  id: ID!
  level: Level @shareable
}}

enum Level {{
  BASIC
  HIDDEN @inaccessible
}}
""",
    {
        "Query.members": lambda _o, _i: [dict(m) for m in MEMBERS.values()],
        "Query.membersByLevel": lambda _o, _i, level: [
            dict(m) for m in MEMBERS.values() if m["level"] == level
        ],
        "Member.__resolve_reference": lambda ref: MEMBERS.get(ref["id"]),
    },
)

EN_B = Subgraph(
    "en_b",
    f"""
{link("@key", "@shareable")}

type Query {{
  membersB: [Member]
}}

type Member @key(fields: "id") {{
  id: ID!
  level: Level @shareable
}}

enum Level {{
  BASIC
}}
""",
    {
        # en_b has no HIDDEN value: it answers null for that member.
        "Query.membersB": lambda _o, _i: [
            {"id": m["id"], "level": m["level"] if m["level"] == "BASIC" else None} for m in MEMBERS.values()
        ],
        "Member.__resolve_reference": lambda ref: (
            MEMBERS.get(ref["id"])
            and {
                "id": ref["id"],
                "level": MEMBERS[ref["id"]]["level"] if MEMBERS[ref["id"]]["level"] == "BASIC" else None,
            }
        ),
    },
)


def _roster(_obj: Any, _info: Any, filter: dict[str, Any]) -> list[dict[str, str]]:
    # A filter with `skip` never reaches a subgraph from a correct gateway: answer nothing if it does.
    if "skip" in filter:
        return []
    return [{"id": m} for m in MEMBERS][: filter["first"]]


IN_A = Subgraph(
    "in_a",
    f"""
{link("@key")}

input RosterFilter {{
  first: Int!
}}

type Member @key(fields: "id") {{
  id: ID!
}}

type Query {{
  rosterA(filter: RosterFilter!): [Member!]
}}
""",
    {
        "Query.rosterA": _roster,
        "Member.__resolve_reference": lambda ref: MEMBERS.get(ref["id"]) and {"id": ref["id"]},
    },
)

IN_B = Subgraph(
    "in_b",
    f"""
{link("@key")}

input RosterFilter {{
  skip: Int
  first: Int!
}}

type Member @key(fields: "id") {{
  id: ID!
}}

type Query {{
  rosterB(filter: RosterFilter!): [Member!]
}}
""",
    {
        "Query.rosterB": _roster,
        "Member.__resolve_reference": lambda ref: MEMBERS.get(ref["id"]) and {"id": ref["id"]},
    },
)

PALS = {"q1": {"id": "q1", "age": 30, "pals": ["q2"]}, "q2": {"id": "q2", "age": 41, "pals": ["q1"]}}


def _pal(pal_id: str) -> dict[str, Any] | None:
    pal = PALS.get(pal_id)
    return None if pal is None else {"id": pal["id"], "pals": pal["pals"]}


SI_AGE = Subgraph(
    "si_age",
    f"""
{link("@key")}

type Query {{
  palsInAge: [Pal!]!
}}

type Pal @key(fields: "id") {{
  id: ID
  age: Int
}}
""",
    {
        "Query.palsInAge": lambda _o, _i: [{"id": p["id"], "age": p["age"]} for p in PALS.values()],
        "Pal.__resolve_reference": lambda ref: (
            PALS.get(ref["id"]) and {"id": ref["id"], "age": PALS[ref["id"]]["age"]}
        ),
    },
)

SI_FRIENDS = Subgraph(
    "si_friends",
    f"""
{link("@key", "@inaccessible", "@shareable")}

type Query {{
  palsInFriends: [Pal!]!
}}

type Pal @key(fields: "id") {{
  id: ID
  pals(kind: PalKind = CLOSE @inaccessible): [Pal!]!
  kind: PalKind
}}

enum PalKind {{
  CLOSE @inaccessible
  CASUAL
}}
""",
    {
        "Query.palsInFriends": lambda _o, _i: [_pal(p) for p in PALS],
        "Pal.__resolve_reference": lambda ref: _pal(ref["id"]),
        "Pal.pals": lambda pal, _i, kind="CLOSE": [_pal(p) for p in pal["pals"]],
        # Every pal is a CLOSE one, a value the API schema does not have.
        "Pal.kind": lambda _pal, _i: "CLOSE",
    },
)

SUBGRAPHS = [EN_A, EN_B, IN_A, IN_B, SI_AGE, SI_FRIENDS]

OPERATIONS = [
    Operation("enum_intersection_no_enum_field", "{ members { id } }"),
    # A hidden enum value cannot be serialized: a field error by the GraphQL spec (and the audit).
    Operation("enum_intersection_inaccessible_value_returned", "{ members { id level } }", errors=True),
    Operation("enum_intersection_other_subgraph_null", "{ membersB { id level } }"),
    Operation("enum_intersection_visible_argument", "{ membersByLevel(level: BASIC) { id level } }"),
    Operation(
        "enum_intersection_hidden_argument_is_invalid",
        "{ membersByLevel(level: HIDDEN) { id } }",
        errors=True,
    ),
    Operation(
        "enum_intersection_hidden_value_in_variable_is_invalid",
        "query ($level: Level!) { membersByLevel(level: $level) { id } }",
        {"level": "HIDDEN"},
        errors=True,
    ),
    Operation("input_intersection_common_field", "{ rosterA(filter: { first: 1 }) { id } }"),
    Operation(
        "input_intersection_field_missing_in_owner_is_invalid",
        "{ rosterA(filter: { first: 1, skip: 2 }) { id } }",
        errors=True,
    ),
    Operation(
        "input_intersection_field_only_in_one_subgraph_is_invalid",
        "{ rosterB(filter: { first: 1, skip: 2 }) { id } }",
        errors=True,
    ),
    Operation(
        "input_intersection_variable_with_unknown_field_is_invalid",
        "query ($f: RosterFilter!) { rosterB(filter: $f) { id } }",
        {"f": {"first": 2, "skip": 1}},
        errors=True,
    ),
    Operation(
        "input_intersection_variable",
        "query ($f: RosterFilter!) { rosterB(filter: $f) { id } }",
        {"f": {"first": 2}},
    ),
    Operation("inaccessible_argument_default_used", "{ palsInAge { id pals { id } } }"),
    Operation("inaccessible_argument_default_from_owner_root", "{ palsInFriends { id pals { id age } } }"),
    Operation(
        "inaccessible_argument_is_invalid", "{ palsInFriends { id pals(kind: CASUAL) { id } } }", errors=True
    ),
    Operation("inaccessible_enum_value_returned", "{ palsInFriends { id pals { id kind } } }", errors=True),
]
