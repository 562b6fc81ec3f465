"""Unit tests for utils.plotting: what each helper draws and how it refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from torch.overrides import TorchFunctionMode

import utils
from utils import plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def cells(ax: Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# ---------------------------------------------------------------- use_book_style


def test_use_book_style_sets_rcparams_and_returns_none():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        assert utils.use_book_style() is None
        for key, value in plotting.BOOK_STYLE.items():
            expected = list(value) if isinstance(value, tuple) else value
            assert matplotlib.rcParams[key] == expected, key
        assert 80 <= matplotlib.rcParams["figure.dpi"] <= 100


def test_all_is_exported_through_utils():
    assert set(plotting.__all__) >= {"use_book_style", "plot_storage", "plot_broadcast", "plot_bars"}
    for name in plotting.__all__:
        assert getattr(utils, name) is getattr(plotting, name)


def test_helpers_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    utils.plot_storage(torch.arange(6).view(2, 3))
    utils.plot_broadcast((3, 1), (4,))
    utils.plot_bars(["a"], [1.0], xlabel="x", title="t")
    assert dict(matplotlib.rcParams) == before


# ---------------------------------------------------------------- plot_storage


def test_plot_storage_contiguous():
    a = torch.arange(6).view(2, 3)
    ax = utils.plot_storage(a, name="a")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "a: shape (2, 3), stride (3, 1)\noffset 0, contiguous"
    assert len(cells(ax)) == 6 + 6  # grid cells + storage cells
    assert [t for t in texts(ax) if t.startswith("s[")] == [f"s[{k}]" for k in range(6)]
    assert ax.get_xlabel().startswith("storage index")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["storage", "row 0", "row 1"]


def test_plot_storage_transposed_view_walks_the_storage_by_columns():
    a = torch.arange(6).view(2, 3)
    ax = utils.plot_storage(a.T, name="a.T")
    assert ax.get_title() == "a.T: shape (3, 2), stride (1, 3)\noffset 0, not contiguous"
    # grid read row by row: element [i, j] sits at storage index i + 3 j
    assert [t for t in texts(ax) if t.startswith("s[")] == ["s[0]", "s[3]", "s[1]", "s[4]", "s[2]", "s[5]"]


def test_plot_storage_offset_and_unused_cells():
    s = torch.arange(12.0).view(3, 4)[1:, 1:3]
    ax = utils.plot_storage(s, name="s")
    assert "offset 5" in ax.get_title() and "stride (4, 1)" in ax.get_title()
    assert len(cells(ax)) == 4 + 12
    white = [p for p in cells(ax) if p.get_facecolor()[:3] == (1.0, 1.0, 1.0)]
    assert len(white) == 12 - 4
    assert "5" in texts(ax)  # float values drawn compactly (5.0 -> "5")


def test_plot_storage_one_dimensional_and_given_ax():
    fig, given = plt.subplots()
    ax = utils.plot_storage(torch.tensor([True, False]), ax=given)
    assert ax is given
    assert "T" in texts(ax) and "F" in texts(ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["storage", "tensor"]


class RecordsAutograd(TorchFunctionMode):
    """Records every torch operation, inside the block, whose result autograd would track."""

    def __init__(self):
        super().__init__()
        self.tracked = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if isinstance(result, torch.Tensor) and result.requires_grad:
            self.tracked.append(getattr(func, "__name__", str(func)))
        return result


def test_plot_storage_does_not_keep_autograd_history():
    w = torch.ones(2, 2, requires_grad=True)
    y = w * 2
    with RecordsAutograd() as mode:
        ax = utils.plot_storage(y)
    assert "shape (2, 2)" in ax.get_title()
    assert mode.tracked == [], f"plot_storage recorded autograd history: {mode.tracked}"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"tensor": [[1, 2]]},
            TypeError,
            r"plot_storage\(\): argument 'tensor' must be a torch.Tensor, got list",
        ),
        (
            {"tensor": torch.zeros(2, 2, 2)},
            ValueError,
            r"argument 'tensor' must have 1 or 2 dimension\(s\), got 3",
        ),
        ({"tensor": torch.zeros(0, 3)}, ValueError, r"argument 'tensor' must have at least one element"),
        ({"tensor": torch.zeros(7, 7)}, ValueError, r"storage of at most 48 elements to be drawn, got 49"),
        ({"tensor": torch.zeros(2, dtype=torch.complex64)}, ValueError, r"real or bool dtype"),
        (
            {"tensor": torch.zeros(2), "ax": "left"},
            TypeError,
            r"argument 'ax' must be a matplotlib Axes or None, got str",
        ),
        ({"tensor": torch.zeros(2), "name": 3}, TypeError, r"argument 'name' must be a str, got int"),
    ],
)
def test_plot_storage_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        utils.plot_storage(**kwargs)
    assert plt.get_fignums() == []  # refused before drawing anything


def test_plot_storage_refuses_a_small_view_of_a_large_storage():
    big = torch.arange(100)
    with pytest.raises(ValueError, match="got 100"):
        utils.plot_storage(big[:4])


def test_storage_layout_places_a_transposed_view_above_its_storage():
    s = torch.arange(12.0).view(3, 4)[1:, 1:3].T  # shape (2, 2), stride (1, 4), offset 5
    layout = plotting._storage_layout(s, 12, "s")
    assert [(cell.x, cell.index, cell.text) for cell in layout.grid] == [
        (0, 5, "5"),
        (1, 9, "9"),
        (0, 6, "6"),
        (1, 10, "10"),
    ]
    assert all(cell.used for cell in layout.grid)
    grid_rows = sorted({cell.y for cell in layout.grid}, reverse=True)
    assert len(grid_rows) == 2 and min(grid_rows) > 1  # row 0 on top, the grid above the storage row at y in [0, 1]
    assert [cell.y for cell in layout.grid] == [grid_rows[0]] * 2 + [grid_rows[1]] * 2
    assert [cell.index for cell in layout.storage] == list(range(12))
    assert {cell.y for cell in layout.storage} == {0.0}
    assert [k for k, cell in enumerate(layout.storage) if cell.used] == [5, 6, 9, 10]
    shades = [cell.shade for cell in layout.storage]
    assert shades == sorted(shades) and len(set(shades)) == 12  # darker along the storage
    assert {cell.index: cell.shade for cell in layout.grid} == {k: shades[k] for k in (5, 6, 9, 10)}
    assert layout.yticks.labels == ("storage", "row 0", "row 1")
    assert layout.xticks.labels == tuple(str(k) for k in range(12))
    assert layout.title == "s: shape (2, 2), stride (1, 4)\noffset 5, not contiguous"
    assert layout.xlim[0] < 0 and layout.xlim[1] > 12 and layout.ylim[1] > grid_rows[0] + 1


# ---------------------------------------------------------------- plot_broadcast


def test_plot_broadcast_tensors():
    col = torch.tensor([[0], [10], [20]])
    row = torch.tensor([1, 2, 3, 4])
    ax = utils.plot_broadcast(col, row)
    assert isinstance(ax, Axes)
    assert ax.get_title() == "broadcasting (3, 1) with (4,) gives (3, 4)"
    assert len(cells(ax)) == 3 * 12
    dashed = [p for p in cells(ax) if p.get_linestyle() == "--"]
    assert len(dashed) == (12 - 3) + (12 - 4)  # repeated cells of a and of b
    labels = texts(ax)
    assert "a (3, 1)\nstretched: dim 1" in labels
    assert "b (4,)\n→ (1, 4)\nstretched: dim 0" in labels
    assert "result (3, 4)" in labels
    assert labels.count("20") == 4  # the value 20 stored once, repeated three times
    assert {"11", "14", "21", "24"} <= set(labels)  # the result's values, 10 + 1 ... 20 + 4
    assert len(ax.get_legend().get_texts()) == 3


def test_plot_broadcast_shapes_scalar_op_and_given_ax():
    fig, given = plt.subplots()
    ax = utils.plot_broadcast(torch.tensor(2.0), [2], ax=given, op="*")
    assert ax is given
    assert ax.get_title() == "broadcasting () with (2,) gives (2,)"
    assert "*" in texts(ax) and "=" in texts(ax)


def test_plot_broadcast_writes_the_result_only_when_it_can_compute_it():
    col, row = torch.tensor([[1.0], [2.0]]), torch.tensor([10.0, 20.0])
    assert "40" in texts(utils.plot_broadcast(col, row, op="*"))  # 2 * 20
    assert "40" not in texts(utils.plot_broadcast(col, row, op="@"))  # unknown op: empty result grid
    assert not [t for t in texts(utils.plot_broadcast((2, 1), (2,))) if t.isdigit()]


def test_plot_broadcast_names_label_the_operands():
    ax = utils.plot_broadcast((3, 1), (4,), names=("col", "row"))
    assert "col (3, 1)\nstretched: dim 1" in texts(ax)
    assert "row (4,)\n→ (1, 4)\nstretched: dim 0" in texts(ax)


def test_plot_broadcast_equal_shapes_stretch_nothing():
    ax = utils.plot_broadcast((2, 3), torch.Size([2, 3]))
    assert not [p for p in cells(ax) if p.get_linestyle() == "--"]
    assert not any("stretched" in t for t in texts(ax))


def cell_grid(panel, what):
    """A panel's cells as a list of rows, each cell given by ``what(cell)``."""
    rows = max(cell.row for cell in panel.cells) + 1
    return [[what(cell) for cell in panel.cells if cell.row == i] for i in range(rows)]


