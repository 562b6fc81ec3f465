"""utils.deploy and utils.AutoInvert: the same code as the chapter "TorchScript", and the routes figure.

The chapter "TorchScript" writes each helper in a cell; "Deploying models
today" uses the `utils` copies. These tests run the chapter's definitions
(only the `def` and `class` statements of each cell, so nothing is trained,
compiled or printed) and compare them with `utils`.
"""

from __future__ import annotations

import ast
import contextlib
import io
import shutil
import subprocess
import textwrap
import warnings
from pathlib import Path

import matplotlib
import pytest
import torch
from test_models import assert_same_model, cell_starting, run_cells
from torch import nn

import utils
from utils import deploy

matplotlib.use("Agg")
CHAPTER = "08_torchscript.ipynb"


def definitions(start: str, assigned: tuple[str, ...] = (), **names: object) -> dict[str, object]:
    """Run only the imports, `def`s and `class`es (and the assignments to `assigned`) of a chapter cell."""
    tree = ast.parse(cell_starting(CHAPTER, start))

    def kept(node: ast.stmt) -> bool:
        if isinstance(node, ast.Assign):
            return all(isinstance(t, ast.Name) and t.id in assigned for t in node.targets)
        return isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))

    tree.body = [node for node in tree.body if kept(node)]
    return run_cells(ast.unparse(tree), **names)


def printed(fn, *args, **kwargs) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args, **kwargs)
    return out.getvalue()


# ---------------------------------------------------------------- the trained model


def test_train_digit_mlp_is_the_chapters_training():
    namespace = run_cells(
        cell_starting(CHAPTER, "class DigitMLP"),
        cell_starting(CHAPTER, "X, y = utils.load_digits()"),
        DataLoader=torch.utils.data.DataLoader,
        TensorDataset=torch.utils.data.TensorDataset,
    )
    trained = utils.train_digit_mlp()
    assert torch.equal(namespace["test_idx"], trained.test_idx)
    assert torch.equal(namespace["train_idx"], trained.train_idx)
    assert_same_model(namespace["model"], trained.model, trained.X[trained.test_idx[:5]])
    assert not trained.model.training


