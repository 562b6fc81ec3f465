"""The book's figure style and picture helpers.

Call :func:`use_book_style` once (every chapter's setup cell does); it is the
only function here that changes matplotlib's global settings. Every other
helper draws into the ``Axes`` it is given (or a new figure when ``ax`` is
``None``), returns that ``Axes`` and never saves a file, so the helpers work
the same in a notebook, a script or a test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import _palette
from ._validate import check_positive_int, check_tensor, check_type, describe

__all__ = [
    "BOOK_STYLE",
    "plot_bars",
    "plot_broadcast",
    "plot_contour_path",
    "plot_functions",
    "plot_storage",
    "use_book_style",
]

#: The rcParams that :func:`use_book_style` sets: small figures at a modest
#: resolution (notebooks stay small), a light grid, no top/right spines.
BOOK_STYLE: dict[str, object] = {
    "figure.figsize": (6.0, 3.5),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "figure.facecolor": "white",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "image.cmap": "viridis",
}

_MAX_STORAGE_CELLS = 48  # a wider storage row is unreadable
_MAX_BROADCAST_SIZE = 10  # largest dimension plot_broadcast draws
_CELL_CMAP = _palette.CELL_CMAP


def use_book_style() -> None:
    """Set the book's look for every figure drawn afterwards.

    This is the one function of :mod:`utils` that changes matplotlib's global
    ``rcParams`` (to :data:`BOOK_STYLE`). Each chapter calls it once in its
    setup cell; to undo it, call ``matplotlib.rcdefaults()``.
    """
    mpl.rcParams.update(BOOK_STYLE)


# --------------------------------------------------------------------------- helpers


def _new_axes(figsize: tuple[float, float]) -> Axes:
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _cell(ax: Axes, x: float, y: float, **style: object) -> Rectangle:
    patch = Rectangle((x, y), 1.0, 1.0, **style)
    ax.add_patch(patch)
    return patch


def _shape_text(shape: Sequence[int]) -> str:
    return str(tuple(shape))


# --------------------------------------------------------------------------- plot_storage


def plot_storage(tensor: torch.Tensor, ax: Axes | None = None, *, name: str = "t") -> Axes:
    """Draw a 1-D or 2-D tensor as a grid above the 1-D storage that holds it.

    Each element is coloured by its position in the storage, so the grid of a
    contiguous tensor reads left to right, row by row, while the grid of a
    transposed view reads down the columns. Storage cells that the tensor does
    not use (a slice with an offset, say) are drawn white. The chapter
    "Tensors" explains shape, stride and storage offset with this picture.

    Args:
        tensor: A tensor with 1 or 2 dimensions, at least one element and a
            storage of at most 48 elements; any dtype except complex, any device.
        ax: Axes to draw into; a new figure is made when ``None``.
        name: What the title calls the tensor.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: ``tensor`` is not a tensor, ``ax`` not an Axes or ``name`` not a str.
        ValueError: ``tensor`` has the wrong number of dimensions, no elements,
            a complex dtype, or a storage too large to draw.
    """
    func = "plot_storage"
    check_tensor(func, "tensor", tensor, ndim=(1, 2))
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "name", name, str, "a str")
    if tensor.numel() == 0:
        raise ValueError(f"{func}(): argument 'tensor' must have at least one element, got shape {tuple(tensor.shape)}")
    if tensor.is_complex():
        raise ValueError(f"{func}(): argument 'tensor' must have a real or bool dtype, got {tensor.dtype}")
    storage_size = tensor.untyped_storage().nbytes() // tensor.element_size()
    if storage_size > _MAX_STORAGE_CELLS:
        raise ValueError(
            f"{func}(): argument 'tensor' must have a storage of at most {_MAX_STORAGE_CELLS} elements "
            f"to be drawn, got {storage_size}"
        )

    view = tensor.detach()
    grid = view if view.dim() == 2 else view.unsqueeze(0)
    rows, cols = grid.shape
    row_stride, col_stride = (grid.stride(0), grid.stride(1))
    offset = view.storage_offset()
    storage = view.as_strided((storage_size,), (1,), 0).cpu().tolist()
    values = grid.cpu().tolist()

    if ax is None:
        width = max(storage_size, cols) * 0.55 + 1.6
        ax = _new_axes((width, (rows + 1) * 0.55 + 1.5))

    cmap = mpl.colormaps[_CELL_CMAP]

    def colour(index: int) -> tuple[float, float, float, float]:
        return cmap(0.1 + 0.55 * index / max(storage_size - 1, 1))

    used = set()
    grid_bottom = 1.7  # the storage row sits at y in [0, 1], the grid above it
    for i in range(rows):
        for j in range(cols):
            index = offset + i * row_stride + j * col_stride
            used.add(index)
            y = grid_bottom + (rows - 1 - i)
            _cell(ax, j, y, facecolor=colour(index), edgecolor="black", linewidth=1.0)
            ax.text(j + 0.5, y + 0.58, _format_value(values[i][j]), ha="center", va="center", fontsize=10)
            ax.text(j + 0.5, y + 0.2, f"s[{index}]", ha="center", va="center", fontsize=7, color="0.25")
    for j in range(cols):
        ax.text(j + 0.5, grid_bottom + rows + 0.2, f"col {j}", ha="center", va="bottom", fontsize=8)
    for k, value in enumerate(storage):
        face = colour(k) if k in used else "white"
        _cell(ax, k, 0.0, facecolor=face, edgecolor="black" if k in used else "0.6", linewidth=1.0)
        ax.text(
            k + 0.5,
            0.5,
            _format_value(value),
            ha="center",
            va="center",
            fontsize=10,
            color="black" if k in used else "0.6",
        )

    ax.set_xlim(-0.1, max(storage_size, cols) + 0.1)
    ax.set_ylim(-0.1, grid_bottom + rows + 0.7)
    ax.set_aspect("equal")
    ax.grid(False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([k + 0.5 for k in range(storage_size)], [str(k) for k in range(storage_size)])
    ax.tick_params(length=0, labelsize=8)
    if view.dim() == 2:
        row_ticks = [(grid_bottom + rows - 1 - i + 0.5, f"row {i}") for i in range(rows)]
    else:
        row_ticks = [(grid_bottom + 0.5, "tensor")]
    ticks = [(0.5, "storage"), *row_ticks]
    ax.set_yticks([t for t, _ in ticks], [label for _, label in ticks])
    ax.set_xlabel("storage index s[k] (order in memory)")
    layout = "contiguous" if tensor.is_contiguous() else "not contiguous"
    ax.set_title(
        f"{name}: shape {_shape_text(view.shape)}, stride {view.stride()}\noffset {offset}, {layout}",
        fontsize=10,
    )
    return ax


# --------------------------------------------------------------------------- plot_broadcast


def _as_shape(func: str, name: str, value: object) -> tuple[int, ...]:
    check_type(func, name, value, (torch.Tensor, tuple, list), "a torch.Tensor or a shape (tuple of ints)")
    if isinstance(value, torch.Tensor):
        shape = tuple(value.shape)
    else:
        if not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
            raise TypeError(f"{func}(): argument '{name}' must be a shape of ints, got {list(value)!r}")
        shape = tuple(value)
    if len(shape) > 2 or any(d < 1 or d > _MAX_BROADCAST_SIZE for d in shape):
        raise ValueError(
            f"{func}(): argument '{name}' must have at most 2 dimensions, each of size 1 to "
            f"{_MAX_BROADCAST_SIZE}, to be drawn, got shape {shape}"
        )
    return shape


_OPS = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}


def plot_broadcast(  # noqa: C901 (to split into layout and drawing, issue 11)
    a: torch.Tensor | Sequence[int],
    b: torch.Tensor | Sequence[int],
    ax: Axes | None = None,
    *,
    op: str = "+",
    names: tuple[str, str] = ("a", "b"),
) -> Axes:
    """Draw how two shapes broadcast: each operand stretched to the result's shape.

    Shapes are aligned on the right and a missing leading dimension counts as
    size 1. The stored cells of each operand are drawn solid; the cells that
    broadcasting adds by repeating a size-1 dimension (no memory is copied) are
    drawn faded with dashed edges, and an arrow marks each stretched dimension.
    Tensors have their values written in, and so does the result when both
    operands are tensors and ``op`` is one of ``+ - * /``; shapes draw empty
    grids. The chapter
    "Tensors" explains the rules with this picture.

    Args:
        a: The first operand: a tensor, or its shape as a tuple or list of ints;
            at most 2 dimensions, each of size 1 to 10 (a 0-dim tensor is a scalar).
        b: The second operand, like ``a``.
        ax: Axes to draw into; a new figure is made when ``None``.
        op: The symbol drawn between the operands, e.g. ``"+"`` or ``"*"``.
        names: What the captions call the two operands.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: ``a`` or ``b`` is neither a tensor nor a shape, ``ax`` is not
            an Axes, ``op`` not a str or ``names`` not a pair of str.
        ValueError: A shape is too large to draw, or the shapes do not broadcast
            (the message names the first dimension that clashes).
    """
    func = "plot_broadcast"
    shape_a = _as_shape(func, "a", a)
    shape_b = _as_shape(func, "b", b)
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "op", op, str, "a str")
    check_type(func, "names", names, (tuple, list), "a pair of str")
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{func}(): argument 'names' must be a pair of str, got {list(names)!r}")
    padded_a = (1,) * (2 - len(shape_a)) + shape_a
    padded_b = (1,) * (2 - len(shape_b)) + shape_b
    result = []
    for dim, (m, n) in enumerate(zip(padded_a, padded_b, strict=True)):
        if m != n and 1 not in (m, n):
            raise ValueError(
                f"{func}(): shapes {shape_a} and {shape_b} cannot be broadcast: dimension {dim - 2} has "
                f"sizes {m} and {n}, and neither is 1"
            )
        result.append(max(m, n))
    rows, cols = result
    res_len = max(len(shape_a), len(shape_b))
    shape_res = tuple(result[2 - res_len :])

    if ax is None:
        ax = _new_axes((max(3 * cols * 0.55 + 2.4, 6.0), rows * 0.55 + 2.0))

    colours = (_palette.BLUE, _palette.ORANGE, _palette.GREEN)
    gap = 1.6
    combined = None
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and op in _OPS:
        combined = _OPS[op](a.detach().cpu(), b.detach().cpu())
    panels = [
        (names[0], a, shape_a, padded_a),
        (names[1], b, shape_b, padded_b),
        ("result", combined, shape_res, tuple(result)),
    ]
    for p, (label, operand, shape, padded) in enumerate(panels):
        x0 = p * (cols + gap)
        values = None
        if isinstance(operand, torch.Tensor):
            values = operand.detach().reshape(padded).cpu().tolist()
        for i in range(rows):
            for j in range(cols):
                src_i = i if padded[0] > 1 else 0
                src_j = j if padded[1] > 1 else 0
                stored = p == 2 or (i == src_i and j == src_j)
                y = rows - 1 - i
                _cell(
                    ax,
                    x0 + j,
                    y,
                    facecolor=colours[p],
                    alpha=1.0 if stored else 0.35,
                    edgecolor="black" if stored else "0.45",
                    linestyle="-" if stored else "--",
                    linewidth=1.2 if stored else 0.9,
                )
                if values is not None:
                    ax.text(
                        x0 + j + 0.5,
                        y + 0.5,
                        _format_value(values[src_i][src_j]),
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="black" if stored else "0.45",
                    )
        stretched = []
        if p < 2:
            if padded[0] == 1 and rows > 1:  # stretched down the rows
                stretched.append(0)
                ax.annotate(
                    "",
                    xy=(x0 - 0.25, 0.1),
                    xytext=(x0 - 0.25, rows - 0.1),
                    arrowprops={"arrowstyle": "->", "color": "crimson", "lw": 1.5},
                )
            if padded[1] == 1 and cols > 1:  # stretched along the columns
                stretched.append(1)
                ax.annotate(
                    "",
                    xy=(x0 + cols - 0.1, rows + 0.25),
                    xytext=(x0 + 0.1, rows + 0.25),
                    arrowprops={"arrowstyle": "->", "color": "crimson", "lw": 1.5},
                )
        caption = f"{label} {_shape_text(shape)}"
        if p < 2 and len(shape) < res_len:
            caption += f"\n→ {_shape_text(padded[2 - res_len :])}"
        if stretched:
            caption += "\nstretched: dim " + ", ".join(str(d - 2 + res_len) for d in stretched)
        ax.text(x0 + cols / 2, -0.3, caption, ha="center", va="top", fontsize=9)
        if p < 2:
            ax.text(x0 + cols + gap / 2, rows / 2, op if p == 0 else "=", ha="center", va="center", fontsize=16)

    ax.set_xlim(-0.7, 3 * cols + 2 * gap + 0.2)
    ax.set_ylim(-2.4, rows + 0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [
        Patch(facecolor="0.8", edgecolor="black", label="stored element"),
        Patch(
            facecolor="0.8",
            alpha=0.35,
            edgecolor="0.45",
            linestyle="--",
            label="repeated (stride 0, no copy)",
        ),
        Line2D([], [], color="crimson", marker=">", label="stretched dimension"),
    ]
    ax.legend(handles=handles, loc="lower center", ncols=3, fontsize=8)
    ax.set_title(
        f"broadcasting {_shape_text(shape_a)} with {_shape_text(shape_b)} gives {_shape_text(shape_res)}",
        fontsize=10,
    )
    return ax


# --------------------------------------------------------------------------- plot_bars


def plot_bars(
    labels: Sequence[str],
    values: Sequence[float] | np.ndarray | torch.Tensor,
    ax: Axes | None = None,
    *,
    xlabel: str,
    title: str,
    log_scale: bool = False,
) -> Axes:
    """Draw one horizontal bar per label, with its value written at the bar's end.

    Meant for a handful of measurements, such as the timings of the chapter
    "Tensors" (Python loop against vectorised code).

    Args:
        labels: One name per bar, drawn top to bottom.
        values: One non-negative number per label (positive if ``log_scale``).
        ax: Axes to draw into; a new figure is made when ``None``.
        xlabel: What the values measure, with unit, e.g. ``"time per call (µs)"``.
        title: The figure's title.
        log_scale: Use a logarithmic x axis, for values spanning decades.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: ``labels`` and ``values`` differ in length or are empty, or
            a value is negative, or not positive on a log scale.
    """
    func = "plot_bars"
    check_type(func, "labels", labels, (list, tuple), "a list or tuple of str")
    if not all(isinstance(label, str) for label in labels):
        raise TypeError(f"{func}(): argument 'labels' must hold only str, got {[describe(x) for x in labels]}")
    check_type(func, "values", values, (list, tuple, np.ndarray, torch.Tensor), "a sequence of numbers")
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "xlabel", xlabel, str, "a str")
    check_type(func, "title", title, str, "a str")
    check_type(func, "log_scale", log_scale, bool, "a bool")
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().tolist()
    numbers = np.asarray(values, dtype=float).ravel() if len(values) else np.zeros(0)
    if len(labels) == 0 or len(labels) != len(numbers):
        raise ValueError(
            f"{func}(): arguments 'labels' and 'values' must have the same, non-zero length, "
            f"got {len(labels)} and {len(numbers)}"
        )
    if not np.all(np.isfinite(numbers)) or np.any(numbers < 0) or (log_scale and np.any(numbers <= 0)):
        wanted = "positive" if log_scale else "non-negative"
        raise ValueError(f"{func}(): argument 'values' must be finite and {wanted}, got {numbers.tolist()}")

    if ax is None:
        ax = _new_axes((6.0, 0.45 * len(labels) + 1.4))
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, numbers, color=_palette.BAR, height=0.6)
    ax.set_yticks(positions, list(labels))
    if log_scale:
        ax.set_xscale("log")
    for y, value in zip(positions, numbers, strict=True):
        text = f" {value:,.0f}" if value >= 1000 else f" {value:.3g}"
        ax.text(value, y, text, va="center", ha="left", fontsize=9)
    ax.set_xlim(right=numbers.max() * (8 if log_scale else 1.2) if numbers.max() > 0 else 1)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- plot_functions


def _as_float_array(func: str, name: str, value: torch.Tensor) -> np.ndarray:
    """A 1-D tensor as a NumPy float array, detached from autograd and copied to the CPU."""
    check_tensor(func, name, value, ndim=1)
    if value.is_complex():
        raise ValueError(f"{func}(): argument '{name}' must have a real dtype, got {value.dtype}")
    return value.detach().cpu().double().numpy()


def plot_functions(
    x: torch.Tensor,
    curves: Mapping[str, torch.Tensor],
    ax: Axes | None = None,
    *,
    title: str,
    xlabel: str = "x",
    ylabel: str = "y",
) -> Axes:
    """Draw functions of one variable over the same grid, one labelled line each.

    Meant for a function next to its derivatives: the chapter "Autograd" draws
    f, f' and f'' computed by autograd. A thin grey line marks y = 0, where a
    derivative crosses zero at each minimum or maximum of the function.
    Tensors may require grad or live on any device; they are detached and
    copied to the CPU.

    Args:
        x: The grid, a 1-D tensor with at least two points.
        curves: Legend label -> 1-D tensor of values at ``x`` (same length),
            drawn in the order given.
        ax: Axes to draw into; a new figure is made when ``None``.
        title: The figure's title.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: ``x`` or a curve is not 1-D or complex, ``x`` has fewer than
            two points, ``curves`` is empty, or a curve's length differs from ``x``'s.
    """
    func = "plot_functions"
    grid = _as_float_array(func, "x", x)
    if grid.size < 2:
        raise ValueError(f"{func}(): argument 'x' must have at least 2 points, got {grid.size}")
    check_type(func, "curves", curves, Mapping, "a dict of label -> 1-D tensor")
    if not curves:
        raise ValueError(f"{func}(): argument 'curves' must hold at least one curve, got an empty dict")
    values = {}
    for label, curve in curves.items():
        check_type(func, "curves", label, str, "a dict with str labels")
        values[label] = _as_float_array(func, f"curves[{label!r}]", curve)
        if values[label].size != grid.size:
            raise ValueError(
                f"{func}(): argument 'curves[{label!r}]' must have as many points as 'x' ({grid.size}), "
                f"got {values[label].size}"
            )
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "title", title, str, "a str")
    check_type(func, "xlabel", xlabel, str, "a str")
    check_type(func, "ylabel", ylabel, str, "a str")

    if ax is None:
        ax = _new_axes((6.0, 3.5))
    ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=0)
    for label, curve in values.items():
        ax.plot(grid, curve, label=label, linewidth=1.8)
    ax.set_xlim(grid.min(), grid.max())
    ax.legend()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


# --------------------------------------------------------------------------- plot_contour_path


def _as_limits(func: str, name: str, value: object) -> tuple[float, float]:
    check_type(func, name, value, (tuple, list), "a pair of numbers (low, high)")
    if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise TypeError(f"{func}(): argument '{name}' must be a pair of numbers (low, high), got {list(value)!r}")
    low, high = float(value[0]), float(value[1])
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{func}(): argument '{name}' must be finite with low < high, got {(low, high)}")
    return low, high


def plot_contour_path(  # noqa: C901 (to split into layout and drawing, issue 11)
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    path: torch.Tensor | Sequence[Sequence[float]],
    ax: Axes | None = None,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    title: str,
    xlabel: str = "x",
    ylabel: str = "y",
    levels: int = 20,
    log_levels: bool = False,
    num_points: int = 200,
    label: str = "path",
) -> Axes:
    """Draw the contour lines of f(x, y) with a path of points on top, such as gradient-descent iterates.

    The chapter "Autograd" draws gradient descent on the Rosenbrock function
    with this picture. ``f`` is evaluated once, without autograd, on a
    ``num_points`` x ``num_points`` grid of float64 CPU tensors, so write it
    with tensor operations that work element-wise (``(1 - x) ** 2``, ``torch.exp``).
    The path's first point is marked with a circle, its last with a star; the
    legend sits outside the axes, on the right, so that it hides no part of the path.

    Args:
        f: A function of two tensors of the same shape that returns a tensor of that shape.
        path: The points visited, shape (n, 2) with n >= 1: a tensor (any
            device, may require grad) or a sequence of (x, y) pairs.
        ax: Axes to draw into; a new figure is made when ``None``.
        xlim: The (low, high) range of x to draw.
        ylim: The (low, high) range of y to draw.
        title: The figure's title.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        levels: How many contour levels to draw.
        log_levels: Space the levels logarithmically, for functions whose
            values span decades (they must then be positive on the grid).
        num_points: Grid points along each axis.
        label: Legend label of the path.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it), or
            ``f`` does not return a tensor.
        ValueError: ``path`` is not of shape (n, 2), limits are not increasing,
            ``f`` returns the wrong shape or non-finite values, or it is not
            positive on the grid while ``log_levels`` is set.
    """
    func = "plot_contour_path"
    if not callable(f):
        raise TypeError(f"{func}(): argument 'f' must be a callable f(x, y), got {describe(f)}")
    check_type(
        func, "path", path, (torch.Tensor, list, tuple, np.ndarray), "a tensor of shape (n, 2) or a list of pairs"
    )
    if isinstance(path, torch.Tensor):
        if path.is_complex():
            raise ValueError(f"{func}(): argument 'path' must have a real dtype, got {path.dtype}")
        points = path.detach().cpu().double().numpy()
    else:
        try:
            points = np.asarray(path, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{func}(): argument 'path' must be a list of (x, y) number pairs, got {path!r}") from None
    if points.ndim != 2 or points.shape[0] < 1 or points.shape[1] != 2:
        raise ValueError(f"{func}(): argument 'path' must have shape (n, 2) with n >= 1, got {points.shape}")
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    x_low, x_high = _as_limits(func, "xlim", xlim)
    y_low, y_high = _as_limits(func, "ylim", ylim)
    check_type(func, "title", title, str, "a str")
    check_type(func, "xlabel", xlabel, str, "a str")
    check_type(func, "ylabel", ylabel, str, "a str")
    check_positive_int(func, "levels", levels)
    check_type(func, "log_levels", log_levels, bool, "a bool")
    check_positive_int(func, "num_points", num_points)
    if num_points < 2:
        raise ValueError(f"{func}(): argument 'num_points' must be at least 2, got {num_points}")
    check_type(func, "label", label, str, "a str")

    xs = torch.linspace(x_low, x_high, num_points, dtype=torch.float64)
    ys = torch.linspace(y_low, y_high, num_points, dtype=torch.float64)
    grid_x, grid_y = torch.meshgrid(xs, ys, indexing="xy")
    with torch.no_grad():
        z = f(grid_x, grid_y)
    if not isinstance(z, torch.Tensor):
        raise TypeError(f"{func}(): argument 'f' must return a tensor, got {describe(z)}")
    if z.shape != grid_x.shape:
        raise ValueError(
            f"{func}(): argument 'f' must return a tensor of the grid's shape {tuple(grid_x.shape)}, "
            f"got {tuple(z.shape)}"
        )
    z = z.detach().cpu().double().numpy()
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{func}(): argument 'f' must return finite values on the grid, got inf or nan")
    if log_levels:
        if z.min() <= 0:
            raise ValueError(
                f"{func}(): argument 'f' must be positive on the grid when log_levels=True, got minimum {z.min():.3g}"
            )
        contour_levels = np.geomspace(z.min(), z.max(), levels + 2)[1:-1]
    else:
        contour_levels = np.linspace(z.min(), z.max(), levels + 2)[1:-1]

    if ax is None:
        ax = _new_axes((7.0, 3.5))
    ax.contour(grid_x.numpy(), grid_y.numpy(), z, levels=np.unique(contour_levels), cmap="viridis", linewidths=0.8)
    ax.plot(points[:, 0], points[:, 1], color=_palette.PATH, linewidth=1.2, marker=".", markersize=3, label=label)
    ax.plot(points[0, 0], points[0, 1], "o", color="black", markersize=6, label="start", linestyle="none")
    ax.plot(points[-1, 0], points[-1, 1], "*", color="black", markersize=10, label="end", linestyle="none")
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))  # outside: the path may go anywhere
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
