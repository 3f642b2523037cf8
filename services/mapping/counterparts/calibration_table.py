"""Written by `python -m services.mapping.counterparts.calibrate`; do not edit by hand.

(lowest raw score, measured precision) from 615 judged proposals on the gold set.
"""

BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.025),
    (5.4713, 0.0375),
    (9.4247, 0.1),
    (10.9496, 0.1417),
    (14.3516, 0.15),
    (19.2174, 0.15),
    (20.7764, 0.15),
    (22.9131, 0.35),
    (25.6439, 0.4),
    (31.7039, 0.4),
    (39.4195, 0.5333),
)
