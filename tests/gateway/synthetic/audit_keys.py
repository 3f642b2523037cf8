"""Entity keys that take several hops to assemble (the audit's "complex-entity-call", "keys-mashup" and
"null-keys" situations).

- Bundles: `bundles` lists a `Bundle` keyed by `parts { id }`; `links` turns a part's `id` into its
  `serial` (two keys, `id` and `id serial`); `lists` knows bundles by `parts { id serial }` and adds
  `first`/`chosen`; `costs` knows bundles by `parts { id serial family { id tag } } chosen { id }` and
  parts by `id serial family { id tag }`. Reaching `Part.cost` needs keys gathered from three subgraphs.
- Widgets: `widgets` and `racks` both declare four keys on `Widget`, each resolvable in only one of
  them; `racks` @requires `label` from `widgets`, whose representation must then use the key `racks`
  can resolve (`id combo { mid right }`). @apollo/gateway itself gets this wrong (it sends the
  `combo { left mid }` key, which `racks` declares unresolvable), so `keys_mashup_requires_via_other_key`
  keeps the answer the federation spec gives (`labelInRack` computed from `label`) and fails against
  Apollo. `Sprocket` is the same @requires with one plain key, which Apollo answers.
- Volumes: `shelves` knows a volume by `isbn`, `writers` only by `num`, and `index` maps one to the
  other but answers null for one volume: that volume's `writer` must be null, without sending a
  representation with no `num`.

The same module covers fields of a value type reachable only through its parent entity (the
audit's "parent-entity-call" and "parent-entity-call-complex"):

- Gear: `Kind` is an entity in `gear_a` and `gear_b` but a keyless value type in `gear_c`, which alone
  has `Kind.stats`. The only way to it is to re-enter `gear_c` at the parent `Gear` (key `id sku`) and
  select `kind { stats }` there.
- Tools: `tools_d` owns `Query.toolFromD`; `Tool.shelf` is shareable in `tools_a` (where `Shelf` is a
  keyless value with `note`, and `Tool.id` is @external) and `tools_b` (where `Shelf` is an entity with
  `id`); `Shelf.name` comes from `shelves_c` by the shelf's id. One request needs all four.
"""

from __future__ import annotations

from typing import Any

from .runtime import Operation, Subgraph, link

PARTS = {
    "1": {"id": "1", "serial": "s-1", "family": "f1", "cost": 100.0},
    "2": {"id": "2", "serial": "s-2", "family": "f2", "cost": 250.5},
    "3": {"id": "3", "serial": "s-3", "family": "f1", "cost": 75.0},
}
FAMILIES = {"f1": {"id": "f1", "tag": "t1", "lead": "1"}, "f2": {"id": "f2", "tag": "t2", "lead": "2"}}
TOP_BUNDLE = ["1", "2"]


def _bundles_part(part_id: str) -> dict[str, Any] | None:
    return {"id": part_id} if part_id in PARTS else None


def _bundles_family(family_id: str) -> dict[str, Any]:
    family = FAMILIES[family_id]
    return {"id": family["id"], "tag": family["tag"], "lead": family["lead"]}


BUNDLES = Subgraph(
    "bundles",
    f"""
{link("@key", "@external", "@extends", "@shareable", version="2.0")}

type Query {{
  topBundle: Bundle!
}}

type Bundle @key(fields: "parts {{ id }}") {{
  parts: [Part!]!
}}

type Part @extends @key(fields: "id") {{
  id: String! @external
  family: Family @shareable
}}

type Family @key(fields: "id") {{
  lead: Part! @shareable
  id: String!
  tag: String @shareable
}}
""",
    {
        "Query.topBundle": lambda _o, _i: {"parts": [_bundles_part(p) for p in TOP_BUNDLE]},
        "Bundle.__resolve_reference": lambda ref: {"parts": [_bundles_part(p["id"]) for p in ref["parts"]]},
        "Part.__resolve_reference": lambda ref: _bundles_part(ref["id"]),
        "Part.family": lambda part, _i: _bundles_family(PARTS[part["id"]]["family"]),
        "Family.__resolve_reference": lambda ref: (
            _bundles_family(ref["id"]) if ref["id"] in FAMILIES else None
        ),
        "Family.lead": lambda family, _i: _bundles_part(family["lead"]),
    },
)


