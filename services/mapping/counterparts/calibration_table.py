"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 614 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (7.0493, 0.0),
    (8.5847, 0.05),
    (9.7682, 0.05),
    (10.4673, 0.0625),
    (12.0075, 0.093),
    (13.4762, 0.205),
    (17.5002, 0.25),
    (19.4792, 0.25),
    (23.4138, 0.3617),
)
