"""Small data sets that ship with installed packages, so the book runs offline.

The chapter "Data" explains the data, the split, the file-backed dataset,
the transforms and the worker helpers below.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset, TensorDataset, get_worker_info

from ._validate import check_tensor, check_type, describe

__all__ = [
    "Compose",
    "DigitFolder",
    "DigitsDatasets",
    "Normalize",
    "RandomRotation",
    "RandomShift",
    "TransformedDataset",
    "digits_datasets",
    "load_digits",
    "pad_collate",
    "reseed_worker",
    "split_indices",
    "write_digit_folder",
]


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
    """The digits as the chapter "Data" prepares them, step by step.

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


# --------------------------------------------------------------------------- the chapter "Data"
# Workers started with "spawn" or "forkserver" (macOS, Windows, Linux from Python 3.14) unpickle the
# dataset in a fresh interpreter, which finds a class only if it can import it: a class defined in a
# notebook cannot be found there. So the chapter writes these in the open and uses them from here.

_LABELS_FILE = "labels.csv"
_PIXEL_SCALE = 15  # pixel values 0..16 are stored as 0..240 in 8-bit grey images


def write_digit_folder(folder: str | Path, images: torch.Tensor, labels: torch.Tensor) -> Path:
    """Write digits as one PNG file each plus ``labels.csv``, as the chapter "Data" does.

    Args:
        folder: An existing folder to write into.
        images: Shape ``(N, 8, 8)`` (or any ``(N, H, W)``), pixel values 0..16.
        labels: Shape ``(N,)``, integer class of each image.

    Returns:
        The folder, as a ``Path``: files ``00000.png``, ``00001.png``, ... and
        ``labels.csv`` with lines ``file,label``.
    """
    func = "write_digit_folder"
    check_type(func, "folder", folder, (str, Path), "a str or Path")
    check_tensor(func, "images", images, ndim=3)
    check_tensor(func, "labels", labels, ndim=1)
    if len(images) != len(labels):
        raise ValueError(
            f"{func}(): 'images' and 'labels' must have the same length, got {len(images)} and {len(labels)}"
        )
    if images.min() < 0 or images.max() > 16:
        raise ValueError(
            f"{func}(): argument 'images' must hold pixel values in 0..16, got {images.min()}..{images.max()}"
        )
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{func}(): argument 'folder' must be an existing folder, got {str(folder)!r}")
    from PIL import Image  # Pillow comes with matplotlib

    lines = []
    for i, (image, label) in enumerate(zip(images, labels.tolist(), strict=True)):
        name = f"{i:05d}.png"
        pixels = (image * _PIXEL_SCALE).round().to(torch.uint8).numpy()
        Image.fromarray(pixels).save(folder / name)  # uint8, 2-D: an 8-bit grey image
        lines.append(f"{name},{label}\n")
    (folder / _LABELS_FILE).write_text("".join(lines))
    return folder


class DigitFolder(Dataset[tuple[torch.Tensor, int]]):
    """A lazy, file-backed map-style dataset: each image is read from disk when asked for.

    The chapter "Data" writes it out as ``DigitFolder``; the worker cells use
    this copy, which a spawned worker can import. Reads the folder that
    :func:`write_digit_folder` writes.

    Args:
        folder: The folder with ``labels.csv`` and the image files.
        transform: Optional callable applied to each image tensor.
    """

    def __init__(self, folder: str | Path, transform: Callable[[torch.Tensor], torch.Tensor] | None = None) -> None:
        check_type("DigitFolder", "folder", folder, (str, Path), "a str or Path")
        if transform is not None and not callable(transform):
            raise TypeError(f"DigitFolder(): argument 'transform' must be callable or None, got {describe(transform)}")
        self.folder = Path(folder)
        if not (self.folder / _LABELS_FILE).is_file():
            raise ValueError(f"DigitFolder(): no {_LABELS_FILE} in {str(self.folder)!r}")
        rows = [line.split(",") for line in (self.folder / _LABELS_FILE).read_text().splitlines()]
        self.files = [name for name, _ in rows]
        self.labels = [int(label) for _, label in rows]
        self.transform = transform

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        from PIL import Image

        with Image.open(self.folder / self.files[i]) as file:
            pixels = torch.from_numpy(np.asarray(file, dtype=np.float32))
        image = pixels.unsqueeze(0) / _PIXEL_SCALE  # back to 0..16, shape (1, H, W)
        if self.transform is not None:
            image = self.transform(image)
        return image, self.labels[i]


class Compose:
    """Apply transforms one after the other (``torchvision.transforms.v2.Compose``); chapter "Data"."""

    def __init__(self, transforms: Sequence[Callable[[torch.Tensor], torch.Tensor]]) -> None:
        check_type("Compose", "transforms", transforms, (list, tuple), "a list of callables")
        if not all(callable(t) for t in transforms):
            raise TypeError(
                f"Compose(): argument 'transforms' must hold callables, got {[describe(t) for t in transforms]}"
            )
        self.transforms = list(transforms)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        for transform in self.transforms:
            image = transform(image)
        return image


class Normalize:
    """``(image - mean) / std`` with statistics fitted on the training split (``v2.Normalize``); chapter "Data"."""

    def __init__(self, mean: float, std: float) -> None:
        check_type("Normalize", "mean", mean, (int, float), "a float")
        check_type("Normalize", "std", std, (int, float), "a float")
        if not std > 0:
            raise ValueError(f"Normalize(): argument 'std' must be positive, got {std}")
        self.mean, self.std = float(mean), float(std)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return (image - self.mean) / self.std


