"""utils.reproducibility: seeds, devices, versions, the deterministic environment."""

import ast
import random
import subprocess
import sys

import nbformat
import numpy as np
import pytest
import torch

from booktools import ROOT
from utils import CPU_VARIANTS, DETERMINISTIC_ENV, get_device, kernel_env, print_versions, set_seed, versions


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()  # noqa: NPY002


def test_set_seed_repeats_all_three_generators():
    set_seed(3)
    first = draw()
    set_seed(3)
    assert draw() == first
    set_seed(4)
    assert draw() != first


@pytest.mark.parametrize(
    ("seed", "error", "match"),
    [
        (-1, ValueError, r"set_seed\(\): argument 'seed' must be a non-negative int, got -1"),
        (1.5, TypeError, r"set_seed\(\): argument 'seed' must be a non-negative int, got float"),
    ],
)
def test_set_seed_rejects_bad_seed(seed, error, match):
    with pytest.raises(error, match=match):
        set_seed(seed)


@pytest.fixture
def fake_accelerators(monkeypatch):
    """Make torch report the given accelerators as available (or not), whatever this machine has."""

    def fake(*, cuda: bool, mps: bool) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return fake


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_get_device_prefers_cuda_then_mps_then_cpu(fake_accelerators, cuda, mps, expected):
    fake_accelerators(cuda=cuda, mps=mps)
    assert get_device() == torch.device(expected)


def chapter_function(notebook: str, name: str):
    """Return the function `name` exactly as the code cell of `notebook` that defines it writes it."""
    for cell in nbformat.read(ROOT / notebook, as_version=4).cells:
        if cell.cell_type != "code" or f"def {name}(" not in cell.source:
            continue
        tree = ast.parse(cell.source)
        definition = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)
        namespace = {"torch": torch}
        exec(compile(ast.Module(body=[definition], type_ignores=[]), notebook, "exec"), namespace)  # noqa: S102
        return namespace[name]
    raise AssertionError(f"{notebook} has no code cell that defines {name}()")


@pytest.mark.parametrize(("cuda", "mps"), [(True, True), (True, False), (False, True), (False, False)])
def test_get_device_is_what_the_tensors_chapter_writes_out(fake_accelerators, cuda, mps):
    pick_device = chapter_function("chapters/01_tensors.ipynb", "pick_device")
    fake_accelerators(cuda=cuda, mps=mps)
    assert pick_device() == get_device()


@pytest.mark.parametrize(
    ("prefer", "cuda", "mps", "expected"),
    [
        ("cuda", True, True, "cuda"),
        ("cuda", False, True, "cpu"),  # asked for CUDA: no silent switch to MPS
        ("mps", True, True, "mps"),
        ("mps", True, False, "cpu"),
        ("cpu", True, True, "cpu"),
    ],
)
def test_get_device_honours_prefer_and_falls_back_to_cpu(fake_accelerators, prefer, cuda, mps, expected):
    fake_accelerators(cuda=cuda, mps=mps)
    assert get_device(prefer) == torch.device(expected)


@pytest.mark.parametrize(
    ("prefer", "error", "match"),
    [
        ("tpu", ValueError, r"argument 'prefer' must be None, 'cuda', 'mps' or 'cpu', got 'tpu'"),
        (0, TypeError, r"get_device\(\): argument 'prefer' must be None or a str, got int"),
    ],
)
def test_get_device_rejects_unknown_kind(prefer, error, match):
    with pytest.raises(error, match=match):
        get_device(prefer)


def test_versions_reports_python_and_packages_without_build_tag():
    found = versions("torch", "numpy")
    assert list(found) == ["python", "torch", "numpy"]
    assert found["torch"] == torch.__version__.split("+")[0]
    assert found["python"].count(".") == 1


def test_versions_rejects_missing_package():
    with pytest.raises(ValueError, match=r"package 'no-such-package' is not installed"):
        versions("no-such-package")


def test_print_versions_one_line(capsys):
    print_versions("numpy")
    out = capsys.readouterr().out
    assert out.startswith("python 3.") and f"| numpy {np.__version__}" in out and out.count("\n") == 1


def test_notebook_kernels_start_with_one_thread_and_the_avx2_kernels():
    # conftest.py puts DETERMINISTIC_ENV into this process's environment, which
    # every notebook kernel (a child process, as here) inherits; torch reads it at import.
    probe = "import torch; print(torch.get_num_threads(), torch.backends.cpu.get_cpu_capability())"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["1", "AVX2"], result.stdout


def test_kernel_env_is_the_deterministic_env_changed_by_a_variant():
    assert kernel_env() == DETERMINISTIC_ENV and kernel_env("") == DETERMINISTIC_ENV
    two = kernel_env("two-threads")
    assert two["OMP_NUM_THREADS"] == "2" and two["ATEN_CPU_CAPABILITY"] == DETERMINISTIC_ENV["ATEN_CPU_CAPABILITY"]
    assert kernel_env("baseline-kernels")["ATEN_CPU_CAPABILITY"] == "default"
    assert all(set(kernel_env(v)) == set(DETERMINISTIC_ENV) for v in CPU_VARIANTS)
    with pytest.raises(ValueError, match=r"argument 'variant' must be one of \['baseline-kernels', 'two-threads'\]"):
        kernel_env("avx512")
