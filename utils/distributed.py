"""Distributed data parallel, drawn: the picture of the chapter "Lightning at scale".

DDP runs one process (one *rank*) per device. Each rank computes the gradient
of its own shard of the batch; an all-reduce then averages the gradients over
the ranks, so every copy of the model takes the same step.
:func:`plot_all_reduce` draws a few entries of one parameter's gradient on
every rank before the all-reduce and the averaged gradient after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.axes import Axes

from . import _palette
from ._validate import check_tensor, check_type, describe
from .plotting import _new_axes

__all__ = ["plot_all_reduce"]

_RANK_COLOURS = (_palette.BLUE, _palette.ORANGE, _palette.GREEN, "#c9a0dc", "#f4a6a6", "#b0b0b0")
_MAX_RANKS = len(_RANK_COLOURS)


def _check_all_reduce_args(local_grads: object, reduced: object) -> list[torch.Tensor]:
    """The local gradients as a list of 1-D tensors shaped like ``reduced``; raise on anything else."""
    func = "plot_all_reduce"
    check_type(func, "local_grads", local_grads, (list, tuple), "a list or tuple of 1-D tensors")
    assert isinstance(local_grads, (list, tuple))
    check_tensor(func, "reduced", reduced, ndim=1)
    assert isinstance(reduced, torch.Tensor)
    if not 1 <= len(local_grads) <= _MAX_RANKS:
        raise ValueError(
            f"{func}(): argument 'local_grads' must hold 1 to {_MAX_RANKS} tensors (one per rank), "
            f"got {len(local_grads)}"
        )
    for rank, grad in enumerate(local_grads):
        if not isinstance(grad, torch.Tensor) or tuple(grad.shape) != tuple(reduced.shape):
            raise ValueError(
                f"{func}(): argument 'local_grads' must hold tensors of the shape of 'reduced' "
                f"{tuple(reduced.shape)}, got {describe(grad)} at rank {rank}"
            )
    if reduced.numel() == 0:
        raise ValueError(f"{func}(): argument 'reduced' must have at least one entry, got shape (0,)")
    return list(local_grads)


def plot_all_reduce(
    local_grads: Sequence[torch.Tensor],
    reduced: torch.Tensor,
    ax: Axes | None = None,
    *,
    name: str = "gradient",
) -> Axes:
    """Draw each rank's local gradient entries next to the all-reduced (averaged) gradient.

    One group of bars per entry: one bar per rank (its gradient before the
    all-reduce) and a dark bar with the value after it. The chapter
    "Lightning at scale" records both in a two-process gloo run.

    Args:
        local_grads: One 1-D tensor per rank (1 to 6 ranks), the same entries
            of the same parameter's gradient, before the all-reduce.
        reduced: The same entries after the all-reduce, of the same shape.
        ax: Axes to draw into; a new figure is made when ``None``.
        name: What the entries are, for the title, e.g. ``"last layer's bias gradient"``.

    Returns:
        The Axes drawn into: ``(len(local_grads) + 1) * reduced.numel()`` bars.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: No ranks or more than 6, shapes that differ, or an empty ``reduced``.
    """
    grads = _check_all_reduce_args(local_grads, reduced)
    check_type("plot_all_reduce", "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type("plot_all_reduce", "name", name, str, "a str")
    if ax is None:
        ax = _new_axes((7.0, 3.2))
    series = [g.detach().cpu().double().numpy() for g in grads] + [reduced.detach().cpu().double().numpy()]
    labels = [f"rank {rank}, before" for rank in range(len(grads))] + ["all-reduced (mean)"]
    colours = [*_RANK_COLOURS[: len(grads)], _palette.BAR]
    entries = np.arange(reduced.numel())
    width = 0.8 / len(series)
    for k, (values, label, colour) in enumerate(zip(series, labels, colours, strict=True)):
        ax.bar(entries + (k - (len(series) - 1) / 2) * width, values, width, label=label, color=colour)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(entries, [str(int(i)) for i in entries])
    ax.set_xlabel("entry of the parameter")
    ax.set_ylabel("gradient value")
    ax.set_title(f"All-reduce of the {name} over {len(grads)} ranks")
    ax.legend(fontsize=8)
    return ax
