"""The book's figure style and picture helpers.

Call :func:`use_book_style` once (every chapter's setup cell does); it is the
only function here that changes matplotlib's global settings. Every other
helper draws into the ``Axes`` it is given (or a new figure when ``ax`` is
``None``), returns that ``Axes`` and never saves a file, so the helpers work
the same in a notebook, a script or a test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import torch
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.typing import ColorType, RcKeyType

from . import _palette
from ._validate import check_positive_int, check_tensor, check_type, describe

__all__ = [
    "BOOK_STYLE",
    "plot_bars",
    "plot_broadcast",
    "plot_contour_path",
    "plot_functions",
    "plot_join",
    "plot_storage",
    "use_book_style",
]

#: The rcParams that :func:`use_book_style` sets: small figures at a modest
#: resolution (notebooks stay small), a light grid, no top/right spines.
BOOK_STYLE: dict[RcKeyType, object] = {
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

_FloatArray: TypeAlias = npt.NDArray[np.float64]


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


class _CellStyle(NamedTuple):
    """How a cell's edge is drawn, and how opaque the cell is (``None``: as its fill says)."""

    edgecolor: ColorType
    linewidth: float
    linestyle: str = "-"
    alpha: float | None = None


def _cell(ax: Axes, x: float, y: float, facecolor: ColorType, style: _CellStyle) -> Rectangle:
    """Add a 1 x 1 square with its lower-left corner at (x, y)."""
    patch = Rectangle(
        (x, y),
        1.0,
        1.0,
        facecolor=facecolor,
        edgecolor=style.edgecolor,
        linewidth=style.linewidth,
        linestyle=style.linestyle,
        alpha=style.alpha,
    )
    ax.add_patch(patch)
    return patch


class _Ticks(NamedTuple):
    """Tick marks of an axis: where they are, and their labels."""

    positions: tuple[float, ...]
    labels: tuple[str, ...]


def _shape_text(shape: Sequence[int]) -> str:
    return str(tuple(shape))


# --------------------------------------------------------------------------- plot_storage


@dataclass(frozen=True)
class _StorageCell:
    """One cell of :func:`plot_storage`'s picture, a 1 x 1 square.

    Attributes:
        x: Left edge, in data coordinates.
        y: Bottom edge: the storage row sits at y = 0, the tensor's grid above it.
        index: The storage index k of the element (``s[k]``).
        text: The element's value, as written in.
        used: Whether the tensor uses this element (always for a grid cell);
            an unused storage cell is drawn white with grey text.
        shade: Where the cell's colour lies on the colour map, from the storage index.
    """

    x: float
    y: float
    index: int
    text: str
    used: bool
    shade: float


@dataclass(frozen=True)
class _StorageLayout:
    """What :func:`plot_storage` draws, as plain data (see :func:`_storage_layout`).

    Attributes:
        grid: The tensor's elements, row by row (a 1-D tensor is one row).
        storage: The storage's elements, in memory order.
        column_labels: ``(x, y, text)`` of the ``col j`` labels above the grid.
        xticks: The storage indices, under the storage row.
        yticks: The storage row, then each row of the grid (or ``tensor`` for a 1-D tensor).
        xlim: The x range shown.
        ylim: The y range shown.
        figsize: The size of a new figure, in inches.
        title: The title: name, shape, stride, offset, contiguity.
    """

    grid: tuple[_StorageCell, ...]
    storage: tuple[_StorageCell, ...]
    column_labels: tuple[tuple[float, float, str], ...]
    xticks: _Ticks
    yticks: _Ticks
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    figsize: tuple[float, float]
    title: str


_STORAGE_GRID_BOTTOM = 1.7  # the storage row sits at y in [0, 1], the grid above it


def _storage_shade(index: int, storage_size: int) -> float:
    """Where storage element ``index`` lies on the colour map, from light (the first) to dark (the last)."""
    return 0.1 + 0.55 * index / max(storage_size - 1, 1)


def _storage_grid(grid: torch.Tensor, storage_size: int) -> tuple[_StorageCell, ...]:
    """The cells of a 2-D view of a storage, row by row, drawn above the storage row."""
    rows, cols = grid.shape
    values = grid.cpu().tolist()
    bottom = _STORAGE_GRID_BOTTOM
    cells = []
    for i in range(rows):
        for j in range(cols):
            index = int(grid.storage_offset()) + i * grid.stride(0) + j * grid.stride(1)
            text = _format_value(values[i][j])
            y = bottom + (rows - 1 - i)
            cells.append(_StorageCell(j, y, index, text, used=True, shade=_storage_shade(index, storage_size)))
    return tuple(cells)


