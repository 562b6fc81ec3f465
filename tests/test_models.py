"""utils.models, utils.data.digits_datasets and utils.lightning: the same code as the chapters that teach it.

Each teaching chapter writes its model out in a cell. These tests run that
cell's source and check that it builds what the `utils` version builds: the
same parameter names and shapes, and the same outputs for the same seed (so
also the same initialisation, layer by layer).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import nbformat
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

import utils

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"


def cell_starting(notebook: str, start: str) -> str:
    """The source of the one code cell of `notebook` whose source starts with `start`."""
    cells = [c.source for c in nbformat.read(CHAPTERS / notebook, as_version=4).cells if c.cell_type == "code"]
    found = [source for source in cells if source.startswith(start)]
    assert len(found) == 1, f"{notebook}: {len(found)} code cells start with {start!r}, expected 1"
    return found[0]


def run_cells(*sources: str, **names: object) -> dict[str, object]:
    """Run cell sources in one namespace (with `names` predefined) and return it; their prints are dropped."""
    namespace: dict[str, object] = {"torch": torch, "nn": nn, "utils": utils, **names}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in sources:
            exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 (the book's own cells)
    return namespace


def assert_same_model(a: nn.Module, b: nn.Module, example: torch.Tensor) -> None:
    shapes_a = {name: tuple(t.shape) for name, t in a.state_dict().items()}
    shapes_b = {name: tuple(t.shape) for name, t in b.state_dict().items()}
    assert shapes_a == shapes_b
    for name, tensor in a.state_dict().items():
        assert torch.equal(tensor, b.state_dict()[name]), f"{name} differs"
    with torch.no_grad():
        assert torch.equal(a.eval()(example), b.eval()(example))


def example_images(n: int = 5) -> torch.Tensor:
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(1)) * 16


# ---------------------------------------------------------------- the digits CNN


def test_training_chapter_cnn_is_make_digits_cnn():
    make_cnn = run_cells(cell_starting("06_training.ipynb", "def make_cnn()"))["make_cnn"]
    torch.manual_seed(0)
    inline = make_cnn()
    torch.manual_seed(0)
    shared = utils.make_digits_cnn()
    assert_same_model(inline, shared, example_images())
    assert sum(p.numel() for p in shared.parameters()) == 29066  # as its docstring says


def test_same_model_check_can_fail():
    """The comparison sees a different initialisation and a different layer."""
    torch.manual_seed(0)
    a = utils.make_digits_cnn()
    torch.manual_seed(1)
    b = utils.make_digits_cnn()
    with pytest.raises(AssertionError, match="differs"):
        assert_same_model(a, b, example_images())
    c = utils.make_digits_cnn()
    c[1] = nn.Tanh()  # same parameters, other outputs
    c.load_state_dict(a.state_dict())
    with pytest.raises(AssertionError):
        assert_same_model(a, c, example_images())


# ---------------------------------------------------------------- the digit MLP


def test_torchscript_chapter_mlp_is_utils_digit_mlp():
    inline_class = run_cells(cell_starting("08_torchscript.ipynb", "class DigitMLP"))["DigitMLP"]
    torch.manual_seed(0)
    inline = inline_class(4.8742, 6.0102)
    torch.manual_seed(0)
    shared = utils.DigitMLP(4.8742, 6.0102)
    assert_same_model(inline, shared, example_images().squeeze(1))


def test_digit_mlp_normalises_inside_and_scripts():
    model = utils.DigitMLP(4.0, 2.0).eval()
    images = example_images().squeeze(1)
    with torch.no_grad():
        by_hand = model.out(torch.relu(model.hidden(((images - 4.0) / 2.0).flatten(1))))
        assert torch.allclose(model(images), by_hand)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript is deprecated (chapter 08)
            scripted = torch.jit.script(model)
        assert torch.allclose(scripted(images), model(images))
    assert model.mean.dtype == torch.float32 and model.std.dtype == torch.float32


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("4.9", 6.0), TypeError, r"DigitMLP\(\): argument 'mean' must be a float, got str"),
        ((4.9, torch.tensor(6.0)), TypeError, r"argument 'std' must be a float, got a tensor of shape \(\)"),
        ((4.9, 0.0), ValueError, r"DigitMLP\(\): argument 'std' must be positive, got 0.0"),
    ],
)
def test_digit_mlp_rejects_bad_statistics(args, error, match):
    with pytest.raises(error, match=match):
        utils.DigitMLP(*args)


# ---------------------------------------------------------------- the digits pipeline


def data_chapter_datasets() -> dict[str, object]:
    """The Data chapter's cells from loading to the three TensorDatasets, run in order."""
    starts = (
        "X, y = utils.load_digits()",
        "train_idx, val_idx, test_idx =",
        "mean, std = X[train_idx]",
        "class DigitsDataset(",
        "train_set = DigitsDataset(",
        "train_set = TensorDataset(",
    )
    sources = [cell_starting("05_data.ipynb", start) for start in starts]
    return run_cells(*sources, Dataset=Dataset, TensorDataset=TensorDataset)


