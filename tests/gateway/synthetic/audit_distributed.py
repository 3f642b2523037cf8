"""Abstract types whose shape differs per subgraph (the audit's "union-interface-distributed",
"union-intersection", "typename" and "child-type-mismatch" situations).

- `appliances` returns a union `Appliance = Grill | Kettle` and an interface `Thing` that only `Kettle`
  implements there; `warranty` declares `Grill implements Thing`. So the supergraph's `Grill` is a
  `Thing` the owner of `Query.thing` does not know about: type conditions on `Thing` must be expanded
  for `appliances`, and a `Grill` returned as a `Thing` by `appliances` is an error there.
- `records` and `cinema` both answer `Query.shelved` and `Browser` fields, but their unions have
  different members (`Album | Podcast` against `Album | Film`): a fragment on a member one subgraph
  lacks must not reach it.
- `groups` returns `Member` and `Moderator` in one union where `Member.handle` is `String!` and
  `Moderator.handle` is `String` in that subgraph (both `String` in the supergraph): selecting `handle`
  on both in one subgraph query is invalid there unless the gateway aliases one of them.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

APPLIANCES = {
    "g1": {"__typename": "Grill", "id": "g1"},
    "g2": {"__typename": "Grill", "id": "g2"},
    "k1": {"__typename": "Kettle", "id": "k1", "wattage": 1200},
    "k2": {"__typename": "Kettle", "id": "k2", "wattage": 2000},
}
GRILL_WATTAGE = {"g1": 2400, "g2": 3100}


def _kettles() -> list[dict[str, Any]]:
    return [a for a in APPLIANCES.values() if a["__typename"] == "Kettle"]


APPLIANCES_SUBGRAPH = Subgraph(
    "appliances",
    f"""
{link("@key", "@shareable")}

type Query {{
  appliances: [Appliance]
  thing(id: ID!): Thing
  things: [Thing]
  kettles: [Kettle]
}}

union Appliance = Grill | Kettle

interface Thing {{
  id: ID!
}}

type Grill @key(fields: "id") {{
  id: ID!
}}

type Kettle implements Thing @key(fields: "id") {{
  id: ID!
  wattage: Int
}}
""",
    {
        "Query.appliances": lambda _o, _i: list(APPLIANCES.values()),
        "Query.thing": lambda _o, _i, id: APPLIANCES.get(id),
        "Query.things": lambda _o, _i: _kettles(),
        "Query.kettles": lambda _o, _i: _kettles(),
        "Grill.__resolve_reference": lambda ref: (
            APPLIANCES.get(ref["id"]) if ref["id"] in GRILL_WATTAGE else None
        ),
        "Kettle.__resolve_reference": lambda ref: APPLIANCES.get(ref["id"]),
    },
)

WARRANTY = Subgraph(
    "warranty",
    f"""
{link("@key")}

interface Thing {{
  id: ID!
}}

type Grill implements Thing @key(fields: "id") {{
  id: ID!
  wattage: Int
}}
""",
    {
        "Grill.__resolve_reference": lambda ref: (
            {"id": ref["id"], "wattage": GRILL_WATTAGE[ref["id"]]} if ref["id"] in GRILL_WATTAGE else None
        ),
    },
)

SHELVED = {"__typename": "Album", "title": "Blue Harbor"}
PODCAST = {"__typename": "Podcast", "title": "Quiet Hours"}

RECORDS = Subgraph(
    "records",
    f"""
{link("@shareable")}

type Query {{
  shelved: Shelved @shareable
  pick: Shelved @shareable
  browser: Browser @shareable
}}

union Shelved = Album | Podcast
union BrowserItem = Album | Podcast

type Album {{
  title: String! @shareable
}}

type Podcast {{
  title: String! @shareable
}}

type Browser {{
  shelved: BrowserItem @shareable
  pick: BrowserItem @shareable
  podcast: BrowserItem
}}
""",
    {
        "Query.shelved": lambda _o, _i: SHELVED,
        "Query.pick": lambda _o, _i: SHELVED,
        "Query.browser": lambda _o, _i: {"shelved": SHELVED, "pick": SHELVED, "podcast": PODCAST},
    },
)

CINEMA = Subgraph(
    "cinema",
    f"""
{link("@shareable")}

type Query {{
  shelved: Shelved @shareable
  pick: Shelved @shareable
  browser: Browser @shareable
}}

union Shelved = Album | Film
union BrowserItem = Album | Film

type Album {{
  title: String! @shareable
}}

type Film {{
  title: String! @shareable
}}

type Browser {{
  shelved: BrowserItem @shareable
  pick: BrowserItem @shareable
}}
""",
    {
        "Query.shelved": lambda _o, _i: SHELVED,
        "Query.pick": lambda _o, _i: SHELVED,
        "Query.browser": lambda _o, _i: {"shelved": SHELVED, "pick": SHELVED},
    },
)

MEMBERS = {"u1": {"id": "u1", "handle": "@wren", "name": "Wren"}}
MODERATOR = {"__typename": "Moderator", "id": "mod1", "handle": None, "name": "Mod One"}


def _accounts(_obj: Any = None, _info: Any = None) -> list[dict[str, Any]]:
    return [{"__typename": "Member", "id": "u1", "handle": "@wren"}, MODERATOR]


MEMBERS_SUBGRAPH = Subgraph(
    "members",
    f"""
{link("@key", "@shareable")}

