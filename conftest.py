"""Test-suite setup: a repeatable environment for every notebook kernel.

This file sits at the top of the repository so that it applies to every
run, including `pytest chapters/01_tensors.ipynb` on its own.

The kernels that nbval starts inherit this process's environment, so the
thread count and CPU kernel set are fixed here, before any kernel starts
(torch reads them when it is imported). `scripts/execute_notebooks.py`, which
refreshes the stored outputs, sets the same variables.
"""

import os
import sys
from pathlib import Path

import matplotlib

sys.path.insert(0, str(Path(__file__).parent / "tests"))  # tests/notebook_checks.py

from utils.reproducibility import DETERMINISTIC_ENV  # noqa: E402

os.environ.update(DETERMINISTIC_ENV)
# Unit tests draw off-screen. Only this process: kernels keep the inline backend.
matplotlib.use("Agg")