def _links_part(ref: dict[str, Any]) -> dict[str, Any] | None:
    part = PARTS.get(ref["id"])
    if part is None or ("serial" in ref and ref["serial"] != part["serial"]):
        return None
    return {"id": part["id"], "serial": part["serial"]}


LINKS = Subgraph(
    "links",
    f"""
{link("@key", version="2.0")}

type Part @key(fields: "id") @key(fields: "id serial") {{
  id: String!
  serial: String!
}}
""",
    {"Part.__resolve_reference": _links_part},
)


def _matching_parts(keys: list[dict[str, Any]], with_family: bool) -> list[dict[str, Any]]:
    found = []
    for part in PARTS.values():
        for key in keys:
            if key["id"] != part["id"] or key["serial"] != part["serial"]:
                continue
            if with_family:
                family = FAMILIES[part["family"]]
                if key["family"] != {"id": family["id"], "tag": family["tag"]}:
                    continue
            found.append(part)
    return found


def _lists_bundle(ref: dict[str, Any]) -> dict[str, Any]:
    parts = [{"id": p["id"], "serial": p["serial"]} for p in _matching_parts(ref["parts"], False)]
    return {
        "parts": parts,
        "first": parts[0] if parts else None,
        "chosen": parts[1] if len(parts) > 1 else None,
    }


LISTS = Subgraph(
    "lists",
    f"""
{link("@key", "@shareable", version="2.0")}

type Bundle @key(fields: "parts {{ id serial }}") {{
  parts: [Part!]!
  first: Part @shareable
  chosen: Part @shareable
}}

type Part @key(fields: "id serial") {{
  id: String!
  serial: String
}}
""",
    {
        "Bundle.__resolve_reference": _lists_bundle,
        "Part.__resolve_reference": lambda ref: next(
            ({"id": p["id"], "serial": p["serial"]} for p in _matching_parts([ref], False)), None
        ),
    },
)


def _costs_part(part: dict[str, Any]) -> dict[str, Any]:
    return {"id": part["id"], "serial": part["serial"], "family": part["family"], "cost": part["cost"]}


def _costs_bundle(ref: dict[str, Any]) -> dict[str, Any]:
    parts = [_costs_part(p) for p in _matching_parts(ref["parts"], True)]
    chosen = PARTS.get(ref["chosen"]["id"]) if ref.get("chosen") else None
    return {
        "parts": parts,
        "first": parts[0] if parts else None,
        "chosen": _costs_part(chosen) if chosen else None,
    }


COSTS = Subgraph(
    "costs",
    f"""
{link("@key", "@shareable", version="2.0")}

type Bundle @key(fields: "parts {{ id serial family {{ id tag }} }} chosen {{ id }}") {{
  parts: [Part!]!
  first: Part @shareable
  chosen: Part @shareable
}}

type Part @key(fields: "id serial family {{ id tag }}") {{
  id: String!
  cost: Cost
  serial: String
  family: Family
}}

type Family @key(fields: "id tag") {{
  id: String!
  tag: String
}}

type Cost {{
  amount: Float!
}}
""",
    {
        "Bundle.__resolve_reference": _costs_bundle,
        "Part.__resolve_reference": lambda ref: next(
            (_costs_part(p) for p in _matching_parts([ref], True)), None
        ),
        "Part.cost": lambda part, _i: {"amount": part["cost"]},
        "Part.family": lambda part, _i: {"id": part["family"], "tag": FAMILIES[part["family"]]["tag"]},
        "Family.__resolve_reference": lambda ref: (
            {"id": ref["id"], "tag": FAMILIES[ref["id"]]["tag"]} if ref["id"] in FAMILIES else None
        ),
    },
)

WIDGETS = {
    "w1": {
        "id": "w1",
        "ref": "r-1",
        "combo": {"left": "L1", "mid": "M1", "right": "R1"},
        "label": "Widget one",
    },
    "w2": {
        "id": "w2",
        "ref": "r-2",
        "combo": {"left": "L2", "mid": "M2", "right": "R2"},
        "label": "Widget two",
    },
}
SPROCKETS = {"sp1": {"id": "sp1", "label": "Sprocket one"}, "sp2": {"id": "sp2", "label": "Sprocket two"}}
RACKS = {"rk1": {"id": "rk1", "widgets": ["w1", "w2"], "sprockets": ["sp1", "sp2"]}}