def test_broadcast_layout_column_with_row_stored_and_repeated_cells():
    layout = plotting._broadcast_layout((3, 1), (1, 4))
    a, b, result = layout.panels
    assert layout.shape == (3, 4)
    assert layout.title == "broadcasting (3, 1) with (1, 4) gives (3, 4)"
    assert [p.shape for p in layout.panels] == [(3, 1), (1, 4), (3, 4)]
    for panel in layout.panels:
        assert [(cell.row, cell.col) for cell in panel.cells] == [(i, j) for i in range(3) for j in range(4)]
        assert all(cell.text is None for cell in panel.cells)  # shapes: empty grids
    # a (3, 1): its one column is stored, the other three repeat it
    assert cell_grid(a, lambda c: c.stored) == [[True, False, False, False]] * 3
    assert cell_grid(a, lambda c: c.source) == [[(i, 0)] * 4 for i in range(3)]
    # b (1, 4): its one row is stored, the rows below repeat it
    assert cell_grid(b, lambda c: c.stored) == [[True] * 4] + [[False] * 4] * 2
    assert cell_grid(b, lambda c: c.source) == [[(0, j) for j in range(4)]] * 3
    assert all(cell.stored for cell in result.cells)


def test_broadcast_layout_arrows_mark_the_stretched_dimensions():
    layout = plotting._broadcast_layout((3, 1), (1, 4))
    a, b, result = layout.panels
    (across,) = a.arrows  # a is stretched along dim 1, left to right above its grid
    assert across.dim == 1
    assert across.start[0] < across.end[0] and across.start[1] == across.end[1] > 3
    (down,) = b.arrows  # b is stretched along dim 0, top to bottom left of its grid
    assert down.dim == 0
    assert down.start[0] == down.end[0] < min(cell.x for cell in b.cells)
    assert down.start[1] > down.end[1]
    assert result.arrows == ()
    assert [p.caption for p in layout.panels] == [
        "a (3, 1)\nstretched: dim 1",
        "b (1, 4)\nstretched: dim 0",
        "result (3, 4)",
    ]
    padded = plotting._broadcast_layout((4,), (3, 1)).panels[0]
    assert [arrow.dim for arrow in padded.arrows] == [0]
    assert padded.caption == "a (4,)\n→ (1, 4)\nstretched: dim 0"
    assert plotting._broadcast_layout((2, 3), (2, 3)).panels[0].arrows == ()


