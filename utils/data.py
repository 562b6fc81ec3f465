"""Small data sets that ship with installed packages, so the book runs offline.

The chapter "Training and prediction" explains the data and the split.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch.utils.data import TensorDataset

from ._validate import check_type

__all__ = ["DigitsDatasets", "digits_datasets", "load_digits", "split_indices"]


def load_digits(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Return scikit-learn's bundled 8x8 handwritten digits as tensors.

    Args:
        dtype: Floating dtype of the images.

    Returns:
        ``(X, y)``: images of shape ``(1797, 8, 8)`` with pixel values 0..16,
        and labels of shape ``(1797,)`` with dtype ``torch.int64``.
    """
    check_type("load_digits", "dtype", dtype, torch.dtype, "a torch.dtype")
    if not dtype.is_floating_point:
        raise ValueError(f"load_digits(): argument 'dtype' must be a floating dtype, got {dtype}")
    from sklearn.datasets import load_digits as _sk_load_digits  # imported lazily: slow to import

    bunch = _sk_load_digits()
    X = torch.as_tensor(bunch.images, dtype=dtype)
    y = torch.as_tensor(bunch.target, dtype=torch.int64)
    return X, y


def split_indices(n: int, fractions: tuple[float, ...], seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Shuffle ``range(n)`` with a fixed seed and cut it into parts.

    Args:
        n: Number of examples (positive).
        fractions: Fraction of the examples in each part, each in (0, 1),
            summing to 1; the last part takes any remainder from rounding.
        seed: Seed of the shuffle; the same seed gives the same split.

    Returns:
        One ``int64`` index tensor per fraction.
    """
    check_type("split_indices", "n", n, int, "a positive int")
    if n <= 0:
        raise ValueError(f"split_indices(): argument 'n' must be a positive int, got {n}")
    check_type("split_indices", "fractions", fractions, (tuple, list), "a tuple of floats")
    if not fractions or not all(isinstance(f, (int, float)) and 0 < f < 1 for f in fractions):
        raise ValueError(f"split_indices(): argument 'fractions' must hold numbers in (0, 1), got {fractions!r}")
    if abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"split_indices(): argument 'fractions' must sum to 1, got sum {sum(fractions):g}")
    check_type("split_indices", "seed", seed, int, "an int")
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(n, generator=generator)
    sizes = [int(f * n) for f in fractions[:-1]]
    sizes.append(n - sum(sizes))
    return tuple(torch.split(order, sizes))


class DigitsDatasets(NamedTuple):
    """The digits cut 60/20/20 and normalised, as :func:`digits_datasets` returns them."""

    train: TensorDataset
    val: TensorDataset
    test: TensorDataset
    mean: torch.Tensor  # of the training pixels, 0-dimensional
    std: torch.Tensor


def digits_datasets(seed: int = 0) -> DigitsDatasets:
    """The digits as the chapter "Training and prediction" prepares them, step by step.

    The seeded 60/20/20 split of :func:`split_indices`, the images normalised
    with the mean and standard deviation of the **training** pixels only, and
    a channel dimension added, so that images have shape ``(N, 1, 8, 8)``.

    Args:
        seed: Seed of the split.

    Returns:
        ``DigitsDatasets(train, val, test, mean, std)``: three
        ``TensorDataset`` of (image, label) pairs, of 1078, 359 and 360
        examples, and the two statistics as 0-dimensional tensors.
    """
    check_type("digits_datasets", "seed", seed, int, "an int")
    X, y = load_digits()
    train_idx, val_idx, test_idx = split_indices(len(X), (0.6, 0.2, 0.2), seed=seed)
    mean, std = X[train_idx].mean(), X[train_idx].std()
    X_norm = ((X - mean) / std).unsqueeze(1)
    train, val, test = (TensorDataset(X_norm[idx], y[idx]) for idx in (train_idx, val_idx, test_idx))
    return DigitsDatasets(train, val, test, mean=mean, std=std)
