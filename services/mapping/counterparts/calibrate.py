"""Regenerates `calibration_table.py` from the gold set: `python -m services.mapping.counterparts.calibrate
[--database URL] [--gold FILE]` over a database where `qf import all ../shared/data` was run.

Every candidate in the first `JUDGED` SOC 2018 counterparts of a gold standard is one proposal; it is
correct when the gold row accepts its code. The raw scores and outcomes are binned (`fit_bins`), the
standards' best candidates apart from the others (`calibration.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import asyncpg

from services.mapping.counterparts.calibration import Bins, fit_bins
from services.mapping.counterparts.corpus import load_corpus
from services.mapping.counterparts.evaluation import read_gold
from services.mapping.counterparts.proposer import Proposer
from services.mapping.model import Scheme

JUDGED = 5
PER_BIN = 40
PER_FIRST_BIN = 25  # one best candidate per gold standard: fewer proposals, smaller bins
GOLD = Path(__file__).resolve().parents[3] / "tests" / "mapping" / "gold" / "counterparts.csv"
TABLE = Path(__file__).with_name("calibration_table.py")


def judged(proposer: Proposer, gold: Path) -> list[tuple[float, bool, bool]]:
    """(raw score, correct, best of its standard) of every judged proposal for the gold standards the
    data holds."""
    out = []
    for row in read_gold(gold):
        for i, c in enumerate(proposer.rank(row.standard_code, [Scheme.SOC_2018], JUDGED)):
            out.append((c.evidence["score"], c.code in row.accepted, i == 0))
    return out


def fit_tables(scored: list[tuple[float, bool, bool]]) -> tuple[Bins, Bins]:
    """(bins of the best candidates, bins of the others)."""
    first = fit_bins([(s, correct) for s, correct, best in scored if best], PER_FIRST_BIN)
    others = fit_bins([(s, correct) for s, correct, best in scored if not best], PER_BIN)
    return first, others


def render(first: Bins, others: Bins, proposals: int) -> str:
    def table(bins: Bins) -> str:
        return ",\n".join(f"    ({low!r}, {precision!r})" for low, precision in bins)

    return (
        '"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.\n\n'
        f"(lowest raw score, measured precision) from {proposals} judged proposals on the gold set: a\n"
        "standard's best candidate (FIRST_BINS) and the others (BINS).\n"
        '"""\n\n'
        f"FIRST_BINS: tuple[tuple[float, float], ...] = (\n{table(first)},\n)\n\n"
        f"BINS: tuple[tuple[float, float], ...] = (\n{table(others)},\n)\n"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("QF_DATABASE_URL"), required=False)
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args()
    if not args.database:
        parser.error("--database (or QF_DATABASE_URL) is required")
    conn = await asyncpg.connect(args.database, server_settings={"search_path": "mapping"})
    try:
        proposer = Proposer(await load_corpus(conn))
    finally:
        await conn.close()
    scored = judged(proposer, args.gold)
    first, others = fit_tables(scored)
    TABLE.write_text(render(first, others, len(scored)), encoding="utf-8")
    print(f"{len(scored)} proposals, {len(first)} + {len(others)} bins written to {TABLE}")


if __name__ == "__main__":
    asyncio.run(main())
