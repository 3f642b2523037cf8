"""RENEC's list of standards (`codigo`, `nivel`, `titulo`, `comite`, `secProductivo`), as the export file
and CONOCER's live endpoint give it, checked as a whole: the registry imports it, the crosswalk makes
items and edges of it, and both must agree on codes, levels and sectors.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.common.renec.reference import sector_for_title

STANDARDS_FILE = "extracted/ec_standards_api.json"
STANDARD_KEYS = ("codigo", "nivel", "titulo", "comite", "secProductivo")

_CODE = re.compile(r"^(EC\d{4})(?:\.(\d{2}))?$")


@dataclass(frozen=True)
class ParsedStandard:
    code: str
    base_code: str
    version: int
    title: str
    level: int
    sector_code: str
    sector_title: str
    committee_name: str | None


class RenecImportError(ValueError):
    """The input cannot be imported as a whole; nothing was written."""


def text(value: Any) -> str | None:
    """Stripped text, or None when blank; str.strip() also removes the NBSP RENEC leaves in codes."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def parse_standards(rows: list[dict[str, Any]]) -> list[ParsedStandard]:
    """Validates the whole list before anything is written, reporting every problem at once."""
    problems: list[str] = []
    unmapped: Counter[str] = Counter()
    parsed: list[ParsedStandard] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            problems.append(f"row {index}: not an object")
            continue
        missing = [key for key in STANDARD_KEYS if key not in row]
        if missing:
            problems.append(f"row {index}: missing {', '.join(missing)}")
            continue
        code = text(row["codigo"]) or ""
        match = _CODE.match(code)
        if not match:
            problems.append(f"row {index}: invalid code {row['codigo']!r}")
            continue
        if code in seen:
            problems.append(f"row {index}: duplicate code {code}")
            continue
        seen.add(code)
        try:
            level = int(str(row["nivel"]).strip())
        except ValueError:
            level = 0
        if not 1 <= level <= 5:
            problems.append(f"{code}: level {row['nivel']!r} is not 1..5")
            continue
        title = text(row["titulo"])
        if not title:
            problems.append(f"{code}: empty title")
            continue
        sector_label = text(row["secProductivo"]) or ""
        sector = sector_for_title(sector_label)
        if sector is None:
            unmapped[sector_label] += 1
            continue
        parsed.append(
            ParsedStandard(
                code=code,
                base_code=match[1],
                version=int(match[2] or 0),
                title=title,
                level=level,
                sector_code=sector.code,
                sector_title=sector.title_es,
                committee_name=text(row["comite"]),
            )
        )
    if unmapped:
        listed = "; ".join(f"{title!r} ({n} standards)" for title, n in sorted(unmapped.items()))
        problems.insert(0, f"sector titles with no SCIAN 2023 sector: {listed}")
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise RenecImportError(
            "RENEC standards list rejected, nothing imported:\n  " + "\n  ".join(shown) + more
        )
    return parsed