def test_broadcast_layout_panels_sit_side_by_side_with_the_symbols_between():
    layout = plotting._broadcast_layout((3, 1), (1, 4), op="*", names=("col", "row"))
    spans = [(min(c.x for c in p.cells), max(c.x for c in p.cells) + 1) for p in layout.panels]
    assert spans[0][0] == 0 and spans[0][1] < spans[1][0] and spans[1][1] < spans[2][0]
    assert [p.symbol for p in layout.panels] == ["*", "=", None]
    for (_, right), (left, _), panel in zip(spans, spans[1:], layout.panels, strict=False):
        assert right < panel.symbol_at[0] < left
    for panel, (left, right) in zip(layout.panels, spans, strict=True):
        assert {(round(c.x - left, 9), c.y) for c in panel.cells} == {(j, 2 - i) for i in range(3) for j in range(4)}
        assert panel.caption_at[0] == pytest.approx((left + right) / 2) and panel.caption_at[1] < 0
    assert layout.panels[0].caption.startswith("col (3, 1)")
    assert layout.xlim[0] < spans[0][0] and spans[2][1] < layout.xlim[1]
    assert layout.ylim[0] < 0 and layout.ylim[1] > 3


def test_broadcast_layout_writes_values_and_the_computed_result():
    col, row = torch.tensor([[0], [10], [20]]), torch.tensor([1, 2, 3, 4])
    layout = plotting._broadcast_layout((3, 1), (4,), tensors=(col, row))
    a, b, result = layout.panels
    assert cell_grid(a, lambda c: c.text) == [["0"] * 4, ["10"] * 4, ["20"] * 4]  # repeated cells show the stored value
    assert cell_grid(b, lambda c: c.text) == [["1", "2", "3", "4"]] * 3
    assert cell_grid(result, lambda c: c.text) == [[str(10 * i + j) for j in range(1, 5)] for i in range(3)]
    unknown = plotting._broadcast_layout((3, 1), (4,), tensors=(col, row), op="@").panels[2]
    assert all(cell.text is None for cell in unknown.cells)
    one_shape = plotting._broadcast_layout((3, 1), (4,), tensors=(col, None)).panels
    assert all(cell.text is None for cell in one_shape[1].cells + one_shape[2].cells)


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        (
            (2, 3),
            (2,),
            ValueError,
            r"plot_broadcast\(\): shapes \(2, 3\) and \(2,\) cannot be broadcast: "
            r"dimension -1 has sizes 3 and 2",
        ),
        (
            "2x3",
            (3,),
            TypeError,
            r"argument 'a' must be a torch.Tensor or a shape \(tuple of ints\), got str",
        ),
        ((2, 3), (2.0,), TypeError, r"argument 'b' must be a shape of ints"),
        ((2, 3, 4), (4,), ValueError, r"argument 'a' must have at most 2 dimensions"),
        ((11,), (1,), ValueError, r"each of size 1 to 10"),
        ((0,), (1,), ValueError, r"got shape \(0,\)"),
    ],
)
def test_plot_broadcast_bad_input(a, b, error, match):
    with pytest.raises(error, match=match):
        utils.plot_broadcast(a, b)
    assert plt.get_fignums() == []


