"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.9908, 0.05),
    (1.0656, 0.125),
    (1.1264, 0.1458),
    (1.5221, 0.2),
    (1.6146, 0.25),
    (1.6881, 0.25),
    (1.8054, 0.525),
    (1.985, 0.65),
    (2.2468, 1.0),
)
