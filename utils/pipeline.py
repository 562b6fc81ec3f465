"""Pictures of the data pipeline: a ``DataLoader`` drawn from its own settings, and a grid of digits.

The chapter "Data" explains both. :func:`pipeline_stages` reads the stages
of a real ``DataLoader`` (sampler, batching, dataset, collate function,
workers) and :func:`pipeline_layout` places them as plain data, which the
tests check; :func:`plot_pipeline` draws that layout with matplotlib alone.
:func:`plot_digits` draws small grey images side by side in one ``Axes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Rectangle
from torch.utils.data import DataLoader

from . import _palette
from ._validate import check_positive_int, check_tensor, check_type

__all__ = ["PipelineLayout", "PipelineStage", "pipeline_layout", "pipeline_stages", "plot_digits", "plot_pipeline"]

_BOX_WIDTH, _BOX_HEIGHT, _GAP = 2.0, 1.1, 1.2


@dataclass(frozen=True)
class PipelineStage:
    """One stage of a loader: its name, the object that does it, and what it passes on.

    Attributes:
        name: The stage, e.g. ``"sampler"``.
        detail: The object and its settings, e.g. ``"RandomSampler"``.
        passes_on: What flows to the next stage, e.g. ``"index"``; ``""`` for the last.
        in_worker: Whether the stage runs in the worker processes (when there are any).
    """

    name: str
    detail: str
    passes_on: str
    in_worker: bool


def _name(obj: object) -> str:
    return getattr(obj, "__name__", type(obj).__name__)


def pipeline_stages(loader: DataLoader[object], model: str | None = None) -> list[PipelineStage]:
    """The stages of ``loader`` in the order data flows through them, read from its attributes.

    Args:
        loader: The ``DataLoader`` to describe.
        model: Name of the model that receives the batches; ``None`` leaves it out.

    Returns:
        Sampler, batch sampler, dataset, collate function, and (if ``model``) the model.
    """
    check_type("pipeline_stages", "loader", loader, DataLoader, "a torch DataLoader")
    check_type("pipeline_stages", "model", model, (str, type(None)), "a str or None")
    batch_sampler = loader.batch_sampler
    batch_size = getattr(batch_sampler, "batch_size", loader.batch_size)
    drop_last = getattr(batch_sampler, "drop_last", loader.drop_last)
    stages = [
        PipelineStage("sampler", type(loader.sampler).__name__, "index", False),
        PipelineStage("batch sampler", f"batch_size={batch_size}\ndrop_last={drop_last}", "list of\nindices", False),
        PipelineStage("dataset", f"{type(loader.dataset).__name__}\n__getitem__(i)", "list of\nsamples", True),
        PipelineStage("collate_fn", _name(loader.collate_fn), "batch", True),
    ]
    if model is not None:
        stages.append(PipelineStage("model", model, "", False))
    return stages


@dataclass(frozen=True)
class PipelineLayout:
    """Where :func:`plot_pipeline` draws each stage, as plain data.

    Attributes:
        boxes: ``(x, y, title, detail)`` per stage: the box's lower-left corner.
        arrows: ``(x_start, x_end, y, label)`` between consecutive boxes.
        worker_frame: ``(x, y, width, height, label)`` around the stages that run
            in workers, or ``None`` when the loader has no workers.
        title: The figure's title.
        width: The width the drawing needs (height is fixed).
    """

    boxes: tuple[tuple[float, float, str, str], ...]
    arrows: tuple[tuple[float, float, float, str], ...]
    worker_frame: tuple[float, float, float, float, str] | None
    title: str
    width: float


def pipeline_layout(stages: Sequence[PipelineStage], num_workers: int = 0) -> PipelineLayout:
    """Place ``stages`` left to right, with arrows between them and a frame around the worker stages.

    Args:
        stages: From :func:`pipeline_stages`.
        num_workers: The loader's ``num_workers``; 0 draws no worker frame.
    """
    check_type("pipeline_layout", "stages", stages, (list, tuple), "a list of PipelineStage")
    if not stages or not all(isinstance(s, PipelineStage) for s in stages):
        raise ValueError(
            f"pipeline_layout(): argument 'stages' must be a non-empty list of PipelineStage, got {stages!r}"
        )
    check_type("pipeline_layout", "num_workers", num_workers, int, "a non-negative int")
    if num_workers < 0:
        raise ValueError(f"pipeline_layout(): argument 'num_workers' must be a non-negative int, got {num_workers}")
    step = _BOX_WIDTH + _GAP
    boxes = tuple((i * step, 0.0, s.name, s.detail) for i, s in enumerate(stages))
    arrows = tuple(
        (i * step + _BOX_WIDTH, (i + 1) * step, _BOX_HEIGHT / 2, s.passes_on) for i, s in enumerate(stages[:-1])
    )
    in_worker = [i for i, s in enumerate(stages) if s.in_worker]
    frame = None
    if num_workers and in_worker:
        x0, x1 = in_worker[0] * step - 0.2, in_worker[-1] * step + _BOX_WIDTH + 0.2
        where = f"in each of {num_workers} worker process{'es' if num_workers > 1 else ''}"
        frame = (x0, -0.35, x1 - x0, _BOX_HEIGHT + 0.9, where)
    title = f"One DataLoader, stage by stage ({num_workers} workers)"
    return PipelineLayout(boxes, arrows, frame, title, width=len(stages) * step - _GAP)


def plot_pipeline(loader: DataLoader[object], ax: Axes | None = None, *, model: str | None = None) -> Axes:
    """Draw the stages of ``loader`` (from :func:`pipeline_stages`) as boxes and arrows.

    Args:
        loader: The ``DataLoader`` to draw.
        ax: Axes to draw into; a new figure is made when ``None``.
        model: Name of the model at the end of the pipeline, or ``None``.

    Returns:
        The Axes drawn into.
    """
    check_type("plot_pipeline", "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    layout = pipeline_layout(pipeline_stages(loader, model), loader.num_workers)
    if ax is None:
        _, ax = plt.subplots(figsize=(layout.width * 0.6 + 0.4, 2.4), layout="constrained")
    if layout.worker_frame is not None:
        x, y, width, height, label = layout.worker_frame
        ax.add_patch(Rectangle((x, y), width, height, fill=False, linestyle="--", edgecolor="gray"))
        ax.text(x + width / 2, y + height - 0.05, label, ha="center", va="top", fontsize=8, color="dimgray")
    for x, y, name, detail in layout.boxes:
        box = FancyBboxPatch((x, y), _BOX_WIDTH, _BOX_HEIGHT, boxstyle="round,pad=0.02", facecolor=_palette.BLUE)
        ax.add_patch(box)
        ax.text(x + _BOX_WIDTH / 2, y + _BOX_HEIGHT - 0.12, name, ha="center", va="top", fontsize=9, weight="bold")
        ax.text(x + _BOX_WIDTH / 2, y + 0.42, detail, ha="center", va="center", fontsize=7.5)
    for x_start, x_end, y, label in layout.arrows:
        ax.annotate("", (x_end, y), (x_start, y), arrowprops={"arrowstyle": "->", "color": "black"})
        ax.text((x_start + x_end) / 2, y - 0.08, label, ha="center", va="top", fontsize=7, style="italic")
    ax.set(xlim=(-0.4, layout.width + 0.4), ylim=(-0.9, _BOX_HEIGHT + 0.7), title=layout.title)
    ax.set_xlabel("data flows left to right: the italic words name what each arrow carries")
    ax.set_xticks([]), ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def plot_digits(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    ncols: int = 10,
    title: str = "Digits",
) -> Axes:
    """Draw small grey images (e.g. the 8 x 8 digits) in a grid, in one Axes; chapter "Data".

    Args:
        images: Shape ``(N, H, W)`` or ``(N, 1, H, W)``; each image is scaled
            to its own range, dark for high values.
        titles: Optional text above each image (as many as images).
        ax: Axes to draw into; a new figure is made when ``None``.
        ncols: Images per row.
        title: The figure's title.

    Returns:
        The Axes drawn into.
    """
    check_tensor("plot_digits", "images", images, ndim=(3, 4))
    if images.dim() == 4 and images.shape[1] != 1:
        raise ValueError(f"plot_digits(): argument 'images' must have one channel, got shape {tuple(images.shape)}")
    if titles is not None:
        check_type("plot_digits", "titles", titles, (list, tuple), "a list of str or None")
        if len(titles) != len(images) or not all(isinstance(t, str) for t in titles):
            raise ValueError(
                f"plot_digits(): argument 'titles' must hold one str per image ({len(images)}), got {titles!r}"
            )
    check_positive_int("plot_digits", "ncols", ncols)
    check_type("plot_digits", "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type("plot_digits", "title", title, str, "a str")
    pictures = images.detach().cpu().reshape(len(images), *images.shape[-2:]).to(torch.float64)
    n, height, width = pictures.shape
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    gap_y = 4 if titles is not None else 1
    canvas = np.full((nrows * (height + gap_y), ncols * (width + 1)), np.nan)
    for i, picture in enumerate(pictures):
        low, high = picture.min(), picture.max()
        scaled = (picture - low) / (high - low) if high > low else torch.zeros_like(picture)
        row, col = divmod(i, ncols)
        top, left = row * (height + gap_y) + gap_y, col * (width + 1)
        canvas[top : top + height, left : left + width] = scaled.numpy()
    if ax is None:
        figsize = (0.62 * ncols + 0.4, 0.62 * nrows * (height + gap_y) / height + 0.6)
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    if titles is not None:
        for i, text in enumerate(titles):
            row, col = divmod(i, ncols)
            x, y = col * (width + 1) + width / 2 - 0.5, row * (height + gap_y) + gap_y - 1.0
            ax.text(x, y, text, ha="center", va="bottom", fontsize=7)
    ax.set(title=title, xticks=[], yticks=[])
    ax.set_xlabel(f"{n} images of {height} x {width} pixels")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax
