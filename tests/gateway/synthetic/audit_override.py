"""@override beyond the basics (the audit's "override-type-interface", "override-with-requires",
"unavailable-override" and "simple-override" situations). Subgraphs whose field was overridden answer
"stale" for it, so routing to them shows.

- Timeline: `ot_b` overrides `Photo.stamp` from `ot_a`, where `Photo` implements `Entry`; in `ot_b` it
  implements another interface (`OtherEntry`). `Query.timeline` (in `ot_a`) returns `Entry`s, so `stamp`
  on the interface must be fetched from `ot_b` per concrete type.
- Users: `ow_b` overrides `Rider.name` from `ow_a`, where it is @external and @required by `aName`;
  `ow_c` @requires it too.
- Memos: `uo_b` overrides `Memo.createdAt` from a subgraph that does not exist, so both keep serving it.
- Clippings: `so_b` overrides a shareable field `writtenAt` from `so_a`; both have shareable root fields.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link


def _stale(_obj: Any, _info: Any) -> str:
    return "stale"


PHOTOS = {"i1": {"id": "i1", "stamp": "i1-stamp"}, "i2": {"id": "i2", "stamp": "i2-stamp"}}
NOTES = {"n1": {"id": "n1", "stamp": "n1-stamp", "body": "n1-body"}}

OT_A = Subgraph(
    "ot_a",
    f"""
{link("@key")}

interface Entry {{
  id: ID!
  stamp: String!
}}

type Photo implements Entry @key(fields: "id") {{
  id: ID!
  stamp: String!
}}

type Query {{
  timeline: [Entry]
}}
""",
    {
        "Query.timeline": lambda _o, _i: [{"__typename": "Photo", "id": p} for p in PHOTOS],
        "Photo.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in PHOTOS else None,
        "Photo.stamp": _stale,
    },
)

OT_B = Subgraph(
    "ot_b",
    f"""
{link("@key", "@shareable", "@override")}

interface Entry {{
  id: ID!
  stamp: String!
}}

type Note implements Entry @key(fields: "id") {{
  id: ID!
  stamp: String!
  body: String!
}}

interface OtherEntry {{
  id: ID!
  stamp: String!
}}

type Photo implements OtherEntry @key(fields: "id") {{
  id: ID!
  stamp: String! @override(from: "ot_a")
}}

type Query {{
  otherTimeline: [OtherEntry]
}}
""",
    {
        "Query.otherTimeline": lambda _o, _i: [{"__typename": "Photo", **p} for p in PHOTOS.values()],
        "Photo.__resolve_reference": lambda ref: PHOTOS.get(ref["id"]),
        "Note.__resolve_reference": lambda ref: NOTES.get(ref["id"]),
    },
)

RIDERS = {"r1": "Rhea", "r2": "Soren", "r3": "Tove"}


def _needs_name(prefix: str) -> Any:
    def resolve(rider: dict[str, Any], _info: Any) -> str:
        if not rider.get("name"):
            raise ValueError("Rider.name was not provided")
        return f"{prefix}__{rider['name']}"

    return resolve


def _rider_ref(ref: dict[str, Any]) -> dict[str, Any] | None:
    return dict(ref) if ref["id"] in RIDERS else None


OW_A = Subgraph(
    "ow_a",
    f"""
{link("@key", "@external", "@requires")}

type Query {{
  riderInA: Rider
}}

type Rider @key(fields: "id") {{
  id: ID!
  name: String! @external
  aName: String! @requires(fields: "name")
}}
""",
    {
        "Query.riderInA": lambda _o, _i: {"id": "r1"},
        "Rider.__resolve_reference": _rider_ref,
        "Rider.aName": _needs_name("a"),
    },
)

OW_B = Subgraph(
    "ow_b",
    f"""
{link("@key", "@override")}

type Query {{
  riderInB: Rider
}}

type Rider @key(fields: "id") {{
  id: ID!
  name: String! @override(from: "ow_a")
}}
""",
    {
        "Query.riderInB": lambda _o, _i: {"id": "r2", "name": RIDERS["r2"]},
        "Rider.__resolve_reference": lambda ref: (
            {"id": ref["id"], "name": RIDERS[ref["id"]]} if ref["id"] in RIDERS else None
        ),
    },
)

OW_C = Subgraph(
    "ow_c",
    f"""
{link("@key", "@external", "@requires")}

type Query {{
  riderInC: Rider
}}

