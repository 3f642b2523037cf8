"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0375),
    (0.9928, 0.075),
    (1.0672, 0.125),
    (1.1271, 0.1443),
    (1.4669, 0.2),
    (1.5282, 0.2),
    (1.6197, 0.225),
    (1.6904, 0.275),
    (1.8193, 0.5),
    (1.9858, 0.675),
    (2.2504, 1.0),
)
