"""Unit tests for utils.plot_join: the layout computed from the real torch.cat/torch.stack, the drawing, bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

import utils
from utils import _palette, plotting


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def grid(panel, what):
    """A panel's cells as a list of rows, each cell given by ``what(cell)``."""
    rows = max(cell.row for cell in panel.cells) + 1
    return [[what(cell) for cell in panel.cells if cell.row == i] for i in range(rows)]


TOP = torch.arange(6).view(2, 3)
BOTTOM = torch.arange(6, 9).view(1, 3)
SIDE = torch.tensor([[100], [200]])


# ---------------------------------------------------------------- the layout: plain data


def test_join_layout_cat_along_rows_tells_where_each_element_came_from():
    layout = plotting._join_layout([TOP, BOTTOM], "cat", 0, ("top", "bottom"))
    result = layout.result
    assert result.shape == (3, 3) and layout.dim == 0
    assert grid(result, lambda c: c.source) == [[0, 0, 0], [0, 0, 0], [1, 1, 1]]
    assert grid(result, lambda c: c.element) == [
        [(0, 0), (0, 1), (0, 2)],
        [(1, 0), (1, 1), (1, 2)],
        [(0, 0), (0, 1), (0, 2)],
    ]
    assert grid(result, lambda c: c.text) == [[str(v) for v in row] for row in torch.cat([TOP, BOTTOM]).tolist()]
    assert grid(result, lambda c: c.label)[2] == ["bottom[0,0]", "bottom[0,1]", "bottom[0,2]"]
    assert result.caption == "result (3, 3)\njoined along dim 0"
    assert [p.caption for p in layout.inputs] == ["top (2, 3)", "bottom (1, 3)"]
    assert layout.title == "torch.cat([top, bottom], dim=0): (2, 3), (1, 3) → (3, 3)"
    assert layout.colours == (_palette.BLUE, _palette.ORANGE)


def test_join_layout_cat_along_columns():
    result = plotting._join_layout([TOP, SIDE], "cat", 1, ("top", "side")).result
    assert result.shape == (2, 4)
    assert grid(result, lambda c: c.source) == [[0, 0, 0, 1]] * 2
    assert grid(result, lambda c: c.label) == [
        ["top[0,0]", "top[0,1]", "top[0,2]", "side[0,0]"],
        ["top[1,0]", "top[1,1]", "top[1,2]", "side[1,0]"],
    ]
    assert grid(result, lambda c: c.text)[1] == ["3", "4", "5", "200"]


def test_join_layout_stack_makes_a_new_dimension():
    a, b = torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])
    rows = plotting._join_layout([a, b], "stack", 0, ("a", "b")).result
    assert rows.shape == (2, 3) and grid(rows, lambda c: c.source) == [[0, 0, 0], [1, 1, 1]]
    layout = plotting._join_layout([a, b], "stack", -1, ("a", "b"))
    columns = layout.result
    assert columns.shape == (3, 2) and layout.dim == 1  # dim=-1 counted from the front
    assert grid(columns, lambda c: c.source) == [[0, 1]] * 3
    assert grid(columns, lambda c: c.element) == [[(i,), (i,)] for i in range(3)]
    assert grid(columns, lambda c: c.text) == [["1", "4"], ["2", "5"], ["3", "6"]]
    assert columns.caption == "result (3, 2)\nnew dim 1 (size 2)"
    assert layout.title == "torch.stack([a, b], dim=-1): (3,), (3,) → (3, 2)"
    assert [grid(p, lambda c: c.label) for p in layout.inputs] == [
        [["a[0]", "a[1]", "a[2]"]],
        [["b[0]", "b[1]", "b[2]"]],
    ]


def test_join_layout_reads_the_sources_back_from_torch(monkeypatch):
    # a "cat" that puts its inputs in the other order: the layout must follow it, not a rule of its own
    monkeypatch.setitem(plotting._JOIN_OPS, "cat", lambda ts, dim: torch.cat(list(ts)[::-1], dim=dim))
    result = plotting._join_layout([TOP, BOTTOM], "cat", 0, ("top", "bottom")).result
    assert grid(result, lambda c: c.source) == [[1, 1, 1], [0, 0, 0], [0, 0, 0]]
    assert grid(result, lambda c: c.text)[0] == ["6", "7", "8"]


