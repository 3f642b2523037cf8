"""@override(from:): `inventory` took `inStock` and `warehouse` over from `legacy`, whose stale answers
must never reach a client."""

from __future__ import annotations

from .runtime import Operation, Subgraph, link

PRODUCTS = {
    "o1": {"id": "o1", "name": "Bolt", "legacyCode": "BLT-1"},
    "o2": {"id": "o2", "name": "Nut", "legacyCode": None},
    "o3": {"id": "o3", "name": "Washer", "legacyCode": "WSH-9"},
}
STOCK = {"o1": (True, "North"), "o2": (False, None), "o3": (True, "South")}


def _legacy(ref: dict) -> dict | None:
    product = PRODUCTS.get(ref["id"])
    # Stale values: if a gateway ever takes an overridden field from here, the test sees it.
    return product and {**product, "inStock": False, "warehouse": "LEGACY"}


def _inventory(ref: dict) -> dict | None:
    if ref["id"] not in STOCK:
        return None
    in_stock, warehouse = STOCK[ref["id"]]
    return {"id": ref["id"], "inStock": in_stock, "warehouse": warehouse}


LEGACY = Subgraph(
    "legacy",
    f"""
{link("@key")}

type Query {{
  legacyProducts: [Product!]!
}}

type Product @key(fields: "id") {{
  id: ID!
  name: String!
  legacyCode: String
  inStock: Boolean!
  warehouse: String
}}
""",
    {
        "Query.legacyProducts": lambda _o, _i: [_legacy(p) for p in PRODUCTS.values()],
        "Product.__resolve_reference": _legacy,
    },
)

INVENTORY = Subgraph(
    "inventory",
    f"""
{link("@key", "@override")}

type Query {{
  availability(id: ID!): Product
}}

type Product @key(fields: "id") {{
  id: ID!
  inStock: Boolean! @override(from: "legacy")
  warehouse: String @override(from: "legacy")
}}
""",
    {
        "Query.availability": lambda _o, _i, id: _inventory({"id": id}),
        "Product.__resolve_reference": _inventory,
    },
)

SUBGRAPHS = [LEGACY, INVENTORY]

OPERATIONS = [
    Operation("overridden_fields_from_new_owner", "{ legacyProducts { name inStock warehouse } }"),
    Operation("old_owner_fields_still_served", "{ legacyProducts { id legacyCode } }"),
    Operation("new_owner_root", '{ availability(id: "o3") { inStock warehouse name legacyCode } }'),
    Operation(
        "aliases_and_fragment",
        "{ legacyProducts { ...Stock code: legacyCode } } "
        "fragment Stock on Product { ok: inStock where: warehouse }",
    ),
]
