"""The helpers of the chapter "PyTorch Lightning": the hook recorder, the TensorBoard reader, the pictures.

utils.lightning.HookRecorder is also written out in the chapter; a test runs
that cell and checks that both record the same hooks on one tiny run.
"""

from __future__ import annotations

import logging
import math
import warnings
from pathlib import Path

import matplotlib
import nbformat
import pytest
import torch
from matplotlib.patches import Rectangle

import utils

matplotlib.use("Agg")
CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "10_lightning.ipynb"


def chapter_cell(start: str) -> str:
    """The source of the one code cell of chapter 10 whose source starts with `start`."""
    found = [
        c.source
        for c in nbformat.read(CHAPTER, as_version=4).cells
        if c.cell_type == "code" and c.source.startswith(start)
    ]
    assert len(found) == 1, f"{len(found)} code cells of chapter 10 start with {start!r}, expected 1"
    return found[0]


@pytest.fixture(scope="module")
def pl():
    with warnings.catch_warnings():
        # Lightning 2.6.6 calls a torch function that torch 2.13 deprecates (see the Lightning chapter).
        warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)", category=FutureWarning)
        import pytorch_lightning

        import utils.lightning  # noqa: F401
    for name in ("pytorch_lightning", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return pytorch_lightning


@pytest.fixture(scope="module")
def run(pl, tmp_path_factory):
    """Two tiny runs (2 epochs of 2 batches) with both loggers: one with the utils recorder, one with the chapter's."""
    from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger

    from utils.lightning import DigitsClassifier, DigitsDataModule, HookRecorder

    chapter: dict[str, object] = {"Callback": pl.Callback, "pl": pl}
    exec(compile(chapter_cell("CALLBACK_HOOKS = ["), "<chapter 10>", "exec"), chapter)  # noqa: S102 (the book's own cell)
    root = tmp_path_factory.mktemp("lightning")
    recorders = [HookRecorder(), chapter["HookRecorder"]()]
    loggers = []
    for k, recorder in enumerate(recorders):  # one run each: two stateful callbacks of one name are refused
        csv, tensorboard = CSVLogger(root, name=f"csv{k}"), TensorBoardLogger(root, name=f"tb{k}")
        loggers.append((csv, tensorboard))
        pl.seed_everything(0, verbose=False)
        trainer = pl.Trainer(
            max_epochs=2, limit_train_batches=2, limit_val_batches=1, num_sanity_val_steps=1, log_every_n_steps=1,
            logger=[csv, tensorboard], callbacks=[recorder, pl.callbacks.LearningRateMonitor(logging_interval="epoch")],
            accelerator="cpu", devices=1, enable_checkpointing=False, enable_progress_bar=False,
            enable_model_summary=False, default_root_dir=root,
        )  # fmt: skip
        with warnings.catch_warnings():  # the LeafSpec FutureWarning again, raised inside Lightning's loop
            warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)", category=FutureWarning)
            trainer.fit(DigitsClassifier(), datamodule=DigitsDataModule())
    csv, tensorboard = loggers[0]
    return {"recorders": recorders, "chapter": chapter, "csv": csv, "tensorboard": tensorboard, "root": root}


# ---------------------------------------------------------------- HookRecorder


def test_callback_hooks_are_read_from_callback(pl):
    from utils.lightning import CALLBACK_HOOKS

    for hook in ("setup", "teardown", "on_before_backward", "on_after_backward", "on_before_optimizer_step",
                 "on_before_zero_grad", "on_train_batch_start", "on_train_batch_end", "state_dict"):  # fmt: skip
        assert hook in CALLBACK_HOOKS
    assert "state_key" not in CALLBACK_HOOKS and not any(name.startswith("_") for name in CALLBACK_HOOKS)
    assert len(CALLBACK_HOOKS) == len(set(CALLBACK_HOOKS)) == 39  # Lightning 2.6.6


def test_chapter_recorder_is_utils_recorder(run):
    shared, inline = run["recorders"]
    assert run["chapter"]["CALLBACK_HOOKS"] == utils.lightning.CALLBACK_HOOKS
    assert shared.events == inline.events
    assert shared.events[:2] == ["setup", "on_fit_start"] and shared.events[-2:] == ["on_fit_end", "teardown"]
    step = ["on_before_zero_grad", "on_before_backward", "on_after_backward", "on_before_optimizer_step"]
    assert shared.events.count("on_train_batch_start") == 4
    first = shared.events.index("on_train_batch_start")
    assert shared.events[first + 1 : first + 5] == step


def test_recorder_keeps_what_callback_returns(pl):
    from utils.lightning import HookRecorder

    recorder = HookRecorder()
    assert recorder.state_dict() == {} and recorder.events == ["state_dict"]


