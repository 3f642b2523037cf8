"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.52),
    (1.6291, 0.52),
    (1.8396, 0.72),
    (2.1904, 0.8696),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.9973, 0.0732),
    (1.0733, 0.1),
    (1.1615, 0.1062),
    (1.4391, 0.125),
    (1.5131, 0.175),
    (1.5989, 0.2),
    (1.72, 0.2),
    (1.9428, 0.2727),
)
