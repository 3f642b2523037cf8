"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (3.2806, 0.1),
    (6.7153, 0.1),
    (7.3066, 0.1625),
    (8.544, 0.175),
    (9.398, 0.1852),
    (10.9513, 0.2375),
    (13.935, 0.25),
    (17.2286, 0.4444),
)
