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
    (0.0, 0.037),
    (1.0014, 0.0494),
    (1.1466, 0.075),
    (1.2356, 0.0875),
    (1.3606, 0.125),
    (1.4368, 0.15),
    (1.5101, 0.1625),
    (1.7126, 0.25),
    (1.9803, 0.5),
)