def test_plot_broadcast_bad_ax_and_op():
    with pytest.raises(TypeError, match=r"argument 'ax' must be a matplotlib Axes or None, got int"):
        utils.plot_broadcast((1,), (1,), ax=1)
    with pytest.raises(TypeError, match=r"argument 'op' must be a str, got NoneType"):
        utils.plot_broadcast((1,), (1,), op=None)
    with pytest.raises(TypeError, match=r"argument 'names' must be a pair of str, got \['a'\]"):
        utils.plot_broadcast((1,), (1,), names=("a",))
    with pytest.raises(TypeError, match=r"argument 'names' must be a pair of str, got str"):
        utils.plot_broadcast((1,), (1,), names="ab")


# ---------------------------------------------------------------- plot_bars


def test_plot_bars_draws_one_bar_per_label():
    ax = utils.plot_bars(["loop", "vectorised"], [1500.0, 2.5], xlabel="time (µs)", title="timing")
    assert isinstance(ax, Axes)
    assert len(ax.patches) == 2
    assert [b.get_width() for b in ax.patches] == [1500.0, 2.5]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["loop", "vectorised"]
    assert texts(ax) == [" 1,500", " 2.5"]
    assert ax.get_xlabel() == "time (µs)" and ax.get_title() == "timing"
    assert ax.get_xscale() == "linear"


def test_plot_bars_log_scale_tensor_values_and_given_ax():
    fig, given = plt.subplots()
    ax = utils.plot_bars(
        ("a", "b", "c"), torch.tensor([1.0, 10.0, 100.0]), ax=given, xlabel="x", title="t", log_scale=True
    )
    assert ax is given
    assert ax.get_xscale() == "log"
    assert len(ax.patches) == 3


