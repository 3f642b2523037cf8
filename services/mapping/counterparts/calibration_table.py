"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.075),
    (0.8922, 0.1),
    (0.9638, 0.11),
    (1.2901, 0.1333),
    (1.4887, 0.2439),
    (1.5726, 0.25),
    (1.687, 0.45),
    (1.8939, 0.65),
    (2.1014, 0.9286),
)
