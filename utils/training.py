"""Training helpers: the loop that the chapter "Training and prediction" writes out by hand.

That chapter first writes the loop line by line; :func:`fit` is the same loop
packaged so that later chapters can train in one call. It returns what it
measured (a :class:`History`) and touches nothing but the model, the
optimizer and the progress bar.
"""

from __future__ import annotations

import csv
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from tqdm import tqdm

from ._validate import check_positive_int, check_type, describe

__all__ = ["History", "accuracy", "evaluate", "fit", "history_from_csv", "plot_history", "predict"]

Metric = Callable[[torch.Tensor, torch.Tensor], float]
Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
#: What a loader may be: anything that yields ``(inputs, targets)`` batches (a
#: DataLoader yields lists, a list of batches may hold tuples); the helpers
#: check each batch when they use it.
Batches = Iterable[Any]


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Share of rows of the logits ``y_hat`` (shape ``(n, classes)``) whose argmax equals ``y``."""
    if not isinstance(y_hat, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"accuracy(): arguments must be tensors, got {describe(y_hat)} and {describe(y)}")
    if y_hat.dim() != 2 or y.shape != y_hat.shape[:1]:
        raise ValueError(
            f"accuracy(): expected logits of shape (n, classes) and labels of shape (n,), "
            f"got {tuple(y_hat.shape)} and {tuple(y.shape)}"
        )
    return (y_hat.argmax(dim=1) == y).float().mean().item()


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch.

    Attributes:
        epochs: Epoch numbers, starting at 1.
        metrics: Name to per-epoch values, e.g. ``"train_loss"``,
            ``"val_loss"``, ``"val_accuracy"``. The training loss is the mean
            of the batch losses over the epoch, weighted by batch size.
    """

    epochs: list[int] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> list[float]:
        if name not in self.metrics:
            raise KeyError(f"History has no metric {name!r}; it has {sorted(self.metrics)}")
        return self.metrics[name]

    def append(self, epoch: int, values: Mapping[str, float]) -> None:
        """Record the values of one epoch."""
        self.epochs.append(epoch)
        for name, value in values.items():
            self.metrics.setdefault(name, []).append(value)

    def last(self) -> dict[str, float]:
        """The values of the last epoch."""
        return {name: values[-1] for name, values in self.metrics.items()}


def _check_batch(func: str, name: str, batch: object) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise TypeError(f"{func}(): argument '{name}' must yield (inputs, targets) pairs, got {describe(batch)}")
    X, y = batch
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"{func}(): argument '{name}' must yield pairs of tensors, got ({describe(X)}, {describe(y)})")
    if len(X) != len(y):
        raise ValueError(
            f"{func}(): argument '{name}' yields inputs and targets of different lengths: "
            f"shapes {tuple(X.shape)} and {tuple(y.shape)}"
        )
    return X, y


def _check_loader(func: str, name: str, loader: object, *, every_epoch: bool = False) -> None:
    if not isinstance(loader, Iterable) or isinstance(loader, (torch.Tensor, str)):
        raise TypeError(f"{func}(): argument '{name}' must be an iterable of (inputs, targets), got {describe(loader)}")
    # A one-shot iterator (a generator, iter(list)) can be iterated only once:
    # the first-batch check would take its first batch, the first epoch the
    # rest, and every later epoch would see nothing. (Asked without calling
    # iter(), which would draw from a shuffling DataLoader's generator.)
    if every_epoch and isinstance(loader, Iterator):
        raise TypeError(
            f"{func}(): argument '{name}' must be iterable once per epoch (a DataLoader, a list of batches), "
            f"got {describe(loader)}, a one-shot iterator that the first epoch would use up"
        )


def _first_step_check(
    func: str, name: str, model: nn.Module, loss_fn: Loss, batch: object, device: torch.device
) -> None:
    """Run the model and the loss on one batch, turning shape errors into a clear message."""
    X, y = _check_batch(func, name, batch)
    X, y = X.to(device), y.to(device)
    with torch.no_grad():
        try:
            y_hat = model(X)
        except RuntimeError as err:
            raise ValueError(
                f"{func}(): the model cannot take the inputs that '{name}' yields "
                f"(shape {tuple(X.shape)}, dtype {X.dtype}): {str(err).splitlines()[0]}"
            ) from None
        try:
            loss = loss_fn(y_hat, y)
        except (RuntimeError, ValueError, IndexError) as err:
            raise ValueError(
                f"{func}(): loss_fn cannot compare the model's outputs (shape {tuple(y_hat.shape)}) with the "
                f"targets that '{name}' yields (shape {tuple(y.shape)}, dtype {y.dtype}): "
                f"{str(err).splitlines()[0]}"
            ) from None
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise ValueError(f"{func}(): loss_fn must return a scalar tensor, got {describe(loss)}")


