"""What a Lightning run leaves behind, read back and drawn: the chapter "PyTorch Lightning".

- :func:`history_from_tensorboard`: the scalars that ``TensorBoardLogger``
  wrote, gathered by epoch into a :class:`~utils.training.History` (the
  TensorBoard analogue of :func:`~utils.training.history_from_csv`);
- :func:`plot_confusion_matrix`: a confusion matrix (e.g. from
  ``torchmetrics``' ``MulticlassConfusionMatrix``) as a picture.

``import utils`` imports this module, but not TensorBoard:
:func:`history_from_tensorboard` imports its reader when it is called.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

from ._validate import check_tensor, check_type, describe
from .training import History

__all__ = ["history_from_tensorboard", "plot_confusion_matrix"]


def _read_scalars(log_dir: str) -> dict[str, list[tuple[int, float]]]:
    """Every scalar of the event files in ``log_dir``: tag to ``(step, value)`` pairs in file order."""
    from tensorboard.backend.event_processing.event_accumulator import (  # type: ignore[import-untyped]
        EventAccumulator,
    )

    accumulator = EventAccumulator(log_dir, size_guidance={"scalars": 0})  # 0: keep every value
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


def history_from_tensorboard(log_dir: str | os.PathLike[str]) -> History:
    """Read the scalars that Lightning's ``TensorBoardLogger`` wrote into a :class:`History`.

    The chapter "PyTorch Lightning" explains the event files. Lightning logs
    every value with the global ``step``, and with the values of each logging
    call it logs ``epoch`` (counted from 0) at the same step. The rules are
    those of :func:`~utils.training.history_from_csv`, so that both give the
    same history for one run: epochs are renumbered from 1; a value logged at
    a step without an ``epoch`` (``LearningRateMonitor``'s learning rate)
    counts for the first later-or-equal step that has one, and is dropped if
    there is none; of several values of a metric in one epoch the last is
    kept; an epoch without a value of a metric gets ``nan``. The
    ``hp_metric`` placeholder that ``TensorBoardLogger`` writes is left out.

    Args:
        log_dir: The logger's folder with the ``events.out.tfevents.*`` files,
            e.g. ``tensorboard_logger.log_dir``.

    Returns:
        A :class:`History` with one entry per epoch and every scalar except
        ``epoch`` and ``hp_metric`` as a metric.

    Raises:
        TypeError: ``log_dir`` is not a str or path.
        FileNotFoundError: ``log_dir`` is not a folder.
        ValueError: The folder holds no ``epoch`` scalar (no Lightning event files).
    """
    func = "history_from_tensorboard"
    check_type(func, "log_dir", log_dir, (str, os.PathLike), "a str or path")
    if not os.path.isdir(log_dir):
        raise FileNotFoundError(f"{func}(): argument 'log_dir' must name an existing folder, got {str(log_dir)!r}")
    scalars = _read_scalars(str(log_dir))
    if "epoch" not in scalars:
        raise ValueError(
            f"{func}(): argument 'log_dir' must hold Lightning event files with an 'epoch' scalar, "
            f"got tags {sorted(scalars)}"
        )
    epoch_at = {step: int(value) + 1 for step, value in scalars.pop("epoch")}  # step -> epoch, from 1
    scalars.pop("hp_metric", None)
    by_epoch: dict[int, dict[str, float]] = {epoch: {} for epoch in sorted(set(epoch_at.values()))}
    steps = sorted(epoch_at)
    for name, logged in scalars.items():
        for step, value in logged:
            at = bisect.bisect_left(steps, step)  # a value at a step without an epoch waits for the next one
            if at < len(steps):
                by_epoch[epoch_at[steps[at]]][name] = value
    history = History()
    names = [name for name in scalars if any(name in values for values in by_epoch.values())]
    for epoch, values in by_epoch.items():
        history.append(epoch, {name: values.get(name, math.nan) for name in names})
    return history


def _check_matrix(func: str, matrix: Any, labels: Any) -> list[str]:
    check_tensor(func, "matrix", matrix, ndim=2)
    rows, cols = matrix.shape
    if rows != cols or rows == 0:
        raise ValueError(f"{func}(): argument 'matrix' must be a non-empty square matrix, got shape {(rows, cols)}")
    if matrix.is_floating_point() or matrix.is_complex() or (matrix < 0).any():
        raise ValueError(f"{func}(): argument 'matrix' must hold counts (integers >= 0), got {describe(matrix)}")
    if labels is None:
        return [str(i) for i in range(rows)]
    check_type(func, "labels", labels, (list, tuple), "a list of str or None")
    if len(labels) != rows or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"{func}(): argument 'labels' must be {rows} str, one per class, got {labels!r}")
    return list(labels)


def plot_confusion_matrix(
    matrix: torch.Tensor,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    title: str | None = None,
) -> Axes:
    """Draw a confusion matrix: row ``i``, column ``j`` counts the examples of class ``i`` predicted as ``j``.

    The layout of ``torchmetrics``' ``MulticlassConfusionMatrix`` (true class
    down, predicted class across), as the chapter "PyTorch Lightning" computes
    it for the test digits. Each cell shows its count (zeros are left blank);
    the diagonal holds the correct answers.

    Args:
        matrix: Square integer tensor of counts, shape ``(num_classes, num_classes)``.
        labels: Class names, one per row; ``"0"``, ``"1"``, ... by default.
        ax: Axes to draw into; a new figure is made when ``None``.
        title: The title; by default it counts the correct answers.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: ``matrix`` is not square or holds something other than
            counts, or ``labels`` does not name every class.
    """
    func = "plot_confusion_matrix"
    names = _check_matrix(func, matrix, labels)
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "title", title, (str, type(None)), "a str or None")
    counts = matrix.detach().cpu()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.4), layout="constrained")
    ax.imshow(counts.numpy(), cmap="Blues")
    high = counts.max().item()
    for i in range(len(names)):
        for j in range(len(names)):
            count = int(counts[i, j])
            if count:
                color = "white" if count > high / 2 else "black"
                ax.text(j, i, str(count), ha="center", va="center", fontsize=8, color=color)
    ticks = range(len(names))
    ax.set_xticks(ticks, names)
    ax.set_yticks(ticks, names)
    ax.grid(False)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    correct, total = int(counts.diagonal().sum()), int(counts.sum())
    ax.set_title(title if title is not None else f"confusion matrix: {correct} of {total} correct")
    return ax
