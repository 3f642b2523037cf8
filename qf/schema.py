"""The subgraphs' SDL and the supergraph composed from them: what `qf compose` writes to schema/."""

from __future__ import annotations

import sys
from pathlib import Path

from services.common.settings import Settings

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"


def subgraph_sdls() -> dict[str, str]:
    """Each built subgraph's SDL, as its `_service { sdl }` answers."""
    from services.credits.schema import schema as credits_schema
    from services.mapping.schema import schema as mapping_schema
    from services.registry.schema import schema as registry_schema

    return {
        "registry": registry_schema.as_str(),
        "credits": credits_schema.as_str(),
        "mapping": mapping_schema.as_str(),
    }


def composed_supergraph() -> str:
    """The supergraph of our subgraphs at their default URLs (what `qf serve` runs)."""
    from gateway.composition import SubgraphSource, compose

    defaults = Settings.model_construct()  # the defaults, whatever QF_* this shell has
    sources = [SubgraphSource(name, defaults.url_of(name), sdl) for name, sdl in subgraph_sdls().items()]
    return compose(sources)


def write_schema() -> int:
    """Each subgraph's SDL, the supergraph and the clients' api.graphql to schema/; 1 if refused."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, sdl in subgraph_sdls().items():
        target = SCHEMA_DIR / f"{name}.graphql"
        target.write_text(sdl + "\n")
        print(f"wrote {target}")
    target = SCHEMA_DIR / "supergraph.graphql"
    supergraph = composed_supergraph()
    target.write_text(supergraph)
    print(f"wrote {target}")
    return write_api_schema(supergraph)


def write_api_schema(supergraph: str) -> int:
    """schema/api.graphql, the clients' contract: refused while a breaking change is not in the changelog."""
    from gateway.contract import api_sdl, breaking_changes, unrecorded

    target = SCHEMA_DIR / "api.graphql"
    changelog = SCHEMA_DIR / "CHANGELOG.md"
    current = api_sdl(supergraph)
    if target.is_file():
        recorded = changelog.read_text() if changelog.is_file() else ""
        missing = unrecorded(breaking_changes(target.read_text(), current), recorded)
        if missing:
            print(f"qf compose: {target} not written: breaking changes for clients:", file=sys.stderr)
            for change in missing:
                print(f"  - {change}", file=sys.stderr)
            print(f"record each, word for word, in {changelog} (see its top), or undo them", file=sys.stderr)
            return 1
    target.write_text(current)
    print(f"wrote {target}")
    return 0

