"""The autograd graph of a tensor, as plain data and as a picture.

PyTorch records a graph while the forward pass runs: each tensor computed from
tensors that require gradients has a ``grad_fn`` node, and each node lists in
``next_functions`` the nodes it passes gradients on to, down to one
``AccumulateGrad`` node per leaf tensor. :func:`autograd_graph` walks that graph
and returns it as dataclasses; :func:`plot_autograd_graph` draws it with
matplotlib alone. The chapter "Dynamic computation graphs" explains the graph
with these two helpers.

:func:`value_graph` reads the same data from the scalar ``Value`` engine that
the chapter "Autograd" builds from scratch (or any micrograd-style object), with
each node's number and gradient, so that :func:`plot_autograd_graph` draws it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeAlias, cast

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.text import Text
from torch.autograd.graph import Node

from . import _palette
from ._validate import check_tensor, check_type, describe

__all__ = ["AutogradGraph", "GraphEdge", "GraphNode", "autograd_graph", "plot_autograd_graph", "value_graph"]

NodeKind = Literal["output", "operation", "leaf"]
_KINDS: tuple[NodeKind, ...] = ("output", "operation", "leaf")

_SAVED_PREFIX = "_saved_"
_PLAIN_TYPES = (bool, int, float, str, type(None))
_Plain: TypeAlias = bool | int | float | str | None
#: A saved attribute that is not a tensor, as plain data: a number, str or
#: ``None``, a tuple of those (a size), or else the value's ``repr``.
_SavedValue: TypeAlias = _Plain | tuple[_Plain, ...]


@dataclass(frozen=True)
class GraphNode:
    """One node of an autograd graph.

    Attributes:
        id: Position in the traversal (breadth-first from the output, following
            ``next_functions`` in order): 0 is the output's ``grad_fn``. Stable
            from run to run, unlike ``id()``.
        name: The node's class name, e.g. ``"MulBackward0"`` or ``"AccumulateGrad"``.
        kind: ``"output"`` for the tensor's own ``grad_fn``, ``"leaf"`` for an
            ``AccumulateGrad`` node (it writes a leaf tensor's ``.grad``), else
            ``"operation"``.
        leaf_shape: For a leaf, the shape of its tensor (``AccumulateGrad.variable``); else ``None``.
        label: For a leaf, the name given to its tensor in ``names``; else ``None``.
        saved_shapes: Shapes of the tensors the node saved for the backward pass,
            keyed by attribute name without the ``_saved_`` prefix (``"self"``,
            ``"other"``, ``"result"``); the k-th tensor of a saved tuple is
            keyed ``"name[k]"``.
        saved_values: The saved attributes that are not tensors (ints, sizes,
            ``None`` for a tensor the backward pass does not need), same keys.
        freed: Names of saved tensors already freed by a backward pass.
        data: For a node of :func:`value_graph`, the number it holds; else ``None``.
        grad: For a node of :func:`value_graph`, its gradient when the graph
            was read; else ``None``.
    """

    id: int
    name: str
    kind: NodeKind
    leaf_shape: tuple[int, ...] | None = None
    label: str | None = None
    saved_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    saved_values: dict[str, _SavedValue] = field(default_factory=dict)
    freed: tuple[str, ...] = ()
    data: float | None = None
    grad: float | None = None


@dataclass(frozen=True)
class GraphEdge:
    """An edge of an autograd graph, in the direction gradients flow.

    Attributes:
        source: Id of the node that sends the gradient (nearer the output).
        target: Id of the node that receives it (nearer the leaves).
        input_index: Which input of the source's operation the gradient is
            for: the position of the target in the source's ``next_functions``.
            ``x * x`` gives two edges to the same leaf, with indices 0 and 1.
    """

    source: int
    target: int
    input_index: int


@dataclass(frozen=True)
class AutogradGraph:
    """The nodes and edges of a tensor's autograd graph (see :func:`autograd_graph`).

    Edges point the way gradients flow, from the output towards the leaves.
    ``print(graph)`` lists the nodes with what they saved, then the edges.
    """

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    @property
    def leaves(self) -> tuple[GraphNode, ...]:
        """The ``AccumulateGrad`` nodes, one per leaf tensor that receives a gradient."""
        return tuple(node for node in self.nodes if node.kind == "leaf")

    def targets(self, node_id: int) -> tuple[int, ...]:
        """Ids of the nodes that ``node_id`` passes gradients to, in ``next_functions`` order."""
        return tuple(edge.target for edge in self.edges if edge.source == node_id)

    def __str__(self) -> str:
        counts = f"{_plural(len(self.nodes), 'node')}, {_plural(len(self.edges), 'edge')}"
        lines = [f"AutogradGraph: {counts} (gradient flow: output -> leaves)"]
        name_width = max(len(node.name) for node in self.nodes)
        for node in self.nodes:
            details = _node_details(node)
            lines.append(f"  {node.id:>2}  {node.name:<{name_width}}  {node.kind:<9}  {details}".rstrip())
        lines.append("edges:" if self.edges else "edges: none")
        for node in self.nodes:
            targets = self.targets(node.id)
            if targets:
                lines.append(f"  {node.id:>2} -> " + ", ".join(str(t) for t in targets))
        return "\n".join(lines)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _numbers(node: GraphNode) -> str:
    """A :func:`value_graph` node's data and grad, to 4 significant digits."""
    return f"data {node.data:.4g}, grad {node.grad:.4g}"


def _node_details(node: GraphNode) -> str:
    if node.data is not None:
        return f"{node.label}: {_numbers(node)}" if node.label else _numbers(node)
    if node.kind == "leaf" and node.leaf_shape is None:  # an input of a TorchScript graph
        return node.label or ""
    if node.kind == "leaf":
        text = f"shape {node.leaf_shape}"
        return f"{node.label}: {text}" if node.label else text
    parts = [f"{key} {shape}" for key, shape in node.saved_shapes.items()]
    parts += [f"{key}={value!r}" for key, value in node.saved_values.items()]
    parts += [f"{key} (freed)" for key in node.freed]
    return "saved: " + ", ".join(parts) if parts else ""


# --------------------------------------------------------------------------- autograd_graph


def _plain(value: object) -> _SavedValue:
    """A saved non-tensor value as plain data (tuples of numbers stay tuples)."""
    if isinstance(value, _PLAIN_TYPES):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, _PLAIN_TYPES) for v in value):
        return tuple(value)
    return repr(value)


