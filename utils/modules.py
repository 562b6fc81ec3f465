"""Pictures of an ``nn.Module`` drawn from the module itself.

The chapter "Building models with nn.Module" teaches what these pictures show:

- :func:`module_tree` / :func:`plot_module_tree`: the tree of ``named_modules()``
  with each module's own and total parameter counts;
- :func:`hook_spans` / :func:`plot_hook_timeline`: the order in which forward
  pre-hooks and forward hooks fired, from a log the chapter records;
- :func:`train_eval_outputs` / :func:`plot_train_eval`: what ``train()`` and
  ``eval()`` change, as the outputs of repeated forward passes in each mode.

Each picture has a layout function that returns plain data (tested) and a
drawing function that takes ``ax=None`` and returns the ``Axes``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from . import _palette
from ._validate import check_positive_int, check_tensor, check_type

__all__ = [
    "HookSpan",
    "ModuleTreeNode",
    "hook_spans",
    "module_tree",
    "plot_hook_timeline",
    "plot_module_tree",
    "plot_train_eval",
    "train_eval_outputs",
]

_MAX_TREE_NODES = 40  # more boxes are unreadable
_MAX_ELEMENTS = 32  # output elements plot_train_eval writes into cells
_MAX_PASSES = 10


# --------------------------------------------------------------------------- module tree


@dataclass(frozen=True)
class ModuleTreeNode:
    """One module of :func:`module_tree`, with its place in the drawing.

    Attributes:
        name: Its dotted name from ``named_modules()``; ``""`` for the model itself.
        class_name: The module's class, e.g. ``"Linear"``.
        own_params: Elements of the parameters registered on this module itself
            (``parameters(recurse=False)``).
        total_params: Elements of all parameters in its subtree, a shared
            (tied) tensor counted once, as ``parameters()`` yields it.
        depth: 0 for the model, 1 for its children, and so on.
        parent: The parent's name, ``None`` for the model.
        x: Horizontal position: leaves at 0, 1, 2, ... in registration order,
            a parent above the middle of its children.
        y: Vertical position, ``-depth``.
    """

    name: str
    class_name: str
    own_params: int
    total_params: int
    depth: int
    parent: str | None
    x: float
    y: float


def module_tree(model: nn.Module) -> list[ModuleTreeNode]:
    """Lay out the module tree of ``model`` as plain data, in ``named_modules()`` order.

    A module registered under two names (a shared submodule) appears once,
    under its first name, as ``named_modules()`` yields it.

    Args:
        model: Any ``nn.Module`` with at most 40 modules in its tree.

    Returns:
        One :class:`ModuleTreeNode` per module, the model first.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``.
        ValueError: The tree has more than 40 modules, or a lazy module still
            has uninitialised parameters (run one forward pass first).
    """
    func = "module_tree"
    check_type(func, "model", model, nn.Module, "an nn.Module")
    named = list(model.named_modules())
    if len(named) > _MAX_TREE_NODES:
        raise ValueError(f"{func}(): argument 'model' must have at most {_MAX_TREE_NODES} modules, got {len(named)}")
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters()):
        raise ValueError(f"{func}(): argument 'model' has uninitialised (lazy) parameters; run one forward pass first")
    children: dict[str, list[str]] = {name: [] for name, _ in named}
    for name, _ in named[1:]:
        children[name.rpartition(".")[0]].append(name)
    x: dict[str, float] = {}
    next_leaf = [0.0]

    def place(name: str) -> None:
        for child in children[name]:
            place(child)
        if children[name]:
            x[name] = (x[children[name][0]] + x[children[name][-1]]) / 2
        else:
            x[name] = next_leaf[0]
            next_leaf[0] += 1

    place("")
    nodes = []
    for name, module in named:
        depth = name.count(".") + 1 if name else 0
        unique = {id(p): p.numel() for p in module.parameters()}
        nodes.append(
            ModuleTreeNode(
                name=name,
                class_name=type(module).__name__,
                own_params=sum(p.numel() for p in module.parameters(recurse=False)),
                total_params=sum(unique.values()),
                depth=depth,
                parent=name.rpartition(".")[0] if name else None,
                x=x[name],
                y=-float(depth),
            )
        )
    return nodes


def plot_module_tree(model: nn.Module, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw the module tree of ``model``: one box per module, an edge to each child.

    Each box shows the module's name, its class, the parameters it holds
    itself ("own") and those of its whole subtree ("total"); leaves sit in
    registration order along the bottom of each branch. The layout is
    :func:`module_tree`'s. The chapter "Building models with nn.Module" draws
    its models with it.

    Args:
        model: Any ``nn.Module`` with at most 40 modules in its tree.
        ax: Axes to draw into; a new figure sized to the tree is made when ``None``.
        title: The title; by default the model's class and total parameter count.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: As :func:`module_tree`.
    """
    func = "plot_module_tree"
    check_type(func, "model", model, nn.Module, "an nn.Module")
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "title", title, (str, type(None)), "a str or None")
    nodes = module_tree(model)
    width = max(n.x for n in nodes) + 1
    depth = max(n.depth for n in nodes) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.9 * width + 1.2, 10.0), 1.1 * depth + 1.2), layout="constrained")
    where = {n.name: (n.x, n.y) for n in nodes}
    for n in nodes:
        if n.parent is not None:
            (x0, y0), (x1, y1) = where[n.parent], (n.x, n.y)
            ax.plot([x0, x1], [y0, y1], color="0.4", lw=1.0, zorder=1)
        label = f"{n.name or '(model)'}\n{n.class_name}\nown {n.own_params:,} | total {n.total_params:,}"
        face = _palette.GREEN if n.own_params else _palette.BLUE
        ax.text(
            n.x,
            n.y,
            label,
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "facecolor": face, "edgecolor": "0.25"},
        )
    ax.set_xlim(-0.7, width - 0.3)
    ax.set_ylim(-depth + 0.4, 0.6)
    ax.set_yticks([-float(d) for d in range(depth)], [str(d) for d in range(depth)])
    ax.set_xticks([])
    ax.grid(False)
    ax.set_ylabel("depth in the tree")
    ax.set_xlabel("submodules in registration order (green: holds parameters itself)")
    ax.set_title(title if title is not None else f"{type(model).__name__}: {nodes[0].total_params:,} parameters")
    return ax