WIDGETS_SUBGRAPH = Subgraph(
    "widgets",
    f"""
{link("@key", version="2.5")}

type Widget
  @key(fields: "id", resolvable: true)
  @key(fields: "ref", resolvable: false)
  @key(fields: "combo {{ left mid }}", resolvable: false)
  @key(fields: "id combo {{ mid right }}", resolvable: false) {{
  id: ID!
  ref: ID!
  combo: Combo!
  label: String!
}}

type Combo {{
  left: ID!
  mid: ID!
  right: ID!
}}

type Sprocket @key(fields: "id") {{
  id: ID!
  label: String!
}}
""",
    {
        "Widget.__resolve_reference": lambda ref: WIDGETS.get(ref["id"]),
        "Sprocket.__resolve_reference": lambda ref: SPROCKETS.get(ref["id"]),
    },
)


def _rack_widget(ref: dict[str, Any]) -> dict[str, Any] | None:
    widget = WIDGETS.get(ref["id"])
    if widget is None or ref.get("combo", {}).get("right") not in (None, widget["combo"]["right"]):
        return None
    found = {"id": widget["id"], "ref": widget["ref"], "combo": widget["combo"]}
    if "label" in ref:
        found["label"] = ref["label"]
    return found


def _label_in_rack(widget: dict[str, Any], _info: Any) -> str:
    if "label" not in widget:
        raise ValueError("Widget.label was not provided")
    return f"rack: {widget['label']}"


RACKS_SUBGRAPH = Subgraph(
    "racks",
    f"""
{link("@key", "@requires", "@external", version="2.5")}

type Query {{
  rack: Rack
}}

type Rack @key(fields: "id") {{
  id: ID!
  widgets: [Widget!]!
  sprockets: [Sprocket!]!
}}

type Sprocket @key(fields: "id") {{
  id: ID!
  label: String! @external
  labelInRack: String! @requires(fields: "label")
}}

type Widget
  @key(fields: "combo {{ left mid }}", resolvable: false)
  @key(fields: "id combo {{ mid right }}", resolvable: true)
  @key(fields: "ref", resolvable: false)
  @key(fields: "id", resolvable: false) {{
  id: ID!
  ref: ID!
  combo: Combo!
  label: String! @external
  labelInRack: String! @requires(fields: "label")
}}

type Combo {{
  left: ID!
  mid: ID!
  right: ID!
}}
""",
    {
        "Query.rack": lambda _o, _i: RACKS["rk1"],
        "Rack.__resolve_reference": lambda ref: RACKS.get(ref["id"]),
        "Rack.widgets": lambda rack, _i: [
            {k: WIDGETS[w][k] for k in ("id", "ref", "combo")} for w in rack["widgets"]
        ],
        "Rack.sprockets": lambda rack, _i: [{"id": sp} for sp in rack["sprockets"]],
        "Widget.__resolve_reference": _rack_widget,
        "Widget.labelInRack": _label_in_rack,
        "Sprocket.__resolve_reference": lambda ref: (
            {"id": ref["id"], **({"label": ref["label"]} if "label" in ref else {})}
            if ref["id"] in SPROCKETS
            else None
        ),
        "Sprocket.labelInRack": _label_in_rack,
    },
)

VOLUMES = [
    {"num": "1", "isbn": "i1", "writer": {"id": "a1", "name": "Alma"}},
    {"num": "2", "isbn": "i2", "writer": {"id": "a2", "name": "Bruno"}},
    {"num": "3", "isbn": "i3", "writer": {"id": "a3", "name": "Cira"}},
]

SHELVES = Subgraph(
    "shelves",
    f"""
{link("@key")}

type Query {{
  crates: [Crate]
}}

type Crate {{
  volume: Volume
}}

type Volume @key(fields: "isbn") {{
  isbn: ID!
}}
""",
    {"Query.crates": lambda _o, _i: [{"volume": {"isbn": v["isbn"]}} for v in VOLUMES]},
)


def _index_volume(ref: dict[str, Any]) -> dict[str, Any] | None:
    volume = next(
        (v for v in VOLUMES if v.get("isbn") == ref.get("isbn") or v["num"] == ref.get("num")), None
    )
    # The index lost the third volume: the only way from isbn to num ends here for it.
    if volume is None or volume["num"] == "3":
        return None
    return {"num": volume["num"], "isbn": volume["isbn"]}