class RandomShift:
    """Shift an image by up to ``max_shift`` pixels in each direction; chapter "Data".

    Pads with zeros (no ink), then crops a random window of the original size:
    what ``torchvision.transforms.v2.RandomCrop(size, padding=max_shift)``
    does. Draws from ``generator``, or from torch's global generator (which
    the ``DataLoader`` seeds differently in every worker) when it is ``None``.

    Args:
        max_shift: Largest shift in pixels (non-negative int).
        generator: Optional ``torch.Generator`` to draw the shifts from.
    """

    def __init__(self, max_shift: int, generator: torch.Generator | None = None) -> None:
        check_type("RandomShift", "max_shift", max_shift, int, "a non-negative int")
        if max_shift < 0:
            raise ValueError(f"RandomShift(): argument 'max_shift' must be a non-negative int, got {max_shift}")
        check_type("RandomShift", "generator", generator, (torch.Generator, type(None)), "a torch.Generator or None")
        self.max_shift, self.generator = max_shift, generator

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        k = self.max_shift
        dy, dx = torch.randint(-k, k + 1, (2,), generator=self.generator).tolist()
        height, width = image.shape[-2:]
        padded = F.pad(image, (k, k, k, k))  # zeros around: no ink
        return padded[..., k - dy : k - dy + height, k - dx : k - dx + width]  # moved dy down, dx right


class RandomRotation:
    """Rotate an image by a random angle in ``[-max_degrees, max_degrees]``; chapter "Data".

    Built from ``F.affine_grid`` and ``F.grid_sample`` (bilinear, zeros
    outside): what ``torchvision.transforms.v2.RandomRotation(max_degrees)`` does.

    Args:
        max_degrees: Largest angle in degrees (non-negative).
        generator: Optional ``torch.Generator`` to draw the angles from.
    """

    def __init__(self, max_degrees: float, generator: torch.Generator | None = None) -> None:
        check_type("RandomRotation", "max_degrees", max_degrees, (int, float), "a non-negative float")
        if max_degrees < 0:
            raise ValueError(f"RandomRotation(): argument 'max_degrees' must be non-negative, got {max_degrees}")
        check_type("RandomRotation", "generator", generator, (torch.Generator, type(None)), "a torch.Generator or None")
        self.max_degrees, self.generator = float(max_degrees), generator

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        angle = (torch.rand((), generator=self.generator) * 2 - 1) * math.radians(self.max_degrees)
        cos, sin = angle.cos().item(), angle.sin().item()
        theta = torch.tensor([[[cos, -sin, 0.0], [sin, cos, 0.0]]])
        grid = F.affine_grid(theta, [1, *image.shape], align_corners=False)
        return F.grid_sample(image.unsqueeze(0), grid, align_corners=False).squeeze(0)


class TransformedDataset(Dataset[tuple[torch.Tensor, Any]]):
    """Serve ``(transform(image), label)`` from any dataset of pairs; chapter "Data"."""

    def __init__(self, dataset: Dataset[Any], transform: Callable[[torch.Tensor], torch.Tensor]) -> None:
        check_type("TransformedDataset", "dataset", dataset, Dataset, "a torch Dataset")
        if not callable(transform):
            raise TypeError(f"TransformedDataset(): argument 'transform' must be callable, got {describe(transform)}")
        self.dataset, self.transform = dataset, transform

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, Any]:
        image, label = self.dataset[i]
        return self.transform(image), label


def reseed_worker(worker_id: int) -> None:
    """A ``worker_init_fn``: reseed every ``torch.Generator`` the worker's copy of the dataset holds; chapter "Data".

    Each worker gets a *copy* of the dataset, and so of any generator stored in
    it: without this, every worker draws the same numbers. The seed is
    ``get_worker_info().seed``, which differs per worker and each time the workers start.
    """
    info = get_worker_info()
    if info is None:
        raise RuntimeError("reseed_worker(): call it in a DataLoader worker (as worker_init_fn)")
    for offset, generator in enumerate(_generators(info.dataset)):
        generator.manual_seed(info.seed + offset)


def _generators(obj: object, depth: int = 0) -> list[torch.Generator]:
    """The torch.Generators reachable through attributes and lists of ``obj`` (a dataset and its transforms)."""
    if isinstance(obj, torch.Generator):
        return [obj]
    if depth > 4:
        return []
    children: list[object] = (
        list(obj) if isinstance(obj, (list, tuple)) else list(getattr(obj, "__dict__", {}).values())
    )
    return [g for child in children for g in _generators(child, depth + 1)]


def pad_collate(
    batch: Sequence[tuple[torch.Tensor, int]],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A ``collate_fn`` for 1-D sequences of different lengths; chapter "Data".

    Args:
        batch: ``(sequence, label)`` pairs, each sequence of shape ``(length,)``.

    Returns:
        ``(padded, lengths, mask, labels)``: shape ``(B, T)`` padded with zeros
        (``T`` the longest length), ``(B,)`` lengths, ``(B, T)`` bool mask
        (``True`` on real positions) and ``(B,)`` labels.
    """
    check_type("pad_collate", "batch", batch, (list, tuple), "a list of (sequence, label) pairs")
    if not batch:
        raise ValueError("pad_collate(): argument 'batch' must not be empty")
    sequences = [sequence for sequence, _ in batch]
    lengths = torch.tensor([len(s) for s in sequences])
    padded = pad_sequence(sequences, batch_first=True)  # (B, T), zeros after each end
    mask = torch.arange(padded.shape[1]) < lengths[:, None]
    labels = torch.tensor([label for _, label in batch])
    return padded, lengths, mask, labels
