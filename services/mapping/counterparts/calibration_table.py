"""Written by scripts/calibrate_counterparts.py; do not edit by hand (see calibration.py)."""

BINS: tuple[tuple[float, float], ...] = ()
