"""One training step, watched call by call: what happens to one parameter tensor.

The chapter "Training and prediction" teaches the five calls of a training
step (``optimizer.zero_grad()``, forward, loss, ``loss.backward()``,
``optimizer.step()``) and draws them with these helpers:
:func:`trace_training_step` runs one real step on a real model and inspects
one parameter (its value and its ``.grad``) and what each call made, and
:func:`plot_training_step` draws that record as a timeline. They take any
model, loss, optimizer and batch, so the step that another loop takes (a
LightningModule with the optimizer of its ``configure_optimizers``, for
example) can be drawn the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from . import _palette
from ._validate import check_type, describe

__all__ = ["STEP_CALLS", "StepStage", "TrainingStepTrace", "plot_training_step", "trace_training_step"]

STEP_CALLS: tuple[tuple[str, str], ...] = (
    ("zero_grad", "optimizer.zero_grad()"),
    ("forward", "y_hat = model(X)"),
    ("loss", "loss = loss_fn(y_hat, y)"),
    ("backward", "loss.backward()"),
    ("step", "optimizer.step()"),
)
"""The five calls of a training step, in the order the book's loops make them: (name, code)."""

_ROWS = ("value", ".grad", "made")


@dataclass(frozen=True)
class StepStage:
    """The watched parameter and the call's result right after one call (or at the start).

    Attributes:
        name: ``"start"`` or a name of :data:`STEP_CALLS`.
        call: The code of the call (empty for ``"start"``).
        value_norm: Norm of the parameter's value.
        value_change: Largest absolute change of any entry since the start.
        grad_norm: Norm of the parameter's ``.grad``; ``None`` while ``.grad`` is ``None``.
        made: What the call returned, e.g. ``"y_hat (64, 10)"`` or ``"loss 0.3712"``; empty if nothing.
    """

    name: str
    call: str
    value_norm: float
    value_change: float
    grad_norm: float | None
    made: str


@dataclass(frozen=True)
class TrainingStepTrace:
    """What :func:`trace_training_step` saw: one :class:`StepStage` for the start and each call.

    Attributes:
        parameter: Name of the watched parameter in ``model.named_parameters()``.
        shape: Its shape.
        stages: ``"start"``, then the five calls of :data:`STEP_CALLS` in order.
        loss: The loss of the batch (before the step).
    """

    parameter: str
    shape: tuple[int, ...]
    stages: tuple[StepStage, ...]
    loss: float

    def __getitem__(self, name: str) -> StepStage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"TrainingStepTrace has no stage {name!r}; it has {[s.name for s in self.stages]}")


def _shape_text(shape: torch.Size | tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"


def _choose_parameter(
    model: nn.Module, optimizer: torch.optim.Optimizer, parameter: str | None
) -> tuple[str, nn.Parameter]:
    func = "trace_training_step"
    named = dict(model.named_parameters())
    if not named:
        raise ValueError(f"{func}(): argument 'model' has no parameters, got {type(model).__name__}")
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if parameter is None:
        parameter = next((name for name, p in named.items() if id(p) in optimized), None)
        if parameter is None:
            raise ValueError(f"{func}(): argument 'optimizer' updates none of the model's parameters")
    check_type(func, "parameter", parameter, str, "a str (a name from model.named_parameters()) or None")
    if parameter not in named:
        raise ValueError(
            f"{func}(): argument 'parameter' must name a parameter of the model, "
            f"one of {sorted(named)}, got {parameter!r}"
        )
    if id(named[parameter]) not in optimized:
        raise ValueError(
            f"{func}(): argument 'optimizer' does not update parameter {parameter!r}, so its step would not show"
        )
    return parameter, named[parameter]


def _check_inputs(
    model: object, loss_fn: object, optimizer: object, batch: object
) -> tuple[torch.Tensor, torch.Tensor]:
    func = "trace_training_step"
    check_type(func, "model", model, nn.Module, "a torch.nn.Module")
    if not callable(loss_fn):
        raise TypeError(f"{func}(): argument 'loss_fn' must be callable, got {describe(loss_fn)}")
    check_type(func, "optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer")
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise TypeError(f"{func}(): argument 'batch' must be an (inputs, targets) pair, got {describe(batch)}")
    X, y = batch
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"{func}(): argument 'batch' must be a pair of tensors, got ({describe(X)}, {describe(y)})")
    return X, y


