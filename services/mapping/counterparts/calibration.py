"""Raw proposer scores -> calibrated confidence: the share of proposals at that score found correct.

The tables (`calibration_table`) are written by `python -m services.mapping.counterparts.calibrate`
(over a database with `qf import all` done) from the gold set, tests/mapping/gold/counterparts.csv:
every candidate the proposer ranks in the first five for a gold standard is a proposal, correct when its
SOC code is one the gold set accepts. Proposals are sorted by score and cut into bins of equal size; a
bin's confidence is its measured precision, made non-decreasing in score (pool adjacent violators), so a
higher score never means a lower confidence.

A standard's best candidate in a scheme is right more often than a runner-up with the same score (the
score is measured against the other candidates of one standard, and the best has beaten them all), so
best candidates have their own table (`FIRST_BINS`), the others theirs (`BINS`); a best candidate is never
less sure than a runner-up at its score would be.
"""

from __future__ import annotations

from bisect import bisect_right

from services.mapping.counterparts import calibration_table

MIN_CONFIDENCE = 0.01  # edges.confidence must be > 0


Bins = tuple[tuple[float, float], ...]


def calibrated(score: float, first: bool = False, bins: Bins | None = None) -> float:
    """The confidence of a candidate with raw `score`, the best of its scheme for its standard or not
    (`first`); `bins` replaces the tables of runners-up (for tests)."""
    confidence = confidence_in(score, calibration_table.BINS if bins is None else bins)
    if first and bins is None:
        confidence = max(confidence, confidence_in(score, calibration_table.FIRST_BINS))
    return confidence


def confidence_in(score: float, table: Bins) -> float:
    """The confidence of the bin `score` falls in; bins are (lowest score, confidence), ascending."""
    if not table:
        return MIN_CONFIDENCE
    i = bisect_right([low for low, _ in table], score) - 1
    return max(MIN_CONFIDENCE, table[max(i, 0)][1])


def fit_bins(scored: list[tuple[float, bool]], per_bin: int) -> Bins:
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
