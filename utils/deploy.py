"""Deployment helpers: the chapters "TorchScript" and "Deploying models today".

The chapter "TorchScript" writes each of these in the open (training the
digit MLP, the prediction text, the error and warning printers, the C++
build); the chapter "Deploying models today" reuses them from here, and
tests/test_deploy.py checks that both are the same code. ``plot_routes``
draws the ways from an eager model to a deployed one, the map of that
chapter.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import textwrap
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from . import _palette
from ._validate import check_positive_int, check_tensor, check_type
from .data import load_digits, split_indices
from .graph import AutogradGraph, GraphEdge, GraphNode
from .models import DigitMLP
from .training import fit

__all__ = [
    "TrainedDigitMLP",
    "build_cpp",
    "cpp_build_steps",
    "plot_routes",
    "prediction_text",
    "route_layout",
    "show_error",
    "showing_warnings",
    "torchscript_graph",
    "train_digit_mlp",
]


@dataclass(frozen=True)
class TrainedDigitMLP:
    """The trained model of the chapter "TorchScript", with its data and split."""

    model: DigitMLP
    X: torch.Tensor
    y: torch.Tensor
    train_idx: torch.Tensor
    test_idx: torch.Tensor


def train_digit_mlp(num_epochs: int = 10, seed: int = 0) -> TrainedDigitMLP:
    """Train the chapter's ``DigitMLP`` as the chapter "TorchScript" does; return it in eval mode.

    An 80/20 split of the digits (``split_indices`` with ``seed``), the
    normalisation fitted on the training images only, Adam with learning
    rate 0.002, batches of 64 shuffled by a generator seeded with ``seed``.
    """
    check_positive_int("train_digit_mlp", "num_epochs", num_epochs)
    check_type("train_digit_mlp", "seed", seed, int, "an int")
    X, y = load_digits()
    train_idx, test_idx = split_indices(len(X), (0.8, 0.2), seed=seed)
    mean, std = X[train_idx].mean().item(), X[train_idx].std().item()  # training images only
    torch.manual_seed(seed)
    model = DigitMLP(mean, std)
    shuffle_order = torch.Generator().manual_seed(seed)
    loader = DataLoader(TensorDataset(X[train_idx], y[train_idx]), batch_size=64, shuffle=True, generator=shuffle_order)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=num_epochs, progress=False)
    model.eval()
    return TrainedDigitMLP(model, X, y, train_idx, test_idx)


def prediction_text(logits: torch.Tensor) -> str:
    """One line per image: the predicted digit, then its 10 scores to 3 decimals.

    The format that the chapter's C++ programs print, so that Python and C++
    can be compared as text.
    """
    check_tensor("prediction_text", "logits", logits, ndim=2)
    lines = []
    for row in logits.tolist():
        lines.append(f"digit {row.index(max(row))}:" + "".join(f" {v:.3f}" for v in row))
    return "\n".join(lines) + "\n"


def show_error(fn: Callable[..., Any], *args: Any, max_lines: int = 20) -> None:
    """Call ``fn(*args)``, which should fail; print the error without the lines that name files."""
    if not callable(fn):
        raise TypeError(f"show_error(): argument 'fn' must be a callable, got {type(fn).__name__}")
    try:
        fn(*args)
    except Exception as err:
        lines = [line for line in str(err).strip().splitlines() if 'File "' not in line]
        print(f"{type(err).__name__}: " + "\n".join(lines[:max_lines]))
    else:
        print("no error")


@contextlib.contextmanager
def showing_warnings(show_hidden: bool = False) -> Iterator[None]:
    """Record the warnings raised in the block; print each distinct one as 'Category: first line'."""
    with warnings.catch_warnings(record=True) as caught:
        if show_hidden:
            warnings.simplefilter("always")  # also the warnings Python hides by default
        yield
    for line in dict.fromkeys(f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught):
        print(textwrap.fill(line, width=88, subsequent_indent="    "))


def cpp_build_steps(name: str) -> list[list[str]]:
    """The two commands that build ``<name>.cpp`` against the LibTorch inside the torch package.

    Compile to ``<name>.o`` (through ccache when it is on PATH), then link to
    the program ``<name>``; both run in the folder that holds the source.
    """
    check_type("cpp_build_steps", "name", name, str, "a file name without .cpp")
    torch_dir = Path(torch.__file__).parent  # headers in include/, libraries in lib/
    ccache = [shutil.which("ccache")] if shutil.which("ccache") else []  # optional: caches the compile step
    compile_step = [
        *ccache, "g++", "-std=c++20", "-c", f"{name}.cpp", "-o", f"{name}.o",
        f"-I{torch_dir}/include", f"-I{torch_dir}/include/torch/csrc/api/include",
        f"-D_GLIBCXX_USE_CXX11_ABI={int(torch.compiled_with_cxx11_abi())}",
    ]  # fmt: skip
    link_step = ["g++", f"{name}.o", "-o", name, f"-L{torch_dir}/lib", "-ltorch", "-ltorch_cpu", "-lc10",
                 f"-Wl,-rpath,{torch_dir}/lib"]  # fmt: skip
    return [[str(part) for part in compile_step], link_step]


def build_cpp(folder: Path | str, name: str) -> None:
    """Compile ``folder/<name>.cpp`` into the program ``folder/<name>``; print whether it worked."""
    check_type("build_cpp", "folder", folder, (Path, str), "a folder path")
    if not Path(folder, f"{name}.cpp").is_file():
        raise FileNotFoundError(f"build_cpp(): no file {name}.cpp in folder {folder}")
    messages: list[str] = []
    ok = True
    for step in cpp_build_steps(name):
        build = subprocess.run(step, cwd=folder, capture_output=True, text=True)
        messages += build.stderr.splitlines()
        ok = build.returncode == 0
        if not ok:
            break
    print("compiled:", ok, "| compiler messages:", len(messages))


# -- A TorchScript graph as a picture ----------------------------------------------


def _short(debug_name: str) -> str:
    """'images.1' -> 'images': TorchScript numbers the values it renames."""
    return debug_name.rsplit(".", 1)[0] if debug_name.rsplit(".", 1)[-1].isdigit() else debug_name


def torchscript_graph(module: Any) -> AutogradGraph:
    """The graph of a scripted or traced module's ``forward`` as an :class:`AutogradGraph`.

    For :func:`utils.plot_autograd_graph` with ``direction="data"`` (the chapter
    "TorchScript"). Operations keep their TorchScript names (``aten::sub``); a call
    of a submodule is one node, ``name.forward (Class)``; constants are left out.
    The graph's inputs (but ``self``) and the tensors it reads from the module
    (parameters, buffers) are leaves. A node whose result nothing uses is named
    with "(result unused)" on a second line: it is drawn, but no arrow leaves it.
    """
    graph = getattr(module, "graph", None)
    if not isinstance(graph, torch._C.Graph):
        raise TypeError(
            f"torchscript_graph(): argument 'module' must be a scripted or traced module or function, "
            f"got {type(module).__name__}"
        )
    items: list[tuple[str, str, str | None, list[int]]] = []  # (name, kind, label, input value ids)
    producer: dict[int, int] = {}  # value id -> index in items
    attributes: dict[int, str] = {}  # submodule values -> their attribute names
    inputs = list(graph.inputs())
    for value in inputs[1:] if inputs and inputs[0].debugName().startswith("self") else inputs:
        producer[value.unique()] = len(items)
        label = _short(value.debugName())
        items.append(("input", "leaf", None if label == "input" else label, []))
    for node in graph.nodes():
        kind = node.kind()
        if kind == "prim::Constant":
            continue
        if kind == "prim::GetAttr" and node.output().type().kind() != "TensorType":
            attributes[node.output().unique()] = node.s("name")
            continue
        if kind == "prim::GetAttr":
            producer[node.output().unique()] = len(items)
            items.append(("attribute", "leaf", node.s("name"), []))
            continue
        args = list(node.inputs())
        name = kind
        if kind == "prim::CallMethod":
            owner = args[0]
            class_name = str(owner.type()).rsplit(".", 1)[-1]
            name = f"{attributes.get(owner.unique(), _short(owner.debugName()))}.{node.s('name')} ({class_name})"
        if not any(output.uses() for output in node.outputs()):
            name += "\n(result unused)"
        for output in node.outputs():
            producer[output.unique()] = len(items)
        items.append((name, "operation", None, [a.unique() for a in args if a.unique() in producer]))
    returned = [producer[v.unique()] for v in graph.return_node().inputs() if v.unique() in producer]
    return _number_items(items, producer, returned)


def _number_items(
    items: list[tuple[str, str, str | None, list[int]]], producer: dict[int, int], returned: list[int]
) -> AutogradGraph:
    """Number the items breadth first from the returned ones (then the rest, in graph order); add edges."""
    order: list[int] = []
    for start in [*returned, *range(len(items))]:
        if start in order:
            continue
        order.append(start)
        position = len(order) - 1
        while position < len(order):
            for value in items[order[position]][3]:
                if producer[value] not in order:
                    order.append(producer[value])
            position += 1
    new_id = {item: k for k, item in enumerate(order)}
    nodes, edges = [], []
    for item in order:
        name, kind, label, args = items[item]
        node_kind = "output" if item in returned else kind
        nodes.append(GraphNode(new_id[item], name, node_kind, label=label))  # type: ignore[arg-type]
        edges += [GraphEdge(new_id[item], new_id[producer[v]], i) for i, v in enumerate(args)]
    return AutogradGraph(tuple(nodes), tuple(edges))


# -- The routes from an eager model to a deployed one ---------------------------

# (column, row, label, kind) per box. Columns: 0 the model, 1 how it is captured,
# 2 what the capture gives, 3 the file made from an exported program, 4 what runs
# it. Rows are top to bottom, in an order that keeps arrows from crossing. kind
# "legacy" is TorchScript's deprecated route.
ROUTE_BOXES: dict[str, tuple[int, float, str, str]] = {
    "eager": (0, 2.0, "eager model\n(nn.Module)", "model"),
    "jit": (1, 0.0, "torch.jit.script\nor trace", "legacy"),
    "export": (1, 2.0, "torch.export", "capture"),
    "compile": (1, 4.2, "torch.compile", "capture"),
    "ts_file": (2, 0.0, "TorchScript file\n(.pt)", "legacy"),
    "ep": (2, 2.0, "ExportedProgram\n(.pt2)", "artifact"),
    "compiled": (2, 4.2, "compiled code\n(in memory)", "artifact"),
    "onnx": (3, 1.0, "ONNX model\n(.onnx)", "artifact"),
    "pte": (3, 2.0, "ExecuTorch\nprogram (.pte)", "artifact"),
    "aoti": (3, 3.0, "AOTInductor\npackage (.pt2)", "artifact"),
    "libtorch": (4, 0.0, "C++ with LibTorch\n(torch::jit::load)", "legacy"),
    "ort": (4, 1.0, "ONNX Runtime\n(many languages)", "runtime"),
    "executorch": (4, 2.0, "ExecuTorch runtime\n(phones, devices)", "runtime"),
    "aoti_run": (4, 3.0, "Python or C++\n(AOTIModelPackageLoader)", "runtime"),
    "python": (4, 4.2, "the Python process", "runtime"),
}
ROUTE_EDGES: tuple[tuple[str, str], ...] = (
    ("eager", "jit"), ("eager", "export"), ("eager", "compile"),
    ("jit", "ts_file"), ("ts_file", "libtorch"),
    ("export", "ep"), ("ep", "onnx"), ("ep", "pte"), ("ep", "aoti"),
    ("onnx", "ort"), ("pte", "executorch"), ("aoti", "aoti_run"),
    ("compile", "compiled"), ("compiled", "python"),
)  # fmt: skip
COLUMN_TITLES = ("model", "capture", "captured", "file", "runs on")


@dataclass(frozen=True)
class RouteBox:
    """A box of the routes figure: centre (x, y), size, label and kind."""

    key: str
    x: float
    y: float
    width: float
    height: float
    label: str
    kind: str


@dataclass(frozen=True)
class RouteArrow:
    """An arrow from one box's right edge to another box's left edge."""

    start: tuple[float, float]
    end: tuple[float, float]
    legacy: bool


def route_layout(column_gap: float = 2.6, row_gap: float = 1.0) -> tuple[list[RouteBox], list[RouteArrow]]:
    """Boxes and arrows of the routes figure, in data coordinates (y grows downwards).

    Every arrow goes from a box's right edge to a box's left edge further right.
    """
    width, height = 2.0, 0.72
    boxes = {
        key: RouteBox(key, column * column_gap, row * row_gap, width, height, label, kind)
        for key, (column, row, label, kind) in ROUTE_BOXES.items()
    }
    arrows = []
    for src, dst in ROUTE_EDGES:
        a, b = boxes[src], boxes[dst]
        start, end = (a.x + a.width / 2, a.y), (b.x - b.width / 2, b.y)
        arrows.append(RouteArrow(start, end, legacy="legacy" in (a.kind, b.kind)))
    return list(boxes.values()), arrows


KIND_COLOURS = {
    "model": _palette.BLUE,
    "capture": _palette.ORANGE,
    "artifact": "#f2f2f2",
    "runtime": _palette.GREEN,
    "legacy": "#dddddd",
}


def plot_routes(ax: Axes | None = None, title: str = "From an eager model to a deployed one") -> Axes:
    """Draw the deployment routes of the chapter "Deploying models today" (TorchScript's dashed)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4.4))
    boxes, arrows = route_layout()
    for box in boxes:
        legacy = box.kind == "legacy"
        ax.add_patch(
            FancyBboxPatch(
                (box.x - box.width / 2, box.y - box.height / 2), box.width, box.height,
                boxstyle="round,pad=0.04", facecolor=KIND_COLOURS[box.kind],
                edgecolor="#888888" if legacy else "#333333", linestyle="--" if legacy else "-",
            )
        )  # fmt: skip
        ax.text(box.x, box.y, box.label, ha="center", va="center", fontsize=8,
                color="#777777" if legacy else "black")  # fmt: skip
    for arrow in arrows:
        ax.add_patch(
            FancyArrowPatch(arrow.start, arrow.end, arrowstyle="-|>", mutation_scale=11,
                            color="#999999" if arrow.legacy else "#333333",
                            linestyle="--" if arrow.legacy else "-", shrinkA=2, shrinkB=2)
        )  # fmt: skip
    xs = [b.x for b in boxes]
    ys = [b.y for b in boxes]
    ax.set_xlim(min(xs) - 1.3, max(xs) + 1.3)
    ax.set_ylim(max(ys) + 0.7, min(ys) - 0.7)
    ax.axis("off")
    ax.set_title(title)
    for column, text in enumerate(COLUMN_TITLES):
        ax.text(
            min(xs) + column * (max(xs) - min(xs)) / (len(COLUMN_TITLES) - 1),
            min(ys) - 0.6,
            text,
            ha="center",
            fontsize=9,
            style="italic",
            color="#555555",
        )
    return ax
