"""Seeds, devices, versions and the environment that makes outputs repeatable.

The chapter "Tensors" explains devices; this module only saves each chapter
from repeating the same lines.
"""

from __future__ import annotations

import importlib.metadata
import platform
import random

import numpy as np
import torch

from ._validate import check_type

__all__ = ["CPU_VARIANTS", "DETERMINISTIC_ENV", "get_device", "kernel_env", "print_versions", "set_seed", "versions"]

#: Environment variables that fix the thread count and the CPU kernel set.
#: They must be set before Python starts (torch reads them at import), so the
#: test suite and ``scripts/book.py execute`` put them in the kernel's
#: environment. With them, runs on different x86 machines give the same bits.
DETERMINISTIC_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2",
    "PYTHONHASHSEED": "0",
}

#: Other machines, simulated: the stored outputs must survive each of these
#: changes to ``DETERMINISTIC_ENV`` (``python3 scripts/book.py portability``
#: runs every notebook under each). ``baseline-kernels`` is the kernel set of
#: an older or a non-x86 CPU; ``two-threads`` splits reductions in two.
CPU_VARIANTS: dict[str, dict[str, str]] = {
    "baseline-kernels": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_CBWR": "COMPATIBLE"},
    "two-threads": {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
}


def kernel_env(variant: str | None = None) -> dict[str, str]:
    """The environment for notebook kernels: ``DETERMINISTIC_ENV``, changed by a ``CPU_VARIANTS`` entry.

    Args:
        variant: ``None`` (or ``""``) for the book's own environment, else a key of ``CPU_VARIANTS``.
    """
    if not variant:
        return dict(DETERMINISTIC_ENV)
    if variant not in CPU_VARIANTS:
        raise ValueError(f"kernel_env(): argument 'variant' must be one of {sorted(CPU_VARIANTS)}, got {variant!r}")
    return {**DETERMINISTIC_ENV, **CPU_VARIANTS[variant]}


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's random number generators.

    Args:
        seed: A non-negative integer.
    """
    check_type("set_seed", "seed", seed, int, "a non-negative int")
    if seed < 0:
        raise ValueError(f"set_seed(): argument 'seed' must be a non-negative int, got {seed}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the legacy global generator is what np.random.rand uses)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device(prefer: str | None = None) -> torch.device:
    """Return the device the chapters compute on.

    By default the best one available: a CUDA GPU, else Apple's MPS (a Mac
    with Apple silicon), else the CPU. The chapter "Tensors" writes the same
    choice out in the open, and a test checks that the two agree.

    Args:
        prefer: ``None`` (the default) for that order, or ``"cuda"``,
            ``"mps"`` or ``"cpu"`` to ask for one kind; a kind that is not
            available falls back to the CPU.
    """
    if prefer is not None:
        check_type("get_device", "prefer", prefer, str, "None or a str")
        if prefer not in ("cuda", "mps", "cpu"):
            raise ValueError(f"get_device(): argument 'prefer' must be None, 'cuda', 'mps' or 'cpu', got {prefer!r}")
    if prefer in (None, "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    if prefer in (None, "mps") and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def versions(*packages: str) -> dict[str, str]:
    """Return the versions of Python (major.minor) and of the given packages.

    A local build tag such as ``+cpu`` is dropped: the CPU and CUDA builds of
    one release give the same results on the CPU.

    Args:
        *packages: Distribution names, e.g. ``"torch"``, ``"numpy"``.
    """
    found = {"python": ".".join(platform.python_version_tuple()[:2])}
    for name in packages:
        check_type("versions", "packages", name, str, "package names (str)")
        try:
            found[name] = importlib.metadata.version(name).split("+")[0]
        except importlib.metadata.PackageNotFoundError:
            raise ValueError(f"versions(): package {name!r} is not installed") from None
    return found


def print_versions(*packages: str) -> None:
    """Print ``versions(*packages)`` on one line, e.g. ``python 3.11 | torch 2.13.0``."""
    print(" | ".join(f"{name} {version}" for name, version in versions(*packages).items()))
