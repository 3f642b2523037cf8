"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (6.2684, 0.05),
    (8.3733, 0.05),
    (9.8356, 0.1),
    (11.3195, 0.1625),
    (23.4027, 0.375),
    (32.1965, 0.425),
    (41.415, 0.5333),
)
