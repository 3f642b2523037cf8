"""@requires on abstract types (the audit's "requires-interface" and "requires-with-fragments").

- Owners: `ri_a` @requires `place { id }` and `place { ... on WorkPlace { id } }` where `place` is an
  interface `Place` owned by `ri_b`, which also has an implementation (`OtherPlace`) `ri_a` does not
  know. A HomePlace owner has no WorkPlace id to send, so its `country` is null, not an error.
- Boxes: `rf_b` @requires `data { foo ... on Labeled { bar ... on Alpha { alpha } ... on Beta { beta } } }`
  through two interface levels, and `data { ... on Contents { foo } }`; `data` belongs to `rf_a`, and
  `rf_b` hides `Alpha` (@inaccessible), so an `Alpha` reaching the client becomes null (an error: the
  API has no such type) while the requirement still sees it.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

PLACES = {
    "h1": {"__typename": "HomePlace", "id": "h1", "city": "Lima", "country": "PE"},
    "w2": {"__typename": "WorkPlace", "id": "w2", "city": "Quito", "country": "EC"},
    "x3": {"__typename": "OtherPlace", "id": "x3", "city": "Cusco", "country": "PE"},
}
OWNERS = {
    "o1": {"id": "o1", "name": "Ada", "place": "h1"},
    "o2": {"id": "o2", "name": "Bo", "place": "w2"},
    "o3": {"id": "o3", "name": "Cy", "place": "x3"},
}


def _ri_a_owner(ref: dict[str, Any]) -> dict[str, Any] | None:
    owner = OWNERS.get(ref["id"])
    if owner is None:
        return None
    found: dict[str, Any] = {"id": owner["id"], "name": owner["name"]}
    if "place" in ref:
        found["place"] = ref["place"]
    return found


def _place_field(field: str) -> Any:
    def resolve(owner: dict[str, Any], _info: Any) -> str | None:
        place = owner.get("place")
        if place is None or "id" not in place:
            return None
        return PLACES[place["id"]][field]

    return resolve


RI_A = Subgraph(
    "ri_a",
    f"""
{link("@key", "@requires", "@external", "@shareable")}

type Query {{
  ra: Owner
}}

interface Place {{
  id: ID!
}}

type HomePlace implements Place @key(fields: "id") {{
  id: ID!
  city: String @shareable
}}

type WorkPlace implements Place @key(fields: "id") {{
  id: ID!
  city: String @shareable
}}

type Owner @key(fields: "id") {{
  id: ID!
  name: String! @shareable
  place: Place @external
  city: String @requires(fields: "place {{ id }}")
  country: String @requires(fields: "place {{ ... on WorkPlace {{ id }} }}")
}}
""",
    {
        "Query.ra": lambda _o, _i: {"id": "o1", "name": "Ada"},
        "Owner.__resolve_reference": _ri_a_owner,
        "Owner.city": _place_field("city"),
        "Owner.country": _place_field("country"),
        "HomePlace.__resolve_reference": lambda ref: PLACES.get(ref["id"]),
        "WorkPlace.__resolve_reference": lambda ref: PLACES.get(ref["id"]),
    },
)


def _ri_b_owner(owner_id: str) -> dict[str, Any] | None:
    owner = OWNERS.get(owner_id)
    if owner is None:
        return None
    place = PLACES[owner["place"]]
    return {
        "id": owner["id"],
        "name": owner["name"],
        "place": {"__typename": place["__typename"], "id": place["id"]},
    }


RI_B = Subgraph(
    "ri_b",
    f"""
{link("@key", "@shareable")}

type Query {{
  rb: Owner
  rbOther: Owner
}}

interface Place {{
  id: ID!
}}

type HomePlace implements Place @key(fields: "id") {{
  id: ID!
}}

type WorkPlace implements Place @key(fields: "id") {{
  id: ID!
}}

type OtherPlace implements Place @key(fields: "id") {{
  id: ID!
}}

type Owner @key(fields: "id") {{
  id: ID!
  name: String! @shareable
  place: Place
}}
""",
    {
        "Query.rb": lambda _o, _i: _ri_b_owner("o2"),
        "Query.rbOther": lambda _o, _i: _ri_b_owner("o3"),
        "Owner.__resolve_reference": lambda ref: _ri_b_owner(ref["id"]),
        "HomePlace.__resolve_reference": lambda ref: {"id": ref["id"]},
        "WorkPlace.__resolve_reference": lambda ref: {"id": ref["id"]},
        "OtherPlace.__resolve_reference": lambda ref: {"id": ref["id"]},
    },
)

CONTENTS = {
    "a1": {"__typename": "Alpha", "foo": "a1-foo", "bar": "a1-bar", "alpha": "a1-alpha"},
    "b1": {"__typename": "Beta", "foo": "b1-foo", "bar": "b1-bar", "beta": "b1-beta"},
}
BOXES = {"e1": {"id": "e1", "data": "a1"}, "e2": {"id": "e2", "data": "b1"}}


def _box_data(box: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    return CONTENTS.get(BOXES[box["id"]]["data"])


_ABSTRACT = """
interface Contents {
  foo: String!
}

