"""`python -m qf`, the same as the installed `qf` command."""

import sys

from qf.cli import main

sys.exit(main())