INDEX = Subgraph(
    "index",
    f"""
{link("@key")}

type Volume @key(fields: "num") @key(fields: "isbn") {{
  num: ID!
  isbn: ID!
}}
""",
    {"Volume.__resolve_reference": _index_volume},
)


def _writer_volume(ref: dict[str, Any]) -> dict[str, Any]:
    if "num" not in ref:
        raise ValueError(f"invalid representation {ref}")
    volume = next((v for v in VOLUMES if v["num"] == ref["num"]), None)
    if volume is None:
        raise ValueError(f"no volume {ref['num']}")
    return {"num": volume["num"], "writer": volume["writer"]}


WRITERS = Subgraph(
    "writers",
    f"""
{link("@key")}

type Volume @key(fields: "num") {{
  num: ID!
  writer: Writer
}}

type Writer {{
  id: ID!
  name: String
}}
""",
    {"Volume.__resolve_reference": _writer_volume},
)

GEAR = {
    "g1": {"id": "g1", "sku": "SK1", "kind": "k1"},
    "g2": {"id": "g2", "sku": "SK2", "kind": "k2"},
    "g3": {"id": "g3", "sku": "SK3", "kind": "k1"},
}
KINDS = {"k1": {"id": "k1", "label": "Tents"}, "k2": {"id": "k2", "label": "Stoves"}}


def _gear(ref: dict[str, Any]) -> dict[str, Any] | None:
    gear = GEAR.get(ref["id"])
    if gear is None or ref.get("sku", gear["sku"]) != gear["sku"]:
        return None
    return dict(gear)


def _kind(gear: dict[str, Any], _info: Any) -> dict[str, Any]:
    return dict(KINDS[gear["kind"]])


GEAR_A = Subgraph(
    "gear_a",
    f"""
{link("@key", "@external", "@shareable")}

type Query {{
  gear: [Gear!]!
}}

type Gear @key(fields: "id") @key(fields: "id sku") {{
  id: ID!
  sku: ID!
  kind: Kind @shareable
}}

type Kind @key(fields: "id") {{
  id: ID!
  label: String! @shareable
}}
""",
    {
        "Query.gear": lambda _o, _i: [dict(g) for g in GEAR.values()],
        "Gear.__resolve_reference": _gear,
        "Gear.kind": _kind,
        "Kind.__resolve_reference": lambda ref: KINDS.get(ref["id"]),
    },
)

GEAR_B = Subgraph(
    "gear_b",
    f"""
{link("@key", "@shareable")}

type Gear @key(fields: "id sku") {{
  id: ID!
  sku: ID!
  kind: Kind @shareable
}}

type Kind @key(fields: "id") {{
  id: ID!
  label: String! @shareable
}}
""",
    {
        "Gear.__resolve_reference": _gear,
        "Gear.kind": _kind,
        "Kind.__resolve_reference": lambda ref: KINDS.get(ref["id"]),
    },
)

GEAR_C = Subgraph(
    "gear_c",
    f"""
{link("@key", "@shareable")}

type Kind {{
  stats: KindStats
}}

type Gear @key(fields: "id sku") {{
  id: ID!
  sku: ID!
  kind: Kind @shareable
}}

type KindStats {{
  gearCount: Int
}}
""",
    {
        "Gear.__resolve_reference": _gear,
        "Gear.kind": lambda gear, _i: {
            "stats": {"gearCount": sum(1 for g in GEAR.values() if g["kind"] == gear["kind"])}
        },
    },
)

TOOLS = {"1": {"id": "1", "name": "Chisel", "shelf": "30"}, "2": {"id": "2", "name": "Mallet", "shelf": "31"}}

TOOLS_A = Subgraph(
    "tools_a",
    f"""
{link("@key", "@external", "@shareable")}

type Tool @key(fields: "id") {{
  id: ID @external
  shelf: Shelf @shareable
}}

type Shelf {{
  note: String
}}
""",
    {
        "Tool.__resolve_reference": lambda ref: {
            "id": ref["id"],
            "shelf": {"note": f"Note for tool #{ref['id']}"},
        },
    },
)