def test_plot_bars_accepts_numpy():
    ax = utils.plot_bars(["a", "b"], np.array([0.0, 3.0]), xlabel="x", title="t")
    assert [b.get_width() for b in ax.patches] == [0.0, 3.0]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            ("ab", [1, 2]),
            {},
            TypeError,
            r"plot_bars\(\): argument 'labels' must be a list or tuple of str, got str",
        ),
        ((["a", 1], [1, 2]), {}, TypeError, r"argument 'labels' must hold only str"),
        ((["a"], 1.0), {}, TypeError, r"argument 'values' must be a sequence of numbers, got float"),
        (
            (["a", "b"], [1.0]),
            {},
            ValueError,
            r"'labels' and 'values' must have the same, non-zero length, got 2 and 1",
        ),
        (([], []), {}, ValueError, r"non-zero length, got 0 and 0"),
        ((["a"], [-1.0]), {}, ValueError, r"argument 'values' must be finite and non-negative"),
        ((["a"], [0.0]), {"log_scale": True}, ValueError, r"must be finite and positive"),
        ((["a"], [1.0]), {"log_scale": 1}, TypeError, r"argument 'log_scale' must be a bool, got int"),
        ((["a"], [1.0]), {"xlabel": None}, TypeError, r"argument 'xlabel' must be a str, got NoneType"),
    ],
)
def test_plot_bars_bad_input(args, kwargs, error, match):
    options = {"xlabel": "x", "title": "t", **kwargs}
    with pytest.raises(error, match=match):
        utils.plot_bars(*args, **options)
    assert plt.get_fignums() == []


def test_plot_bars_needs_xlabel_and_title():
    with pytest.raises(TypeError, match="xlabel"):
        utils.plot_bars(["a"], [1.0])  # every figure in the book has a title and labelled axes


# ---------------------------------------------------------------- plot_functions


def test_plot_functions_draws_one_labelled_line_per_curve():
    x = torch.linspace(-1, 1, 11)
    ax = utils.plot_functions(x, {"f": x**2, "f'": 2 * x}, title="t", xlabel="x", ylabel="value")
    assert isinstance(ax, Axes)
    labelled = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in labelled] == ["f", "f'"]
    np.testing.assert_allclose(labelled[1].get_ydata(), (2 * x).numpy())
    np.testing.assert_allclose(labelled[0].get_xdata(), x.numpy())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "f'"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("t", "x", "value")
    assert ax.get_xlim() == (-1.0, 1.0)


def test_plot_functions_accepts_tensors_that_require_grad_and_uses_given_ax():
    fig, given = plt.subplots()
    x = torch.linspace(0, 1, 5, dtype=torch.float64, requires_grad=True)
    ax = utils.plot_functions(x, {"sin": torch.sin(x)}, ax=given, title="t")
    assert ax is given
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")  # defaults


def test_plot_functions_marks_zero():
    ax = utils.plot_functions(torch.arange(3.0), {"c": torch.ones(3)}, title="t")
    zero = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    assert len(zero) == 1 and list(zero[0].get_ydata()) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            ([0.0, 1.0], {"f": torch.zeros(2)}),
            {},
            TypeError,
            r"plot_functions\(\): argument 'x' must be a torch.Tensor, got list",
        ),
        (
            (torch.zeros(2, 2), {"f": torch.zeros(2)}),
            {},
            ValueError,
            r"argument 'x' must have 1 dimension\(s\), got 2",
        ),
        ((torch.zeros(1), {"f": torch.zeros(1)}), {}, ValueError, r"argument 'x' must have at least 2 points, got 1"),
        ((torch.zeros(3), [torch.zeros(3)]), {}, TypeError, r"argument 'curves' must be a dict of label -> 1-D tensor"),
        ((torch.zeros(3), {}), {}, ValueError, r"argument 'curves' must hold at least one curve"),
        ((torch.zeros(3), {1: torch.zeros(3)}), {}, TypeError, r"argument 'curves' must be a dict with str labels"),
        (
            (torch.zeros(3), {"f": [0, 0, 0]}),
            {},
            TypeError,
            r"argument 'curves\['f'\]' must be a torch.Tensor, got list",
        ),
        (
            (torch.zeros(3), {"f": torch.zeros(4)}),
            {},
            ValueError,
            r"argument 'curves\['f'\]' must have as many points as 'x' \(3\), got 4",
        ),
        (
            (torch.zeros(3), {"f": torch.zeros(3, dtype=torch.complex64)}),
            {},
            ValueError,
            r"argument 'curves\['f'\]' must have a real dtype",
        ),
        (
            (torch.zeros(3), {"f": torch.zeros(3)}),
            {"ax": "left"},
            TypeError,
            r"argument 'ax' must be a matplotlib Axes",
        ),
        ((torch.zeros(3), {"f": torch.zeros(3)}), {"title": None}, TypeError, r"argument 'title' must be a str"),
        (
            (torch.zeros(3), {"f": torch.zeros(3)}),
            {"ylabel": 1},
            TypeError,
            r"argument 'ylabel' must be a str, got int",
        ),
    ],
)
def test_plot_functions_bad_input(args, kwargs, error, match):
    options = {"title": "t", **kwargs}
    with pytest.raises(error, match=match):
        utils.plot_functions(*args, **options)
    assert plt.get_fignums() == []