def evaluate(
    model: nn.Module,
    loader: Batches,
    *,
    loss_fn: Loss,
    metrics: Mapping[str, Metric] | None = None,
) -> dict[str, float]:
    """Mean loss and metrics of ``model`` over ``loader``, in eval mode and without gradients.

    Args:
        model: The model; it is put in eval mode and left there.
        loader: Yields ``(inputs, targets)`` batches.
        loss_fn: Returns the mean loss of a batch.
        metrics: Name to ``metric(y_hat, y) -> float`` (a batch mean), e.g.
            ``{"accuracy": utils.accuracy}``.

    Returns:
        ``{"loss": ..., name: ...}``, each averaged over examples. Batches are
        moved to the device of the model's parameters.
    """
    check_type("evaluate", "model", model, nn.Module, "a torch.nn.Module")
    _check_loader("evaluate", "loader", loader)
    device = _model_device(model)
    metrics = dict(metrics or {})
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    count = 0
    model.eval()
    with torch.no_grad():
        for batch in loader:
            X, y = _check_batch("evaluate", "loader", batch)
            X, y = X.to(device), y.to(device)
            y_hat = model(X)
            n = len(y)
            totals["loss"] += loss_fn(y_hat, y).item() * n
            for name, metric in metrics.items():
                totals[name] += metric(y_hat, y) * n
            count += n
    if count == 0:
        raise ValueError("evaluate(): argument 'loader' yielded no examples")
    return {name: total / count for name, total in totals.items()}


def fit(
    model: nn.Module,
    train_loader: Batches,
    *,
    loss_fn: Loss,
    optimizer: torch.optim.Optimizer,
    num_epochs: int,
    val_loader: Batches | None = None,
    metrics: Mapping[str, Metric] | None = None,
    progress: bool = True,
    scheduler: LRScheduler | None = None,
    scheduler_interval: str = "epoch",
) -> History:
    """Train ``model`` for ``num_epochs`` epochs; return the per-epoch history.

    Each epoch: train mode, then for every batch ``zero_grad``, forward,
    loss, ``backward``, ``step``; then, if ``val_loader`` is given, the
    validation loss and metrics from :func:`evaluate`. The inputs are checked
    on the first batch before training starts, so a loader that yields the
    wrong shapes fails with a message that says so, before any training.

    Args:
        model: The model, already on the device to train on (CPU or GPU):
            each batch is moved to the device of its parameters.
        train_loader: Yields ``(inputs, targets)`` batches.
        loss_fn: Returns the mean loss of a batch.
        optimizer: Optimizer over the model's parameters.
        num_epochs: Number of passes over ``train_loader`` (positive).
        val_loader: Optional validation batches, evaluated after each epoch.
        metrics: Name to ``metric(y_hat, y) -> float``, computed on the
            validation data (as ``"val_<name>"``).
        progress: Show a progress bar over the epochs (on stdout).
        scheduler: Optional learning-rate scheduler of ``optimizer``, stepped
            after every epoch or after every optimizer step (see
            ``scheduler_interval``). A ``ReduceLROnPlateau`` is stepped with
            the validation loss, so it needs ``val_loader``.
        scheduler_interval: ``"epoch"`` (e.g. ``StepLR``) or ``"step"``
            (e.g. ``OneCycleLR``, whose ``total_steps`` counts batches).

    Returns:
        A :class:`History` with ``train_loss`` and, with ``val_loader``,
        ``val_loss`` and ``val_<metric>`` per epoch; with a ``scheduler``
        also ``lr``, the learning rate of the first parameter group at the
        start of each epoch.
    """
    check_type("fit", "model", model, nn.Module, "a torch.nn.Module")
    _check_loader("fit", "train_loader", train_loader, every_epoch=True)
    if val_loader is not None:
        _check_loader("fit", "val_loader", val_loader, every_epoch=True)
    check_type("fit", "optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer")
    check_positive_int("fit", "num_epochs", num_epochs)
    if not callable(loss_fn):
        raise TypeError(f"fit(): argument 'loss_fn' must be callable, got {describe(loss_fn)}")
    check_type("fit", "progress", progress, bool, "a bool")
    _check_scheduler(scheduler, scheduler_interval, optimizer, val_loader)
    device = _model_device(model)

    # Check the first batch of each loader before any work: in eval mode, and
    # with the mode and every random state restored afterwards (the global
    # generator and the loaders' own, which fetching a shuffled batch
    # advances), so that the check changes nothing and fit gives the same
    # numbers as the hand-written loop with the same seeds.
    loaders = {"train_loader": train_loader, "val_loader": val_loader}
    generators = _generators(*(loader for loader in loaders.values() if loader is not None))
    saved = [(gen, gen.get_state()) for gen in generators]
    rng_state, was_training = torch.random.get_rng_state(), model.training
    model.eval()
    try:
        for name, loader in loaders.items():
            if loader is None:
                continue
            first = next(iter(loader), None)
            if first is None:
                raise ValueError(f"fit(): argument '{name}' yielded no batches")
            _first_step_check("fit", name, model, loss_fn, first, device)
    finally:
        model.train(was_training)
        torch.random.set_rng_state(rng_state)
        for gen, state in saved:
            gen.set_state(state)

    history = History()
    # On stdout, like Lightning's progress bar: stderr is for problems.
    bar = tqdm(range(1, num_epochs + 1), desc="epochs", unit="epoch", disable=not progress, file=sys.stdout)
    step_scheduler = scheduler if scheduler_interval == "step" else None
    for epoch in bar:
        lr = optimizer.param_groups[0]["lr"]
        values = {"train_loss": _train_one_epoch(model, train_loader, loss_fn, optimizer, step_scheduler, device)}
        if val_loader is not None:
            scores = evaluate(model, val_loader, loss_fn=loss_fn, metrics=metrics)
            values.update({f"val_{name}": value for name, value in scores.items()})
        if scheduler is not None:
            values["lr"] = float(lr)
            _end_of_epoch_step(scheduler, scheduler_interval, values)
        if not math.isfinite(values["train_loss"]):
            bar.close()
            raise FloatingPointError(f"fit(): the training loss became {values['train_loss']} in epoch {epoch}")
        history.append(epoch, values)
        bar.set_postfix({name: f"{value:.4g}" for name, value in values.items()})
    return history


