"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (3.2474, 0.075),
    (4.736, 0.075),
    (5.5961, 0.0917),
    (7.2438, 0.15),
    (8.3853, 0.1917),
    (10.7943, 0.225),
    (12.1457, 0.2375),
    (17.183, 0.425),
    (23.7761, 0.4667),
)
