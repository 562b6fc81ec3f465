"""utils.data: the bundled digits and the seeded split."""

import pytest
import torch

from utils import load_digits, split_indices


def test_load_digits_shapes_and_dtypes():
    X, y = load_digits()
    assert X.shape == (1797, 8, 8) and X.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert X.min().item() == 0 and X.max().item() == 16
    assert sorted(y.unique().tolist()) == list(range(10))


def test_load_digits_other_float_dtype():
    X, _ = load_digits(dtype=torch.float64)
    assert X.dtype == torch.float64


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dtype": "float32"}, TypeError, r"load_digits\(\): argument 'dtype' must be a torch.dtype, got str"),
        ({"dtype": torch.int64}, ValueError, r"argument 'dtype' must be a floating dtype, got torch.int64"),
    ],
)
def test_load_digits_rejects_bad_dtype(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_digits(**kwargs)


def test_split_indices_is_a_seeded_partition():
    parts = split_indices(100, (0.6, 0.2, 0.2), seed=1)
    assert [len(p) for p in parts] == [60, 20, 20]
    assert sorted(torch.cat(parts).tolist()) == list(range(100))
    again = split_indices(100, (0.6, 0.2, 0.2), seed=1)
    assert all(torch.equal(a, b) for a, b in zip(parts, again, strict=True))
    other = split_indices(100, (0.6, 0.2, 0.2), seed=2)
    assert not torch.equal(parts[0], other[0])


def test_split_indices_last_part_takes_the_remainder():
    assert [len(p) for p in split_indices(10, (0.33, 0.67))] == [3, 7]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0, (0.5, 0.5)), ValueError, r"argument 'n' must be a positive int, got 0"),
        ((10.0, (0.5, 0.5)), TypeError, r"argument 'n' must be a positive int, got float"),
        ((True, (0.5, 0.5)), TypeError, r"argument 'n' must be a positive int, got bool"),
        ((10, 0.5), TypeError, r"argument 'fractions' must be a tuple of floats, got float"),
        ((10, (0.5, 1.5)), ValueError, r"argument 'fractions' must hold numbers in \(0, 1\)"),
        ((10, (0.5, 0.2)), ValueError, r"argument 'fractions' must sum to 1, got sum 0.7"),
    ],
)
def test_split_indices_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        split_indices(*args)