def test_join_layout_panels_side_by_side_top_aligned_with_the_arrow_before_the_result():
    layout = plotting._join_layout([TOP, BOTTOM, torch.tensor([[9, 9, 9]])], "cat", 0, ("a", "b", "c"))
    panels = [*layout.inputs, layout.result]
    spans = [(min(c.x for c in p.cells), max(c.x for c in p.cells) + 1) for p in panels]
    assert spans[0][0] == 0
    for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
        assert right < left
    (start, end) = layout.arrow
    assert spans[2][1] < start[0] < end[0] < spans[3][0] and start[1] == end[1]
    top = max(c.y for c in layout.result.cells) + 1
    for panel, (left, right) in zip(panels, spans, strict=True):
        assert max(c.y for c in panel.cells) + 1 == top  # all panels hang from the same top line
        bottom = min(c.y for c in panel.cells)
        assert panel.caption_at == pytest.approx(((left + right) / 2, bottom - 0.3))  # just under the panel
    assert layout.colours == (_palette.BLUE, _palette.ORANGE, _palette.GREEN)
    assert layout.xlim[0] < 0 and layout.xlim[1] > spans[3][1] and layout.ylim[1] > top


def test_join_layout_one_dimensional_cat_is_one_row():
    result = plotting._join_layout([torch.arange(2), torch.arange(3)], "cat", 0, ("a", "b")).result
    assert result.shape == (5,)
    assert grid(result, lambda c: c.label) == [["a[0]", "a[1]", "b[0]", "b[1]", "b[2]"]]


# ---------------------------------------------------------------- the drawing


def test_plot_join_draws_inputs_and_the_result_coloured_by_source():
    ax = utils.plot_join([TOP, BOTTOM], names=("top", "bottom"))
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rects) == 6 + 3 + 9
    result_cells = rects[-9:]
    blue, orange = to_rgba(_palette.BLUE), to_rgba(_palette.ORANGE)
    assert [r.get_facecolor() for r in result_cells] == [blue] * 6 + [orange] * 3
    texts = [t.get_text() for t in ax.texts]
    assert "bottom[0,2]" in texts and "result (3, 3)\njoined along dim 0" in texts and "cat" in texts
    assert ax.get_title() == "torch.cat([top, bottom], dim=0): (2, 3), (1, 3) → (3, 3)"
    assert ax.get_legend() is None  # the captions and cell labels name the inputs


def test_plot_join_given_ax_default_names_and_tensors_that_require_grad():
    fig, given = plt.subplots()
    a = torch.ones(3, requires_grad=True)
    ax = utils.plot_join([a * 2, torch.zeros(3)], given, op="stack", dim=1)
    assert ax is given
    assert ax.get_title() == "torch.stack([a, b], dim=1): (3,), (3,) → (3, 2)"
    assert "2" in [t.get_text() for t in ax.texts]  # 2.0 written compactly


def test_plot_join_leaves_rcparams_alone():
    before = dict(matplotlib.rcParams)
    utils.plot_join([TOP, BOTTOM])
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((TOP,), {}, TypeError, r"plot_join\(\): argument 'tensors' must be a list or tuple of tensors, got a tensor"),
        (([],), {}, ValueError, r"argument 'tensors' must hold 1 to 3 tensors, got 0"),
        (([TOP] * 4,), {}, ValueError, r"must hold 1 to 3 tensors, got 4"),
        (([TOP, [1, 2]],), {}, TypeError, r"argument 'tensors\[1\]' must be a torch.Tensor, got list"),
        (([torch.zeros(2, 2, 2)],), {}, ValueError, r"argument 'tensors\[0\]' must have 1 or 2 dimension\(s\), got 3"),
        (([torch.zeros(0, 3)],), {}, ValueError, r"'tensors\[0\]' must have at least one element"),
        (([TOP],), {"op": "concat"}, ValueError, r"argument 'op' must be 'cat' or 'stack', got 'concat'"),
        (([TOP],), {"op": None}, TypeError, r"argument 'op' must be 'cat' or 'stack', got NoneType"),
        (([TOP],), {"dim": True}, TypeError, r"argument 'dim' must be an int, got bool"),
        (([TOP, TOP],), {"names": ("a",)}, TypeError, r"argument 'names' must hold one str per tensor \(2\)"),
        (([TOP],), {"names": "a"}, TypeError, r"argument 'names' must be a list or tuple of str, got str"),
        (([TOP],), {"ax": 1}, TypeError, r"argument 'ax' must be a matplotlib Axes or None, got int"),
        (
            ([TOP, BOTTOM],),
            {"dim": 1},
            ValueError,
            r"torch.cat refuses these tensors with dim=1: Sizes of tensors must match except in dimension 1",
        ),
        (([TOP, BOTTOM],), {"op": "stack"}, ValueError, r"torch.stack refuses these tensors with dim=0"),
        (([TOP],), {"dim": 2}, ValueError, r"torch.cat refuses these tensors with dim=2: Dimension out of range"),
        (([TOP, TOP],), {"op": "stack"}, ValueError, r"at most 2 dimensions, .* got shape \(2, 2, 3\)"),
        (([torch.zeros(7), torch.zeros(6)],), {}, ValueError, r"each of size at most 12, .* got shape \(13,\)"),
    ],
)
def test_plot_join_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        utils.plot_join(*args, **kwargs)
    assert plt.get_fignums() == []  # refused before drawing anything
