"""Regenerates `calibration_table.py` from the gold set: `python -m services.mapping.counterparts.calibrate
[--database URL] [--gold FILE]` over a database where `qf import all ../shared/data` was run.

Every candidate in the first `JUDGED` SOC 2018 counterparts of a gold standard is one proposal; it is
correct when the gold row accepts its code. The raw scores and outcomes are binned (`fit_bins`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import asyncpg

from services.mapping.counterparts.calibration import fit_bins
from services.mapping.counterparts.corpus import load_corpus
from services.mapping.counterparts.evaluation import read_gold
from services.mapping.counterparts.proposer import Proposer
from services.mapping.model import Scheme

JUDGED = 5
PER_BIN = 40
GOLD = Path(__file__).resolve().parents[3] / "tests" / "mapping" / "gold" / "counterparts.csv"
TABLE = Path(__file__).with_name("calibration_table.py")


def judged(proposer: Proposer, gold: Path) -> list[tuple[float, bool]]:
    """(raw score, correct) of every judged proposal for the gold standards the data holds."""
    out = []
    for row in read_gold(gold):
        for c in proposer.rank(row.standard_code, [Scheme.SOC_2018], JUDGED):
            out.append((c.evidence["score"], c.code in row.accepted))
    return out


def render(bins: tuple[tuple[float, float], ...], proposals: int) -> str:
    lines = ",\n".join(f"    ({low!r}, {precision!r})" for low, precision in bins)
    return (
        '"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.\n\n'
        f"(lowest raw score, measured precision) from {proposals} judged proposals on the gold set.\n"
        '"""\n\n'
        f"BINS: tuple[tuple[float, float], ...] = (\n{lines},\n)\n"
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
    bins = fit_bins(scored, PER_BIN)
    TABLE.write_text(render(bins, len(scored)), encoding="utf-8")
    print(f"{len(scored)} proposals, {len(bins)} bins written to {TABLE}")


if __name__ == "__main__":
    asyncio.run(main())