type Query {{
  members: [Member]
}}

type Member @key(fields: "id") {{
  id: ID!
  handle: String @shareable
  name: String
}}
""",
    {
        "Query.members": lambda _o, _i: list(MEMBERS.values()),
        "Member.__resolve_reference": lambda ref: MEMBERS.get(ref["id"]),
    },
)

GROUPS = Subgraph(
    "groups",
    f"""
{link("@key", "@shareable")}

type Query {{
  accounts: [Account]
}}

union Account = Member | Moderator

type Member @key(fields: "id") {{
  id: ID!
  handle: String! @shareable
  similar: [Account!]!
}}

type Moderator {{
  id: ID!
  handle: String
  name: String
  similar: [Account!]!
}}
""",
    {
        "Query.accounts": _accounts,
        "Member.__resolve_reference": lambda ref: (
            {"id": ref["id"], "handle": MEMBERS[ref["id"]]["handle"]} if ref["id"] in MEMBERS else None
        ),
        "Member.similar": lambda _o, _i: _accounts(),
        "Moderator.similar": lambda _o, _i: _accounts(),
    },
)

SUBGRAPHS = [APPLIANCES_SUBGRAPH, WARRANTY, RECORDS, CINEMA, MEMBERS_SUBGRAPH, GROUPS]

_ALL_BROWSER = "{ __typename ... on Podcast { title } ... on Film { title } ... on Album { title } }"
_BOTH = "... on Member { id handle } ... on Moderator { id handle }"

OPERATIONS = [
    Operation("distributed_interface_fragment_on_union", "{ appliances { ... on Thing { id } } }"),
    Operation(
        "distributed_interface_root_with_fragments",
        "{ things { ... on Kettle { wattage } ... on Grill { id } } }",
    ),
    Operation("distributed_interface_root_field", "{ things { id } }"),
    Operation(
        "distributed_object_and_interface_fragments",
        "{ kettles { ...KettleBits ...ThingBits } } "
        "fragment KettleBits on Kettle { id } fragment ThingBits on Thing { id __typename }",
    ),
    Operation(
        "distributed_wrong_implementation_in_owner",
        '{ thing(id: "g1") { ... on Grill { wattage } } }',
        errors=True,
    ),
    Operation(
        "distributed_wrong_implementation_other_fragment",
        '{ thing(id: "g1") { ... on Kettle { wattage } } }',
        errors=True,
    ),
    Operation("distributed_right_implementation", '{ thing(id: "k1") { ... on Kettle { wattage } } }'),
    Operation(
        "distributed_union_member_field_from_other_subgraph",
        "{ appliances { __typename ... on Grill { wattage } ... on Kettle { wattage } } }",
    ),
    Operation("typename_aliases_on_union", "{ appliances { __typename typename: __typename } }"),
    Operation(
        "typename_aliases_on_interface",
        '{ thing(id: "k2") { id __typename typename: __typename t: __typename } }',
    ),
    Operation(
        "typename_alias_in_each_member_fragment",
        "{ appliances { __typename ... on Grill { typename: __typename } "
        "... on Kettle { typename: __typename } } }",
    ),
    Operation(
        "typename_alias_in_each_implementation_fragment",
        '{ thing(id: "k1") { __typename ... on Grill { typename: __typename } '
        "... on Kettle { typename: __typename } } }",
    ),
    Operation("intersection_member_other_value", "{ shelved { ... on Film { title } } }"),
    Operation("intersection_member_matching", "{ shelved { ... on Album { title } } }"),
    Operation("intersection_both_members", "{ shelved { ... on Album { title } ... on Film { title } } }"),
    Operation(
        "intersection_member_known_only_to_one",
        "{ pick { __typename ... on Podcast { title } ... on Album { title } } }",
    ),
    Operation(
        "intersection_nested_all_members",
        "{ browser { shelved " + _ALL_BROWSER + " pick " + _ALL_BROWSER + " podcast " + _ALL_BROWSER + " } }",
    ),
    Operation("intersection_nested_other_member", "{ browser { shelved { ... on Film { title } } } }"),
    Operation("intersection_nested_matching_member", "{ browser { shelved { ... on Album { title } } } }"),
    Operation(
        "intersection_nested_both_members",
        "{ browser { shelved { ... on Album { title } ... on Film { title } } } }",
    ),
    Operation("mismatch_plain", "{ members { id handle } accounts { " + _BOTH + " } }"),
    Operation(
        "mismatch_nested",
        "{ accounts { ... on Member { id handle similar { " + _BOTH + " } } "
        "... on Moderator { id handle similar { " + _BOTH + " } } } }",
    ),
    Operation(
        "mismatch_deeply_nested",
        "{ accounts { ... on Member { handle similar { ... on Member { handle similar { " + _BOTH + " } } "
        "... on Moderator { handle similar { " + _BOTH + " } } } } "
        "... on Moderator { handle similar { ... on Member { handle } ... on Moderator { handle } } } } }",
    ),
    Operation(
        "mismatch_with_entity_field",
        "{ accounts { ... on Member { name handle } ... on Moderator { name handle } } }",
    ),
]
