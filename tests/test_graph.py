"""Unit tests for utils.graph: the autograd graph as data, and its picture."""

import matplotlib

matplotlib.use("Agg")

import contextlib
import io
import math
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch

import utils
from utils import graph as graph_module
from utils.graph import AutogradGraph, GraphEdge, GraphNode


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def xy():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, generator=gen).requires_grad_()
    y = torch.randn(2, 3, generator=gen).requires_grad_()
    return x, y


def boxes(ax: Axes) -> list[str]:
    """The texts drawn in boxes: one per node."""
    return [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]


def arrows(ax: Axes) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(start, end) of each arrow drawn (an annotation with an arrow patch)."""
    return [
        (tuple(t.xyann), tuple(t.xy)) for t in ax.texts if isinstance(getattr(t, "arrow_patch", None), FancyArrowPatch)
    ]


# ---------------------------------------------------------------- autograd_graph


def test_exported_through_utils():
    assert set(graph_module.__all__) == {
        "AutogradGraph",
        "GraphEdge",
        "GraphNode",
        "autograd_graph",
        "plot_autograd_graph",
        "value_graph",
    }
    for name in graph_module.__all__:
        assert getattr(utils, name) is getattr(graph_module, name)


def test_known_graph_nodes_and_edges(xy):
    x, y = xy
    z = (x * y + x).sum()
    g = utils.autograd_graph(z)
    assert isinstance(g, AutogradGraph)
    assert [n.name for n in g.nodes] == [
        "SumBackward0",
        "AddBackward0",
        "MulBackward0",
        "AccumulateGrad",
        "AccumulateGrad",
    ]
    assert [n.id for n in g.nodes] == [0, 1, 2, 3, 4]
    assert [n.kind for n in g.nodes] == ["output", "operation", "operation", "leaf", "leaf"]
    assert [(e.source, e.target) for e in g.edges] == [(0, 1), (1, 2), (1, 3), (2, 3), (2, 4)]
    assert g.edges[1] == GraphEdge(source=1, target=2, input_index=0)
    assert g.targets(2) == (3, 4)
    assert g.targets(4) == ()
    assert [n.id for n in g.leaves] == [3, 4]
    assert g.nodes[3].leaf_shape == (2, 3)
    assert g.nodes[3].label is None


def test_leaves_are_the_tensors_and_get_names(xy):
    x, y = xy
    z = (x * y + x).sum()
    g = utils.autograd_graph(z, names={"x": x, "y": y, "unused": torch.ones(1)})
    assert [n.label for n in g.leaves] == ["x", "y"]
    assert [n.label for n in g.nodes if n.kind != "leaf"] == [None, None, None]


def test_traversal_is_deterministic(xy):
    x, y = xy
    first = utils.autograd_graph((x * y + x).sum())
    second = utils.autograd_graph((x * y + x).sum())
    assert first == second
    assert str(first) == str(second)


def test_shared_node_appears_once_with_one_edge_per_use(xy):
    x, _ = xy
    h = x.exp()  # used twice below
    z = (h * h + h).sum()
    g = utils.autograd_graph(z)
    names = [n.name for n in g.nodes]
    assert names.count("ExpBackward0") == 1
    assert names.count("AccumulateGrad") == 1
    exp_id = names.index("ExpBackward0")
    mul_id = names.index("MulBackward0")
    add_id = names.index("AddBackward0")
    assert [e.input_index for e in g.edges if (e.source, e.target) == (mul_id, exp_id)] == [0, 1]
    assert [e.target for e in g.edges if e.source == add_id] == [mul_id, exp_id]


def test_saved_tensor_shapes_of_mul(xy):
    x, _ = xy
    w = torch.ones(3, requires_grad=True)
    z = x * w  # broadcasts (2, 3) with (3,)
    node = utils.autograd_graph(z).nodes[0]
    assert node.name == "MulBackward0"
    assert node.saved_shapes == {"other": (3,), "self": (2, 3)}
    assert node.saved_values == {}
    assert node.freed == ()


def test_saved_values_and_unneeded_tensor_is_none(xy):
    x, _ = xy
    data = torch.ones(2, 3)  # no requires_grad: the gradient of data is never needed
    z = (x * data).sum()
    g = utils.autograd_graph(z)
    assert g.nodes[0].saved_values == {"self_sym_sizes": (2, 3)}
    mul = g.nodes[1]
    assert mul.saved_shapes == {"other": (2, 3)}
    assert mul.saved_values == {"self": None}  # x itself is not needed: d(x*data)/d(data) is never asked for


def test_none_entries_of_next_functions_get_no_node(xy):
    x, _ = xy
    data = torch.ones(2, 3)
    z = x * data
    assert z.grad_fn.next_functions[1][0] is None
    g = utils.autograd_graph(z)
    assert len(g.nodes) == 2
    assert g.edges == (GraphEdge(0, 1, 0),)


def test_saved_tuple_of_tensors_is_keyed_by_position(xy):
    x, _ = xy
    picked = x[torch.tensor([1, 0, 1])]
    node = utils.autograd_graph(picked).nodes[0]
    assert node.name == "IndexBackward0"
    assert node.saved_shapes == {"indices[0]": (3,)}
    assert node.saved_values["self_sym_sizes"] == (2, 3)


def test_freed_after_backward(xy):
    x, y = xy
    z = (x * y).sum()
    z.backward()
    mul = utils.autograd_graph(z).nodes[1]
    assert mul.saved_shapes == {}
    assert mul.freed == ("other", "self")
    assert "other (freed)" in str(utils.autograd_graph(z))


def test_retained_graph_keeps_saved_tensors(xy):
    x, y = xy
    z = (x * y).sum()
    z.backward(retain_graph=True)
    assert utils.autograd_graph(z).nodes[1].freed == ()


def test_custom_function_saved_tensors(xy):
    x, _ = xy

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return 2 * a * grad

    g = utils.autograd_graph(Square.apply(x))
    assert g.nodes[0].name == "SquareBackward"
    assert g.nodes[0].saved_shapes == {"saved_tensors[0]": (2, 3)}
    assert g.nodes[1].kind == "leaf"


def test_module_parameters_are_the_leaves():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    loss = model(torch.randn(5, 3)).pow(2).mean()
    g = utils.autograd_graph(loss, names=dict(model.named_parameters()))
    assert sorted(n.label for n in g.leaves) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert {n.label: n.leaf_shape for n in g.leaves}["0.weight"] == (4, 3)
    assert len(g.nodes) == 11


def test_leaf_tensor_gives_a_one_node_graph(xy):
    x, _ = xy
    g = utils.autograd_graph(x, names={"x": x})
    assert g.nodes == (GraphNode(0, "AccumulateGrad", "leaf", leaf_shape=(2, 3), label="x"),)
    assert g.edges == ()
    assert str(g).splitlines()[0].startswith("AutogradGraph: 1 node, 0 edges")


def test_str_lists_nodes_and_edges(xy):
    x, y = xy
    text = str(utils.autograd_graph((x * y + x).sum(), names={"x": x, "y": y}))
    assert text.splitlines() == [
        "AutogradGraph: 5 nodes, 5 edges (gradient flow: output -> leaves)",
        "   0  SumBackward0    output     saved: self_sym_sizes=(2, 3)",
        "   1  AddBackward0    operation  saved: alpha=1",
        "   2  MulBackward0    operation  saved: other (2, 3), self (2, 3)",
        "   3  AccumulateGrad  leaf       x: shape (2, 3)",
        "   4  AccumulateGrad  leaf       y: shape (2, 3)",
        "edges:",
        "   0 -> 1",
        "   1 -> 2, 3",
        "   2 -> 3, 4",
    ]


def test_no_graph_raises_value_error():
    with pytest.raises(ValueError, match=r"^autograd_graph\(\): argument 'tensor' has no autograd graph \(grad_fn"):
        utils.autograd_graph(torch.ones(3))
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        z = w * 2
    with pytest.raises(ValueError, match="requires_grad is False"):
        utils.autograd_graph(z)
    with pytest.raises(ValueError, match="no autograd graph"):
        utils.autograd_graph((w * 2).detach())


def test_bad_arguments_raise_type_error(xy):
    x, _ = xy
    with pytest.raises(TypeError, match=r"^autograd_graph\(\): argument 'tensor' must be a torch.Tensor, got list$"):
        utils.autograd_graph([1.0, 2.0])
    with pytest.raises(TypeError, match=r"argument 'names' must be a mapping"):
        utils.autograd_graph(x * 2, names=[x])
    with pytest.raises(TypeError, match=r"argument 'names' must map str to torch.Tensor, got str -> list"):
        utils.autograd_graph(x * 2, names={"x": [1]})


# ---------------------------------------------------------------- plot_autograd_graph


def test_plot_draws_one_box_per_node_and_one_arrow_per_edge(xy):
    x, y = xy
    z = (x * y + x).sum()
    ax = utils.plot_autograd_graph(z, names={"x": x, "y": y})
    assert isinstance(ax, Axes)
    assert boxes(ax) == [
        "0: SumBackward0",
        "1: AddBackward0",
        "2: MulBackward0\nother (2, 3)\nself (2, 3)",
        "3: AccumulateGrad\nx (2, 3)",
        "4: AccumulateGrad\ny (2, 3)",
    ]
    assert len(arrows(ax)) == 5
    assert "gradient flow" in ax.get_title()
    assert ax.get_ylabel() == "steps from the output"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2", "3"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "output (grad_fn)",
        "operation",
        "leaf (AccumulateGrad)",
    ]


def test_plot_layers_follow_the_longest_path(xy):
    x, y = xy
    ax = utils.plot_autograd_graph((x * y + x).sum())
    y_of = {t.get_text().split(":")[0]: t.get_position()[1] for t in ax.texts if t.get_bbox_patch() is not None}
    assert y_of == {"0": 0.0, "1": -1.0, "2": -2.0, "3": -3.0, "4": -3.0}


def test_plot_leaves_are_distinct(xy):
    x, y = xy
    ax = utils.plot_autograd_graph((x * y).sum())
    styles = {
        t.get_text().split("\n")[0]: (
            type(t.get_bbox_patch().get_boxstyle()).__name__,
            t.get_bbox_patch().get_facecolor(),
        )
        for t in ax.texts
        if t.get_bbox_patch() is not None
    }
    assert styles["2: AccumulateGrad"] == styles["3: AccumulateGrad"]
    assert styles["2: AccumulateGrad"] != styles["1: MulBackward0"]
    assert styles["2: AccumulateGrad"][0] == "Round"


def test_plot_into_given_axes_with_a_graph(xy):
    x, y = xy
    g = utils.autograd_graph((x * x).sum(), names={"x": x})
    fig, (left, right) = plt.subplots(1, 2)
    returned = utils.plot_autograd_graph(g, ax=right, direction="data", show_saved=False, show_ids=False, title="t")
    assert returned is right
    assert len(left.texts) == 0
    assert boxes(right) == ["SumBackward0", "MulBackward0", "AccumulateGrad\nx (2, 3)"]
    assert len(arrows(right)) == 3  # x * x: two arrows between the same boxes
    assert right.get_title() == "t"
    assert len(fig.axes) == 2


def test_plot_data_direction_reverses_the_arrows(xy):
    x, _ = xy
    z = x.exp().sum()
    down = arrows(utils.plot_autograd_graph(z))
    up = arrows(utils.plot_autograd_graph(z, direction="data"))
    assert down == [(end, start) for start, end in up]
    assert down[0] == ((0.0, 0.0), (0.0, -1.0))
    assert "data flow" in plt.gca().get_title()


def test_plot_after_backward_marks_freed_tensors(xy):
    x, y = xy
    z = (x * y).sum()
    z.backward()
    assert "1: MulBackward0\nother: freed\nself: freed" in boxes(utils.plot_autograd_graph(z))


def test_plot_fifteen_nodes_fit_in_the_figure(xy):
    x, _ = xy
    h = x
    for _ in range(13):
        h = h * 1.5
    g = utils.autograd_graph(h.sum())
    assert len(g.nodes) == 15
    ax = utils.plot_autograd_graph(g)
    width, height = ax.figure.get_size_inches()
    assert width <= 9 and height <= 8
    assert len(boxes(ax)) == 15


def test_plot_leaves_rcparams_alone(xy):
    x, _ = xy
    before = dict(matplotlib.rcParams)
    utils.plot_autograd_graph((x * 2).sum())
    assert dict(matplotlib.rcParams) == before


def test_plot_bad_arguments(xy):
    x, _ = xy
    with pytest.raises(TypeError, match=r"^plot_autograd_graph\(\): argument 'graph' must be an AutogradGraph"):
        utils.plot_autograd_graph([1, 2])
    with pytest.raises(TypeError, match=r"argument 'ax' must be a matplotlib Axes or None, got str"):
        utils.plot_autograd_graph(x * 2, ax="left")
    with pytest.raises(ValueError, match=r"argument 'direction' must be 'gradient' or 'data', got 'up'"):
        utils.plot_autograd_graph(x * 2, direction="up")
    with pytest.raises(ValueError, match=r"argument 'names' only works with a tensor"):
        utils.plot_autograd_graph(utils.autograd_graph(x * 2), names={"x": x})
    with pytest.raises(ValueError, match=r"^autograd_graph\(\): argument 'tensor' has no autograd graph"):
        utils.plot_autograd_graph(torch.ones(2))
    with pytest.raises(TypeError, match=r"argument 'show_saved' must be a bool, got int"):
        utils.plot_autograd_graph(x * 2, show_saved=1)


# ---------------------------------------------------------------- the picture's layout


def assert_no_overlap(layout):
    """Box centres sit on a grid of unit spacing: no two share a layer slot."""
    centres = [(box.x, box.y) for box in layout.boxes]
    for i, (x1, y1) in enumerate(centres):
        for x2, y2 in centres[i + 1 :]:
            assert abs(x1 - x2) >= 1 or abs(y1 - y2) >= 1, f"boxes at {(x1, y1)} and {(x2, y2)} overlap"


def test_layout_boxes_layers_and_arrows(xy):
    x, y = xy
    g = utils.autograd_graph((x * y + x).sum(), names={"x": x, "y": y})
    layout = graph_module._graph_layout(g)
    assert [box.node for box in layout.boxes] == [0, 1, 2, 3, 4]
    assert [box.text for box in layout.boxes] == [
        "0: SumBackward0",
        "1: AddBackward0",
        "2: MulBackward0\nother (2, 3)\nself (2, 3)",
        "3: AccumulateGrad\nx (2, 3)",
        "4: AccumulateGrad\ny (2, 3)",
    ]
    assert [box.kind for box in layout.boxes] == ["output", "operation", "operation", "leaf", "leaf"]
    assert [box.layer for box in layout.boxes] == [0, 1, 2, 3, 3]  # x is 3 steps away along the longest path
    assert [box.y for box in layout.boxes] == [0.0, -1.0, -2.0, -3.0, -3.0]
    assert [(box.x, box.y) for box in layout.boxes if box.layer == 3] == [(-0.5, -3.0), (0.5, -3.0)]
    assert_no_overlap(layout)
    assert [(a.tail, a.head) for a in layout.arrows] == [(e.source, e.target) for e in g.edges]
    centre = {box.node: (box.x, box.y) for box in layout.boxes}
    assert all((a.start, a.end) == (centre[a.tail], centre[a.head]) for a in layout.arrows)
    assert all(a.start[1] > a.end[1] for a in layout.arrows)  # gradient flow points down
    rads = {(a.tail, a.head): a.rad for a in layout.arrows}
    assert rads[(1, 3)] != 0  # past layer 2: bows around the box in between
    assert rads[(0, 1)] == rads[(1, 2)] == 0
    assert layout.yticks == (0.0, -1.0, -2.0, -3.0) and layout.yticklabels == ("0", "1", "2", "3")
    assert layout.xlim[0] < -0.5 and layout.xlim[1] > 0.5 and layout.ylim[0] < -3 and layout.ylim[1] > 0
    assert layout.legend == ("output", "operation", "leaf")
    assert layout.title == "Autograd graph: 5 nodes\narrows: gradient flow, output → leaves"


def test_layout_data_direction_repeated_edges_and_options(xy):
    x, _ = xy
    g = utils.autograd_graph((x * x).sum(), names={"x": x})
    layout = graph_module._graph_layout(g, direction="data", show_saved=False, show_ids=False, title="t")
    assert [box.text for box in layout.boxes] == ["SumBackward0", "MulBackward0", "AccumulateGrad\nx (2, 3)"]
    assert [(a.tail, a.head) for a in layout.arrows] == [(1, 0), (2, 1), (2, 1)]  # leaves -> output
    assert all(a.start[1] < a.end[1] for a in layout.arrows)  # data flow points up
    first, second = (a.rad for a in layout.arrows[1:])
    assert first == -second != 0  # x * x: two arcs, one each side
    assert layout.title == "t"
    assert layout.legend == ("output", "operation", "leaf")
    assert graph_module._graph_layout(utils.autograd_graph(x)).legend == ("leaf",)


def test_layout_of_a_wider_graph_has_no_overlapping_boxes():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    loss = model(torch.randn(5, 3)).pow(2).mean()
    g = utils.autograd_graph(loss, names=dict(model.named_parameters()))
    layout = graph_module._graph_layout(g)
    assert len(layout.boxes) == len(g.nodes) == 11
    assert len(layout.arrows) == len(g.edges)
    assert sorted(box.text.split("\n")[1].split()[0] for box in layout.boxes if box.kind == "leaf") == [
        "0.bias",
        "0.weight",
        "2.bias",
        "2.weight",
    ]
    assert_no_overlap(layout)
    for layer in {box.layer for box in layout.boxes}:
        xs = sorted(box.x for box in layout.boxes if box.layer == layer)
        assert xs == [slot - (len(xs) - 1) / 2 for slot in range(len(xs))]  # centred, one apart
    widest = max(sum(box.layer == d for box in layout.boxes) for d in range(len(layout.yticks)))
    assert layout.xlim == (-(widest - 1) / 2 - 0.75, (widest - 1) / 2 + 0.75)
    width, height = layout.figsize
    assert 4.5 <= width <= 9 and 2.8 <= height <= 8


# ---------------------------------------------------------------- value_graph


class Scalar:
    """A bare micrograd-style node for the tests: data, grad, parents, operation, optional label."""

    def __init__(self, data, prev=(), op="", label=None):
        self.data, self.grad, self._prev, self._op = data, 0.0, prev, op
        if label is not None:
            self.label = label


@pytest.fixture
def expression():
    """L = (a * b + c) * a, built by hand: a is used twice."""
    a, b, c = Scalar(2.0, label="a"), Scalar(-3.0, label="b"), Scalar(10.0, label="c")
    ab = Scalar(-6.0, (a, b), "*")
    d = Scalar(4.0, (ab, c), "+")
    return Scalar(8.0, (d, a), "*"), {"a": a, "b": b, "c": c, "ab": ab, "d": d}


def test_value_graph_nodes_and_edges(expression):
    root, parts = expression
    g = utils.value_graph(root)
    assert isinstance(g, AutogradGraph)
    assert [(n.id, n.name, n.kind, n.label, n.data, n.grad) for n in g.nodes] == [
        (0, "*", "output", None, 8.0, 0.0),
        (1, "+", "operation", None, 4.0, 0.0),
        (2, "Scalar", "leaf", "a", 2.0, 0.0),  # breadth first: a is the root's second input
        (3, "*", "operation", None, -6.0, 0.0),
        (4, "Scalar", "leaf", "c", 10.0, 0.0),
        (5, "Scalar", "leaf", "b", -3.0, 0.0),
    ]
    assert g.edges == (
        GraphEdge(0, 1, 0),
        GraphEdge(0, 2, 1),
        GraphEdge(1, 3, 0),
        GraphEdge(1, 4, 1),
        GraphEdge(3, 2, 0),  # a again: one node, one edge per use
        GraphEdge(3, 5, 1),
    )
    assert [n.label for n in g.leaves] == ["a", "c", "b"]


def test_value_graph_keeps_the_numbers_it_read(expression):
    root, parts = expression
    before = utils.value_graph(root)
    root.grad, parts["a"].grad, parts["b"].grad = 1.0, -2.0, 4
    after = utils.value_graph(root)
    assert [n.grad for n in before.nodes] == [0.0] * 6
    assert [n.grad for n in after.nodes] == [1.0, 0.0, -2.0, 0.0, 0.0, 4.0]
    assert isinstance(after.nodes[5].grad, float)  # an int grad is stored as a float


def test_value_graph_names_win_over_labels_and_repeats_give_arcs():
    x = Scalar(3.0, label="x")
    square = Scalar(9.0, (x, x), "*")
    g = utils.value_graph(square, names={"x squared": square, "input": x, "other": Scalar(1.0)})
    assert [n.label for n in g.nodes] == ["x squared", "input"]
    assert g.edges == (GraphEdge(0, 1, 0), GraphEdge(0, 1, 1))
    arcs = [a.rad for a in graph_module._graph_layout(g).arrows]
    assert arcs[0] == -arcs[1] != 0


def test_value_graph_of_a_leaf_and_a_missing_op():
    leaf = Scalar(1.5)
    assert utils.value_graph(leaf).nodes == (GraphNode(0, "Scalar", "leaf", data=1.5, grad=0.0),)
    assert utils.value_graph(leaf).edges == ()
    child = Scalar(3.0, [leaf])  # a list works too; no _op: named by its class
    del child._op
    assert [n.name for n in utils.value_graph(child).nodes] == ["Scalar", "Scalar"]
    assert [n.kind for n in utils.value_graph(child).nodes] == ["output", "leaf"]


def test_value_graph_str_shows_data_and_grad(expression):
    root, _ = expression
    root.grad = 1.0
    assert str(utils.value_graph(root, names={"L": root})).splitlines() == [
        "AutogradGraph: 6 nodes, 6 edges (gradient flow: output -> leaves)",
        "   0  *       output     L: data 8, grad 1",
        "   1  +       operation  data 4, grad 0",
        "   2  Scalar  leaf       a: data 2, grad 0",
        "   3  *       operation  data -6, grad 0",
        "   4  Scalar  leaf       c: data 10, grad 0",
        "   5  Scalar  leaf       b: data -3, grad 0",
        "edges:",
        "   0 -> 1, 2",
        "   1 -> 3, 4",
        "   3 -> 2, 5",
    ]


def test_value_graph_bad_input(expression):
    root, parts = expression
    func = r"^value_graph\(\): argument 'root' "
    with pytest.raises(
        TypeError,
        match=func + r"must be a Value-like object .* got a tensor of shape \(2,\) .* "
        r"without '_prev'$",
    ):
        utils.value_graph(torch.ones(2, requires_grad=True))
    with pytest.raises(TypeError, match=func + r"must be a Value-like .* got float without 'data', 'grad', '_prev'"):
        utils.value_graph(2.0)
    parts["b"]._prev = None
    with pytest.raises(TypeError, match=func + r"\(node 5 of its graph\) has a '_prev' that is not a collection: "):
        utils.value_graph(root)
    parts["b"]._prev = ()
    parts["c"].data = "ten"
    with pytest.raises(TypeError, match=func + r"\(node 4 of its graph\) has a 'data' that is not a number: str"):
        utils.value_graph(root)
    parts["c"].data = 10.0
    root.grad = True
    with pytest.raises(TypeError, match=func + r"has a 'grad' that is not a number: bool"):
        utils.value_graph(root)
    root.grad = 0.0
    parts["d"]._prev = (parts["ab"], object())
    with pytest.raises(TypeError, match=r"\(node 4 of its graph\) without 'data', 'grad', '_prev'$"):
        utils.value_graph(root)
    with pytest.raises(TypeError, match=r"^value_graph\(\): argument 'names' must be a mapping"):
        utils.value_graph(parts["a"], names=[parts["a"]])
    with pytest.raises(TypeError, match=r"^value_graph\(\): argument 'names' must have str keys, got int"):
        utils.value_graph(parts["a"], names={1: parts["a"]})


def test_plot_value_graph_shows_data_and_grad(expression):
    root, _ = expression
    root.grad = 1.0
    ax = utils.plot_autograd_graph(utils.value_graph(root, names={"L": root}))
    assert boxes(ax) == [
        "0: * L\ndata 8\ngrad 1",
        "1: +\ndata 4\ngrad 0",
        "2: Scalar a\ndata 2\ngrad 0",
        "3: *\ndata -6\ngrad 0",
        "4: Scalar c\ndata 10\ngrad 0",
        "5: Scalar b\ndata -3\ngrad 0",
    ]
    assert len(arrows(ax)) == 6
    assert ax.get_title() == "Value graph: 6 nodes\narrows: gradient flow, output → leaves"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["output", "operation", "leaf (input)"]
    assert ax.get_ylabel() == "steps from the output"


def test_layout_of_a_value_graph(expression):
    root, _ = expression
    layout = graph_module._graph_layout(utils.value_graph(root), show_ids=False)
    assert [box.layer for box in layout.boxes] == [0, 1, 3, 2, 2, 3]  # a: longest path 0 -> 1 -> 3 -> 2
    assert [box.kind for box in layout.boxes] == ["output", "operation", "leaf", "operation", "leaf", "leaf"]
    assert layout.boxes[0].text == "*\ndata 8\ngrad 0"
    assert layout.legend == ("output", "operation", "leaf")
    assert layout.legend_labels == ("output", "operation", "leaf (input)")
    assert_no_overlap(layout)
    torch_layout = graph_module._graph_layout(utils.autograd_graph(torch.ones(2, requires_grad=True) * 2))
    assert torch_layout.legend_labels == ("output (grad_fn)", "leaf (AccumulateGrad)")


CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "03_autograd.ipynb"
VALUE_CELLS = ("class Value:", "def value_pow", "def value_tanh", "def value_neg", "def value_backward")


def chapter_value_class() -> type:
    """The chapter's `Value`, built by running its step-by-step cells (prints dropped)."""
    cells = [c.source for c in nbformat.read(CHAPTER, as_version=4).cells if c.cell_type == "code"]
    namespace: dict[str, object] = {"math": math}
    with contextlib.redirect_stdout(io.StringIO()):
        for start in VALUE_CELLS:
            (source,) = [s for s in cells if s.startswith(start)]
            exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 (the book's own cells)
    return namespace["Value"]


def test_chapter_value_graph_matches_pytorchs():
    Value = chapter_value_class()
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    loss = ((a * b + c).tanh() * a - b / c).exp()
    before = utils.value_graph(loss, names={"a": a, "b": b, "c": c})
    loss.backward()
    after = utils.value_graph(loss, names={"a": a, "b": b, "c": c})
    ta, tb, tc = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, -3.0, 10.0))
    t_loss = ((ta * tb + tc).tanh() * ta - tb / tc).exp()
    t_loss.backward()
    assert [n.name for n in after.nodes][:3] == ["exp", "+", "*"]  # a - x is a + (-1 * x)
    assert [n.grad for n in before.nodes] == [0.0] * len(before.nodes)
    grads = {n.label: n.grad for n in after.nodes if n.label}
    assert grads.keys() == {"a", "b", "c"}
    for name, t in (("a", ta), ("b", tb), ("c", tc)):
        assert grads[name] == pytest.approx(t.grad.item(), rel=1e-12)
    assert after.nodes[0].data == pytest.approx(t_loss.item(), rel=1e-12) and after.nodes[0].grad == 1.0
    small = (Value(2.0) * Value(-3.0) + Value(10.0)) * Value(2.0)
    t_small = (ta * tb + tc) * ta
    assert len(utils.value_graph(small).nodes) == 7  # four distinct inputs here: no node shared
    x = Value(2.0)
    assert utils.value_graph((x * Value(-3.0) + Value(10.0)) * x).edges == utils.autograd_graph(t_small).edges


def test_an_edge_past_a_layer_bows_clear_of_the_boxes_in_between():
    """L = (a * b + c) * a: the edge from L straight to a passes the layer of c; its arc keeps clear of c's box."""
    a, b, c = (torch.tensor(v, requires_grad=True) for v in (2.0, -3.0, 10.0))
    graph = utils.autograd_graph((a * b + c) * a, names={"a": a, "b": b, "c": c})
    layout = graph_module._graph_layout(graph)
    box = {graph.nodes[b_.node].label or b_.node: b_ for b_ in layout.boxes}
    long = [arrow for arrow in layout.arrows if arrow.tail == 0 and arrow.head == box["a"].node]
    assert len(long) == 1 and long[0].rad != 0
    scale = (
        layout.figsize[0] / (layout.xlim[1] - layout.xlim[0]),
        layout.figsize[1] / (layout.ylim[1] - layout.ylim[0]),
    )
    points = graph_module._arc_points(long[0].start, long[0].end, long[0].rad, scale)
    centre = (box["c"].x * scale[0], box["c"].y * scale[1])
    clearance = min(math.hypot(x - centre[0], y - centre[1]) for x, y in points)
    assert clearance > 0.6, f"the arc passes {clearance:.2f} inches from the centre of c's box"