def _storage_layout(tensor: torch.Tensor, storage_size: int, name: str) -> _StorageLayout:
    """Where each element of ``tensor`` and of its storage goes; ``tensor`` as checked by :func:`plot_storage`."""
    view = tensor.detach()
    grid = view if view.dim() == 2 else view.unsqueeze(0)
    rows, cols = grid.shape
    offset = int(view.storage_offset())
    storage = view.as_strided((storage_size,), (1,), 0).cpu().tolist()
    bottom = _STORAGE_GRID_BOTTOM
    cells = _storage_grid(grid, storage_size)
    used = {cell.index for cell in cells}
    if view.dim() == 2:
        yticks = _Ticks(
            (0.5, *(bottom + rows - 1 - i + 0.5 for i in range(rows))), ("storage", *(f"row {i}" for i in range(rows)))
        )
    else:
        yticks = _Ticks((0.5, bottom + 0.5), ("storage", "tensor"))
    layout = "contiguous" if tensor.is_contiguous() else "not contiguous"
    width = max(storage_size, cols)
    return _StorageLayout(
        grid=cells,
        storage=tuple(
            _StorageCell(k, 0.0, k, _format_value(value), k in used, _storage_shade(k, storage_size))
            for k, value in enumerate(storage)
        ),
        column_labels=tuple((j + 0.5, bottom + rows + 0.2, f"col {j}") for j in range(cols)),
        xticks=_Ticks(tuple(k + 0.5 for k in range(storage_size)), tuple(str(k) for k in range(storage_size))),
        yticks=yticks,
        xlim=(-0.1, width + 0.1),
        ylim=(-0.1, bottom + rows + 0.7),
        figsize=(width * 0.55 + 1.6, (rows + 1) * 0.55 + 1.5),
        title=f"{name}: shape {_shape_text(view.shape)}, stride {view.stride()}\noffset {offset}, {layout}",
    )


_USED = _CellStyle(edgecolor="black", linewidth=1.0)
_UNUSED = _CellStyle(edgecolor="0.6", linewidth=1.0)