def _saved_names(fn: Node) -> list[str]:
    """The names of what ``fn`` saved for backward, without the ``_saved_`` prefix."""
    if isinstance(fn, torch.autograd.function.BackwardCFunction):  # a custom autograd.Function
        return ["saved_tensors"]
    return sorted(a[len(_SAVED_PREFIX) :] for a in dir(fn) if a.startswith(_SAVED_PREFIX))


def _record(key: str, value: object, shapes: dict[str, tuple[int, ...]], values: dict[str, _SavedValue]) -> None:
    """File one saved attribute under ``shapes`` (its tensors) or ``values`` (the rest)."""
    if isinstance(value, torch.Tensor):
        shapes[key] = tuple(value.shape)
    elif isinstance(value, (tuple, list)) and any(isinstance(v, torch.Tensor) for v in value):
        for k, item in enumerate(value):
            if isinstance(item, torch.Tensor):
                shapes[f"{key}[{k}]"] = tuple(item.shape)
            else:
                values[f"{key}[{k}]"] = _plain(item)
    else:
        values[key] = _plain(value)


def _saved(fn: Node) -> tuple[dict[str, tuple[int, ...]], dict[str, _SavedValue], tuple[str, ...]]:
    """What a node saved for backward: tensor shapes, other values, freed names."""
    shapes: dict[str, tuple[int, ...]] = {}
    values: dict[str, _SavedValue] = {}
    freed: list[str] = []
    for key in _saved_names(fn):
        try:
            value = getattr(fn, key if key == "saved_tensors" else _SAVED_PREFIX + key)
        except RuntimeError:  # freed by backward ("Trying to backward through the graph a second time")
            freed.append(key)
            continue
        if key == "saved_tensors" and not value:  # a custom Function that saved nothing
            continue
        _record(key, value, shapes, values)
    return shapes, values, tuple(freed)