def _check_scheduler(
    scheduler: LRScheduler | None, interval: object, optimizer: torch.optim.Optimizer, val_loader: object
) -> None:
    what = "a torch.optim.lr_scheduler.LRScheduler or None"
    check_type("fit", "scheduler", scheduler, (LRScheduler, type(None)), what)
    if interval not in ("epoch", "step"):
        raise ValueError(f"fit(): argument 'scheduler_interval' must be 'epoch' or 'step', got {interval!r}")
    if scheduler is None:
        return
    if scheduler.optimizer is not optimizer:
        raise ValueError(
            "fit(): argument 'scheduler' must schedule the optimizer passed as 'optimizer', got another one's"
        )
    if isinstance(scheduler, ReduceLROnPlateau) and (val_loader is None or interval != "epoch"):
        raise ValueError(
            "fit(): a ReduceLROnPlateau 'scheduler' is stepped with the validation loss once per epoch: "
            f"it needs 'val_loader' and scheduler_interval='epoch', got val_loader={describe(val_loader)} "
            f"and scheduler_interval={interval!r}"
        )


def _end_of_epoch_step(scheduler: LRScheduler, interval: str, values: Mapping[str, float]) -> None:
    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step(values["val_loss"])
    elif interval == "epoch":
        scheduler.step()


def _train_one_epoch(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    step_scheduler: LRScheduler | None,
    device: torch.device,
) -> float:
    """One pass in train mode: zero_grad, forward, loss, backward, step per batch; the mean loss."""
    model.train()
    total, count = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        if step_scheduler is not None:
            step_scheduler.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count


def predict(model: nn.Module, X: torch.Tensor, *, batch_size: int = 256) -> torch.Tensor:
    """The model's outputs for the inputs ``X``, on the CPU, computed in eval mode in batches.

    Args:
        model: The model; inputs are moved to the device of its parameters.
        X: Inputs, the first dimension indexing examples.
        batch_size: Examples per forward pass (positive).
    """
    check_type("predict", "model", model, nn.Module, "a torch.nn.Module")
    check_type("predict", "X", X, torch.Tensor, "a torch.Tensor")
    check_positive_int("predict", "batch_size", batch_size)
    device = _model_device(model)
    model.eval()
    with torch.no_grad():
        return torch.cat([model(X[i : i + batch_size].to(device)).cpu() for i in range(0, len(X), batch_size)])


