"""Imports the elements and criteria of standards from structure files (`db/*_structure.json` in the
RENEC folder; today only `ec0217_structure.json`, the structure of EC0217.01).

A structure file is one standard as an object: its `code` and `elements`, each element with a `code`,
`title`, `order` and `criteria` (`description`, `evidenceType`, `order`). The file is the whole
structure of its standard, so the standard's element list becomes the file's: an unchanged structure
is left alone (a second run writes nothing), a changed one is replaced. The title, purpose and dates
in the file are not taken: RENEC's list owns the title, and the file is hand-built (see PROVENANCE.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from services.common.renec.reference import fold
from services.common.upsert import Counts

STRUCTURES_GLOB = "db/*_structure.json"

# CONOCER groups a standard's criteria by the evidence they ask for: desempeños, productos,
# conocimientos and actitudes/hábitos/valores. The files name that in `evidenceType` (English or
# Spanish); `type` only tells performance from knowledge, so it is the fallback.
_KINDS = {
    "performance": "performance",
    "desempeno": "performance",
    "product": "product",
    "producto": "product",
    "knowledge": "knowledge",
    "conocimiento": "knowledge",
    "attitude": "attitude",
    "actitud": "attitude",
}


class StructureError(ValueError):
    """A structure file cannot be imported; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Criterion:
    kind: str
    position: int
    text: str


@dataclass(frozen=True)
class Element:
    code: str
    position: int
    title: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Structure:
    standard_code: str
    elements: tuple[Element, ...]


def _text(value: Any) -> str | None:
    text = value.strip() if isinstance(value, str) else None
    return text or None


def _position(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 32768 else None


def _kind(item: Mapping[str, Any]) -> str | None:
    for key in ("evidenceType", "type"):
        kind = _KINDS.get(fold(str(item.get(key) or "")))
        if kind:
            return kind
    return None


def parse_structure(data: Any, name: str) -> Structure:
    """The structure in one file's JSON, or a StructureError listing every problem in it."""
    if not isinstance(data, Mapping):
        raise StructureError(f"{name}: expected one standard as a JSON object")
    problems: list[str] = []
    code = (_text(data.get("code")) or "").upper()
    if not code:
        problems.append("no standard code")
    items = data.get("elements")
    if not isinstance(items, list) or not items:
        problems.append("no elements")
        items = []
    elements: list[Element] = []
    for index, item in enumerate(items):
        where = f"element {index + 1}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: not an object")
            continue
        element_code, title, position = _text(item.get("code")), _text(item.get("title")), item.get("order")
        if not element_code or not title or _position(position) is None:
            problems.append(f"{where}: needs a code, a title and a positive order")
            continue
        criteria: list[Criterion] = []
        for c_index, c in enumerate(item.get("criteria") or ()):
            c_where = f"{element_code} criterion {c_index + 1}"
            kind = _kind(c) if isinstance(c, Mapping) else None
            text = _text(c.get("description")) if isinstance(c, Mapping) else None
            c_position = _position(c.get("order")) if isinstance(c, Mapping) else None
            if kind is None or text is None or c_position is None:
                problems.append(f"{c_where}: needs a known evidenceType, a description and a positive order")
                continue
            criteria.append(Criterion(kind=kind, position=c_position, text=text))
        elements.append(Element(element_code, _position(position) or 0, title, tuple(criteria)))
    for label, keys in (
        ("element codes", [e.code for e in elements]),
        ("element orders", [e.position for e in elements]),
        *((f"{e.code} criterion orders", [(c.kind, c.position) for c in e.criteria]) for e in elements),
    ):
        if len(set(keys)) != len(keys):
            problems.append(f"repeated {label}")
    if problems:
        raise StructureError(f"{name} ({code or 'no code'}): " + "; ".join(problems))
    return Structure(standard_code=code, elements=tuple(sorted(elements, key=lambda e: e.position)))


def read_structures(folder: Path) -> list[tuple[str, Structure]]:
    """Every structure file of a RENEC folder, parsed, as (file name, structure)."""
    found: list[tuple[str, Structure]] = []
    for path in sorted(folder.glob(STRUCTURES_GLOB)):
        name = str(path.relative_to(folder))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StructureError(f"{name} is not valid JSON: {exc}") from exc
        found.append((name, parse_structure(data, name)))
    return found


async def _stored(conn: asyncpg.Connection, code: str) -> tuple[Element, ...]:
    rows = await conn.fetch(
        """SELECT e.code, e.position, e.title_es,
                  coalesce(array_agg(ROW(c.kind, c.position, c.text_es) ORDER BY c.kind, c.position)
                           FILTER (WHERE c.kind IS NOT NULL), '{}') AS criteria
           FROM elements e
           LEFT JOIN criteria c ON (c.standard_code, c.element_code) = (e.standard_code, e.code)
           WHERE e.standard_code = $1
           GROUP BY e.code, e.position, e.title_es ORDER BY e.position""",
        code,
    )
    return tuple(
        Element(r["code"], r["position"], r["title_es"], tuple(Criterion(*c) for c in r["criteria"]))
        for r in rows
    )


def _canonical(element: Element) -> Element:
    return Element(
        element.code,
        element.position,
        element.title,
        tuple(sorted(element.criteria, key=lambda c: (c.kind, c.position))),
    )


async def import_structure(conn: asyncpg.Connection, structure: Structure) -> Counts:
    """Makes the standard's stored elements and criteria the file's; writes nothing when they are.

    Counted per element: new, rewritten (title, order or criteria changed), already as in the file, or
    removed (not in the file)."""
    wanted = tuple(_canonical(e) for e in structure.elements)
    stored = {e.code: e for e in await _stored(conn, structure.standard_code)}
    if tuple(stored.values()) == wanted:
        return Counts(unchanged=len(wanted))
    counts = Counts(removed=len(stored.keys() - {e.code for e in wanted}))
    for element in wanted:
        if element.code not in stored:
            counts.inserted += 1
        elif stored[element.code] == element:
            counts.unchanged += 1
        else:
            counts.updated += 1
    # Positions are unique per standard, so moving elements in place could collide midway: the
    # standard's list is written afresh (criteria go with their elements, ON DELETE CASCADE). English
    # titles come from elsewhere than the file, so they stay with their element codes.
    titles_en = dict(
        await conn.fetch(
            "DELETE FROM elements WHERE standard_code = $1 RETURNING code, title_en", structure.standard_code
        )
    )
    await conn.executemany(
        "INSERT INTO elements (standard_code, position, code, title_es, title_en) "
        "VALUES ($1, $2, $3, $4, $5)",
        [(structure.standard_code, e.position, e.code, e.title, titles_en.get(e.code)) for e in wanted],
    )
    await conn.executemany(
        "INSERT INTO criteria (standard_code, element_code, kind, position, text_es) "
        "VALUES ($1, $2, $3, $4, $5)",
        [
            (structure.standard_code, e.code, c.kind, c.position, c.text)
            for e in wanted
            for c in e.criteria
        ],
    )
    return counts