def _check_names(func: str, names: Mapping[str, torch.Tensor] | None) -> dict[int, str]:
    """Validate ``names`` and return it keyed by the tensors' ``id()`` (used only for lookup)."""
    check_type(func, "names", names, (Mapping, type(None)), "a mapping from str to tensors, or None")
    by_tensor: dict[int, str] = {}
    for key, value in (names or {}).items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{func}(): argument 'names' must map str to torch.Tensor, got {describe(key)} -> {describe(value)}"
            )
        by_tensor.setdefault(id(value), key)
    return by_tensor


class _AccumulateGrad(Protocol):
    """The node that writes a leaf tensor's ``.grad`` (``torch.autograd.graph.Node`` does not declare ``variable``)."""

    variable: torch.Tensor


def autograd_graph(tensor: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None) -> AutogradGraph:
    """Walk the autograd graph of ``tensor`` and return its nodes and edges as plain data.

    The walk starts at ``tensor.grad_fn`` and follows each node's
    ``next_functions`` breadth-first, in order, so the node ids are the same
    on every run. A node reached along several paths (a tensor used twice)
    appears once, with one edge per use; ``None`` entries of ``next_functions``
    (inputs that need no gradient, such as data) get no node and no edge.
    For each node the saved tensors' shapes are read from its ``_saved_*``
    attributes (``saved_tensors`` for a custom ``autograd.Function``); after a
    ``backward`` that freed them they are listed as ``freed``.

    A leaf tensor that requires grad has no ``grad_fn``: its graph is its own
    ``AccumulateGrad`` node alone, and that one-node graph is returned.
    The chapter "Dynamic computation graphs" explains the graph with this helper.

    Args:
        tensor: A tensor computed from tensors with ``requires_grad=True``
            (or such a leaf tensor itself), on any device.
        names: Optional names for leaf tensors, e.g. ``{"x": x, "w": w}`` or
            ``dict(model.named_parameters())``; the matching leaf nodes get
            them as ``label``. Tensors that are not leaves of this graph are ignored.

    Returns:
        The graph: ``nodes`` in traversal order (node 0 is ``tensor.grad_fn``)
        and ``edges`` from each node to the nodes it passes gradients to.

    Raises:
        TypeError: ``tensor`` is not a tensor, or ``names`` not a mapping from str to tensors.
        ValueError: ``tensor`` has no graph (``grad_fn`` is ``None`` and
            ``requires_grad`` is ``False``), e.g. it was computed under ``torch.no_grad()``.
    """
    func = "autograd_graph"
    check_tensor(func, "tensor", tensor)
    labels = _check_names(func, names)
    if tensor.grad_fn is None:
        if not tensor.requires_grad:
            raise ValueError(
                f"{func}(): argument 'tensor' has no autograd graph (grad_fn is None and requires_grad "
                "is False): compute it from tensors with requires_grad=True, outside torch.no_grad()"
            )
        root = torch.autograd.graph.get_gradient_edge(tensor).node  # the leaf's AccumulateGrad
    else:
        root = tensor.grad_fn

    order: list[Node] = [root]
    index = {root: 0}  # nodes are hashable by identity; the dict holds them alive during the walk
    edges: list[GraphEdge] = []
    position = 0
    while position < len(order):
        fn = order[position]
        for input_index, (next_fn, _) in enumerate(fn.next_functions):
            if next_fn is None:
                continue
            if next_fn not in index:
                index[next_fn] = len(order)
                order.append(next_fn)
            edges.append(GraphEdge(position, index[next_fn], input_index))
        position += 1

    nodes = []
    for node_id, fn in enumerate(order):
        name = type(fn).__name__
        if name == "AccumulateGrad":
            variable = cast(_AccumulateGrad, fn).variable
            nodes.append(
                GraphNode(node_id, name, "leaf", leaf_shape=tuple(variable.shape), label=labels.get(id(variable)))
            )
        else:
            shapes, values, freed = _saved(fn)
            kind: NodeKind = "output" if node_id == 0 else "operation"
            nodes.append(GraphNode(node_id, name, kind, saved_shapes=shapes, saved_values=values, freed=freed))
    return AutogradGraph(tuple(nodes), tuple(edges))


