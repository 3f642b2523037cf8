"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.44),
    (1.6288, 0.64),
    (1.8268, 0.8356),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.9756, 0.05),
    (1.0669, 0.05),
    (1.1262, 0.0833),
    (1.3544, 0.125),
    (1.43, 0.15),
    (1.5037, 0.1625),
    (1.7104, 0.225),
    (1.9418, 0.5),
)