def _draw_storage(layout: _StorageLayout, ax: Axes) -> None:
    """Draw a :class:`_StorageLayout` into ``ax``."""
    cmap = mpl.colormaps[_CELL_CMAP]
    for cell in layout.grid:
        _cell(ax, cell.x, cell.y, cmap(cell.shade), _USED)
        ax.text(cell.x + 0.5, cell.y + 0.58, cell.text, ha="center", va="center", fontsize=10)
        ax.text(cell.x + 0.5, cell.y + 0.2, f"s[{cell.index}]", ha="center", va="center", fontsize=7, color="0.25")
    for x, y, text in layout.column_labels:
        ax.text(x, y, text, ha="center", va="bottom", fontsize=8)
    for cell in layout.storage:
        _cell(ax, cell.x, cell.y, cmap(cell.shade) if cell.used else "white", _USED if cell.used else _UNUSED)
        ax.text(
            cell.x + 0.5,
            cell.y + 0.5,
            cell.text,
            ha="center",
            va="center",
            fontsize=10,
            color="black" if cell.used else "0.6",
        )

    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
    ax.set_aspect("equal")
    ax.grid(False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks(layout.xticks.positions, layout.xticks.labels)
    ax.tick_params(length=0, labelsize=8)
    ax.set_yticks(layout.yticks.positions, layout.yticks.labels)
    ax.set_xlabel("storage index s[k] (order in memory)")
    ax.set_title(layout.title, fontsize=10)


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

    layout = _storage_layout(tensor, storage_size, name)
    if ax is None:
        ax = _new_axes(layout.figsize)
    _draw_storage(layout, ax)
    return ax


# --------------------------------------------------------------------------- plot_broadcast


def _as_shape(func: str, name: str, value: torch.Tensor | Sequence[int]) -> tuple[int, ...]:
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


def _padded(shape: tuple[int, ...]) -> tuple[int, int]:
    """A shape of at most 2 dimensions with its missing leading dimensions as size 1."""
    rows, cols = (1,) * (2 - len(shape)) + shape
    return rows, cols


def _broadcast_shape(func: str, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[int, int]:
    """The (rows, cols) of the broadcast result; raise ``ValueError`` naming the first dimension that clashes."""
    result = []
    for dim, (m, n) in enumerate(zip(_padded(shape_a), _padded(shape_b), strict=True)):
        if m != n and 1 not in (m, n):
            raise ValueError(
                f"{func}(): shapes {shape_a} and {shape_b} cannot be broadcast: dimension {dim - 2} has "
                f"sizes {m} and {n}, and neither is 1"
            )
        result.append(max(m, n))
    return result[0], result[1]


_BinaryOp = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
_OPS: dict[str, _BinaryOp] = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}


@dataclass(frozen=True)
class _BroadcastCell:
    """One cell of a panel of :func:`plot_broadcast`'s picture, a 1 x 1 square.

    Attributes:
        x: Left edge, in data coordinates.
        y: Bottom edge (row 0 is drawn at the top).
        row: The cell's row in the result's grid (shapes padded to 2 dimensions).
        col: The cell's column in the result's grid.
        source: ``(row, col)`` of the operand's stored element that the cell shows.
        stored: True for an element held in memory (drawn solid), False for
            one that broadcasting repeats (drawn faded, with dashed edges).
        text: The value written in, or ``None`` (a shape, or a result not computed).
    """

    x: float
    y: float
    row: int
    col: int
    source: tuple[int, int]
    stored: bool
    text: str | None


@dataclass(frozen=True)
class _BroadcastArrow:
    """An arrow along a stretched dimension, from ``start`` to ``end`` (data coordinates).

    Attributes:
        dim: The stretched dimension, numbered as in the result's shape.
        start: Where the arrow begins.
        end: Where its head is.
    """

    dim: int
    start: tuple[float, float]
    end: tuple[float, float]


@dataclass(frozen=True)
class _BroadcastPanel:
    """One operand, or the result, of :func:`plot_broadcast`'s picture.

    Attributes:
        shape: The shape as given (not padded).
        colour: The cells' fill.
        cells: The cells, row by row, all of the result's shape.
        arrows: One per stretched dimension (an operand only).
        caption: The text under the panel: name, shape, padded shape, stretched dimensions.
        caption_at: Where the caption's top centre goes.
        symbol: The symbol right of the panel (``op`` after the first operand,
            ``"="`` after the second), or ``None`` after the result.
        symbol_at: Where the symbol's centre goes.
    """

    shape: tuple[int, ...]
    colour: str
    cells: tuple[_BroadcastCell, ...]
    arrows: tuple[_BroadcastArrow, ...]
    caption: str
    caption_at: tuple[float, float]
    symbol: str | None
    symbol_at: tuple[float, float]


@dataclass(frozen=True)
class _BroadcastLayout:
    """What :func:`plot_broadcast` draws, as plain data (see :func:`_broadcast_layout`).

    Attributes:
        shape: The result's shape.
        panels: The first operand, the second, the result, left to right.
        xlim: The x range shown.
        ylim: The y range shown.
        figsize: The size of a new figure, in inches.
        title: The title.
    """

    shape: tuple[int, ...]
    panels: tuple[_BroadcastPanel, _BroadcastPanel, _BroadcastPanel]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    figsize: tuple[float, float]
    title: str


_BROADCAST_GAP = 1.6  # between two panels, where the symbol goes


def _panel_cells(
    x0: float, padded: tuple[int, int], result: tuple[int, int], values: Sequence[Sequence[object]] | None
) -> tuple[_BroadcastCell, ...]:
    """The cells of a panel whose left edge is at ``x0``, for an operand of shape ``padded`` (the result's own)."""
    rows, cols = result
    cells = []
    for i in range(rows):
        for j in range(cols):
            source = (i if padded[0] > 1 else 0, j if padded[1] > 1 else 0)
            text = None if values is None else _format_value(values[source[0]][source[1]])
            cells.append(_BroadcastCell(x0 + j, rows - 1 - i, i, j, source, stored=(i, j) == source, text=text))
    return tuple(cells)


def _panel_arrows(
    x0: float, padded: tuple[int, int], result: tuple[int, int], res_len: int
) -> tuple[_BroadcastArrow, ...]:
    """One arrow per dimension of size 1 in ``padded`` that broadcasting stretches to ``result``."""
    rows, cols = result
    arrows = []
    if padded[0] == 1 and rows > 1:  # stretched down the rows, drawn left of the panel
        arrows.append(_BroadcastArrow(res_len - 2, start=(x0 - 0.25, rows - 0.1), end=(x0 - 0.25, 0.1)))
    if padded[1] == 1 and cols > 1:  # stretched along the columns, drawn above it
        arrows.append(_BroadcastArrow(res_len - 1, start=(x0 + 0.1, rows + 0.25), end=(x0 + cols - 0.1, rows + 0.25)))
    return tuple(arrows)


def _broadcast_panel(
    p: int,
    label: str,
    operand: torch.Tensor | None,
    shape: tuple[int, ...],
    result: tuple[int, int],
    res_len: int,
    symbol: str | None,
) -> _BroadcastPanel:
    """Panel ``p`` (0, 1: the operands; 2: the result) of a broadcast to ``result``.

    ``shape`` is the operand's shape as given, ``res_len`` the number of dimensions of the result.
    """
    rows, cols = result
    padded = _padded(shape)
    x0 = p * (cols + _BROADCAST_GAP)
    values = None if operand is None else operand.detach().reshape(padded).cpu().tolist()
    arrows = _panel_arrows(x0, padded, result, res_len)
    caption = f"{label} {_shape_text(shape)}"
    if len(shape) < res_len:
        caption += f"\n→ {_shape_text(padded[2 - res_len :])}"
    if arrows:
        caption += "\nstretched: dim " + ", ".join(str(arrow.dim) for arrow in arrows)
    return _BroadcastPanel(
        shape=shape,
        colour=(_palette.BLUE, _palette.ORANGE, _palette.GREEN)[p],
        cells=_panel_cells(x0, padded, result, values),
        arrows=arrows,
        caption=caption,
        caption_at=(x0 + cols / 2, -0.3),
        symbol=symbol,
        symbol_at=(x0 + cols + _BROADCAST_GAP / 2, rows / 2),
    )


def _broadcast_layout(
    shape_a: tuple[int, ...],
    shape_b: tuple[int, ...],
    *,
    tensors: tuple[torch.Tensor | None, torch.Tensor | None] = (None, None),
    op: str = "+",
    names: tuple[str, str] = ("a", "b"),
) -> _BroadcastLayout:
    """Where the cells, arrows and captions of :func:`plot_broadcast` go.

    ``shape_a`` and ``shape_b`` are checked shapes that broadcast; ``tensors``
    holds the operands that are tensors (their values are written in, and the
    result's when both are and ``op`` is one of ``+ - * /``), ``None`` for a shape.
    """
    result = _broadcast_shape("plot_broadcast", shape_a, shape_b)
    rows, cols = result
    res_len = max(len(shape_a), len(shape_b))
    shape_res = result[2 - res_len :]
    a, b = tensors
    combined = None
    if a is not None and b is not None and op in _OPS:
        combined = _OPS[op](a.detach().cpu(), b.detach().cpu())
    return _BroadcastLayout(
        shape=shape_res,
        panels=(
            _broadcast_panel(0, names[0], a, shape_a, result, res_len, op),
            _broadcast_panel(1, names[1], b, shape_b, result, res_len, "="),
            _broadcast_panel(2, "result", combined, shape_res, result, res_len, None),
        ),
        xlim=(-0.7, 3 * cols + 2 * _BROADCAST_GAP + 0.2),
        ylim=(-2.4, rows + 0.9),
        figsize=(max(3 * cols * 0.55 + 2.4, 6.0), rows * 0.55 + 2.0),
        title=f"broadcasting {_shape_text(shape_a)} with {_shape_text(shape_b)} gives {_shape_text(shape_res)}",
    )


_STORED = _CellStyle(edgecolor="black", linewidth=1.2, linestyle="-", alpha=1.0)
_REPEATED = _CellStyle(edgecolor="0.45", linewidth=0.9, linestyle="--", alpha=0.35)


def _draw_broadcast(layout: _BroadcastLayout, ax: Axes) -> None:
    """Draw a :class:`_BroadcastLayout` into ``ax``."""
    for panel in layout.panels:
        for cell in panel.cells:
            _cell(ax, cell.x, cell.y, panel.colour, _STORED if cell.stored else _REPEATED)
            if cell.text is not None:
                ax.text(
                    cell.x + 0.5,
                    cell.y + 0.5,
                    cell.text,
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="black" if cell.stored else "0.45",
                )
        for arrow in panel.arrows:
            ax.annotate(
                "", xy=arrow.end, xytext=arrow.start, arrowprops={"arrowstyle": "->", "color": "crimson", "lw": 1.5}
            )
        ax.text(*panel.caption_at, panel.caption, ha="center", va="top", fontsize=9)
        if panel.symbol is not None:
            ax.text(*panel.symbol_at, panel.symbol, ha="center", va="center", fontsize=16)

    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
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
    ax.set_title(layout.title, fontsize=10)


def plot_broadcast(
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
    _broadcast_shape(func, shape_a, shape_b)  # raises if they do not broadcast
    tensors = (a if isinstance(a, torch.Tensor) else None, b if isinstance(b, torch.Tensor) else None)
    layout = _broadcast_layout(shape_a, shape_b, tensors=tensors, op=op, names=(names[0], names[1]))
    if ax is None:
        ax = _new_axes(layout.figsize)
    _draw_broadcast(layout, ax)
    return ax


# --------------------------------------------------------------------------- plot_join


_JOIN_OPS: dict[str, Callable[..., torch.Tensor]] = {"cat": torch.cat, "stack": torch.stack}
_JOIN_COLOURS = (_palette.BLUE, _palette.ORANGE, _palette.GREEN)  # one per input: at most three
_MAX_JOIN_SIZE = 12  # largest dimension of the result plot_join draws
_JOIN_GAP = 0.8  # between two inputs
_JOIN_ARROW_GAP = 2.0  # between the last input and the result, where the arrow goes


@dataclass(frozen=True)
class _JoinCell:
    """One cell of a panel of :func:`plot_join`'s picture, a 1 x 1 square.

    Attributes:
        x: Left edge, in data coordinates.
        y: Bottom edge (row 0 is drawn at the top).
        row: The cell's row in its panel (a 1-D tensor is drawn as one row).
        col: The cell's column in its panel.
        source: Which input the element comes from (its position in ``tensors``);
            the cell has that input's colour.
        element: The element's index in that input, e.g. ``(1, 0)``.
        text: The element's value, as written in.
        label: Where the element comes from, e.g. ``"b[1,0]"``.
    """

    x: float
    y: float
    row: int
    col: int
    source: int
    element: tuple[int, ...]
    text: str
    label: str


@dataclass(frozen=True)
class _JoinPanel:
    """One input, or the result, of :func:`plot_join`'s picture.

    Attributes:
        shape: The tensor's shape.
        cells: Its elements, row by row.
        caption: The text under the panel.
        caption_at: Where the caption's top centre goes, just under the panel.
    """

    shape: tuple[int, ...]
    cells: tuple[_JoinCell, ...]
    caption: str
    caption_at: tuple[float, float]


@dataclass(frozen=True)
class _JoinLayout:
    """What :func:`plot_join` draws, as plain data (see :func:`_join_layout`).

    Attributes:
        op: ``"cat"`` or ``"stack"``.
        dim: The dimension of the result along which the inputs were joined
            (``cat``) or which is new (``stack``), counted from 0.
        inputs: The input panels, left to right.
        result: The result's panel, right of the arrow.
        arrow: ``(start, end)`` of the arrow from the inputs to the result.
        names: What the captions and cell labels call the inputs.
        colours: The fill of each input's cells, in the order of ``inputs``.
        xlim: The x range shown.
        ylim: The y range shown.
        figsize: The size of a new figure, in inches.
        title: The title.
    """

    op: str
    dim: int
    inputs: tuple[_JoinPanel, ...]
    result: _JoinPanel
    arrow: tuple[tuple[float, float], tuple[float, float]]
    names: tuple[str, ...]
    colours: tuple[str, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    figsize: tuple[float, float]
    title: str


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element number ``flat`` (row-major order) of a tensor of ``shape``."""
    index = []
    for size in reversed(shape):
        flat, position = divmod(flat, size)
        index.append(position)
    return tuple(reversed(index))


def _join_sources(tensors: Sequence[torch.Tensor], op: str, dim: int) -> list[tuple[int, tuple[int, ...]]]:
    """For each element of the joined result, row by row: (which input, index in that input).

    Computed by the real ``torch.cat``/``torch.stack``: each input is replaced
    by a tensor of its shape whose elements are tags ``k * n + i`` (input ``k``,
    element number ``i``), the tags are joined, and every tag is read back.
    """
    n = max(t.numel() for t in tensors)
    tags = [k * n + torch.arange(t.numel()).view(t.shape) for k, t in enumerate(tensors)]
    sources = []
    for tag in _JOIN_OPS[op](tags, dim=dim).flatten().tolist():
        k, flat = divmod(int(tag), n)
        sources.append((k, _unravel(flat, tuple(tensors[k].shape))))
    return sources


def _grid(shape: tuple[int, ...]) -> tuple[int, int]:
    """The (rows, cols) a tensor of 1 or 2 dimensions is drawn with."""
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def _element_label(name: str, element: tuple[int, ...]) -> str:
    return f"{name}[{','.join(str(i) for i in element)}]"


def _join_panel(
    x0: float,
    top: int,
    shape: tuple[int, ...],
    items: Sequence[tuple[int, tuple[int, ...], object]],
    names: Sequence[str],
    caption: str,
) -> _JoinPanel:
    """A panel with its left edge at ``x0`` and its top at ``top``; ``items``: (source, element, value), row by row."""
    rows, cols = _grid(shape)
    cells = tuple(
        _JoinCell(
            x0 + n % cols,
            top - 1 - n // cols,
            n // cols,
            n % cols,
            source,
            element,
            _format_value(value),
            _element_label(names[source], element),
        )
        for n, (source, element, value) in enumerate(items)
    )
    return _JoinPanel(shape, cells, caption, caption_at=(x0 + cols / 2, top - rows - 0.3))


def _join_result(func: str, tensors: Sequence[torch.Tensor], op: str, dim: int) -> torch.Tensor:
    """The real ``torch.cat``/``torch.stack`` of ``tensors``; raise ``ValueError`` if torch refuses or it is too big."""
    try:
        result = _JOIN_OPS[op]([t.detach() for t in tensors], dim=dim)
    except (RuntimeError, IndexError) as err:
        raise ValueError(f"{func}(): torch.{op} refuses these tensors with dim={dim}: {err}") from err
    if result.dim() > 2 or max(result.shape) > _MAX_JOIN_SIZE:
        raise ValueError(
            f"{func}(): the result must have at most 2 dimensions, each of size at most {_MAX_JOIN_SIZE}, "
            f"to be drawn, got shape {tuple(result.shape)} (stack 1-D tensors, cat 1-D or 2-D ones)"
        )
    return result.cpu()


def _join_layout(tensors: Sequence[torch.Tensor], op: str, dim: int, names: Sequence[str]) -> _JoinLayout:
    """Where the cells, captions and arrow of :func:`plot_join` go, for arguments it has checked.

    Raises the errors of :func:`plot_join` about what torch makes of the tensors.
    """
    result = _join_result("plot_join", tensors, op, dim)
    shape = tuple(result.shape)
    top = max(_grid(s)[0] for s in [shape, *(tuple(t.shape) for t in tensors)])
    inputs, x0 = [], 0.0
    for k, t in enumerate(tensors):
        items = [(k, _unravel(i, tuple(t.shape)), v) for i, v in enumerate(t.detach().cpu().flatten().tolist())]
        inputs.append(_join_panel(x0, top, tuple(t.shape), items, names, f"{names[k]} {_shape_text(t.shape)}"))
        x0 += _grid(tuple(t.shape))[1] + _JOIN_GAP
    x_arrow = x0 - _JOIN_GAP
    x_result = x_arrow + _JOIN_ARROW_GAP
    joined_dim = dim % result.dim()
    how = f"joined along dim {joined_dim}" if op == "cat" else f"new dim {joined_dim} (size {len(tensors)})"
    values = result.flatten().tolist()
    items = [(k, element, values[n]) for n, (k, element) in enumerate(_join_sources(tensors, op, dim))]
    result_panel = _join_panel(x_result, top, shape, items, names, f"result {_shape_text(shape)}\n{how}")
    width = x_result + _grid(shape)[1]
    shapes = ", ".join(_shape_text(t.shape) for t in tensors)
    return _JoinLayout(
        op=op,
        dim=joined_dim,
        inputs=tuple(inputs),
        result=result_panel,
        arrow=((x_arrow + 0.3, top / 2), (x_result - 0.3, top / 2)),
        names=tuple(names),
        colours=_JOIN_COLOURS[: len(tensors)],
        xlim=(-0.3, width + 0.3),
        ylim=(-1.5, top + 0.4),
        figsize=(max(width * 0.55 + 1.2, 5.0), top * 0.55 + 1.6),
        title=f"torch.{op}([{', '.join(names)}], dim={dim}): {shapes} → {_shape_text(shape)}",
    )


def _draw_join(layout: _JoinLayout, ax: Axes) -> None:
    """Draw a :class:`_JoinLayout` into ``ax``."""
    for panel in (*layout.inputs, layout.result):
        for cell in panel.cells:
            _cell(ax, cell.x, cell.y, layout.colours[cell.source], _STORED)
            ax.text(cell.x + 0.5, cell.y + 0.6, cell.text, ha="center", va="center", fontsize=9)
            size = 6.0 * min(1.0, 10 / len(cell.label))  # a long name: smaller, to fit the cell
            ax.text(cell.x + 0.5, cell.y + 0.2, cell.label, ha="center", va="center", fontsize=size, color="0.25")
        ax.text(*panel.caption_at, panel.caption, ha="center", va="top", fontsize=9)
    start, end = layout.arrow
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.5})
    ax.text((start[0] + end[0]) / 2, start[1] + 0.15, layout.op, ha="center", va="bottom", fontsize=9)
    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(layout.title, fontsize=10)


def _check_join_args(
    func: str, tensors: Sequence[torch.Tensor], op: str, dim: int, names: Sequence[str] | None
) -> tuple[str, ...]:
    """Check :func:`plot_join`'s arguments; return the names of the inputs."""
    check_type(func, "tensors", tensors, (list, tuple), "a list or tuple of tensors")
    if not 1 <= len(tensors) <= len(_JOIN_COLOURS):
        raise ValueError(
            f"{func}(): argument 'tensors' must hold 1 to {len(_JOIN_COLOURS)} tensors, got {len(tensors)}"
        )
    for k, t in enumerate(tensors):
        check_tensor(func, f"tensors[{k}]", t, ndim=(1, 2))
        if t.numel() == 0:
            raise ValueError(
                f"{func}(): argument 'tensors[{k}]' must have at least one element, got shape {tuple(t.shape)}"
            )
    check_type(func, "op", op, str, "'cat' or 'stack'")
    if op not in _JOIN_OPS:
        raise ValueError(f"{func}(): argument 'op' must be 'cat' or 'stack', got {op!r}")
    check_type(func, "dim", dim, int, "an int")
    if names is None:
        return tuple("abc"[: len(tensors)])
    check_type(func, "names", names, (list, tuple), "a list or tuple of str")
    if len(names) != len(tensors) or not all(isinstance(n, str) for n in names):
        raise TypeError(
            f"{func}(): argument 'names' must hold one str per tensor ({len(tensors)}), got {list(names)!r}"
        )
    return tuple(names)


def plot_join(
    tensors: Sequence[torch.Tensor],
    ax: Axes | None = None,
    *,
    op: str = "cat",
    dim: int = 0,
    names: Sequence[str] | None = None,
) -> Axes:
    """Draw what ``torch.cat`` or ``torch.stack`` makes of a few small tensors.

    The inputs are drawn left to right, each in its own colour, and the result
    right of an arrow, each cell in the colour of the input it came from and
    labelled with the element it copies (``b[1,0]``). Where each element goes
    is not worked out here: the real ``torch.cat``/``torch.stack`` is run on
    tagged copies of the inputs and the tags are read back, so the picture
    shows what torch does. The chapter "Tensors" explains joining with this picture.

    Args:
        tensors: 1 to 3 tensors of 1 or 2 dimensions, any dtype and device,
            as you would pass them to ``torch.cat``/``torch.stack``.
        ax: Axes to draw into; a new figure is made when ``None``.
        op: ``"cat"`` (join along an existing dimension) or ``"stack"`` (along a new one).
        dim: The ``dim`` argument of ``torch.cat``/``torch.stack``; may be negative.
        names: What the picture calls the inputs, one str each (default ``a``, ``b``, ``c``).

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: ``tensors`` holds too few or too many tensors, a tensor has
            the wrong number of dimensions or no elements, ``op`` is unknown,
            torch refuses the join (its message is quoted), or the result has
            more than 2 dimensions or a dimension over 12.
    """
    func = "plot_join"
    labels = _check_join_args(func, tensors, op, dim, names)
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    layout = _join_layout(tensors, op, dim, labels)
    if ax is None:
        ax = _new_axes(layout.figsize)
    _draw_join(layout, ax)
    return ax


# --------------------------------------------------------------------------- plot_bars


def _bar_values(
    func: str, count: int, values: Sequence[float] | np.ndarray | torch.Tensor, log_scale: bool
) -> _FloatArray:
    """``values`` as a 1-D float array; raise ``ValueError`` unless it holds ``count`` > 0 numbers fit to draw."""
    listed = values.detach().cpu().tolist() if isinstance(values, torch.Tensor) else values
    numbers = np.asarray(listed, dtype=np.float64).ravel() if len(listed) else np.zeros(0)
    if count == 0 or count != len(numbers):
        raise ValueError(
            f"{func}(): arguments 'labels' and 'values' must have the same, non-zero length, "
            f"got {count} and {len(numbers)}"
        )
    if not np.all(np.isfinite(numbers)) or np.any(numbers < 0) or (log_scale and np.any(numbers <= 0)):
        wanted = "positive" if log_scale else "non-negative"
        raise ValueError(f"{func}(): argument 'values' must be finite and {wanted}, got {numbers.tolist()}")
    return numbers


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
    numbers = _bar_values(func, len(labels), values, log_scale)

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


def _as_float_array(func: str, name: str, value: torch.Tensor) -> _FloatArray:
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
    values: dict[str, _FloatArray] = {}
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
    for label, points in values.items():
        ax.plot(grid, points, label=label, linewidth=1.8)
    ax.set_xlim(grid.min(), grid.max())
    ax.legend()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


# --------------------------------------------------------------------------- plot_contour_path


def _as_limits(func: str, name: str, value: Sequence[float]) -> tuple[float, float]:
    check_type(func, name, value, (tuple, list), "a pair of numbers (low, high)")
    if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise TypeError(f"{func}(): argument '{name}' must be a pair of numbers (low, high), got {list(value)!r}")
    low, high = float(value[0]), float(value[1])
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{func}(): argument '{name}' must be finite with low < high, got {(low, high)}")
    return low, high


def _as_path(func: str, path: torch.Tensor | Sequence[Sequence[float]]) -> _FloatArray:
    """The points of ``path`` as a float64 array of shape (n, 2), n >= 1."""
    check_type(
        func, "path", path, (torch.Tensor, list, tuple, np.ndarray), "a tensor of shape (n, 2) or a list of pairs"
    )
    if isinstance(path, torch.Tensor):
        if path.is_complex():
            raise ValueError(f"{func}(): argument 'path' must have a real dtype, got {path.dtype}")
        points = path.detach().cpu().double().numpy()
    else:
        try:
            points = np.asarray(path, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{func}(): argument 'path' must be a list of (x, y) number pairs, got {path!r}") from None
    if points.ndim != 2 or points.shape[0] < 1 or points.shape[1] != 2:
        raise ValueError(f"{func}(): argument 'path' must have shape (n, 2) with n >= 1, got {points.shape}")
    return points


@dataclass(frozen=True, eq=False)  # arrays: compare fields with numpy
class _ContourLayout:
    """What :func:`plot_contour_path` draws, as plain data (see :func:`_contour_layout`).

    Attributes:
        grid_x: The x of each grid point, shape (num_points, num_points); x varies along axis 1.
        grid_y: The y of each grid point, same shape; y varies along axis 0.
        z: f at each grid point, same shape.
        levels: The contour levels, increasing and distinct, strictly between z's minimum and maximum.
        path: The path's points, shape (n, 2).
        start: The first point, marked with a circle.
        end: The last point, marked with a star.
        xlim: The x range shown.
        ylim: The y range shown.
        title: The title.
        xlabel: The x axis label.
        ylabel: The y axis label.
        label: The path's legend label.
    """

    grid_x: _FloatArray
    grid_y: _FloatArray
    z: _FloatArray
    levels: _FloatArray
    path: _FloatArray
    start: tuple[float, float]
    end: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    title: str
    xlabel: str
    ylabel: str
    label: str


def _contour_layout(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    points: _FloatArray,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels: int,
    log_levels: bool,
    num_points: int,
    title: str = "",
    xlabel: str = "x",
    ylabel: str = "y",
    label: str = "path",
) -> _ContourLayout:
    """Evaluate ``f`` on the grid and choose the contour levels, for arguments checked by :func:`plot_contour_path`.

    Raises the errors of :func:`plot_contour_path` about what ``f`` returns.
    """
    func = "plot_contour_path"
    xs = torch.linspace(xlim[0], xlim[1], num_points, dtype=torch.float64)
    ys = torch.linspace(ylim[0], ylim[1], num_points, dtype=torch.float64)
    grid_x, grid_y = torch.meshgrid(xs, ys, indexing="xy")
    with torch.no_grad():
        result = f(grid_x, grid_y)
    if not isinstance(result, torch.Tensor):
        raise TypeError(f"{func}(): argument 'f' must return a tensor, got {describe(result)}")
    if result.shape != grid_x.shape:
        raise ValueError(
            f"{func}(): argument 'f' must return a tensor of the grid's shape {tuple(grid_x.shape)}, "
            f"got {tuple(result.shape)}"
        )
    z = result.detach().cpu().double().numpy()
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{func}(): argument 'f' must return finite values on the grid, got inf or nan")
    if log_levels and z.min() <= 0:
        raise ValueError(
            f"{func}(): argument 'f' must be positive on the grid when log_levels=True, got minimum {z.min():.3g}"
        )
    if log_levels:
        spaced = np.geomspace(z.min(), z.max(), levels + 2)
    else:
        spaced = np.linspace(z.min(), z.max(), levels + 2)
    return _ContourLayout(
        grid_x=grid_x.numpy(),
        grid_y=grid_y.numpy(),
        z=z,
        levels=np.unique(spaced[1:-1]),
        path=points,
        start=(float(points[0, 0]), float(points[0, 1])),
        end=(float(points[-1, 0]), float(points[-1, 1])),
        xlim=xlim,
        ylim=ylim,
        title=title,
        xlabel=xlabel,
        ylabel=ylabel,
        label=label,
    )


def _draw_contour(layout: _ContourLayout, ax: Axes) -> None:
    """Draw a :class:`_ContourLayout` into ``ax``."""
    ax.contour(layout.grid_x, layout.grid_y, layout.z, levels=layout.levels, cmap="viridis", linewidths=0.8)
    path = layout.path
    ax.plot(path[:, 0], path[:, 1], color=_palette.PATH, linewidth=1.2, marker=".", markersize=3, label=layout.label)
    ax.plot(*layout.start, "o", color="black", markersize=6, label="start", linestyle="none")
    ax.plot(*layout.end, "*", color="black", markersize=10, label="end", linestyle="none")
    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))  # outside: the path may go anywhere
    ax.set_title(layout.title)
    ax.set_xlabel(layout.xlabel)
    ax.set_ylabel(layout.ylabel)


def plot_contour_path(
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
    points = _as_path(func, path)
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    x_range = _as_limits(func, "xlim", xlim)
    y_range = _as_limits(func, "ylim", ylim)
    check_type(func, "title", title, str, "a str")
    check_type(func, "xlabel", xlabel, str, "a str")
    check_type(func, "ylabel", ylabel, str, "a str")
    check_positive_int(func, "levels", levels)
    check_type(func, "log_levels", log_levels, bool, "a bool")
    check_positive_int(func, "num_points", num_points)
    if num_points < 2:
        raise ValueError(f"{func}(): argument 'num_points' must be at least 2, got {num_points}")
    check_type(func, "label", label, str, "a str")

    layout = _contour_layout(
        f,
        points,
        xlim=x_range,
        ylim=y_range,
        levels=levels,
        log_levels=log_levels,
        num_points=num_points,
        title=title,
        xlabel=xlabel,
        ylabel=ylabel,
        label=label,
    )
    if ax is None:
        ax = _new_axes((7.0, 3.5))
    _draw_contour(layout, ax)
    return ax
