"""The representations an entity fetch sends: the objects at its path, each distinct key once.

This is per-entity work on every entity fetch, so the common case is made cheap:

- the objects at a path are found without their response paths (`objects_at`); the paths are needed
  only when a fetch fails or a subgraph reports errors, and are worked out then (`Owners.paths`);
- a key of plain scalar fields (most keys, and most @requires inputs) is read by a small function
  written for that key when the plan is built (`flat_collector`, kept in `plan.Input`), with no loop
  over the key's fields and no intermediate dict per object;
- the objects each representation stands for are kept as one list of the first object of each, plus
  the rare others by index (`Owners`), not a list per representation.

Anything else (objects of several types, keys with nested selections, key values that cannot be
hashed) goes the general way, `collect`, with the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from gateway.plan import Fetch, SelectionTree
    from gateway.supergraph import Supergraph


@dataclass(slots=True)
class Owners:
    """Per representation of an entity fetch, the objects it stands for: `first[i]`, and for the few
    representations that stand for several objects, the others in `more[i]` (in the order found)."""

    first: list[dict]
    more: dict[int, list[dict]]

    def __len__(self) -> int:
        return len(self.first)

    def of(self, index: int) -> list[dict]:
        """The objects representation `index` stands for."""
        return [self.first[index], *self.more.get(index, ())]

    def __iter__(self) -> Iterator[dict]:
        """Every object, representation by representation."""
        more = self.more
        for index, target in enumerate(self.first):
            yield target
            if more:
                yield from more.get(index, ())

    def paths(self, data: dict, path: tuple[str, ...]) -> list[list[tuple]]:
        """The response paths of the objects of each representation (for errors). Found by walking
        `data` again; an object another fetch has since replaced is no longer in the response, and has
        no path."""
        where = paths_by_object(data, path)
        return [
            [p for target in self.of(index) if (p := _next_path(where, target)) is not None]
            for index in range(len(self))
        ]


# A function written for one key of scalar fields: (the objects at the fetch's path, the __typename
# they must have) -> (representations, owners, objects without the key). Raises TypeError when a key
# value cannot be hashed (a JSON scalar holding an object or a list).
FlatCollector = Callable[[list, str], "tuple[list[dict], Owners, list[dict]]"]

_MISSING = object()


def flat_collector(represented_as: str, pairs: tuple[tuple[str, str], ...]) -> FlatCollector:
    """The collector for a key of scalar fields: `pairs` holds each field's key in the representation
    and the reserved alias it may have been fetched under (read first, see `planner` and
    `plan_builder.TreeBuilder.place`). Written out as source and compiled once per plan."""
    names: dict[str, Any] = {"MISSING": _MISSING, "Owners": Owners}
    lines = [
        "def collect(objects, typename):",
        "    representations = []",
        "    first = []",
        "    more = {}",
        "    skipped = []",
        "    seen = {}",
        "    for target in objects:",
        "        if target.get('__typename') != typename:",
        "            continue",
    ]
    members = [f"'__typename': {represented_as!r}"]
    for i, (key, alias) in enumerate(pairs):
        if alias == key:  # the plan asks for no field under its reserved alias
            lines += [
                f"        v{i} = target.get({key!r}, MISSING)",
                f"        if v{i} is MISSING:",
                "            skipped.append(target)",
                "            continue",
            ]
        else:
            lines += [
                f"        v{i} = target.get({alias!r}, MISSING)",
                f"        if v{i} is MISSING:",
                f"            v{i} = target.get({key!r}, MISSING)",
                f"            if v{i} is MISSING:",
                "                skipped.append(target)",
                "                continue",
            ]
        members.append(f"{key!r}: v{i}")
    identity = "v0" if len(pairs) == 1 else "(" + ", ".join(f"v{i}" for i in range(len(pairs))) + ")"
    lines += [
        f"        identity = {identity}",
        "        index = seen.get(identity)",
        "        if index is None:",
        "            seen[identity] = len(first)",
        "            first.append(target)",
        f"            representations.append({{{', '.join(members)}}})",
        "        elif index in more:",
        "            more[index].append(target)",
        "        else:",
        "            more[index] = [target]",
        "    return representations, Owners(first, more), skipped",
    ]
    # The source holds only type names and field keys of the composed schema, each through repr().
    exec(compile("\n".join(lines), f"<representations {represented_as}>", "exec"), names)
    return names["collect"]


def collect(sg: Supergraph, data: dict, fetch: Fetch) -> tuple[list[dict], Owners, list[dict]]:
    """The distinct representations of the objects at the fetch's path, the objects each stands for,
    and the objects at that path that could not be represented (a key field is missing)."""
    objects = objects_at(data, fetch.path)
    if len(fetch.inputs) == 1:
        (typename, entry), *_ = fetch.inputs.items()
        if entry.collect is not None:
            try:
                return entry.collect(objects, typename)
            except TypeError:  # a JSON scalar key holding an object or a list: not hashable
                pass
    representations: list[dict] = []
    owners = Owners([], {})
    skipped: list[dict] = []
    seen: dict[Any, int] = {}
    inputs = fetch.inputs
    for target in objects:
        entry = inputs.get(target.get("__typename"))  # type: ignore[arg-type]
        if entry is None:
            continue
        flat = entry.flat_pairs
        if flat is not None:
            representation = _flat(entry.typename, target, flat)
            if representation is None:
                skipped.append(target)
                continue
            identity: Any = tuple(representation.values())
        else:
            fields = _represent(sg, target, entry.selection)
            if fields is None:
                skipped.append(target)
                continue
            representation = {"__typename": entry.typename, **fields}
            identity = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
        try:
            index = seen.get(identity)
        except TypeError:  # a JSON scalar key holding an object or a list
            identity = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
            index = seen.get(identity)
        if index is None:
            seen[identity] = len(representations)
            representations.append(representation)
            owners.first.append(target)
        else:
            owners.more.setdefault(index, []).append(target)
    return representations, owners, skipped


def objects_at(data: dict, path: tuple[str, ...]) -> list[dict]:
    """The objects at a plan path ("@" walks into a list), in the order of `objects_with_paths`."""
    current: list[Any] = [data]
    for segment in path:
        following: list[Any] = []
        if segment == "@":
            for value in current:
                if type(value) is list:
                    following += [item for item in value if item is not None]
        else:
            for value in current:
                if type(value) is dict:
                    item = value.get(segment)
                    if item is not None:
                        following.append(item)
        current = following
    for value in current:
        if type(value) is not dict:
            # A list at the end (an entity list field with nested lists) holds the objects.
            return [target for target, _ in objects_with_paths(data, path)]
    return current


def objects_with_paths(data: dict, path: tuple[str, ...]) -> list[tuple[dict, tuple]]:
    """The objects at a plan path, each with its response path (as nested pairs, see
    `shaping.response_path`)."""
    current: list[tuple[Any, tuple]] = [(data, ())]
    for segment in path:
        following: list[tuple[Any, tuple]] = []
        for value, at in current:
            if segment == "@":
                if type(value) is list:
                    following += [(item, (at, i)) for i, item in enumerate(value) if item is not None]
            elif type(value) is dict:
                item = value.get(segment)
                if item is not None:
                    following.append((item, (at, segment)))
        current = following
    found: list[tuple[dict, tuple]] = []
    for value, at in current:
        if type(value) is dict:  # the common case: one object
            found.append((value, at))
            continue
        stack = [(value, at)]
        while stack:
            item, where = stack.pop()
            if type(item) is dict:
                found.append((item, where))
            elif type(item) is list:
                stack.extend((x, (where, i)) for i, x in reversed(list(enumerate(item))) if x is not None)
    return found


def paths_by_object(data: dict, path: tuple[str, ...]) -> dict[int, list[tuple]]:
    """The response paths of the objects at a plan path, by object identity: one object may be at
    several paths (an entity's answer merged into several objects shares its values)."""
    where: dict[int, list[tuple]] = {}
    for target, at in objects_with_paths(data, path):
        where.setdefault(id(target), []).append(at)
    return where


def paths_of(data: dict, path: tuple[str, ...], objects: list[dict]) -> list[tuple]:
    """The response paths of these objects found at a plan path, in their order."""
    where = paths_by_object(data, path)
    return [p for target in objects if (p := _next_path(where, target)) is not None]


def _next_path(where: dict[int, list[tuple]], target: dict) -> tuple | None:
    """The next unclaimed path of `target`: an object found twice at the path owns both."""
    paths = where.get(id(target))
    return paths.pop(0) if paths else None


def _flat(typename: str, source: dict, pairs: tuple[tuple[str, str], ...]) -> dict | None:
    """The representation of `source` for a key of scalar fields; None when one is missing."""
    out = {"__typename": typename}
    for key, alias in pairs:
        value = source.get(alias, _MISSING)
        if value is _MISSING:
            value = source.get(key, _MISSING)
            if value is _MISSING:
                return None
        out[key] = value
    return out


def _represent(sg: Supergraph, source: dict, tree: SelectionTree) -> dict | None:
    """The key and required fields of `source` as `tree` selects them; None when any is missing."""
    out: dict[str, Any] = {}
    for key, (f, sub) in tree.fields.items():
        if f.name == "__typename":
            continue
        if f.alias in source:  # fetched under its reserved alias: the client had the key
            value = source[f.alias]
        elif key in source:
            value = source[key]
        else:
            return None
        if sub is None or value is None:
            out[key] = value
        elif isinstance(value, list):
            items = [_represent(sg, v, sub) if isinstance(v, dict) else v for v in value]
            out[key] = items
        else:
            nested = _represent(sg, value, sub)
            if nested is None:
                return None
            if sub.fragments and "__typename" in value:
                nested["__typename"] = value["__typename"]
            out[key] = nested
    typename = source.get("__typename")
    for condition, fragment in tree.fragments.items():
        if typename is not None and sg.applies(condition, typename):
            nested = _represent(sg, source, fragment)
            if nested is None:
                return None
            out.update(nested)
    return out