type Rider @key(fields: "id") {{
  id: ID!
  name: String! @external
  cName: String! @requires(fields: "name")
}}
""",
    {
        "Query.riderInC": lambda _o, _i: {"id": "r3"},
        "Rider.__resolve_reference": _rider_ref,
        "Rider.cName": _needs_name("c"),
    },
)

MEMOS = {"m1": {"id": "m1", "createdAt": "m1-created"}, "m2": {"id": "m2", "createdAt": "m2-created"}}

UO_A = Subgraph(
    "uo_a",
    f"""
{link("@key", "@shareable")}

type Memo @key(fields: "id") {{
  id: ID!
  createdAt: String! @shareable
}}

type Query {{
  memos: [Memo] @shareable
  aMemos: [Memo]
}}
""",
    {
        "Query.memos": lambda _o, _i: [dict(m) for m in MEMOS.values()],
        "Query.aMemos": lambda _o, _i: [dict(MEMOS["m2"])],
        "Memo.__resolve_reference": lambda ref: MEMOS.get(ref["id"]),
    },
)

UO_B = Subgraph(
    "uo_b",
    f"""
{link("@key", "@override", "@shareable")}

type Memo @key(fields: "id") {{
  id: ID!
  createdAt: String! @override(from: "no_such_subgraph") @shareable
}}

type Query {{
  memos: [Memo] @shareable
  bMemos: [Memo]
}}
""",
    {
        "Query.memos": lambda _o, _i: [dict(m) for m in MEMOS.values()],
        "Query.bMemos": lambda _o, _i: [dict(MEMOS["m1"])],
        "Memo.__resolve_reference": lambda ref: MEMOS.get(ref["id"]),
    },
)

CLIPPINGS = {"c1": {"id": "c1", "writtenAt": "c1-written"}, "c2": {"id": "c2", "writtenAt": "c2-written"}}

SO_A = Subgraph(
    "so_a",
    f"""
{link("@key", "@shareable")}

type Clipping @key(fields: "id") {{
  id: ID!
  writtenAt: String! @shareable
}}

type Query {{
  clippings: [Clipping] @shareable
  aClippings: [Clipping]
}}
""",
    {
        "Query.clippings": lambda _o, _i: [{"id": c} for c in CLIPPINGS],
        "Query.aClippings": lambda _o, _i: [{"id": "c2"}],
        "Clipping.__resolve_reference": lambda ref: {"id": ref["id"]} if ref["id"] in CLIPPINGS else None,
        "Clipping.writtenAt": _stale,
    },
)

SO_B = Subgraph(
    "so_b",
    f"""
{link("@key", "@override", "@shareable")}

type Clipping @key(fields: "id") {{
  id: ID!
  writtenAt: String! @override(from: "so_a") @shareable
}}

type Query {{
  clippings: [Clipping] @shareable
  bClippings: [Clipping]
}}
""",
    {
        "Query.clippings": lambda _o, _i: [dict(c) for c in CLIPPINGS.values()],
        "Query.bClippings": lambda _o, _i: [dict(CLIPPINGS["c1"])],
        "Clipping.__resolve_reference": lambda ref: CLIPPINGS.get(ref["id"]),
    },
)

SUBGRAPHS = [OT_A, OT_B, OW_A, OW_B, OW_C, UO_A, UO_B, SO_A, SO_B]

OPERATIONS = [
    Operation("override_on_interface_implementation", "{ timeline { id stamp } }"),
    Operation("override_interface_fragment_on_type_owner_lacks", "{ timeline { ... on Note { id body } } }"),
    Operation("override_other_interface_root", "{ otherTimeline { stamp } }"),
    Operation(
        "override_other_interface_root_merged_fragment",
        "{ otherTimeline { stamp id ... on Photo { stamp id } } }",
    ),
    Operation("override_fragment_on_overridden_type", "{ timeline { __typename ... on Photo { stamp } } }"),
    Operation(
        "override_with_requires_all_roots",
        "{ riderInA { id name aName cName } riderInB { id name aName cName } "
        "riderInC { id name aName cName } }",
    ),
    Operation("override_with_requires_other_subgraph", "{ riderInC { cName } }"),
    Operation("override_with_requires_same_subgraph", "{ riderInA { aName } }"),
    Operation("override_with_requires_cross", "{ riderInA { cName } }"),
    Operation("override_from_missing_subgraph_shared_root", "{ memos { createdAt } }"),
    Operation("override_from_missing_subgraph_each_root", "{ aMemos { createdAt } bMemos { createdAt } }"),
    Operation("override_shareable_shared_root", "{ clippings { id writtenAt } }"),
    Operation("override_shareable_each_root", "{ aClippings { writtenAt } bClippings { writtenAt } }"),
]