def assert_same_dataset(a: Dataset, b: Dataset) -> None:
    assert isinstance(a, TensorDataset) and isinstance(b, TensorDataset)
    assert len(a.tensors) == len(b.tensors)
    for x, y in zip(a.tensors, b.tensors, strict=True):
        assert x.shape == y.shape and x.dtype == y.dtype
        assert torch.equal(x, y)


def test_data_chapter_pipeline_is_digits_datasets():
    inline = data_chapter_datasets()
    shared = utils.digits_datasets(seed=0)
    for name in ("train", "val", "test"):
        assert_same_dataset(inline[f"{name}_set"], getattr(shared, name))
    assert torch.equal(inline["mean"], shared.mean) and torch.equal(inline["std"], shared.std)


def test_digits_datasets_sizes_and_statistics():
    digits = utils.digits_datasets()
    assert [len(s) for s in digits[:3]] == [1078, 359, 360]
    images = digits.train.tensors[0]
    assert images.shape == (1078, 1, 8, 8)
    assert abs(images.mean().item()) < 1e-5 and abs(images.std().item() - 1) < 1e-5  # training set only
    assert abs(digits.val.tensors[0].mean().item()) > 1e-4
    other = utils.digits_datasets(seed=1)
    assert not torch.equal(other.train.tensors[1], digits.train.tensors[1])
    with pytest.raises(TypeError, match=r"digits_datasets\(\): argument 'seed' must be an int, got float"):
        utils.digits_datasets(seed=0.5)


def test_same_dataset_check_can_fail():
    digits = utils.digits_datasets()
    X, y = digits.train.tensors
    with pytest.raises(AssertionError):
        assert_same_dataset(digits.train, TensorDataset(X * 1.0001, y))
    with pytest.raises(AssertionError):
        assert_same_dataset(digits.train, TensorDataset(X.squeeze(1), y))


# ---------------------------------------------------------------- Lightning


@pytest.fixture(scope="module")
def lightning():
    with warnings.catch_warnings():
        # Lightning 2.6.6 calls a torch function that torch 2.13 deprecates (see the Lightning chapter).
        warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)", category=FutureWarning)
        import pytorch_lightning as pl

        import utils.lightning
    return pl, utils.lightning


def lightning_chapter_classes(pl) -> dict[str, object]:
    data_cell = cell_starting("10_lightning.ipynb", "class DigitsDataModule(")
    model_cell = cell_starting("10_lightning.ipynb", "class DigitsClassifier(")
    return run_cells(data_cell, model_cell, pl=pl, DataLoader=DataLoader, TensorDataset=TensorDataset)


def test_lightning_chapter_classes_are_utils_lightning(lightning):
    pl, shared = lightning
    inline = lightning_chapter_classes(pl)
    data_inline, data_shared = inline["DigitsDataModule"](), shared.DigitsDataModule()
    data_inline.setup("fit"), data_shared.setup("fit")
    for name in ("train_set", "val_set", "test_set"):
        assert_same_dataset(getattr(data_inline, name), getattr(data_shared, name))
    batches = [next(iter(d.train_dataloader())) for d in (data_inline, data_shared)]
    assert torch.equal(batches[0][1], batches[1][1])  # the same shuffled order
    assert data_inline.state_dict().keys() == data_shared.state_dict().keys()

    torch.manual_seed(0)
    model_inline = inline["DigitsClassifier"]()
    torch.manual_seed(0)
    model_shared = shared.DigitsClassifier()
    assert_same_model(model_inline, model_shared, example_images())
    batch = batches[0]
    for model in (model_inline, model_shared):
        model.log = lambda *args, **kwargs: None  # outside a Trainer
    assert torch.equal(model_inline.training_step(batch, 0), model_shared.training_step(batch, 0))
    assert torch.equal(model_inline.predict_step(batch, 0), model_shared.predict_step(batch, 0))
    opt_inline, opt_shared = model_inline.configure_optimizers(), model_shared.configure_optimizers()
    assert type(opt_inline) is type(opt_shared) and opt_inline.defaults == opt_shared.defaults