# --------------------------------------------------------------------------- hook timeline


_OPENS = {"pre": "forward", "start": "end"}  # the kind that opens a call: the kind that closes it
_CLOSES = {"forward": "forward hook", "end": "end"}  # and how the picture's legend names the markers
_OPEN_NAMES = {"pre": "pre-hook", "start": "start"}


@dataclass(frozen=True)
class HookSpan:
    """One module call of a hook log: its pre-hook fired at ``start``, its forward hook at ``end``.

    Attributes:
        name: The module's name as the log writes it.
        start: Index of the ``("pre", name)`` event in the log.
        end: Index of the matching ``("forward", name)`` event.
        level: How many calls were still open when this one started (0: outermost).
    """

    name: str
    start: int
    end: int
    level: int


def hook_spans(events: Sequence[tuple[str, str]]) -> list[HookSpan]:
    """Pair the events of a hook log into module calls, in the order the calls started.

    Args:
        events: ``(kind, name)`` pairs in the order the hooks fired, ``kind``
            being ``"pre"`` (a forward pre-hook) or ``"forward"`` (a forward hook);
            or, for any other log of nested calls (the Lightning chapter's
            callback hooks), ``"start"`` and ``"end"``.

    Returns:
        One :class:`HookSpan` per call.

    Raises:
        TypeError: ``events`` is not a sequence of pairs of str.
        ValueError: A kind is unknown, or a forward event does not close the
            innermost open call, or a call is never closed.
    """
    func = "hook_spans"
    check_type(func, "events", events, (list, tuple), "a list of (kind, name) pairs")
    open_calls: list[tuple[str, int]] = []
    spans: list[HookSpan] = []
    for index, event in enumerate(events):
        if not (isinstance(event, tuple) and len(event) == 2 and all(isinstance(e, str) for e in event)):
            raise TypeError(f"{func}(): argument 'events' must hold (kind, name) pairs of str, got {event!r}")
        kind, name = event
        if kind in _OPENS:
            open_calls.append((name, index))
        elif kind in _CLOSES:
            if not open_calls or open_calls[-1][0] != name:
                innermost = repr(open_calls[-1][0]) if open_calls else "none"
                raise ValueError(f"{func}(): event {index} closes {name!r}, but the innermost open call is {innermost}")
            _, start = open_calls.pop()
            if _OPENS[events[start][0]] != kind:
                raise ValueError(
                    f"{func}(): event {index} closes {name!r} with {kind!r}, opened with {events[start][0]!r}"
                )
            spans.append(HookSpan(name=name, start=start, end=index, level=len(open_calls)))
        else:
            raise ValueError(f"{func}(): event {index} has kind {kind!r}, expected 'pre', 'forward', 'start' or 'end'")
    if open_calls:
        raise ValueError(f"{func}(): calls never closed by a forward event: {[name for name, _ in open_calls]}")
    return sorted(spans, key=lambda span: span.start)


