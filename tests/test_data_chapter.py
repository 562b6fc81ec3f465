"""The chapter "Data" (05_data.ipynb) writes classes in the open that its worker cells take from `utils`.

A worker started with spawn or forkserver must import the dataset's class,
so the chapter uses `utils.DigitFolder`, `utils.RandomShift`, ... there. These
tests run the chapter's cells and check that they behave exactly like the
`utils` versions, and test the `utils` versions on their own.
"""

from __future__ import annotations

import contextlib
import io
import pickle
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

import utils

CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "05_data.ipynb"


def cell_starting(start: str) -> str:
    """The source of the one code cell of the chapter whose source starts with `start`."""
    cells = [c.source for c in nbformat.read(CHAPTER, as_version=4).cells if c.cell_type == "code"]
    found = [source for source in cells if source.startswith(start)]
    assert len(found) == 1, f"{CHAPTER.name}: {len(found)} code cells start with {start!r}, expected 1"
    return found[0]


def run_cells(*sources: str, **names: object) -> dict[str, object]:
    """Run cell sources in one namespace (with `names` predefined) and return it; their prints are dropped."""
    namespace: dict[str, object] = {"torch": torch, "utils": utils, **names}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in sources:
            exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 (the book's own cells)
    return namespace


@pytest.fixture(scope="module")
def chapter() -> dict[str, object]:
    """The chapter's classes and functions, from its cells."""
    starts = ("import numpy as np", "class Compose:", "import math", "from torch.nn.utils.rnn import pad_sequence")
    return run_cells(*(cell_starting(start) for start in starts), Dataset=Dataset, Path=Path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    X, y = utils.load_digits()
    return utils.write_digit_folder(tmp_path_factory.mktemp("digits"), X[:40], y[:40])


def assert_same_items(a: Dataset, b: Dataset, seed: int = 0) -> None:
    """Same length and, item by item (with the global generator seeded alike), the same image and label."""
    assert len(a) == len(b)  # type: ignore[arg-type]
    for i in range(len(a)):  # type: ignore[arg-type]
        torch.manual_seed(seed + i)
        image_a, label_a = a[i]
        torch.manual_seed(seed + i)
        image_b, label_b = b[i]
        assert image_a.shape == image_b.shape and image_a.dtype == image_b.dtype
        assert torch.equal(image_a, image_b), f"item {i} differs"
        assert label_a == label_b


def same_draws(make_a: Callable[[torch.Generator], object], make_b: Callable[[torch.Generator], object]) -> None:
    """Two transforms built on equally seeded generators give the same images, call after call."""
    a, b = make_a(torch.Generator().manual_seed(3)), make_b(torch.Generator().manual_seed(3))
    images = utils.load_digits()[0][:30].unsqueeze(1)
    for image in images:
        assert torch.equal(a(image), b(image))  # type: ignore[operator]


def test_chapter_digit_folder_is_utils_digit_folder(chapter, folder):
    inline, shared = chapter["DigitFolder"](folder), utils.DigitFolder(folder)
    assert_same_items(inline, shared)
    X, y = utils.load_digits()
    assert torch.equal(torch.stack([shared[i][0][0] for i in range(40)]), X[:40])  # the round trip is exact
    assert [shared[i][1] for i in range(40)] == y[:40].tolist()
    transform = chapter["Compose"]([chapter["RandomShift"](2), chapter["Normalize"](4.87, 6.01)])
    shared_transform = utils.Compose([utils.RandomShift(2), utils.Normalize(4.87, 6.01)])
    assert_same_items(chapter["DigitFolder"](folder, transform), utils.DigitFolder(folder, shared_transform))


def test_chapter_transforms_are_utils_transforms(chapter):
    same_draws(lambda g: chapter["RandomShift"](2, g), lambda g: utils.RandomShift(2, g))
    same_draws(lambda g: chapter["RandomRotation"](10, g), lambda g: utils.RandomRotation(10, g))
    same_draws(
        lambda g: chapter["Compose"]([chapter["RandomShift"](1, g), chapter["Normalize"](4.0, 2.0)]),
        lambda g: utils.Compose([utils.RandomShift(1, g), utils.Normalize(4.0, 2.0)]),
    )


def test_chapter_pad_collate_is_utils_pad_collate(chapter):
    batch = [(torch.arange(1.0, n + 1), n % 3) for n in (4, 1, 6)]
    for a, b in zip(chapter["pad_collate"](batch), utils.pad_collate(batch), strict=True):
        assert a.dtype == b.dtype and torch.equal(a, b)


def test_comparisons_can_fail(chapter, folder):
    with pytest.raises(AssertionError):
        same_draws(lambda g: chapter["RandomShift"](1, g), lambda g: utils.RandomShift(2, g))
    with pytest.raises(AssertionError):
        same_draws(lambda g: chapter["RandomRotation"](10, g), lambda g: utils.RandomRotation(20, g))
    with pytest.raises(AssertionError, match="differs"):
        assert_same_items(utils.DigitFolder(folder), utils.DigitFolder(folder, utils.Normalize(0.0, 2.0)))


# ---------------------------------------------------------------- utils on their own


def test_random_shift_moves_a_dot_and_brings_in_zeros():
    dot = torch.zeros(1, 8, 8)
    dot[0, 3, 3] = 1.0
    torch.manual_seed(0)
    moved = [utils.RandomShift(2)(dot) for _ in range(200)]
    places = {divmod(int(m.flatten().argmax()), 8) for m in moved}
    assert places == {(r, c) for r in range(1, 6) for c in range(1, 6)}  # every shift in -2..2, both ways
    assert all(m.sum() == 1 and m.shape == dot.shape for m in moved)
    assert torch.equal(utils.RandomShift(0)(dot), dot)


def test_random_rotation_keeps_shape_and_zero_angle_is_identity():
    image = utils.load_digits()[0][5].unsqueeze(0)
    assert torch.allclose(utils.RandomRotation(0)(image), image, atol=1e-5)
    rotated = utils.RandomRotation(30, torch.Generator().manual_seed(0))(image)
    assert rotated.shape == image.shape and not torch.allclose(rotated, image, atol=1e-2)


def test_pad_collate_pads_masks_and_counts():
    padded, lengths, mask, labels = utils.pad_collate([(torch.tensor([1.0, 2.0]), 3), (torch.tensor([5.0]), 4)])
    assert torch.equal(padded, torch.tensor([[1.0, 2.0], [5.0, 0.0]]))
    assert lengths.tolist() == [2, 1] and labels.tolist() == [3, 4]
    assert mask.tolist() == [[True, True], [True, False]]


def test_transformed_dataset_applies_the_transform():
    data = TensorDataset(torch.ones(3, 1, 2, 2), torch.tensor([0, 1, 2]))
    wrapped = utils.TransformedDataset(data, utils.Normalize(1.0, 2.0))
    assert len(wrapped) == 3
    image, label = wrapped[2]
    assert torch.equal(image, torch.zeros(1, 2, 2)) and label.item() == 2


def test_digit_folder_pickles_by_reference_to_utils(folder):
    dataset = utils.DigitFolder(folder, utils.RandomShift(1))
    assert b"utils.data" in pickle.dumps(dataset)
    assert_same_items(pickle.loads(pickle.dumps(dataset)), dataset)


def _shifts(loader: DataLoader) -> list[tuple[int, int]]:
    where = torch.cat([images for images, _ in loader]).flatten(1).argmax(dim=1)
    return list(zip((where // 8).tolist(), (where % 8).tolist(), strict=True))


def probe_loader(transform: Callable[[torch.Tensor], torch.Tensor], **options: object) -> DataLoader:
    images = torch.zeros(8, 1, 8, 8)
    images[:, 0, 3, 3] = 1.0
    probe = utils.TransformedDataset(TensorDataset(images, torch.zeros(8)), transform)
    return DataLoader(probe, batch_size=2, num_workers=2, generator=torch.Generator().manual_seed(0), **options)


def test_reseed_worker_gives_each_worker_its_own_draws():
    held = utils.RandomShift(2, generator=torch.Generator().manual_seed(0))
    copied = _shifts(probe_loader(held))
    assert copied[2:4] == copied[0:2] and copied[6:8] == copied[4:6]  # the bug: both workers draw the same
    reseeded = _shifts(probe_loader(held, worker_init_fn=utils.reseed_worker))
    assert not (reseeded[2:4] == reseeded[0:2] and reseeded[6:8] == reseeded[4:6])
    assert reseeded == _shifts(probe_loader(held, worker_init_fn=utils.reseed_worker))  # reproducible


def test_reseed_worker_outside_a_worker_says_so():
    with pytest.raises(RuntimeError, match=r"reseed_worker\(\): call it in a DataLoader worker"):
        utils.reseed_worker(0)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: utils.RandomShift(-1), ValueError, r"RandomShift\(\): argument 'max_shift' .* got -1"),
        (lambda: utils.RandomShift(1.5), TypeError, r"RandomShift\(\): argument 'max_shift' .* got float"),
        (lambda: utils.RandomShift(1, generator=0), TypeError, r"'generator' must be a torch.Generator or None"),
        (lambda: utils.RandomRotation(-5), ValueError, r"RandomRotation\(\): argument 'max_degrees'"),
        (lambda: utils.Normalize(0.0, 0.0), ValueError, r"Normalize\(\): argument 'std' must be positive, got 0.0"),
        (lambda: utils.Compose([1]), TypeError, r"Compose\(\): .* callables, got \['int'\]"),
        (lambda: utils.TransformedDataset([1], abs), TypeError, r"'dataset' must be a torch Dataset, got list"),
        (lambda: utils.DigitFolder("/nonexistent"), ValueError, r"DigitFolder\(\): no labels.csv in '/nonexistent'"),
        (lambda: utils.DigitFolder(".", transform=3), TypeError, r"'transform' must be callable or None, got int"),
        (lambda: utils.pad_collate([]), ValueError, r"pad_collate\(\): argument 'batch' must not be empty"),
    ],
)
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_write_digit_folder_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"must hold pixel values in 0..16"):
        utils.write_digit_folder(tmp_path, torch.full((2, 8, 8), 17.0), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"must have the same length, got 2 and 3"):
        utils.write_digit_folder(tmp_path, torch.zeros(2, 8, 8), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"argument 'folder' must be an existing folder"):
        utils.write_digit_folder(tmp_path / "missing", torch.zeros(2, 8, 8), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"argument 'images' must have 3 dimension"):
        utils.write_digit_folder(tmp_path, torch.zeros(2, 64), torch.tensor([0, 1]))
