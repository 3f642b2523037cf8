"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.46),
    (1.8291, 0.68),
    (1.9857, 0.72),
    (2.1751, 0.8696),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.991, 0.05),
    (1.0715, 0.1),
    (1.1412, 0.12),
    (1.4918, 0.2),
    (1.5711, 0.2),
    (1.9288, 0.25),
)
