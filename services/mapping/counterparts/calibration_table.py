"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.48),
    (1.8304, 0.72),
    (1.9858, 0.72),
    (2.1863, 0.8261),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.991, 0.05),
    (1.0715, 0.125),
    (1.1513, 0.125),
    (1.4297, 0.15),
    (1.4936, 0.175),
    (1.5756, 0.175),
    (1.7104, 0.2),
    (1.9288, 0.25),
)
