"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set: a
standard's best candidate (FIRST_BINS) and the others (BINS).
"""

FIRST_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.48),
    (1.659, 0.56),
    (1.8392, 0.82),
    (2.1804, 0.8696),
)

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (0.8989, 0.025),
    (1.0014, 0.05),
    (1.0715, 0.095),
    (1.4442, 0.1583),
    (1.7383, 0.25),
    (1.9428, 0.4167),
)
