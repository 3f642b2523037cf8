"""A compound key: a flight is known by `airline number`; `schedule` owns it, `status` adds delays."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

FLIGHTS = [
    {"airline": "AM", "number": 100, "origin": "MEX", "destination": "MTY"},
    {"airline": "AM", "number": 200, "origin": "MEX", "destination": "GDL"},
    {"airline": "VB", "number": 100, "origin": "GDL", "destination": "TIJ"},
    {"airline": "Y4", "number": 7, "origin": "CUN", "destination": "MEX"},
]

# Keyed by both parts: AM 100 and VB 100 share a number, so a gateway sending only one part is caught.
STATUS = {
    ("AM", 100): {"delayMinutes": 0, "gate": "A3"},
    ("AM", 200): {"delayMinutes": 45, "gate": None},
    ("VB", 100): {"delayMinutes": 15, "gate": "B12"},
}


def _flight(airline: str, number: int) -> dict | None:
    return next((f for f in FLIGHTS if (f["airline"], f["number"]) == (airline, number)), None)


def _status(ref: dict) -> dict:
    # A flight the status board does not track still exists: its status fields are null.
    found = STATUS.get((ref["airline"], ref["number"]), {"delayMinutes": None, "gate": None})
    return {"airline": ref["airline"], "number": ref["number"], **found}


SCHEDULE = Subgraph(
    "schedule",
    f"""
{link("@key")}

type Query {{
  flights(airline: String): [Flight!]!
  flight(airline: String!, number: Int!): Flight
}}

type Flight @key(fields: "airline number") {{
  airline: String!
  number: Int!
  origin: String!
  destination: String!
}}
""",
    {
        "Query.flights": lambda _o, _i, airline=None: [f for f in FLIGHTS if airline in (None, f["airline"])],
        "Query.flight": lambda _o, _i, airline, number: _flight(airline, number),
        "Flight.__resolve_reference": lambda ref: _flight(ref["airline"], ref["number"]),
    },
)

STATUS_SUBGRAPH = Subgraph(
    "status",
    f"""
{link("@key")}

type Query {{
  delayedFlights(minMinutes: Int! = 1): [Flight!]!
}}

type Flight @key(fields: "airline number") {{
  airline: String!
  number: Int!
  delayMinutes: Int
  gate: String
}}
""",
    {
        "Query.delayedFlights": lambda _o, _i, minMinutes=1: [
            {"airline": a, "number": n, **s}
            for (a, n), s in STATUS.items()
            if s["delayMinutes"] >= minMinutes
        ],
        "Flight.__resolve_reference": _status,
    },
)

SUBGRAPHS = [SCHEDULE, STATUS_SUBGRAPH]

OPERATIONS = [
    Operation("all_flights_with_status", "{ flights { airline number destination delayMinutes gate } }"),
    Operation(
        "one_flight_by_variables",
        "query ($a: String!, $n: Int!) { flight(airline: $a, number: $n) { origin gate delayMinutes } }",
        {"a": "VB", "n": 100},
    ),
    Operation(
        "reverse_from_status", "{ delayedFlights(minMinutes: 10) { airline number origin destination } }"
    ),
    Operation(
        "absent_nullable_variable",
        "query ($airline: String) { flights(airline: $airline) { number gate __typename } }",
        {},
    ),
    Operation(
        "aliases_two_flights",
        '{ a: flight(airline: "AM", number: 200) { gate late: delayMinutes } '
        'b: flight(airline: "Y4", number: 7) { gate late: delayMinutes } '
        'c: flight(airline: "XX", number: 1) { gate } }',
    ),
]