def plot_hook_timeline(events: Sequence[tuple[str, str]], ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw a hook log as a timeline: one row per module call, a bar from its pre-hook to its hook.

    A nested call's bar lies within its caller's, on a row further down; a triangle marks
    each pre-hook and a dot each forward hook. The layout is :func:`hook_spans`'s.
    The chapter "Building models with nn.Module" records the log with
    ``register_forward_pre_hook`` and ``register_forward_hook``; the chapter
    "PyTorch Lightning" records a ``"start"``/``"end"`` log of the Trainer's
    callback hooks with a callback.

    Args:
        events: ``(kind, name)`` pairs, as :func:`hook_spans` takes them.
        ax: Axes to draw into; a new figure is made when ``None``.
        title: The title; by default it counts the calls.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: As :func:`hook_spans`, or the log is empty.
    """
    func = "plot_hook_timeline"
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "title", title, (str, type(None)), "a str or None")
    spans = hook_spans(events)
    if not spans:
        raise ValueError(f"{func}(): argument 'events' must hold at least one call, got an empty log")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 0.4 * len(spans) + 1.4), layout="constrained")
    rows = list(range(len(spans)))[::-1]
    for row, span in zip(rows, spans, strict=True):
        ax.barh(row, span.end - span.start, left=span.start, height=0.5, color=_palette.BLUE, edgecolor="0.3")
        ax.plot([span.start], [row], marker=">", color=_palette.PATH, markersize=7, linestyle="none")
        ax.plot([span.end], [row], marker="o", color="black", markersize=5, linestyle="none")
    ax.set_yticks(rows, [span.name for span in spans])
    ax.set_xticks(range(0, len(events), 1 if len(events) <= 20 else 5))  # a tick per event, or every fifth
    ax.grid(axis="y", visible=False)
    first = events[spans[0].start][0]
    ax.set_xlabel(f"event number in the log (▶ {_OPEN_NAMES[first]}, ● {_CLOSES[_OPENS[first]]})")
    what = "module call" if first == "pre" else "call"
    ax.set_ylabel(what)
    ax.set_title(title if title is not None else f"hook timeline: {len(spans)} {what}s, {len(events)} events")
    return ax


# --------------------------------------------------------------------------- train vs eval


def train_eval_outputs(module: nn.Module, x: torch.Tensor, num_passes: int = 5) -> dict[str, torch.Tensor]:
    """Run ``module`` on ``x`` ``num_passes`` times in eval mode, then as often in train mode.

    The passes run under ``torch.no_grad()``. Afterwards the module is as it
    was: its ``training`` flags and its buffers (batch norm's running
    statistics, which the train passes update) are restored. Randomness (the
    dropout masks) comes from torch's global generator.

    Args:
        module: Any ``nn.Module`` that takes one tensor and returns one.
        x: The input, the same for every pass.
        num_passes: Forward passes per mode, 1 to 10.

    Returns:
        ``{"eval": ..., "train": ...}``, each a CPU tensor of shape
        ``(num_passes, n)`` holding the flattened outputs of one pass per row.

    Raises:
        TypeError: An argument has the wrong type (the message names it), or
            the module does not return a tensor.
        ValueError: ``num_passes`` is not in 1 to 10.
    """
    func = "train_eval_outputs"
    check_type(func, "module", module, nn.Module, "an nn.Module")
    check_tensor(func, "x", x)
    check_positive_int(func, "num_passes", num_passes)
    if num_passes > _MAX_PASSES:
        raise ValueError(f"{func}(): argument 'num_passes' must be at most {_MAX_PASSES}, got {num_passes}")
    modes = {m: m.training for m in module.modules()}
    buffers = copy.deepcopy(dict(module.named_buffers()))
    outputs: dict[str, torch.Tensor] = {}
    try:
        with torch.no_grad():
            for mode in ("eval", "train"):
                module.train(mode == "train")
                rows = [module(x) for _ in range(num_passes)]
                if not all(isinstance(r, torch.Tensor) for r in rows):
                    raise TypeError(f"{func}(): argument 'module' must return a tensor, got {type(rows[0]).__name__}")
                outputs[mode] = torch.stack([r.detach().flatten().cpu() for r in rows])
    finally:
        for m, training in modes.items():
            m.training = training
        with torch.no_grad():
            for name, saved in buffers.items():
                module.get_buffer(name).copy_(saved)
    return outputs


def plot_train_eval(
    module: nn.Module, x: torch.Tensor, ax: Axes | None = None, *, num_passes: int = 5, title: str | None = None
) -> Axes:
    """Draw the outputs of repeated forward passes in eval mode and in train mode, one row per pass.

    The outputs come from :func:`train_eval_outputs`, so the module is left as
    it was. Each cell is one output element, coloured and written in; the eval
    rows sit above the train rows. With dropout on a tensor of ones the train
    rows show the dropout masks. The chapter "Building models with nn.Module"
    explains ``train()`` and ``eval()`` with this picture.

    Args:
        module: Any ``nn.Module`` that takes one tensor and returns one with at
            most 32 elements.
        x: The input, the same for every pass.
        ax: Axes to draw into; a new figure is made when ``None``.
        num_passes: Forward passes per mode, 1 to 10.
        title: The title; by default the module's class.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: ``num_passes`` is out of range, or the output has more than 32 elements.
    """
    func = "plot_train_eval"
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "title", title, (str, type(None)), "a str or None")
    outputs = train_eval_outputs(module, x, num_passes)
    n = outputs["eval"].shape[1]
    if n > _MAX_ELEMENTS:
        raise ValueError(f"{func}(): the module's output must have at most {_MAX_ELEMENTS} elements to draw, got {n}")
    grid = torch.cat([outputs["eval"], outputs["train"]]).double().numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(min(0.38 * n + 1.8, 10.0), 0.32 * len(grid) + 1.5), layout="constrained")
    ax.imshow(grid, cmap=_palette.CELL_CMAP, aspect="auto")
    low, span = float(grid.min()), float(grid.max() - grid.min())
    for (i, j), value in np.ndenumerate(grid):
        dark = span > 0 and (value - low) / span > 0.6  # white text on the dark end of the colour map
        ax.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=7, color="white" if dark else "black")
    ax.axhline(num_passes - 0.5, color="crimson", lw=2)
    labels = [f"eval {k + 1}" for k in range(num_passes)] + [f"train {k + 1}" for k in range(num_passes)]
    ax.set_yticks(range(len(grid)), labels)
    ax.set_xticks(range(n))
    ax.grid(False)
    ax.set_xlabel("output element")
    ax.set_ylabel("forward pass (mode, number)")
    ax.set_title(title if title is not None else f"{type(module).__name__}: same input, eval mode vs train mode")
    return ax
