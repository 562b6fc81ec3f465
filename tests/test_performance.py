"""utils.performance: the phases of a profiled step, their picture, and the saved-tensor meter."""

from __future__ import annotations

import math
import os
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from torch import nn
from torch.profiler import ProfilerActivity, profile, record_function
from torch.utils.checkpoint import checkpoint

import utils
from utils import STEP_PHASES, phase_shares, phase_times, plot_phase_times, saved_tensors
from utils.performance import _segments

matplotlib.use("Agg")


def event(key: str, cpu_time_total: float) -> SimpleNamespace:
    return SimpleNamespace(key=key, cpu_time_total=cpu_time_total)


# --------------------------------------------------------------------------- phase_times


def test_phase_times_reads_microseconds_as_milliseconds_in_the_order_asked():
    events = [event("aten::mm", 9000.0), event("backward", 3000.0), event("forward", 1500.0), event("data", 250.0)]
    times = phase_times(events, phases=("data", "forward", "backward"))
    assert list(times) == ["data", "forward", "backward"]
    assert times == {"data": 0.25, "forward": 1.5, "backward": 3.0}  # aten::mm is not a phase


def test_phase_times_adds_up_repeated_labels():
    events = [event("forward", 1000.0), event("forward", 500.0)]
    assert phase_times(events, phases=["forward"]) == {"forward": 1.5}


def test_phase_times_of_a_real_profile_finds_the_four_labels():
    os.environ["KINETO_LOG_LEVEL"] = "6"
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(2):
            with record_function("data"):
                X = torch.randn(8, 4)
            with record_function("forward"):
                loss = model(X).square().mean()
            with record_function("backward"):
                loss.backward()
            with record_function("optimizer"):
                optimizer.step()
                optimizer.zero_grad()
    times = phase_times(prof.key_averages())
    assert list(times) == list(STEP_PHASES)
    assert all(t > 0 for t in times.values())
    forward = next(e for e in prof.key_averages() if e.key == "forward")
    assert forward.count == 2 and times["forward"] == pytest.approx(forward.cpu_time_total / 1000)


def test_phase_times_names_the_missing_phases():
    with pytest.raises(ValueError, match=r"phase_times\(\): phases \['optimizer'\] are not in the profile"):
        phase_times([event("data", 1.0), event("forward", 1.0), event("backward", 1.0)])


@pytest.mark.parametrize("phases", [[], ["forward", 3], "forward"])
def test_phase_times_rejects_bad_phases(phases):
    # a plain str would be read letter by letter: refused
    with pytest.raises(TypeError, match=r"phase_times\(\): argument 'phases' must be a non-empty iterable of str"):
        phase_times([event("forward", 1.0)], phases=phases)


# --------------------------------------------------------------------------- shares and layout


def test_phase_shares_are_fractions_in_the_given_order():
    shares = phase_shares({"forward": 1.0, "backward": 3.0})
    assert list(shares) == ["forward", "backward"]
    assert shares == {"forward": 0.25, "backward": 0.75}


def test_segments_are_stacked_left_to_right():
    segments = _segments({"data": 1.0, "forward": 2.0, "backward": 5.0})
    assert [(s.name, s.start, s.width) for s in segments] == [
        ("data", 0.0, 1.0),
        ("forward", 1.0, 2.0),
        ("backward", 3.0, 5.0),
    ]
    assert [s.share for s in segments] == [0.125, 0.25, 0.625]


@pytest.mark.parametrize(
    ("times", "error", "match"),
    [
        ([1.0, 2.0], TypeError, "argument 'times' must be a mapping of phase name to time, got list"),
        ({}, ValueError, "argument 'times' must not be empty"),
        ({"forward": -1.0}, ValueError, "argument 'times' must hold finite, non-negative times, got 'forward': -1.0"),
        (
            {"forward": math.nan},
            ValueError,
            "argument 'times' must hold finite, non-negative times, got 'forward': nan",
        ),
        (
            {"forward": math.inf},
            ValueError,
            "argument 'times' must hold finite, non-negative times, got 'forward': inf",
        ),
        ({"forward": True}, TypeError, "argument 'times' must map str to a number, got 'forward': bool"),
        ({1: 2.0}, TypeError, "argument 'times' must map str to a number, got 1: float"),
        ({"forward": 0.0, "backward": 0}, ValueError, "argument 'times' must not be all zero"),
    ],
)
def test_phase_shares_rejects_bad_times(times, error, match):
    with pytest.raises(error, match=r"phase_shares\(\): " + match):
        phase_shares(times)


