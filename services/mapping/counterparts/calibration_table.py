"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.48),
    (1.6601, 0.52),
    (1.8368, 0.78),
    (2.1804, 0.8696),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (0.8967, 0.025),
    (0.9894, 0.075),
    (1.0692, 0.1),
    (1.1569, 0.1),
    (1.3649, 0.1),
    (1.4357, 0.1),
    (1.5146, 0.175),
    (1.5916, 0.2375),
    (1.9428, 0.4167),
)
