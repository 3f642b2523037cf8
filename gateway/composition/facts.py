"""What federation directives imply about each field of one subgraph: Apollo's FederationMetadata.

Whether a field is external, shareable or used depends on more than its own directives (a key elsewhere
selects it, a @provides makes it resolvable, Federation 1 habits); the upgrade, validation, the merge and
the satisfiability check all ask the same questions, so the answers are computed once per subgraph here.
"""

from __future__ import annotations

from .fieldsets import is_composite, selected_fields
from .model import INTERFACE, OBJECT, Field, Subgraph, base_name


class FederationFacts:
    """Coordinates ("Type.field") that are external, provided, shareable or used in one subgraph."""

    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        composite = [t for t in subgraph.types.values() if t.kind in (OBJECT, INTERFACE)]
        # A key field marked @external on a type extension is not really external (Federation 1 habit).
        self.fake_external: set[str] = set()
        for type_ in composite:
            for key in type_.applied("key"):
                if key.block > 0 or type_.has("extends"):
                    self.fake_external |= {
                        f.coordinate
                        for f in selected_fields(
                            subgraph, type_.name, key.string("fields"), implementations=False
                        )
                        if f.has("external")
                    }
        self.external: set[str] = set()
        for type_ in composite:
            on_type = subgraph.is_fed2 and type_.kind == OBJECT and type_.has("external")
            for owned in type_.fields.values():
                if (owned.has("external") or on_type) and owned.coordinate not in self.fake_external:
                    self.external.add(owned.coordinate)
        self.provided: set[str] = set()
        self.shareable: set[str] = set()
        self.used: set[str] = set()
        for type_ in composite:
            for key in type_.applied("key"):
                targets = {f.coordinate for f in selected_fields(subgraph, type_.name, key.string("fields"))}
                self.shareable |= targets
                self.used |= targets
            shareable_blocks = {d.block for d in type_.applied("shareable")} if subgraph.is_fed2 else set()
            for owned in type_.fields.values():
                if type_.kind == OBJECT and (
                    (subgraph.is_fed2 and owned.has("shareable")) or owned.block in shareable_blocks
                ):
                    self.shareable.add(owned.coordinate)
                for requires in owned.applied("requires"):
                    self.used |= {
                        f.coordinate for f in selected_fields(subgraph, type_.name, requires.string("fields"))
                    }
                base = base_name(owned.type)
                for provides in owned.applied("provides"):
                    if is_composite(subgraph, base):
                        targets = {
                            f.coordinate for f in selected_fields(subgraph, base, provides.string("fields"))
                        }
                        self.provided |= targets
                        self.used |= targets
                        if type_.kind == OBJECT:
                            self.shareable |= targets & self.external
            if type_.kind == INTERFACE:
                for impl in subgraph.implementations(type_.name):
                    self.used |= {
                        impl.fields[name].coordinate for name in type_.fields if name in impl.fields
                    }

    def is_external(self, owned: Field) -> bool:
        return owned.coordinate in self.external

    def is_fully_external(self, owned: Field) -> bool:
        return owned.coordinate in self.external and owned.coordinate not in self.provided

    def is_partially_external(self, owned: Field) -> bool:
        return owned.coordinate in self.external and owned.coordinate in self.provided

    def is_shareable(self, owned: Field) -> bool:
        return owned.coordinate in self.shareable

    def is_used(self, owned: Field) -> bool:
        return owned.coordinate in self.used
