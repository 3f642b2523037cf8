"""@tag: metadata for contracts and tooling; it must not change what a client can ask or gets."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

COURSES = {
    "c1": {"id": "c1", "title": "Soldadura", "hours": 40, "level": "BASIC"},
    "c2": {"id": "c2", "title": "Electricidad", "hours": None, "level": "ADVANCED"},
}
SEATS = {"c1": 12, "c2": 0}

COURSES_SUBGRAPH = Subgraph(
    "courses",
    f"""
{link("@key", "@tag")}

type Query {{
  courses(level: Level @tag(name: "public")): [Course!]! @tag(name: "public")
}}

enum Level @tag(name: "public") {{
  BASIC
  ADVANCED @tag(name: "internal")
}}

type Course @key(fields: "id") @tag(name: "public") {{
  id: ID!
  title: String! @tag(name: "public") @tag(name: "catalog")
  hours: Int @tag(name: "internal")
  level: Level!
}}
""",
    {
        "Query.courses": lambda _o, _i, level=None: [
            c for c in COURSES.values() if level in (None, c["level"])
        ],
        "Course.__resolve_reference": lambda ref: COURSES.get(ref["id"]),
    },
)

ENROLMENT = Subgraph(
    "enrolment",
    f"""
{link("@key", "@tag")}

type Course @key(fields: "id") {{
  id: ID!
  seatsLeft: Int! @tag(name: "internal")
}}
""",
    {"Course.__resolve_reference": lambda ref: {"id": ref["id"], "seatsLeft": SEATS.get(ref["id"], 0)}},
)

SUBGRAPHS = [COURSES_SUBGRAPH, ENROLMENT]

OPERATIONS = [
    Operation("tagged_fields_answer", "{ courses { title hours level seatsLeft } }"),
    Operation(
        "tagged_argument_with_variable",
        "query ($level: Level = ADVANCED) { courses(level: $level) { __typename id seatsLeft } }",
    ),
]