def test_plot_functions_needs_a_title():
    with pytest.raises(TypeError, match="title"):
        utils.plot_functions(torch.zeros(2), {"f": torch.zeros(2)})


# ---------------------------------------------------------------- plot_contour_path


def bowl(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return x**2 + 4 * y**2 + 1


def test_plot_contour_path_draws_contours_path_and_markers():
    path = torch.tensor([[1.0, 1.0], [0.5, -0.2], [0.1, 0.05]])
    ax = utils.plot_contour_path(bowl, path, xlim=(-1.5, 1.5), ylim=(-1, 1.5), title="descent", levels=8)
    assert isinstance(ax, Axes)
    assert len(ax.collections) >= 1  # the contour set
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"path", "start", "end"}
    np.testing.assert_allclose(lines["path"].get_xydata(), path.numpy())
    np.testing.assert_allclose(lines["start"].get_xydata(), [[1.0, 1.0]])
    np.testing.assert_allclose(lines["end"].get_xydata(), [[0.1, 0.05]])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["path", "start", "end"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("descent", "x", "y")
    assert ax.get_xlim() == (-1.5, 1.5) and ax.get_ylim() == (-1.0, 1.5)
    assert len(ax.collections[0].levels) == 8


def test_plot_contour_path_log_levels_list_path_labels_and_given_ax():
    fig, given = plt.subplots()
    ax = utils.plot_contour_path(
        bowl,
        [(1, 1), (0, 0)],
        ax=given,
        xlim=(-1, 1),
        ylim=(-1, 1),
        title="t",
        xlabel="w1",
        ylabel="w2",
        log_levels=True,
        levels=5,
        label="SGD",
    )
    assert ax is given
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("w1", "w2")
    assert ax.get_lines()[0].get_label() == "SGD"
    levels = np.asarray(ax.collections[0].levels)
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # geometric spacing


def test_plot_contour_path_accepts_a_path_that_requires_grad():
    path = torch.zeros(4, 2, requires_grad=True) * 1.0
    ax = utils.plot_contour_path(bowl, path, xlim=(-1, 1), ylim=(-1, 1), title="t", num_points=10)
    assert ax.get_lines()[0].get_xydata().shape == (4, 2)


@pytest.mark.parametrize(
    ("f", "path", "kwargs", "error", "match"),
    [
        (
            "bowl",
            [[0, 0]],
            {},
            TypeError,
            r"plot_contour_path\(\): argument 'f' must be a callable f\(x, y\), got str",
        ),
        (bowl, "0,0", {}, TypeError, r"argument 'path' must be a tensor of shape \(n, 2\) or a list of pairs, got str"),
        (bowl, torch.zeros(3), {}, ValueError, r"argument 'path' must have shape \(n, 2\) with n >= 1, got \(3,\)"),
        (bowl, [[0, 0, 0]], {}, ValueError, r"argument 'path' must have shape \(n, 2\)"),
        (
            bowl,
            torch.zeros(0, 2),
            {},
            ValueError,
            r"argument 'path' must have shape \(n, 2\) with n >= 1, got \(0, 2\)",
        ),
        (bowl, [["a", 0]], {}, TypeError, r"argument 'path' must be a list of \(x, y\) number pairs"),
        (
            bowl,
            [[0, 0]],
            {"xlim": (1, 0)},
            ValueError,
            r"argument 'xlim' must be finite with low < high, got \(1.0, 0.0\)",
        ),
        (bowl, [[0, 0]], {"ylim": 1}, TypeError, r"argument 'ylim' must be a pair of numbers \(low, high\), got int"),
        (bowl, [[0, 0]], {"ylim": (0, 1, 2)}, TypeError, r"argument 'ylim' must be a pair of numbers"),
        (bowl, [[0, 0]], {"levels": 0}, ValueError, r"argument 'levels' must be a positive int, got 0"),
        (bowl, [[0, 0]], {"num_points": 1}, ValueError, r"argument 'num_points' must be at least 2, got 1"),
        (bowl, [[0, 0]], {"log_levels": 1}, TypeError, r"argument 'log_levels' must be a bool, got int"),
        (bowl, [[0, 0]], {"title": None}, TypeError, r"argument 'title' must be a str, got NoneType"),
        (bowl, [[0, 0]], {"ax": 3}, TypeError, r"argument 'ax' must be a matplotlib Axes or None, got int"),
        (lambda x, y: 1.0, [[0, 0]], {}, TypeError, r"argument 'f' must return a tensor, got float"),
        (lambda x, y: x[0], [[0, 0]], {}, ValueError, r"argument 'f' must return a tensor of the grid's shape"),
        (lambda x, y: x / 0, [[0, 0]], {}, ValueError, r"argument 'f' must return finite values"),
        (lambda x, y: x, [[0, 0]], {"log_levels": True}, ValueError, r"must be positive on the grid when log_levels"),
    ],
)
def test_plot_contour_path_bad_input(f, path, kwargs, error, match):
    options = {"xlim": (-1, 1), "ylim": (-1, 1), "title": "t", "num_points": 5, **kwargs}
    with pytest.raises(error, match=match):
        utils.plot_contour_path(f, path, **options)
    assert plt.get_fignums() == []


def test_new_helpers_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    utils.plot_functions(torch.arange(3.0), {"f": torch.ones(3)}, title="t")
    utils.plot_contour_path(bowl, [[0, 0]], xlim=(-1, 1), ylim=(-1, 1), title="t", num_points=5)
    assert dict(matplotlib.rcParams) == before


def test_contour_layout_grid_levels_path_and_limits():
    points = np.array([[1.0, 1.0], [0.5, -0.2], [0.1, 0.05]])
    layout = plotting._contour_layout(
        bowl, points, xlim=(-1.5, 1.5), ylim=(-1.0, 1.5), levels=8, log_levels=False, num_points=7, title="t"
    )
    assert layout.grid_x.shape == layout.grid_y.shape == layout.z.shape == (7, 7)
    np.testing.assert_allclose(layout.grid_x[0], np.linspace(-1.5, 1.5, 7))  # x varies along a row
    np.testing.assert_allclose(layout.grid_x[:, 3], np.zeros(7), atol=1e-12)
    np.testing.assert_allclose(layout.grid_y[:, 0], np.linspace(-1.0, 1.5, 7))  # y down a column
    np.testing.assert_allclose(layout.z, layout.grid_x**2 + 4 * layout.grid_y**2 + 1)
    levels = layout.levels
    assert len(levels) == 8
    assert layout.z.min() < levels[0] and levels[-1] < layout.z.max()
    np.testing.assert_allclose(np.diff(levels), np.diff(levels)[0])  # evenly spaced
    np.testing.assert_array_equal(layout.path, points)
    assert (layout.start, layout.end) == ((1.0, 1.0), (0.1, 0.05))
    assert (layout.xlim, layout.ylim) == ((-1.5, 1.5), (-1.0, 1.5))
    assert (layout.title, layout.xlabel, layout.ylabel, layout.label) == ("t", "x", "y", "path")


def test_contour_layout_log_levels_and_a_one_point_path():
    layout = plotting._contour_layout(
        bowl, np.array([[0.2, 0.3]]), xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), levels=5, log_levels=True, num_points=9
    )
    ratios = layout.levels[1:] / layout.levels[:-1]
    assert len(layout.levels) == 5 and ratios[0] > 1
    np.testing.assert_allclose(ratios, ratios[0])
    assert layout.start == layout.end == (0.2, 0.3)
    flat = plotting._contour_layout(
        lambda x, y: torch.ones_like(x),
        np.zeros((1, 2)),
        xlim=(0, 1),
        ylim=(0, 1),
        levels=4,
        log_levels=False,
        num_points=3,
    )
    assert len(flat.levels) == 1  # a constant: the repeated level is drawn once
