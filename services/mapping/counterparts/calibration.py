"""Raw proposer scores -> calibrated confidence: the share of proposals at that score found correct.

The table (`calibration_table.BINS`) is written by `python -m services.mapping.counterparts.calibrate`
(over a database with `qf import all` done) from the gold set, tests/mapping/gold/counterparts.csv:
every candidate the proposer ranks in the first five for a gold standard is a proposal, correct when its
SOC code is one the gold set accepts. Proposals are sorted by score and cut into bins of equal size; a
bin's confidence is its measured precision, made non-decreasing in score (pool adjacent violators), so a
higher score never means a lower confidence.
"""

from __future__ import annotations

from bisect import bisect_right

from services.mapping.counterparts import calibration_table

MIN_CONFIDENCE = 0.01  # edges.confidence must be > 0


def calibrated(score: float, bins: tuple[tuple[float, float], ...] | None = None) -> float:
    """The confidence of the bin `score` falls in; bins are (lowest score, confidence), ascending."""
    table = calibration_table.BINS if bins is None else bins
    if not table:
        return MIN_CONFIDENCE
    i = bisect_right([low for low, _ in table], score) - 1
    return max(MIN_CONFIDENCE, table[max(i, 0)][1])


def fit_bins(scored: list[tuple[float, bool]], per_bin: int) -> tuple[tuple[float, float], ...]:
    """Bins of about `per_bin` proposals each (score, correct), with isotonic (non-decreasing) precision.

    Equal scores never straddle two bins, so every score has exactly one measured precision."""
    ordered = sorted(scored)
    blocks: list[list[float]] = []  # [lowest score, correct, total]
    i = 0
    while i < len(ordered):
        j = min(i + per_bin, len(ordered))
        while j < len(ordered) and ordered[j][0] == ordered[j - 1][0]:
            j += 1
        chunk = ordered[i:j]
        blocks.append([chunk[0][0], float(sum(c for _, c in chunk)), float(len(chunk))])
        i = j
    # Pool adjacent violators: merge a bin into its left neighbour while it is less precise.
    pooled: list[list[float]] = []
    for block in blocks:
        pooled.append(block)
        while len(pooled) > 1 and pooled[-1][1] / pooled[-1][2] < pooled[-2][1] / pooled[-2][2]:
            last = pooled.pop()
            pooled[-1][1] += last[1]
            pooled[-1][2] += last[2]
    first_low = 0.0  # scores are never negative; anything below the second bin falls in the first
    return tuple(
        (first_low if k == 0 else round(low, 4), round(correct / total, 4))
        for k, (low, correct, total) in enumerate(pooled)
    )
