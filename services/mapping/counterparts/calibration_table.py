"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.48),
    (1.655, 0.56),
    (1.8577, 0.8),
    (2.1804, 0.8696),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (0.8967, 0.025),
    (0.993, 0.075),
    (1.0673, 0.0938),
    (1.3647, 0.1),
    (1.4343, 0.122),
    (1.5041, 0.175),
    (1.6029, 0.1951),
    (1.73, 0.225),
    (1.9847, 0.5),
)