def test_trainer_hook_timeline_splits_spans_and_points():
    from utils.lightning import trainer_hook_timeline

    events = ["setup", "on_fit_start", "on_before_backward", "on_after_backward", "on_fit_end", "teardown"]
    spans, where, points = trainer_hook_timeline(events)
    assert spans == [("start", "setup ... teardown"), ("start", "fit"), ("end", "fit"), ("end", "setup ... teardown")]
    assert where == [0, 1, 4, 5]
    assert points == [(2, "on_before_backward"), (3, "on_after_backward")]
    with pytest.raises(TypeError, match=r"trainer_hook_timeline\(\): argument 'events' must be a list"):
        trainer_hook_timeline("setup")
    with pytest.raises(TypeError, match="must hold hook names"):
        trainer_hook_timeline(["setup", 3])


def test_plot_trainer_hooks_draws_every_call_in_place(run):
    from utils.lightning import plot_trainer_hooks, trainer_hook_timeline

    events = run["recorders"][0].events
    spans, where, points = trainer_hook_timeline(events)
    ax = plot_trainer_hooks(events, title="hooks")
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(spans) // 2
    assert min(b.get_x() for b in bars) == 0 and max(b.get_x() + b.get_width() for b in bars) == len(events) - 1
    ticks = [line for line in ax.lines if line.get_marker() == "|"]
    assert sorted(float(t.get_xdata()[0]) for t in ticks) == [float(x) for x, _ in points]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(dict.fromkeys(h for _, h in points))
    assert ax.get_title() == "hooks" and "hook call number" in ax.get_xlabel()
    # each of the step's hooks is drawn on a train_batch row
    rows = {label.get_position()[1]: label.get_text() for label in ax.get_yticklabels()}
    assert {rows[float(t.get_ydata()[0])] for t in ticks} == {"train_batch"}
    matplotlib.pyplot.close("all")


def test_plot_trainer_hooks_refuses_bad_input(pl):
    from utils.lightning import plot_trainer_hooks

    with pytest.raises(ValueError, match="at least one start/end pair"):
        plot_trainer_hooks(["on_before_backward"])
    with pytest.raises(TypeError, match=r"plot_trainer_hooks\(\): argument 'title' must be a str or None, got int"):
        plot_trainer_hooks(["on_fit_start", "on_fit_end"], title=3)
    with pytest.raises(ValueError, match="innermost open call"):
        plot_trainer_hooks(["on_fit_start", "on_train_end"])


# ---------------------------------------------------------------- history_from_tensorboard


def test_tensorboard_history_equals_csv_history(run):
    from_tb = utils.history_from_tensorboard(run["tensorboard"].log_dir)
    from_csv = utils.history_from_csv(f"{run['csv'].log_dir}/metrics.csv")
    assert from_tb.epochs == from_csv.epochs == [1, 2]
    assert sorted(from_tb.metrics) == sorted(from_csv.metrics) == ["lr-Adam", "train_loss", "val_acc", "val_loss"]
    for name, values in from_csv.metrics.items():
        assert len(from_tb[name]) == len(values)
        for a, b in zip(from_tb[name], values, strict=True):
            assert math.isnan(a) == math.isnan(b) and (math.isnan(a) or abs(a - b) < 1e-6), name


def test_history_from_tensorboard_refuses_bad_input(run, tmp_path):
    with pytest.raises(TypeError, match=r"history_from_tensorboard\(\): argument 'log_dir' must be a str or path"):
        utils.history_from_tensorboard(3)
    with pytest.raises(FileNotFoundError, match="must name an existing folder"):
        utils.history_from_tensorboard(tmp_path / "missing")
    with pytest.raises(ValueError, match="must hold Lightning event files with an 'epoch' scalar, got tags \\[\\]"):
        utils.history_from_tensorboard(tmp_path)


# ---------------------------------------------------------------- plot_confusion_matrix


def test_plot_confusion_matrix_shows_the_counts():
    matrix = torch.tensor([[5, 1, 0], [0, 4, 0], [2, 0, 3]])
    ax = utils.plot_confusion_matrix(matrix, ["a", "b", "c"])
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["5", "1", "4", "2", "3"])  # zeros are blank
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == "confusion matrix: 12 of 15 correct"
    (image,) = ax.images
    assert image.get_array().tolist() == matrix.tolist()
    cell = next(t for t in ax.texts if t.get_text() == "1")
    assert cell.get_position() == (1, 0)  # row: true class 0, column: predicted class 1
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize(
    ("matrix", "labels", "error", "message"),
    [
        ([[1, 0], [0, 1]], None, TypeError, "argument 'matrix' must be a torch.Tensor, got list"),
        (torch.zeros(2, 3, dtype=torch.long), None, ValueError, "non-empty square matrix, got shape \\(2, 3\\)"),
        (torch.eye(2), None, ValueError, "must hold counts"),
        (-torch.ones(2, 2, dtype=torch.long), None, ValueError, "must hold counts"),
        (torch.ones(2, 2, dtype=torch.long), ["a"], ValueError, "argument 'labels' must be 2 str"),
        (torch.ones(2, 2, dtype=torch.long), "ab", TypeError, "argument 'labels' must be a list of str or None"),
    ],
)
def test_plot_confusion_matrix_refuses_bad_input(matrix, labels, error, message):
    with pytest.raises(error, match=r"^plot_confusion_matrix\(\): .*" + message):
        utils.plot_confusion_matrix(matrix, labels)
