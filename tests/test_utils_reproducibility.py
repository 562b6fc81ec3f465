"""utils.reproducibility: seeds, devices, versions, the deterministic environment."""

import os
import random

import numpy as np
import pytest
import torch

from utils import DETERMINISTIC_ENV, get_device, print_versions, set_seed, versions


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


def test_get_device_falls_back_to_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device().type == expected
    assert get_device("cpu") == torch.device("cpu")


def test_get_device_rejects_unknown_kind():
    with pytest.raises(ValueError, match=r"argument 'prefer' must be 'cuda', 'mps' or 'cpu', got 'tpu'"):
        get_device("tpu")


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


def test_test_suite_runs_with_the_deterministic_environment():
    # conftest.py applies it, so every notebook kernel inherits it.
    assert DETERMINISTIC_ENV["OMP_NUM_THREADS"] == "1"
    for name, value in DETERMINISTIC_ENV.items():
        assert os.environ.get(name) == value, name