# --------------------------------------------------------------------------- plot_phase_times


def test_plot_phase_times_draws_one_segment_and_one_label_per_phase():
    times = {"data": 1.0, "forward": 4.0, "backward": 4.0, "optimizer": 1.0}
    ax = plot_phase_times(times, title="A step")
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [(b.get_x(), b.get_width()) for b in bars] == [(0.0, 1.0), (1.0, 4.0), (5.0, 4.0), (9.0, 1.0)]
    assert [t.get_text() for t in ax.texts] == ["data\n10%", "forward\n40%", "backward\n40%", "optimizer\n10%"]
    assert ax.get_xlim() == (0.0, 10.0)
    assert ax.get_title() == "A step" and ax.get_xlabel() == "time per step (ms)" and ax.get_ylabel() == "one step"
    plt.close(ax.figure)


def test_plot_phase_times_draws_into_the_given_axes_with_its_unit():
    fig, ax = plt.subplots()
    assert plot_phase_times({"forward": 2.0}, ax=ax, unit="µs") is ax
    assert ax.get_xlabel() == "time per step (µs)" and ax.get_title() == "Where the time of one training step goes"
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ax": "axes"}, "argument 'ax' must be a matplotlib Axes or None, got str"),
        ({"unit": 1}, "argument 'unit' must be a str, got int"),
        ({"title": 3}, "argument 'title' must be a str or None, got int"),
    ],
)
def test_plot_phase_times_rejects_bad_arguments(kwargs, match):
    with pytest.raises(TypeError, match=r"plot_phase_times\(\): " + match):
        plot_phase_times({"forward": 1.0}, **kwargs)


def test_plot_phase_times_rejects_bad_times_by_its_own_name():
    with pytest.raises(ValueError, match=r"plot_phase_times\(\): argument 'times' must not be empty"):
        plot_phase_times({})


def test_plot_phase_times_returns_axes():
    ax = plot_phase_times({"forward": 1.0, "backward": 2.0})
    assert isinstance(ax, Axes)
    plt.close(ax.figure)


# --------------------------------------------------------------------------- saved_tensors


def test_saved_tensors_counts_a_linear_input_and_a_relu_output_once_each():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    X = torch.randn(16, 4)
    with saved_tensors(exclude=model.parameters()) as log:
        model(X)
    # Linear saves its input (its weight only when the input needs a gradient); ReLU saves its output
    assert log.nbytes == 16 * 4 * 4 + 16 * 8 * 4
    assert log.count == 2


def test_saved_tensors_counts_parameters_unless_excluded():
    model = nn.Linear(4, 8, bias=False)
    X = torch.randn(16, 4, requires_grad=True)  # so that the weight is saved for the input's gradient
    with saved_tensors() as with_weight:
        model(X)
    with saved_tensors(exclude=model.parameters()) as without:
        model(X)
    assert with_weight.nbytes - without.nbytes == 8 * 4 * 4


def test_saved_tensors_counts_a_storage_once_however_often_it_is_saved():
    x = torch.randn(100, requires_grad=True)
    with saved_tensors() as log:
        (x * x * x).sum()  # x saved by both multiplications, and x * x once more
    assert log.count == 4
    assert log.nbytes == 2 * 100 * 4  # x and x * x


def test_saved_tensors_sees_nothing_inside_a_checkpoint():
    block = nn.Sequential(nn.Linear(4, 16), nn.ReLU())
    X = torch.randn(8, 4, requires_grad=True)
    with saved_tensors(exclude=block.parameters()) as plain:
        block(X)
    with saved_tensors(exclude=block.parameters()) as log:
        checkpoint(block, X, use_reentrant=False)
    assert plain.nbytes == 8 * 4 * 4 + 8 * 16 * 4  # the input and the ReLU's output
    assert log.nbytes <= 8 * 4 * 4  # at most the input: checkpoint's own hooks take over inside the block


def test_saved_tensors_rejects_a_non_tensor_to_exclude():
    with pytest.raises(
        TypeError, match=r"saved_tensors\(\): argument 'exclude' must be an iterable of tensors, got int"
    ):
        with saved_tensors(exclude=[1]):
            pass


def test_the_module_is_exported_from_utils():
    assert utils.performance.__all__ == [
        "STEP_PHASES",
        "SavedTensorLog",
        "phase_shares",
        "phase_times",
        "plot_phase_times",
        "saved_tensors",
    ]
    assert all(hasattr(utils, name) for name in utils.performance.__all__)
