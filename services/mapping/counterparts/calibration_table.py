"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.991, 0.05),
    (1.0715, 0.1375),
    (1.4738, 0.225),
    (1.5295, 0.2375),
    (1.6918, 0.3),
    (1.8293, 0.5),
    (1.9858, 0.625),
    (2.2692, 1.0),
)
