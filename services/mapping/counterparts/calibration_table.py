"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.48),
    (1.6601, 0.52),
    (1.846, 0.76),
    (2.1804, 0.8696),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (0.8995, 0.025),
    (1.0, 0.075),
    (1.0707, 0.1),
    (1.1578, 0.1),
    (1.3662, 0.1),
    (1.4312, 0.125),
    (1.5086, 0.125),
    (1.5963, 0.2375),
    (1.9418, 0.4167),
)
