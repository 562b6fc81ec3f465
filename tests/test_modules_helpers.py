"""Unit tests for utils.modules: the layouts as plain data, the drawings, and bad input."""

import matplotlib

matplotlib.use("Agg")

import contextlib
import io
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
import torch
from torch import nn

import utils
from utils import modules
from utils.modules import HookSpan


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class Small(nn.Module):
    """A model with a parameter of its own, a nested Sequential and a tied weight."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
        self.head = nn.Linear(4, 3)
        self.tail = nn.Linear(4, 3)
        self.tail.weight = self.head.weight  # tied: 12 elements shared

    def forward(self, x):
        h = self.body(x * self.scale)
        return self.head(h) + self.tail(h)


CHAPTER = Path(__file__).resolve().parent.parent / "chapters" / "04_modules.ipynb"


def record(model: nn.Module, x: torch.Tensor) -> list[tuple[str, str]]:
    """The chapter's way of recording a hook log (test_chapter_records_the_log_these_tests_use checks it)."""
    log: list[tuple[str, str]] = []
    handles = []
    for name, module in model.named_modules():
        label = name or "model"
        handles.append(module.register_forward_pre_hook(lambda m, a, label=label: log.append(("pre", label))))
        handles.append(module.register_forward_hook(lambda m, a, o, label=label: log.append(("forward", label))))
    model(x)
    for handle in handles:
        handle.remove()
    return log


def test_all_is_exported_through_utils():
    assert set(modules.__all__) >= {"module_tree", "plot_module_tree", "hook_spans", "plot_train_eval"}
    for name in modules.__all__:
        assert getattr(utils, name) is getattr(modules, name)


# ---------------------------------------------------------------- module_tree


def test_module_tree_names_classes_and_counts():
    nodes = {n.name: n for n in utils.module_tree(Small())}
    assert list(nodes) == ["", "body", "body.0", "body.1", "head", "tail"]
    assert nodes[""].class_name == "Small" and nodes["body.0"].class_name == "Linear"
    assert nodes[""].own_params == 3  # scale only
    assert nodes["body"].own_params == 0 and nodes["body"].total_params == 16
    assert nodes["head"].own_params == nodes["tail"].own_params == 15  # each holds the tied weight
    # the tied weight counted once, as parameters() yields it: 3 + 16 + 12 + 3 + 3
    assert nodes[""].total_params == sum(p.numel() for p in Small().parameters()) == 37


def test_module_tree_layout_parents_depths_positions():
    nodes = {n.name: n for n in utils.module_tree(Small())}
    assert nodes[""].parent is None and nodes["body.1"].parent == "body"
    assert [nodes[k].depth for k in ["", "body", "body.0"]] == [0, 1, 2]
    assert all(n.y == -n.depth for n in nodes.values())
    assert [nodes[k].x for k in ["body.0", "body.1", "head", "tail"]] == [0, 1, 2, 3]  # leaves in order
    assert nodes["body"].x == 0.5 and nodes[""].x == (0.5 + 3) / 2  # above the middle of the children


def test_module_tree_single_module_and_shared_submodule():
    assert [(n.name, n.x, n.total_params) for n in utils.module_tree(nn.Linear(2, 3))] == [("", 0.0, 9)]
    layer = nn.Linear(2, 2)
    twice = nn.Sequential(layer, nn.ReLU(), layer)
    assert [n.name for n in utils.module_tree(twice)] == ["", "0", "1"]  # as named_modules() yields it


def test_module_tree_refuses_bad_input():
    with pytest.raises(TypeError, match=r"module_tree\(\): argument 'model' must be an nn.Module, got list"):
        utils.module_tree([nn.Linear(2, 2)])
    with pytest.raises(ValueError, match="at most 40 modules, got 51"):
        utils.module_tree(nn.Sequential(*[nn.ReLU() for _ in range(50)]))
    with pytest.raises(ValueError, match="uninitialised"):
        utils.module_tree(nn.Sequential(nn.LazyLinear(2)))


def test_plot_module_tree_draws_one_box_and_edge_per_module():
    ax = utils.plot_module_tree(Small())
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == 6 and len(ax.lines) == 5  # boxes; edges to the parents
    assert labels[0] == "(model)\nSmall\nown 3 | total 37"
    assert "body.0\nLinear\nown 16 | total 16" in labels
    assert ax.get_title() == "Small: 37 parameters"
    assert ax.get_xlabel() and ax.get_ylabel() == "depth in the tree"


def test_plot_module_tree_uses_given_axes_and_title():
    _, ax = plt.subplots()
    assert utils.plot_module_tree(nn.Linear(2, 2), ax, title="t") is ax
    assert ax.get_title() == "t"
    with pytest.raises(TypeError, match="argument 'ax' must be a matplotlib Axes or None"):
        utils.plot_module_tree(nn.Linear(2, 2), ax="ax")


# ---------------------------------------------------------------- hook_spans


def test_hook_spans_pair_and_nest_a_recorded_log():
    log = record(Small(), torch.ones(2, 3))
    assert log[:3] == [("pre", "model"), ("pre", "body"), ("pre", "body.0")]
    spans = utils.hook_spans(log)
    assert [s.name for s in spans] == ["model", "body", "body.0", "body.1", "head", "tail"]
    assert spans[0] == HookSpan("model", 0, len(log) - 1, 0)
    assert spans[2] == HookSpan("body.0", 2, 3, 2)
    assert spans[4].level == 1


