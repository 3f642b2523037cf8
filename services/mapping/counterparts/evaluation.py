"""How well counterpart rankings agree with a gold set: hit@k, MRR, coverage and calibration.

A gold row names a standard and the SOC 2018 detailed codes a reviewer accepts as its counterpart. A
ranking is the proposer's (or the API's) list of candidates, best first; it is judged as the list of
SOC occupations it names, each once, at its first place: a SOC 2018 code as itself, an O*NET-SOC code
through its SOC (its first 7 characters, "49-3023.01" -> "49-3023"), anything else skipped.
Nothing here knows how the ranking was made, so the same functions judge any matcher.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from services.mapping.counterparts.handwritten import checked_rows
from services.mapping.model import Scheme

GOLD_COLUMNS = ("standard_code", "sector", "title_es", "soc_2018", "reasoning")
_SOC = re.compile(r"\d{2}-\d{4}")
_ONET = re.compile(r"(\d{2}-\d{4})\.\d{2}")
_STANDARD = re.compile(r"EC\d{4}(\.\d{2})?")
MAX_GOLD_ROWS = 10_000  # a gold set is written by hand; more is a wrong file


class GoldError(ValueError):
    """The gold file is not what `read_gold` expects; the message says where."""


@dataclass(frozen=True, slots=True)
class GoldRow:
    standard_code: str
    sector: str
    title_es: str
    accepted: frozenset[str]  # SOC 2018 detailed codes
    reasoning: str


def read_gold(path: Path) -> list[GoldRow]:
    """The rows of a gold CSV (columns `GOLD_COLUMNS`, SOC codes separated by "|"), checked line by line."""
    rows: list[GoldRow] = []
    seen: set[str] = set()
    for line, raw in checked_rows(path, GOLD_COLUMNS, MAX_GOLD_ROWS, GoldError):
        code = raw["standard_code"].strip()
        if not _STANDARD.fullmatch(code):
            raise GoldError(f"{path.name} line {line}: {code!r} is not a standard code")
        if code in seen:
            raise GoldError(f"{path.name} line {line}: {code} appears twice")
        seen.add(code)
        accepted = frozenset(c.strip() for c in raw["soc_2018"].split("|"))
        bad = sorted(c for c in accepted if not _SOC.fullmatch(c) or c.endswith("0"))
        if bad:
            raise GoldError(f"{path.name} line {line}: not SOC detailed codes: {', '.join(bad)}")
        sector, reasoning = raw["sector"].strip(), raw["reasoning"].strip()
        if not sector or not reasoning:
            raise GoldError(f"{path.name} line {line}: sector and reasoning are required")
        rows.append(GoldRow(code, sector, raw["title_es"].strip(), accepted, reasoning))
    return rows


def soc_of(scheme: Scheme | str, code: str) -> str | None:
    """The SOC 2018 detailed code a candidate stands for, or None when it is not a SOC occupation."""
    if scheme == Scheme.SOC_2018 and _SOC.fullmatch(code):
        return code
    if scheme == Scheme.ONET_SOC:
        match = _ONET.fullmatch(code)
        return match.group(1) if match else None
    return None


def soc_ranking(candidates: Iterable[tuple[Scheme | str, str]]) -> list[str]:
    """The SOC occupations of (scheme, code) candidates in their order, each once, at its first place:
    "51-9124" and "51-9124.00" are one occupation, so a list showing both ranks it once."""
    seen: dict[str, None] = {}
    for scheme, code in candidates:
        soc = soc_of(scheme, code)
        if soc is not None:
            seen.setdefault(soc)
    return list(seen)


def first_hit(ranking: Sequence[str], accepted: frozenset[str]) -> int | None:
    """The 1-based position of the first accepted code in `ranking`, None when there is none."""
    return next((position for position, soc in enumerate(ranking, start=1) if soc in accepted), None)


@dataclass(frozen=True, slots=True)
class Scores:
    count: int
    hit_at_1: float
    hit_at_5: float
    mrr: float


def score(positions: Sequence[int | None]) -> Scores:
    """hit@1, hit@5 and mean reciprocal rank from each gold row's `first_hit` (None counts as a miss)."""
    n = len(positions)
    if n == 0:
        return Scores(0, 0.0, 0.0, 0.0)
    return Scores(
        n,
        sum(1 for p in positions if p is not None and p <= 1) / n,
        sum(1 for p in positions if p is not None and p <= 5) / n,
        sum(1 / p for p in positions if p is not None) / n,
    )


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float  # the last bin includes its upper edge
    count: int
    mean_confidence: float
    precision: float  # the share of the bin's candidates that were correct


DEFAULT_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def calibration_bins(
    judged: Iterable[tuple[float, bool]], edges: Sequence[float] = DEFAULT_EDGES
) -> list[Bin]:
    """(confidence, correct) pairs grouped by confidence: a calibrated proposer's bins have
    precision close to mean confidence. Empty bins are kept (count 0), so tables line up."""
    if len(edges) < 2 or any(high <= low for low, high in pairwise(edges)):
        raise ValueError("edges must be at least two increasing values")
    groups: list[list[tuple[float, bool]]] = [[] for _ in edges[1:]]
    for confidence, correct in judged:
        if not edges[0] <= confidence <= edges[-1]:
            raise ValueError(f"confidence {confidence} is outside {edges[0]}..{edges[-1]}")
        # An edge opens the bin above it; the top edge closes the last bin.
        index = min(bisect.bisect_right(edges, confidence), len(edges) - 1) - 1
        groups[index].append((confidence, correct))
    return [
        Bin(
            low,
            high,
            len(group),
            sum(c for c, _ in group) / len(group) if group else 0.0,
            sum(1 for _, ok in group if ok) / len(group) if group else 0.0,
        )
        for (low, high), group in zip(pairwise(edges), groups, strict=True)
    ]


def calibration_error(bins: Sequence[Bin]) -> float:
    """Expected calibration error: |precision - mean confidence| per bin, weighted by the bin's size."""
    total = sum(b.count for b in bins)
    return sum(b.count * abs(b.precision - b.mean_confidence) for b in bins) / total if total else 0.0


@dataclass(frozen=True, slots=True)
class Coverage:
    threshold: float
    covered: int  # standards whose best SOC candidate reaches the threshold
    total: int
    mean_confidence: float  # of those best candidates: the precision the proposer claims

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0


def coverage(best: Iterable[float | None], threshold: float) -> Coverage:
    """Of every standard's best SOC confidence (None: no SOC candidate), how many reach `threshold`."""
    values = list(best)
    above = [c for c in values if c is not None and c >= threshold]
    return Coverage(threshold, len(above), len(values), sum(above) / len(above) if above else 0.0)


def precision_at(judged_top: Iterable[tuple[float, bool]], threshold: float) -> tuple[int, float]:
    """Of gold rows whose top SOC candidate has confidence >= threshold, how many and the share correct:
    the precision measured at the threshold, to set against `Coverage.mean_confidence`."""
    kept = [ok for confidence, ok in judged_top if confidence >= threshold]
    return len(kept), (sum(kept) / len(kept) if kept else 0.0)