# --------------------------------------------------------------------------- value_graph

_VALUE_ATTRIBUTES = ("data", "grad", "_prev")


def _check_value(func: str, obj: object, what: str) -> tuple[float, float, tuple[object, ...]]:
    """``obj``'s data, grad and parents, or a ``TypeError`` saying which attribute is missing or wrong."""
    missing = [name for name in _VALUE_ATTRIBUTES if not hasattr(obj, name)]
    if missing:
        raise TypeError(
            f"{func}(): argument 'root' must be a Value-like object with attributes 'data', 'grad' and "
            f"'_prev' (micrograd style), got {describe(obj)}{what} without {', '.join(repr(m) for m in missing)}"
        )
    data, grad, parents = (getattr(obj, name) for name in _VALUE_ATTRIBUTES)
    for name, number in (("data", data), ("grad", grad)):
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise TypeError(f"{func}(): argument 'root'{what} has a '{name}' that is not a number: {describe(number)}")
    if not isinstance(parents, Iterable) or isinstance(parents, (str, bytes)):
        raise TypeError(f"{func}(): argument 'root'{what} has a '_prev' that is not a collection: {describe(parents)}")
    return float(data), float(grad), tuple(parents)


def _value_labels(func: str, names: Mapping[str, object] | None) -> dict[int, str]:
    """Validate ``names`` and return it keyed by the objects' ``id()`` (used only for lookup)."""
    check_type(func, "names", names, (Mapping, type(None)), "a mapping from str to Value-like objects, or None")
    by_object: dict[int, str] = {}
    for key, value in (names or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"{func}(): argument 'names' must have str keys, got {describe(key)}")
        by_object.setdefault(id(value), key)
    return by_object


def value_graph(root: object, names: Mapping[str, object] | None = None) -> AutogradGraph:
    """Walk the graph of a from-scratch scalar ``Value`` and return it as :func:`autograd_graph` does.

    ``root`` is any object in the style of micrograd's ``Value``: it holds a
    number in ``data``, its gradient in ``grad``, the objects it was computed
    from in ``_prev`` (a tuple or list; a set, as micrograd uses, gives an order
    that may change from run to run), and optionally the name of the operation
    that made it in ``_op`` and a name in ``label``. The walk is breadth-first
    from ``root`` through ``_prev`` in order, as :func:`autograd_graph` walks
    ``next_functions``: node 0 is ``root``, an object reached along several paths
    (a number used twice) appears once with one edge per use, and edges point
    the way gradients flow. Nodes without parents are leaves. Each node records
    ``data`` and ``grad`` as they are now, so a graph read before ``backward``
    keeps the zeros; :func:`plot_autograd_graph` draws both numbers in the boxes.
    The chapter "Autograd" builds such a ``Value`` and draws it with this helper.

    Args:
        root: The output of the computation, a ``Value``-like object.
        names: Optional names for nodes, e.g. ``{"a": a, "b": b}``; they win over
            a node's ``label`` attribute. Objects not in the graph are ignored.

    Returns:
        The graph: ``nodes`` in traversal order, named by their ``_op`` (an empty
        or missing ``_op`` gives the class name, e.g. ``"Value"``), with ``data``
        and ``grad`` set; ``edges`` from each node to the nodes in its ``_prev``.

    Raises:
        TypeError: ``root``, or an object reached from it, lacks ``data``, ``grad`` or
            ``_prev``, has a ``data`` or ``grad`` that is not a number, or ``names``
            is not a mapping with str keys.
    """
    func = "value_graph"
    _check_value(func, root, "")
    labels = _value_labels(func, names)
    order: list[object] = [root]  # holds the objects alive, so that id() stays unique during the walk
    index = {id(root): 0}
    numbers: list[tuple[float, float]] = []
    edges: list[GraphEdge] = []
    for position, obj in enumerate(order):  # order grows while we walk it: breadth first
        data, grad, parents = _check_value(func, obj, "" if position == 0 else f" (node {position} of its graph)")
        numbers.append((data, grad))
        for input_index, parent in enumerate(parents):
            if id(parent) not in index:
                index[id(parent)] = len(order)
                order.append(parent)
            edges.append(GraphEdge(position, index[id(parent)], input_index))

    has_parents = {edge.source for edge in edges}
    nodes = []
    for node_id, obj in enumerate(order):
        kind: NodeKind = "leaf" if node_id not in has_parents else "output" if node_id == 0 else "operation"
        op = getattr(obj, "_op", "")
        name = op if isinstance(op, str) and op else type(obj).__name__
        label = labels.get(id(obj), getattr(obj, "label", None))
        label = label if isinstance(label, str) and label else None
        data, grad = numbers[node_id]
        nodes.append(GraphNode(node_id, name, kind, label=label, data=data, grad=grad))
    return AutogradGraph(tuple(nodes), tuple(edges))


