"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.52),
    (1.6288, 0.52),
    (1.8304, 0.74),
    (2.1863, 0.8261),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (1.0044, 0.075),
    (1.0927, 0.1),
    (1.4434, 0.15),
    (1.5131, 0.15),
    (1.6029, 0.2),
    (1.7177, 0.2),
    (1.9288, 0.25),
)
