"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (5.4531, 0.0375),
    (9.4234, 0.075),
    (10.9381, 0.1313),
    (16.1538, 0.1625),
    (18.9089, 0.1829),
    (23.5165, 0.275),
    (25.7583, 0.4375),
    (40.116, 0.5385),
)