def plot_history(
    history: History,
    ax: Axes | None = None,
    *,
    names: Iterable[str] | None = None,
    title: str = "Training history",
    ylabel: str = "value",
) -> Axes:
    """Draw metrics of a :class:`History` against the epoch number.

    Args:
        history: What :func:`fit` returned.
        ax: Axes to draw into; a new figure is made when ``None``.
        names: Metrics to draw; by default every metric whose name ends in ``loss``.
        title: Title of the plot.
        ylabel: Label of the y axis.

    Returns:
        The Axes drawn into, one line per metric, labelled with its name.
    """
    check_type("plot_history", "history", history, History, "a utils.History")
    check_type("plot_history", "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    if not history.epochs:
        raise ValueError("plot_history(): argument 'history' is empty (no epochs recorded)")
    names = [n for n in history.metrics if n.endswith("loss")] if names is None else list(names)
    unknown = [n for n in names if n not in history.metrics]
    if not names or unknown:
        raise ValueError(
            f"plot_history(): argument 'names' must name metrics of the history {sorted(history.metrics)}, "
            f"got {names!r}"
        )
    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    for name in names:
        ax.plot(history.epochs, history.metrics[name], marker="o" if len(history.epochs) <= 20 else None, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def _generators(*loaders: Batches) -> list[torch.Generator]:
    """The random generators a loader (a DataLoader and its sampler) draws from."""
    found: list[torch.Generator] = []
    for loader in loaders:
        for owner in (loader, getattr(loader, "sampler", None), getattr(loader, "batch_sampler", None)):
            gen = getattr(owner, "generator", None)
            if isinstance(gen, torch.Generator) and all(gen is not g for g in found):
                found.append(gen)
    return found


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def history_from_csv(path: str | os.PathLike[str]) -> History:
    """Read the ``metrics.csv`` that Lightning's ``CSVLogger`` writes into a :class:`History`.

    The chapter "PyTorch Lightning" explains the file. Lightning writes one row
    per call of the logger: the metrics logged at that step, with the
    ``epoch`` (counted from 0) and the global ``step``; the training and the
    validation metrics of one epoch are separate rows. This function gathers
    them by epoch, so that :func:`plot_history` can draw them.

    Rules: epochs are renumbered from 1, as :func:`fit` counts them. A row
    without an epoch (``LearningRateMonitor`` logs the learning rate at the
    start of an epoch with only a step) counts for the next row in the file
    that has one; such rows at the end of the file are dropped. When a metric
    has several values in one epoch (metrics logged every step), the last one
    is kept; an epoch without a value of a metric gets ``nan``.

    Args:
        path: The ``metrics.csv`` file, e.g. ``Path(logger.log_dir) / "metrics.csv"``.

    Returns:
        A :class:`History` with one entry per epoch and every column except
        ``epoch`` and ``step`` as a metric.
    """
    check_type("history_from_csv", "path", path, (str, os.PathLike), "a str or path")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"history_from_csv(): argument 'path' must name an existing file, got {str(path)!r}")
    with open(path, newline="") as file:
        reader = csv.DictReader(file)
        columns = reader.fieldnames or []
        if "epoch" not in columns:
            raise ValueError(
                f"history_from_csv(): argument 'path' must be a CSV file with an 'epoch' column "
                f"(a Lightning CSVLogger metrics.csv), got columns {columns}"
            )
        names = [name for name in columns if name not in ("epoch", "step")]
        by_epoch: dict[int, dict[str, float]] = {}
        pending: list[dict[str, str]] = []  # rows without an epoch, waiting for the next one
        for line, row in enumerate(reader, start=2):
            if not row["epoch"]:
                pending.append(row)
                continue
            try:
                epoch = int(float(row["epoch"])) + 1
                for waiting in [*pending, row]:
                    values = by_epoch.setdefault(epoch, {})
                    values.update({name: float(waiting[name]) for name in names if waiting.get(name)})
            except ValueError as err:
                raise ValueError(f"history_from_csv(): line {line} of {str(path)!r} is not numeric: {err}") from None
            pending = []
    if not by_epoch:
        raise ValueError(f"history_from_csv(): argument 'path' holds no rows with an epoch, got {str(path)!r}")
    seen = [name for name in names if any(name in values for values in by_epoch.values())]
    history = History()
    for epoch in sorted(by_epoch):
        history.append(epoch, {name: by_epoch[epoch].get(name, math.nan) for name in seen})
    return history
