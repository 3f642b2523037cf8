"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.05),
    (0.8146, 0.05),
    (0.9004, 0.05),
    (0.9787, 0.1402),
    (1.5259, 0.2195),
    (1.5974, 0.375),
    (1.6926, 0.4),
    (1.8913, 0.675),
    (2.1234, 1.0),
)