def test_train_digit_mlp_depends_on_its_arguments():
    short = utils.train_digit_mlp(num_epochs=1)
    other_seed = utils.train_digit_mlp(num_epochs=1, seed=1)
    assert not torch.equal(short.model.hidden.weight, other_seed.model.hidden.weight)
    with pytest.raises(ValueError, match="train_digit_mlp.*num_epochs"):
        utils.train_digit_mlp(num_epochs=0)
    with pytest.raises(TypeError, match="train_digit_mlp.*seed"):
        utils.train_digit_mlp(seed=0.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- printing helpers


def test_prediction_text_is_the_chapters():
    chapter = definitions("images = X[test_idx[:3]]")["prediction_text"]
    logits = torch.randn(4, 10, generator=torch.Generator().manual_seed(0))
    assert chapter(logits) == utils.prediction_text(logits)
    lines = utils.prediction_text(logits).splitlines()
    assert len(lines) == 4 and lines[0].startswith(f"digit {logits[0].argmax().item()}:")
    assert len(lines[0].split()) == 2 + 10
    with pytest.raises(ValueError, match="prediction_text.*logits"):
        utils.prediction_text(torch.zeros(10))


def test_show_error_is_the_chapters():
    chapter = definitions("def show_error")["show_error"]

    def fails(x):
        raise ValueError(f'bad {x}\n  File "/tmp/x.py", line 1\nsecond line')

    for fn, args in [(fails, (1,)), (abs, (-1,))]:
        assert printed(chapter, fn, *args) == printed(utils.show_error, fn, *args)
    assert printed(utils.show_error, fails, 1) == "ValueError: bad 1\nsecond line\n"
    assert printed(utils.show_error, abs, -1) == "no error\n"
    with pytest.raises(TypeError, match="show_error.*fn"):
        utils.show_error(3)


def test_showing_warnings_is_the_chapters():
    chapter = definitions("import contextlib", contextlib=contextlib, textwrap=textwrap, warnings=warnings)
    chapter_showing = chapter["showing_warnings"]

    def warn_twice(show_hidden: bool, helper) -> None:
        with helper(show_hidden=show_hidden):
            for _ in range(2):
                warnings.warn("hidden by default\nsecond line", DeprecationWarning, stacklevel=1)
                warnings.warn("shown " + "word " * 30, UserWarning, stacklevel=1)

    with warnings.catch_warnings():  # Python's defaults for these two, not pytest's "error"
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("default", UserWarning)
        for show_hidden in (False, True):
            assert printed(warn_twice, show_hidden, chapter_showing) == printed(
                warn_twice, show_hidden, utils.showing_warnings
            )
        hidden = printed(warn_twice, False, utils.showing_warnings)
        shown = printed(warn_twice, True, utils.showing_warnings)
    assert "DeprecationWarning" not in hidden and hidden.count("UserWarning: shown") == 1
    assert shown.count("DeprecationWarning: hidden by default\n") == 1  # once, first line only
    assert all(len(line) <= 88 for line in shown.splitlines())


# ---------------------------------------------------------------- the C++ build


def build_cell() -> dict[str, object]:
    return definitions(
        "TORCH_DIR = Path(torch.__file__).parent", ("TORCH_DIR",), Path=Path, shutil=shutil, subprocess=subprocess
    )


def test_cpp_build_steps_are_the_chapters():
    chapter = build_cell()
    assert chapter["cpp_build_steps"]("predict") == utils.cpp_build_steps("predict")
    compile_step, link_step = utils.cpp_build_steps("predict")
    assert compile_step[compile_step.index("-c") + 1] == "predict.cpp"
    assert "-ltorch" in link_step and link_step[link_step.index("-o") + 1] == "predict"


def test_cpp_build_uses_ccache_only_when_installed(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert utils.cpp_build_steps("p")[0][0] == "g++"
    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/bin/{name}")
    assert utils.cpp_build_steps("p")[0][:2] == ["/opt/bin/ccache", "g++"]
    assert utils.cpp_build_steps("p")[1][0] == "g++"  # linking is not cached


@pytest.mark.parametrize("returncodes", [(0, 0), (1, 0), (0, 1)])
def test_build_cpp_is_the_chapters(monkeypatch, tmp_path, returncodes):
    (tmp_path / "prog.cpp").write_text("int main() {}\n")
    calls: list[list[str]] = []

    def fake_run(step, cwd, capture_output, text):
        calls.append(step)
        code = returncodes[len(calls) - 1]
        return subprocess.CompletedProcess(step, code, "", "warning: x\n" * (len(calls) + code))

    monkeypatch.setattr(subprocess, "run", fake_run)
    chapter_output = printed(build_cell()["build_cpp"], tmp_path, "prog")
    chapter_calls, calls[:] = list(calls), []
    assert printed(utils.build_cpp, tmp_path, "prog") == chapter_output
    assert calls == chapter_calls
    assert len(calls) == (1 if returncodes[0] else 2)  # no link after a failed compile
    assert chapter_output.startswith(f"compiled: {returncodes == (0, 0)} |")


def test_build_cpp_rejects_a_missing_source(tmp_path):
    with pytest.raises(FileNotFoundError, match="build_cpp.*nothing.cpp"):
        utils.build_cpp(tmp_path, "nothing")
    with pytest.raises(TypeError, match="build_cpp.*folder"):
        utils.build_cpp(3, "nothing")  # type: ignore[arg-type]


# ---------------------------------------------------------------- AutoInvert


def test_auto_invert_is_the_chapters():
    chapter_class = run_cells(cell_starting(CHAPTER, "class AutoInvert"), model=nn.Identity())["AutoInvert"]
    light = torch.randint(0, 5, (3, 8, 8), generator=torch.Generator().manual_seed(0)).float()  # mean below 8
    for images in (light, 16 - light):
        assert torch.equal(chapter_class()(images), utils.AutoInvert()(images))
    assert torch.equal(utils.AutoInvert()(16 - light), light)  # dark ink on light paper is inverted back
    assert torch.equal(utils.AutoInvert()(light), light)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = torch.jit.script(utils.AutoInvert())
    assert torch.equal(scripted(16 - light), light)


# ---------------------------------------------------------------- the routes figure


def test_route_layout_arrows_run_left_to_right_between_boxes():
    boxes, arrows = utils.route_layout()
    by_key = {box.key: box for box in boxes}
    assert len(arrows) == len(deploy.ROUTE_EDGES)
    for (src, dst), arrow in zip(deploy.ROUTE_EDGES, arrows, strict=True):
        a, b = by_key[src], by_key[dst]
        assert arrow.start == (a.x + a.width / 2, a.y) and arrow.end == (b.x - b.width / 2, b.y)
        assert arrow.start[0] < arrow.end[0], f"{src} -> {dst} does not point right"
        assert arrow.legacy == ("legacy" in (a.kind, b.kind))


def test_route_layout_boxes_do_not_overlap_and_all_are_reached():
    boxes, _ = utils.route_layout()
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = abs(a.x - b.x) >= (a.width + b.width) / 2 or abs(a.y - b.y) >= (a.height + b.height) / 2
            assert apart, f"{a.key} and {b.key} overlap"
    reached, frontier = {"eager"}, ["eager"]
    while frontier:
        node = frontier.pop()
        for src, dst in deploy.ROUTE_EDGES:
            if src == node and dst not in reached:
                reached.add(dst)
                frontier.append(dst)
    assert reached == {box.key for box in boxes}
    assert {box.kind for box in boxes} <= set(deploy.KIND_COLOURS)
    assert [b.key for b in boxes if b.kind == "legacy"] == ["jit", "ts_file", "libtorch"]


def test_plot_routes_draws_every_box_and_arrow():
    ax = utils.plot_routes()
    boxes, arrows = utils.route_layout()
    assert len(ax.patches) == len(boxes) + len(arrows)
    texts = [t.get_text() for t in ax.texts]
    assert all(box.label in texts for box in boxes)
    assert ax.get_title() == "From an eager model to a deployed one"
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # y grows downwards, as in the layout


# ---------------------------------------------------------------- TorchScript graphs


def scripted_and_traced() -> tuple[torch.jit.ScriptModule, torch.jit.ScriptModule]:
    model = utils.DigitMLP(4.0, 2.0).eval()
    robust = nn.Sequential(utils.AutoInvert(), model).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation and the tracer's warning about the `if`
        return torch.jit.script(model), torch.jit.trace(robust, torch.zeros(3, 8, 8))


def test_torchscript_graph_of_a_scripted_model():
    graph = utils.torchscript_graph(scripted_and_traced()[0])
    names = [node.name for node in graph.nodes]
    assert names[:6] == [
        "out.forward (Linear)", "aten::relu", "hidden.forward (Linear)", "aten::flatten", "aten::div", "aten::sub",
    ]  # fmt: skip
    assert graph.nodes[0].kind == "output"
    assert sorted(node.label for node in graph.leaves) == ["images", "mean", "std"]
    by_name = {node.label or node.name: node.id for node in graph.nodes}
    assert graph.targets(by_name["aten::div"]) == (by_name["aten::sub"], by_name["std"])  # (x - mean) / std
    assert graph.targets(by_name["aten::sub"]) == (by_name["images"], by_name["mean"])
    assert all("Constant" not in name for name in names)


def test_torchscript_graph_shows_the_traced_trap():
    graph = utils.torchscript_graph(scripted_and_traced()[1])
    auto_invert = next(node for node in graph.nodes if "AutoInvert" in node.name)
    assert auto_invert.name.endswith("\n(result unused)")
    assert not any(edge.target == auto_invert.id for edge in graph.edges)  # nothing reads its result
    (leaf,) = graph.leaves
    assert sorted(edge.source for edge in graph.edges if edge.target == leaf.id) == [0, auto_invert.id]


def test_torchscript_graph_is_drawn_with_plain_names_and_rejects_eager_modules():
    ax = utils.plot_autograd_graph(utils.torchscript_graph(scripted_and_traced()[0]), direction="data")
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["output", "operation", "leaf (input)"]
    with pytest.raises(TypeError, match="torchscript_graph.*module.*DigitMLP"):
        utils.torchscript_graph(utils.DigitMLP(0.0, 1.0))