def trace_training_step(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    batch: tuple[torch.Tensor, torch.Tensor] | list[torch.Tensor],
    *,
    parameter: str | None = None,
) -> TrainingStepTrace:
    """Take one real training step and record, after each of its five calls, one parameter and what the call made.

    The chapter "Training and prediction" explains the step. The model is put
    in train mode, the batch moved to the device of its parameters, and the
    calls of :data:`STEP_CALLS` are made in that order; after each one the
    parameter's value and ``.grad`` are inspected. The step is real: the
    model and the optimizer are left as one training step leaves them.

    Args:
        model: Any module; ``model(X)`` must accept the batch's inputs.
        loss_fn: ``loss_fn(y_hat, y)`` returns a scalar tensor.
        optimizer: An optimizer over the model's parameters.
        batch: ``(X, y)``, e.g. ``next(iter(loader))``.
        parameter: Name of the parameter to watch (from ``model.named_parameters()``);
            by default the first one the optimizer updates.

    Returns:
        A :class:`TrainingStepTrace`: the start and the five calls.
    """
    X, y = _check_inputs(model, loss_fn, optimizer, batch)
    name, p = _choose_parameter(model, optimizer, parameter)
    X, y = X.to(p.device), y.to(p.device)
    start = p.detach().clone()

    def inspect(stage: str, call: str, made: str) -> StepStage:
        value = p.detach()
        grad = None if p.grad is None else p.grad.norm().item()
        change = (value - start).abs().max().item() if value.numel() else 0.0
        return StepStage(stage, call, value.norm().item(), change, grad, made)

    calls = dict(STEP_CALLS)
    model.train()
    stages = [inspect("start", "", "")]
    optimizer.zero_grad()
    stages.append(inspect("zero_grad", calls["zero_grad"], ""))
    y_hat = model(X)
    made = f"y_hat {_shape_text(y_hat.shape)}" if isinstance(y_hat, torch.Tensor) else type(y_hat).__name__
    stages.append(inspect("forward", calls["forward"], made))
    loss = loss_fn(y_hat, y)
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise ValueError(f"trace_training_step(): loss_fn must return a scalar tensor, got {describe(loss)}")
    stages.append(inspect("loss", calls["loss"], f"loss {loss.item():.4g}"))
    loss.backward()
    stages.append(inspect("backward", calls["backward"], ""))
    optimizer.step()
    stages.append(inspect("step", calls["step"], ""))
    return TrainingStepTrace(name, tuple(p.shape), tuple(stages), loss.item())


def _cell_texts(stage: StepStage) -> tuple[str, str, str]:
    value = f"norm {stage.value_norm:.4g}"
    if stage.value_change > 0:
        value += f"\nmax change {stage.value_change:.2g}"
    grad = "None" if stage.grad_norm is None else f"norm {stage.grad_norm:.3g}"
    return value, grad, stage.made or "-"


def _changes(trace: TrainingStepTrace) -> np.ndarray:
    """1 where a row changed at a stage (the value, the .grad, or the call made something), else 0."""
    changed = np.zeros((len(_ROWS), len(trace.stages)))
    for j, (before, after) in enumerate(zip(trace.stages, trace.stages[1:], strict=False), start=1):
        changed[0, j] = after.value_change != before.value_change
        changed[1, j] = after.grad_norm != before.grad_norm
        changed[2, j] = bool(after.made)
    return changed


def plot_training_step(trace: TrainingStepTrace, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw a :class:`TrainingStepTrace` as a timeline: the calls left to right, what they changed shaded.

    The chapter "Training and prediction" explains the picture. Columns are
    the start and the five calls; rows are the watched parameter's value, its
    ``.grad``, and what the call made. A shaded cell changed at that call.

    Args:
        trace: What :func:`trace_training_step` returned.
        ax: Axes to draw into; a new figure is made when ``None``.
        title: Title of the plot; by default it names the parameter and its shape.

    Returns:
        The Axes drawn into, with one text per cell.
    """
    check_type("plot_training_step", "trace", trace, TrainingStepTrace, "a utils.TrainingStepTrace")
    check_type("plot_training_step", "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type("plot_training_step", "title", title, (str, type(None)), "a str or None")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 2.8), layout="constrained")
    ax.imshow(_changes(trace), cmap=_palette.CELL_CMAP, vmin=0, vmax=2.5, aspect="auto")
    ax.grid(False)
    for j, stage in enumerate(trace.stages):
        for i, text in enumerate(_cell_texts(stage)):
            ax.text(j, i, text, ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(trace.stages)), [s.call or "start" for s in trace.stages], fontsize=8)
    ax.set_yticks(range(len(_ROWS)), [f"{trace.parameter}", f"{trace.parameter}.grad", "the call made"], fontsize=8)
    ax.set_xticks(np.arange(len(trace.stages) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(_ROWS) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("the calls of one training step, in order")
    ax.set_ylabel("what is inspected")
    ax.set_title(title or f"One training step, seen from parameter {trace.parameter!r} {_shape_text(trace.shape)}")
    return ax
