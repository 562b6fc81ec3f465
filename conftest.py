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

from utils.reproducibility import kernel_env  # noqa: E402

# BOOK_CPU_VARIANT (set by `scripts/book.py portability`) simulates another machine.
os.environ.update(kernel_env(os.environ.get("BOOK_CPU_VARIANT")))
# Unit tests draw off-screen. Only this process: kernels keep the inline backend.
matplotlib.use("Agg")
