"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (3.1574, 0.025),
    (4.6426, 0.0738),
    (6.5224, 0.1125),
    (7.6579, 0.15),
    (8.2698, 0.1833),
    (10.7787, 0.2),
    (12.1253, 0.2375),
    (17.372, 0.45),
    (24.2922, 0.4615),
)