def test_chapter_records_the_log_these_tests_use():
    """The chapter's hook cell, run on another model, logs what `record` logs, so the helpers take its log."""
    cells = [c.source for c in nbformat.read(CHAPTER, as_version=4).cells if c.cell_type == "code"]
    (source,) = [s for s in cells if s.startswith("log, handles = [], []")]
    namespace = {"model": Small(), "x": torch.ones(2, 3)}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 (the book's own cell)
    assert namespace["log"] == record(Small(), torch.ones(2, 3))
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in namespace["model"].modules())  # removed


def test_hook_spans_refuse_broken_logs():
    with pytest.raises(ValueError, match="closes 'b', but the innermost open call is 'a'"):
        utils.hook_spans([("pre", "a"), ("forward", "b")])
    with pytest.raises(ValueError, match=r"never closed by a forward event: \['a'\]"):
        utils.hook_spans([("pre", "a")])
    with pytest.raises(ValueError, match="kind 'post'"):
        utils.hook_spans([("post", "a")])
    with pytest.raises(ValueError, match="closes 'a' with 'end', opened with 'pre'"):
        utils.hook_spans([("pre", "a"), ("end", "a")])
    with pytest.raises(TypeError, match=r"hook_spans\(\): argument 'events' must hold \(kind, name\) pairs"):
        utils.hook_spans([("pre", "a", 1)])
    with pytest.raises(TypeError, match="argument 'events' must be a list"):
        utils.hook_spans("pre")


def test_hook_spans_and_timeline_take_a_start_end_log():
    log = [("start", "fit"), ("start", "epoch 0"), ("end", "epoch 0"), ("start", "epoch 1"), ("end", "epoch 1")]
    log.append(("end", "fit"))
    spans = utils.hook_spans(log)
    assert [(s.name, s.start, s.end, s.level) for s in spans] == [
        ("fit", 0, 5, 0),
        ("epoch 0", 1, 2, 1),
        ("epoch 1", 3, 4, 1),
    ]
    ax = utils.plot_hook_timeline(log)
    assert ax.get_title() == "hook timeline: 3 calls, 6 events"
    assert ax.get_xlabel() == "event number in the log (▶ start, ● end)" and ax.get_ylabel() == "call"


def test_plot_hook_timeline_draws_a_bar_per_call():
    log = record(Small(), torch.ones(2, 3))
    ax = utils.plot_hook_timeline(log)
    assert len(ax.patches) == 6
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True), reverse=True)
    assert [label for _, label in ticks] == ["model", "body", "body.0", "body.1", "head", "tail"]  # top down
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths[-1] == len(log) - 1  # the model's call spans the whole log
    assert ax.get_title() == f"hook timeline: 6 module calls, {len(log)} events"
    assert ax.get_xlabel() == "event number in the log (▶ pre-hook, ● forward hook)"
    assert ax.get_ylabel() == "module call"
    with pytest.raises(ValueError, match="at least one call"):
        utils.plot_hook_timeline([])


# ---------------------------------------------------------------- train vs eval


def test_train_eval_outputs_show_dropout_only_in_train_mode():
    torch.manual_seed(0)
    drop = nn.Dropout(0.5)
    out = utils.train_eval_outputs(drop, torch.ones(20), num_passes=4)
    assert out["eval"].shape == out["train"].shape == (4, 20)
    assert torch.equal(out["eval"], torch.ones(4, 20))
    assert set(out["train"].unique().tolist()) == {0.0, 2.0}
    assert not torch.equal(out["train"][0], out["train"][1])  # a new mask every pass


def test_train_eval_outputs_leave_the_module_as_it_was():
    bn = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).eval()
    before = {k: v.clone() for k, v in bn.state_dict().items()}
    out = utils.train_eval_outputs(bn, torch.randn(4, 2, generator=torch.Generator().manual_seed(0)), num_passes=2)
    assert [m.training for m in bn.modules()] == [False, False, False]
    assert all(torch.equal(v, before[k]) for k, v in bn.state_dict().items())  # running stats restored
    assert torch.equal(out["train"][0], out["train"][1])  # batch statistics: no randomness
    assert not torch.allclose(out["train"][0], out["eval"][0])


def test_train_eval_outputs_refuse_bad_input():
    with pytest.raises(TypeError, match="argument 'x' must be a torch.Tensor, got list"):
        utils.train_eval_outputs(nn.ReLU(), [1.0])
    with pytest.raises(ValueError, match="'num_passes' must be at most 10, got 11"):
        utils.train_eval_outputs(nn.ReLU(), torch.ones(2), num_passes=11)
    with pytest.raises(ValueError, match="'num_passes' must be a positive int, got 0"):
        utils.train_eval_outputs(nn.ReLU(), torch.ones(2), num_passes=0)


def test_plot_train_eval_draws_a_row_per_pass():
    torch.manual_seed(0)
    ax = utils.plot_train_eval(nn.Dropout(0.5), torch.ones(6), num_passes=3)
    (image,) = ax.get_images()
    assert image.get_array().shape == (6, 6)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["eval 1", "eval 2", "eval 3", "train 1", "train 2", "train 3"]
    assert [t.get_text() for t in ax.texts[:6]] == ["1"] * 6
    assert ax.get_title() == "Dropout: same input, eval mode vs train mode"
    assert ax.get_xlabel() == "output element" and ax.get_ylabel()
    with pytest.raises(ValueError, match="at most 32 elements to draw, got 33"):
        utils.plot_train_eval(nn.ReLU(), torch.ones(33))


def test_plot_helpers_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    utils.plot_module_tree(Small())
    utils.plot_hook_timeline([("pre", "a"), ("forward", "a")])
    utils.plot_train_eval(nn.ReLU(), torch.ones(3))
    assert dict(matplotlib.rcParams) == before
