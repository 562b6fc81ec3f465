"""Test-suite setup: a repeatable environment for every notebook kernel.

This file sits at the top of the repository so that it applies to every
run, including `pytest chapters/01_tensors.ipynb` on its own.

The kernels that nbval starts inherit this process's environment, so the
thread count and CPU kernel set are fixed here, before any kernel starts
(torch reads them when it is imported). `booktools/execute.py`, which
refreshes the stored outputs, sets the same variables.
"""

import os

import matplotlib

from utils.reproducibility import kernel_env

# BOOK_CPU_VARIANT (set by `scripts/book.py portability`) simulates another machine.
os.environ.update(kernel_env(os.environ.get("BOOK_CPU_VARIANT")))
# Unit tests draw off-screen. Only this process: kernels keep the inline backend.
matplotlib.use("Agg")
