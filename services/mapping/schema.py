"""The crosswalk subgraph: items, search, crosswalks, paths and level alignments."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from services.common.errors import BadUserInput
from services.common.pagination import Connection, decode_cursor, make_page, page_size
from services.common.schema import SubgraphSchema
from services.mapping import model
from services.mapping.graph import HIERARCHY_DISCOUNT, MAX_HOPS
from services.mapping.types import (
    CrosswalkResult,
    FrameworkItem,
    ItemRef,
    Scheme,
    Standard,
    _ctx,
    _schemes,
    check_walk,
    crosswalk_results,
    current_graph,
    load_item,
    require_item,
)

CROSSWALK_DESCRIPTION = (
    "Where an item leads in other schemes, best first. Every endorsed edge in force is walked both ways "
    f"(at most `maxHops`, at most {MAX_HOPS}). A result's confidence is the product of the confidences of "
    f"the edges on its path, times {HIERARCHY_DISCOUNT} for every hop inside a scheme's own hierarchy "
    "(to a parent or a child); for each item the path with the highest confidence wins, and results below "
    "`minConfidence` are left out. Without `toSchemes`, results in any scheme but the item's own."
)


@strawberry.type
class Query:
    @strawberry.field(description="One item by scheme and code.")
    async def framework_item(self, info: Info, scheme: Scheme, code: str) -> FrameworkItem | None:  # type: ignore[valid-type]
        row = await load_item(info, scheme.value, code.strip())
        return FrameworkItem.from_row(row) if row else None

    @strawberry.field(
        description="Items of a scheme in code order; `search` matches code and Spanish and English labels "
        "(accents and case ignored), `parentCode` lists one item's children."
    )
    async def framework_items(
        self,
        info: Info,
        scheme: Scheme,  # type: ignore[valid-type]
        search: str | None = None,
        parent_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FrameworkItem]:
        ctx = _ctx(info)
        size = page_size(first, ctx.settings.max_page_size)
        if search is not None and len(search) > ctx.settings.max_search_length:
            raise BadUserInput(
                f"The search text has {len(search)} characters; the limit is "
                f"{ctx.settings.max_search_length}.",
                argument="search",
            )
        words = [w for w in (search or "").split() if w]
        conditions = ["scheme = $1"]
        args: list[object] = [scheme.value]
        if parent_code is not None:
            args.append(parent_code.strip())
            conditions.append(f"parent = ${len(args)}")
        for word in words:
            args.append(f"%{word}%")
            conditions.append(f"search LIKE fold(${len(args)})")
        where = " AND ".join(conditions)
        count_args = list(args)
        if after is not None:
            (last,) = decode_cursor(after, 1)
            args.append(last)
            where_page = f"{where} AND code > ${len(args)}"
        else:
            where_page = where
        args.append(size + 1)
        rows = await ctx.db.fetch(
            f"SELECT * FROM items WHERE {where_page} ORDER BY code LIMIT ${len(args)}", *args
        )
        edges, page_info = make_page(
            rows, size, cursor_of=lambda r: [r["code"]], node_of=FrameworkItem.from_row, after=after
        )

        async def count() -> int:
            return await ctx.db.fetchval(f"SELECT count(*) FROM items WHERE {where}", *count_args)

        return Connection(edges=edges, page_info=page_info, _count=count)

    @strawberry.field(description=CROSSWALK_DESCRIPTION)
    async def crosswalk(
        self,
        info: Info,
        from_: Annotated[ItemRef, strawberry.argument(name="from")],
        to_schemes: list[Scheme] | None = None,  # type: ignore[valid-type]
        max_hops: int = 4,
        min_confidence: float = 0.1,
        first: int = 20,
    ) -> list[CrosswalkResult]:
        check_walk(max_hops, min_confidence, first)
        row = await require_item(info, from_, "from")
        start = (row["scheme"], row["code"])
        return await crosswalk_results(info, start, _schemes(to_schemes), max_hops, min_confidence, first)

    @strawberry.field(
        description="The most confident path between two items within `maxHops`, or null when none is."
    )
    async def mapping_path(
        self,
        info: Info,
        from_: Annotated[ItemRef, strawberry.argument(name="from")],
        to: ItemRef,
        max_hops: int = 4,
    ) -> CrosswalkResult | None:
        check_walk(max_hops, 0.0, 1)
        start = await require_item(info, from_, "from")
        goal = await require_item(info, to, "to")
        graph = await current_graph(info)
        reached = graph.path((start["scheme"], start["code"]), (goal["scheme"], goal["code"]), max_hops)
        return CrosswalkResult.of(reached) if reached else None

    @strawberry.field(
        description="A level of a level framework (CONOCER_LEVEL, NVQ, RQF or EQF) and its equivalents in "
        "the others, through published alignments only; e.g. CONOCER level 3 -> NVQ 3 -> RQF 3 -> EQF 4."
    )
    async def level_alignment(self, info: Info, scheme: Scheme, level: str) -> list[CrosswalkResult]:  # type: ignore[valid-type]
        frameworks = {model.Scheme.CONOCER_LEVEL, model.Scheme.NVQ, model.Scheme.RQF, model.Scheme.EQF}
        if model.Scheme(scheme.value) not in frameworks:
            raise BadUserInput(
                f"{scheme.value} is not a level framework; use one of "
                + ", ".join(sorted(s.value for s in frameworks))
                + ".",
                argument="scheme",
            )
        row = await require_item(info, ItemRef(scheme=scheme, code=level), "level")
        others = frameworks - {model.Scheme(scheme.value)}
        return await crosswalk_results(
            info, (row["scheme"], row["code"]), others, 4, 0.0, 50, through_levels_only=True
        )


schema = SubgraphSchema(Query, types=[Standard, FrameworkItem])
