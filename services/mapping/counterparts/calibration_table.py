"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0667),
    (0.9523, 0.105),
    (1.2883, 0.15),
    (1.488, 0.2),
    (1.5681, 0.3),
    (1.6919, 0.4),
    (1.8879, 0.7),
    (2.0994, 0.8),
)
