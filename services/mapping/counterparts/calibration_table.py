"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (1.8304, 0.74),
    (2.1863, 0.8261),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (1.0, 0.0875),
    (1.1608, 0.1062),
    (1.4391, 0.15),
    (1.5101, 0.15),
    (1.5989, 0.2125),
    (1.9288, 0.25),
)