interface Labeled implements Contents {
  foo: String!
  bar: String!
}
"""

RF_A = Subgraph(
    "rf_a",
    f"""
{link("@key", "@shareable", version="2.5")}

type Query @shareable {{
  boxA: Box
}}

type Box @key(fields: "id") {{
  id: ID!
  data: Contents
}}
{_ABSTRACT}
type Alpha implements Contents & Labeled @shareable {{
  foo: String!
  bar: String!
  alpha: String!
}}

type Beta implements Contents & Labeled @shareable {{
  foo: String!
  bar: String!
  beta: String!
}}
""",
    {
        "Query.boxA": lambda _o, _i: {"id": "e2"},
        "Box.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in BOXES else None,
        "Box.data": _box_data,
    },
)


def _requirer(suffix: str) -> Any:
    def resolve(box: dict[str, Any], _info: Any) -> str:
        if "data" not in box:
            raise ValueError("expected the box to carry its data")
        data = box["data"]
        if data is None:
            return f"none_{suffix}"
        return f"{data['foo']}_{suffix}" + (f"_{data.get('bar')}" if suffix == "requirer" else "")

    return resolve


RF_B = Subgraph(
    "rf_b",
    f"""
{link("@key", "@shareable", "@inaccessible", "@external", "@requires", version="2.5")}

type Query @shareable {{
  boxB: Box
  boxBB: Box
}}

type Box @key(fields: "id") {{
  id: ID!
  data: Contents @external
  requirer: String!
    @requires(
      fields: "data {{ foo ... on Labeled {{ bar ... on Alpha {{ alpha }} ... on Beta {{ beta }} }} }}"
    )
  requirer2: String! @requires(fields: "data {{ ... on Contents {{ foo }} }}")
}}
{_ABSTRACT}
type Alpha implements Contents & Labeled @shareable @inaccessible {{
  foo: String!
  bar: String!
  alpha: String!
}}

type Beta implements Contents & Labeled @shareable {{
  foo: String!
  bar: String!
  beta: String!
}}
""",
    {
        "Query.boxB": lambda _o, _i: {"id": "e1"},
        "Query.boxBB": lambda _o, _i: {"id": "e2"},
        "Box.__resolve_reference": lambda ref: dict(ref) if ref["id"] in BOXES else None,
        "Box.requirer": _requirer("requirer"),
        "Box.requirer2": _requirer("requirer2"),
    },
)

SUBGRAPHS = [RI_A, RI_B, RF_A, RF_B]

OPERATIONS = [
    Operation("requires_interface_field", "{ ra { city } }"),
    Operation("requires_interface_field_from_owner_root", "{ rb { city } }"),
    Operation("requires_interface_type_condition_not_matching", "{ ra { country } }"),
    Operation("requires_interface_type_condition_matching", "{ rb { country } }"),
    Operation("requires_interface_implementation_unknown_to_requirer", "{ rbOther { country name } }"),
    Operation("requires_interface_unknown_implementation_both_fields", "{ rbOther { city name } }"),
    Operation("requires_interface_plain_field", "{ ra { place { __typename id } } }"),
    Operation("requires_interface_plain_field_owner_root", "{ rb { place { __typename id } name } }"),
    Operation(
        "requires_fragments_inaccessible_runtime_type",
        "{ boxB { id data { __typename } } boxBB { id data { __typename } } }",
        errors=True,
    ),
    Operation("requires_fragments_nested_interfaces", "{ boxA { requirer } }"),
    Operation("requires_fragments_with_data_selected", "{ boxA { data { __typename } requirer } }"),
    Operation("requires_fragments_from_requiring_root", "{ boxBB { data { __typename } requirer } }"),
    Operation(
        "requires_fragments_inaccessible_type_in_requirement",
        "{ boxB { data { __typename } requirer } }",
        errors=True,
    ),
    Operation("requires_fragments_interface_fragment_only", "{ boxBB { data { __typename } requirer2 } }"),
    Operation(
        "requires_fragments_both_requirements",
        "{ boxB { requirer requirer2 } boxBB { requirer requirer2 data { ... on Labeled { bar } } } }",
    ),
]