# --------------------------------------------------------------------------- plot_autograd_graph

_COLOURS: dict[str, str] = {"output": _palette.ORANGE, "operation": _palette.BLUE, "leaf": _palette.GREEN}
_BOX_STYLES: dict[str, str] = {"output": "square,pad=0.3", "operation": "square,pad=0.3", "leaf": "round,pad=0.4"}
_LEGEND: dict[str, str] = {"output": "output (grad_fn)", "operation": "operation", "leaf": "leaf (AccumulateGrad)"}
_VALUE_LEGEND: dict[str, str] = {"output": "output", "operation": "operation", "leaf": "leaf (input)"}


def _depths(graph: AutogradGraph) -> dict[int, int]:
    """Each node's longest path from the output, in Kahn's topological order, smallest id first."""
    indegree = {node.id: 0 for node in graph.nodes}
    for edge in graph.edges:
        indegree[edge.target] += 1
    depth = dict.fromkeys(indegree, 0)
    ready = [node_id for node_id, d in indegree.items() if d == 0]
    while ready:
        node_id = min(ready)
        ready.remove(node_id)
        for target in graph.targets(node_id):
            depth[target] = max(depth[target], depth[node_id] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return depth


def _order_layers(graph: AutogradGraph, layers: list[list[int]]) -> None:
    """Order each layer by the mean position of the nodes above that feed it (fewer crossings), in place."""
    sources: dict[int, list[int]] = {node.id: [] for node in graph.nodes}
    for edge in graph.edges:
        sources[edge.target].append(edge.source)
    x: dict[int, float] = {}
    for layer in layers:
        for node_id in layer:
            above = [x[s] for s in sources[node_id] if s in x]
            x[node_id] = sum(above) / len(above) if above else 0.0
        layer.sort(key=lambda n: (x[n], n))
        for slot, node_id in enumerate(layer):
            x[node_id] = slot - (len(layer) - 1) / 2


def _layers(graph: AutogradGraph) -> list[list[int]]:
    """Node ids by layer: a node's layer is its longest path from the output, so every edge points down."""
    depth = _depths(graph)
    layers: list[list[int]] = [[] for _ in range(max(depth.values()) + 1)]
    for node_id in sorted(depth):
        layers[depth[node_id]].append(node_id)
    _order_layers(graph, layers)
    return layers


def _box_text(node: GraphNode, show_ids: bool, show_saved: bool) -> str:
    title = f"{node.id}: {node.name}" if show_ids else node.name
    if node.data is not None:  # a value_graph node: its name, data and grad
        title = f"{title} {node.label}" if node.label else title
        return f"{title}\ndata {node.data:.4g}\ngrad {node.grad:.4g}"
    if node.kind == "leaf" and node.leaf_shape is None:  # e.g. an input of a TorchScript graph
        return f"{title}\n{node.label}" if node.label else title
    if node.kind == "leaf":
        shape = str(node.leaf_shape)
        return f"{title}\n{node.label} {shape}" if node.label else f"{title}\n{shape}"
    if not show_saved:
        return title
    lines = [f"{key} {shape}" for key, shape in node.saved_shapes.items()]
    lines += [f"{key}: freed" for key in node.freed]
    return "\n".join([title, *lines])


@dataclass(frozen=True)
class _NodeBox:
    """A node's box in :func:`plot_autograd_graph`'s picture.

    Attributes:
        node: The node's id.
        layer: Its layer: the longest path from the output (0 for the output).
        x: The box's centre: ``-(n - 1) / 2, ..., (n - 1) / 2`` across a layer of n nodes.
        y: The box's centre: ``-layer``, so the output is at the top.
        text: What the box says.
        kind: The node's kind, which gives the box's fill and shape.
    """

    node: int
    layer: int
    x: float
    y: float
    text: str
    kind: NodeKind


@dataclass(frozen=True)
class _GraphArrow:
    """An arrow of :func:`plot_autograd_graph`'s picture, one per edge, as drawn.

    Attributes:
        tail: Id of the node the arrow starts from (the edge's source, or its
            target when the arrows show the data flow).
        head: Id of the node the arrowhead points at.
        start: The centre of the tail's box.
        end: The centre of the head's box.
        rad: The curvature (matplotlib's ``arc3`` connection style): 0 is
            straight; repeated edges spread into arcs, and an edge past a
            layer bows outwards.
    """

    tail: int
    head: int
    start: tuple[float, float]
    end: tuple[float, float]
    rad: float


@dataclass(frozen=True)
class _GraphLayout:
    """What :func:`plot_autograd_graph` draws, as plain data (see :func:`_graph_layout`).

    Attributes:
        boxes: One per node, in the order of ``graph.nodes``.
        arrows: One per edge, in the order of ``graph.edges``.
        xlim: The x range shown.
        ylim: The y range shown.
        yticks: One tick per layer, at ``y = -layer``.
        yticklabels: The layers' numbers.
        figsize: The size of a new figure, in inches.
        legend: The kinds of node the graph has, in the legend's order.
        legend_labels: What the legend says for each of them.
        title: The title.
    """

    boxes: tuple[_NodeBox, ...]
    arrows: tuple[_GraphArrow, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    yticks: tuple[float, ...]
    yticklabels: tuple[str, ...]
    figsize: tuple[float, float]
    legend: tuple[NodeKind, ...]
    legend_labels: tuple[str, ...]
    title: str


def _positions(layers: list[list[int]]) -> dict[int, tuple[float, float]]:
    """The centre of each node's box: layer ``d`` at ``y = -d``, its nodes one apart and centred on ``x = 0``."""
    position: dict[int, tuple[float, float]] = {}
    for depth, layer in enumerate(layers):
        for slot, node_id in enumerate(layer):
            position[node_id] = (slot - (len(layer) - 1) / 2, -float(depth))
    return position


_BOWS = (0.3, -0.3, 0.6, -0.6)  # the curvatures tried for an edge past a layer, preferred first


def _arc_points(
    start: tuple[float, float], end: tuple[float, float], rad: float, scale: tuple[float, float]
) -> list[tuple[float, float]]:
    """Points along matplotlib's ``arc3`` curve from ``start`` to ``end``, in inches (``scale``: inches per unit).

    matplotlib bends the curve in display space: a quadratic Bezier curve whose
    control point lies ``rad`` times the chord's length off the chord's middle.
    """
    (x1, y1), (x2, y2) = (start[0] * scale[0], start[1] * scale[1]), (end[0] * scale[0], end[1] * scale[1])
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)
    ts = [k / 10 for k in range(1, 10)]
    return [
        ((1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t**2 * x2, (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t**2 * y2)
        for t in ts
    ]


def _bow(
    start: tuple[float, float], end: tuple[float, float], others: list[tuple[float, float]], scale: tuple[float, float]
) -> float:
    """The curvature of ``_BOWS`` whose arc from ``start`` to ``end`` keeps farthest from the boxes at ``others``."""

    def clearance(rad: float) -> float:
        points = _arc_points(start, end, rad, scale)
        return min(
            (math.hypot(px - ox * scale[0], py - oy * scale[1]) for px, py in points for ox, oy in others),
            default=math.inf,
        )

    return max(_BOWS, key=lambda rad: round(clearance(rad), 2))  # ties: the first, the gentler bow


def _graph_arrows(
    graph: AutogradGraph,
    position: Mapping[int, tuple[float, float]],
    direction: str,
    scale: tuple[float, float] = (1.0, 1.0),
) -> tuple[_GraphArrow, ...]:
    """One arrow per edge between boxes centred at ``position``, pointing down for ``"gradient"``, up for ``"data"``.

    An edge past a layer bows around the boxes in between: of a few
    curvatures, the one that keeps farthest from them (``scale``: inches per
    unit of x and of y in the picture, since matplotlib bends curves on screen).
    """
    multiplicity: dict[tuple[int, int], int] = {}
    for edge in graph.edges:
        multiplicity[(edge.source, edge.target)] = multiplicity.get((edge.source, edge.target), 0) + 1
    seen: dict[tuple[int, int], int] = {}
    arrows = []
    for edge in graph.edges:
        pair = (edge.source, edge.target)
        k = seen.get(pair, 0)
        seen[pair] = k + 1
        rad = 1.0 * (k - (multiplicity[pair] - 1) / 2)  # spread repeated edges into arcs
        y_source, y_target = position[edge.source][1], position[edge.target][1]
        if y_source - y_target > 1:  # an edge past a layer bows around the boxes in between
            between = [xy for xy in position.values() if y_target < xy[1] < y_source]
            rad += _bow(position[edge.source], position[edge.target], between, scale)
        tail, head = edge.source, edge.target
        if direction == "data":  # the same curve, drawn the other way round
            tail, head, rad = edge.target, edge.source, -rad
        arrows.append(_GraphArrow(tail, head, position[tail], position[head], rad))
    return tuple(arrows)


def _is_value_graph(graph: AutogradGraph) -> bool:
    """Whether ``graph`` came from :func:`value_graph` (its nodes hold numbers)."""
    return any(node.data is not None for node in graph.nodes)


def _default_title(graph: AutogradGraph, direction: str) -> str:
    flow = "gradient flow, output → leaves" if direction == "gradient" else "data flow, leaves → output"
    what = "Value graph" if _is_value_graph(graph) else "Autograd graph"
    return f"{what}: {_plural(len(graph.nodes), 'node')}\narrows: {flow}"


def _graph_layout(
    graph: AutogradGraph,
    *,
    direction: str = "gradient",
    show_saved: bool = True,
    show_ids: bool = True,
    title: str | None = None,
) -> _GraphLayout:
    """Where :func:`plot_autograd_graph` puts the boxes and arrows of ``graph``, for its checked arguments."""
    layers = _layers(graph)
    layer_of = {node_id: depth for depth, layer in enumerate(layers) for node_id in layer}
    position = _positions(layers)
    widest = max(len(layer) for layer in layers)
    legend = tuple(kind for kind in _KINDS if any(node.kind == kind for node in graph.nodes))
    # Autograd's names for the kinds, unless the graph is a from-scratch Value's
    # or a TorchScript graph's (whose leaves are inputs without a recorded shape).
    plain = _is_value_graph(graph) or all(node.leaf_shape is None for node in graph.leaves)
    legend_text = _VALUE_LEGEND if plain else _LEGEND
    xlim = (-(widest - 1) / 2 - 0.75, (widest - 1) / 2 + 0.75)
    ylim = (-(len(layers) - 1) - 0.6, 0.6)
    figsize = (min(max(1.9 * widest + 1.8, 4.5), 9.0), min(max(0.8 * len(layers) + 1.4, 2.8), 8.0))
    scale = (figsize[0] / (xlim[1] - xlim[0]), figsize[1] / (ylim[1] - ylim[0]))  # about: margins not counted
    return _GraphLayout(
        boxes=tuple(
            _NodeBox(node.id, layer_of[node.id], *position[node.id], _box_text(node, show_ids, show_saved), node.kind)
            for node in graph.nodes
        ),
        arrows=_graph_arrows(graph, position, direction, scale),
        xlim=xlim,
        ylim=ylim,
        yticks=tuple(-float(d) for d in range(len(layers))),
        yticklabels=tuple(str(d) for d in range(len(layers))),
        figsize=figsize,
        legend=legend,
        legend_labels=tuple(legend_text[kind] for kind in legend),
        title=_default_title(graph, direction) if title is None else title,
    )


def _draw_graph(layout: _GraphLayout, ax: Axes) -> None:
    """Draw a :class:`_GraphLayout` into ``ax``."""
    texts: dict[int, Text] = {}
    for box in layout.boxes:
        texts[box.node] = ax.text(
            box.x,
            box.y,
            box.text,
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
            bbox={"boxstyle": _BOX_STYLES[box.kind], "facecolor": _COLOURS[box.kind], "edgecolor": "0.25"},
        )
    for arrow in layout.arrows:
        ax.annotate(
            "",
            xy=arrow.end,
            xytext=arrow.start,
            zorder=2,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.3",
                "lw": 1.1,
                "shrinkA": 3,
                "shrinkB": 3,
                "patchA": texts[arrow.tail].get_bbox_patch(),
                "patchB": texts[arrow.head].get_bbox_patch(),
                "connectionstyle": f"arc3,rad={arrow.rad}",
            },
        )

    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
    ax.grid(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([])
    ax.set_yticks(layout.yticks, layout.yticklabels)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_ylabel("steps from the output")
    handles = [
        Patch(facecolor=_COLOURS[kind], edgecolor="0.25", label=text)
        for kind, text in zip(layout.legend, layout.legend_labels, strict=True)
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=len(handles), fontsize=8)
    ax.set_title(layout.title, fontsize=10)


def plot_autograd_graph(
    graph: AutogradGraph | torch.Tensor,
    ax: Axes | None = None,
    *,
    names: Mapping[str, torch.Tensor] | None = None,
    direction: Literal["gradient", "data"] = "gradient",
    show_saved: bool = True,
    show_ids: bool = True,
    title: str | None = None,
) -> Axes:
    """Draw an autograd graph as boxes in layers, the output at the top and the leaves below.

    A node's layer is its longest path from the output, so every arrow points
    down the page in the default ``direction="gradient"`` (gradients flow from
    the output to the leaves, the way ``backward`` walks the graph); with
    ``direction="data"`` the arrows point up, the way the forward pass computed
    the values. Operation boxes show the node's name and the shapes of the
    tensors it saved for backward; leaf tensors are drawn as green rounded
    boxes, with their names if ``names`` gives them. A tensor used twice
    gets two arrows. The chapter "Dynamic computation graphs" draws its graphs
    with this helper. Readable up to about 15 nodes.

    A graph from :func:`value_graph` (a from-scratch ``Value``, chapter
    "Autograd") is drawn the same way, each box showing the node's operation,
    name, ``data`` and ``grad`` (4 significant digits).

    Args:
        graph: An :class:`AutogradGraph` (from :func:`autograd_graph` or
            :func:`value_graph`), or a tensor whose graph :func:`autograd_graph` reads first.
        ax: Axes to draw into; a new figure sized to the graph is made when ``None``.
        names: Names for leaf tensors (only with a tensor; for a graph, pass
            them to :func:`autograd_graph`).
        direction: ``"gradient"`` (arrows from output to leaves) or ``"data"``
            (arrows from leaves to output).
        show_saved: Write the shapes of the saved tensors into the boxes.
        show_ids: Prefix each box with its node id, as :func:`autograd_graph` numbers them.
        title: The title; by default it gives the node count and the arrows' meaning.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: ``direction`` is neither ``"gradient"`` nor ``"data"``, ``names``
            is given with a graph, or the tensor has no graph (see :func:`autograd_graph`).
    """
    func = "plot_autograd_graph"
    check_type(func, "graph", graph, (AutogradGraph, torch.Tensor), "an AutogradGraph or a torch.Tensor")
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "direction", direction, str, "a str")
    if direction not in ("gradient", "data"):
        raise ValueError(f"{func}(): argument 'direction' must be 'gradient' or 'data', got {direction!r}")
    check_type(func, "show_saved", show_saved, bool, "a bool")
    check_type(func, "show_ids", show_ids, bool, "a bool")
    check_type(func, "title", title, (str, type(None)), "a str or None")
    if isinstance(graph, torch.Tensor):
        graph = autograd_graph(graph, names=names)
    elif names is not None:
        raise ValueError(
            f"{func}(): argument 'names' only works with a tensor; for a graph, pass names to autograd_graph()"
        )

    layout = _graph_layout(graph, direction=direction, show_saved=show_saved, show_ids=show_ids, title=title)
    if ax is None:
        _, ax = plt.subplots(figsize=layout.figsize, layout="constrained")
    _draw_graph(layout, ax)
    return ax