TOOLS_B = Subgraph(
    "tools_b",
    f"""
{link("@key", "@shareable")}

type Tool @key(fields: "id") {{
  id: ID
  shelf: Shelf @shareable
}}

type Shelf @key(fields: "id") {{
  id: ID!
}}
""",
    {
        "Tool.__resolve_reference": lambda ref: (
            {"id": ref["id"], "shelf": {"id": TOOLS[ref["id"]]["shelf"]}} if ref["id"] in TOOLS else None
        ),
        "Shelf.__resolve_reference": lambda ref: {"id": ref["id"]},
    },
)

SHELVES_C = Subgraph(
    "shelves_c",
    f"""
{link("@key")}

type Shelf @key(fields: "id") {{
  id: ID
  name: String
}}
""",
    {"Shelf.__resolve_reference": lambda ref: {"id": ref["id"], "name": f"Shelf #{ref['id']}"}},
)

TOOLS_D = Subgraph(
    "tools_d",
    f"""
{link("@key")}

type Query {{
  toolFromD(id: ID): Tool
}}

type Tool @key(fields: "id") {{
  id: ID
  name: String
}}
""",
    {
        "Query.toolFromD": lambda _o, _i, id=None: TOOLS.get(id) and {"id": id, "name": TOOLS[id]["name"]},
        "Tool.__resolve_reference": lambda ref: (
            TOOLS.get(ref["id"]) and {"id": ref["id"], "name": TOOLS[ref["id"]]["name"]}
        ),
    },
)

SUBGRAPHS = [
    BUNDLES,
    LINKS,
    LISTS,
    COSTS,
    WIDGETS_SUBGRAPH,
    RACKS_SUBGRAPH,
    SHELVES,
    INDEX,
    WRITERS,
    GEAR_A,
    GEAR_B,
    GEAR_C,
    TOOLS_A,
    TOOLS_B,
    SHELVES_C,
    TOOLS_D,
]

OPERATIONS = [
    Operation(
        "complex_key_chain_through_four_subgraphs",
        "{ topBundle { parts { id serial cost { amount } family { lead { id } id tag } } "
        "chosen { id } first { id } } }",
    ),
    Operation("complex_key_list_field_only", "{ topBundle { first { id serial } } }"),
    Operation("complex_key_nested_cost_only", "{ topBundle { parts { cost { amount } } } }"),
    Operation("complex_key_chosen_cost", "{ topBundle { chosen { id cost { amount } } } }"),
    Operation(
        "keys_mashup_requires_via_other_key",
        "{ rack { id widgets { id label labelInRack } } }",
        spec_data={
            "rack": {
                "id": "rk1",
                "widgets": [
                    {"id": "w1", "label": "Widget one", "labelInRack": "rack: Widget one"},
                    {"id": "w2", "label": "Widget two", "labelInRack": "rack: Widget two"},
                ],
            }
        },
    ),
    Operation("requires_from_root_subgraph_list", "{ rack { id sprockets { id labelInRack } } }"),
    Operation("requires_from_root_subgraph_only", "{ rack { sprockets { labelInRack } } }"),
    Operation("keys_mashup_external_only", "{ rack { widgets { ref combo { left } label } } }"),
    Operation("null_key_hop_skips_missing_entity", "{ crates { volume { isbn writer { name } } } }"),
    # The third crate's volume has no num (non-null): the volume is null, with the error at num.
    Operation("null_key_hop_num", "{ crates { volume { num writer { id } } } }", errors=True),
    Operation("parent_entity_value_type_field", "{ gear { id kind { id stats { gearCount } } } }"),
    Operation("parent_entity_value_type_only", "{ gear { kind { stats { gearCount } } } }"),
    Operation(
        "parent_entity_mixed_with_entity_field", "{ gear { sku kind { label stats { gearCount } id } } }"
    ),
    Operation(
        "parent_entity_complex_four_subgraphs", '{ toolFromD(id: "1") { id name shelf { id name note } } }'
    ),
    Operation("parent_entity_complex_value_only", '{ toolFromD(id: "2") { shelf { note } } }'),
    Operation("parent_entity_complex_entity_only", '{ toolFromD(id: "2") { name shelf { name } } }'),
    Operation("parent_entity_complex_missing_root", '{ toolFromD(id: "9") { id shelf { note } } }'),
]
