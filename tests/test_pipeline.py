"""utils.pipeline: the stages of a real DataLoader, their layout as plain data, and the two pictures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

import utils

DATA = TensorDataset(torch.zeros(10, 3), torch.zeros(10))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_stages_are_read_from_the_loader():
    plain = utils.pipeline_stages(DataLoader(DATA, batch_size=4))
    assert [s.name for s in plain] == ["sampler", "batch sampler", "dataset", "collate_fn"]
    assert plain[0].detail == "SequentialSampler"
    assert plain[1].detail == "batch_size=4\ndrop_last=False"
    assert plain[2].detail.startswith("TensorDataset")
    assert plain[3].detail == "default_collate"
    sampler = WeightedRandomSampler(torch.ones(10), 10)
    loader = DataLoader(DATA, batch_size=5, sampler=sampler, drop_last=True, collate_fn=utils.pad_collate)
    other = utils.pipeline_stages(loader, model="CNN")
    assert other[0].detail == "WeightedRandomSampler" and other[1].detail == "batch_size=5\ndrop_last=True"
    assert other[3].detail == "pad_collate" and other[-1].name == "model" and other[-1].detail == "CNN"
    assert [s.in_worker for s in other] == [False, False, True, True, False]


def test_layout_places_boxes_left_to_right_with_arrows_between():
    stages = utils.pipeline_stages(DataLoader(DATA, batch_size=4), model="m")
    layout = utils.pipeline_layout(stages, num_workers=0)
    xs = [box[0] for box in layout.boxes]
    assert xs == sorted(xs) and len(set(xs)) == len(xs) == 5
    assert len(layout.arrows) == 4
    for (x_start, x_end, _, label), left, right, stage in zip(
        layout.arrows, layout.boxes, layout.boxes[1:], stages, strict=False
    ):
        assert left[0] < x_start < x_end == right[0]  # from the right edge of one box to the next box
        assert label == stage.passes_on
    assert layout.worker_frame is None
    assert layout.width == pytest.approx(layout.boxes[-1][0] + (layout.boxes[1][0] - layout.boxes[0][0]) - 1.2)


def test_worker_frame_surrounds_exactly_the_worker_stages():
    stages = utils.pipeline_stages(DataLoader(DATA, batch_size=4), model="m")
    layout = utils.pipeline_layout(stages, num_workers=3)
    assert layout.worker_frame is not None
    x, _, width, _, label = layout.worker_frame
    inside = [box[2] for box in layout.boxes if x < box[0] < x + width]
    assert inside == ["dataset", "collate_fn"]
    assert label == "in each of 3 worker processes" and "(3 workers)" in layout.title
    assert utils.pipeline_layout(stages, num_workers=1).worker_frame[4] == "in each of 1 worker process"


def test_plot_pipeline_draws_every_stage():
    loader = DataLoader(DATA, batch_size=4, shuffle=True, num_workers=2)
    ax = utils.plot_pipeline(loader, model="the model")
    texts = [t.get_text() for t in ax.texts]
    for expected in ["sampler", "RandomSampler", "collate_fn", "the model", "in each of 2 worker processes", "batch"]:
        assert expected in texts
    assert ax.get_title() == "One DataLoader, stage by stage (2 workers)" and ax.get_xlabel()
    assert len(ax.patches) == 6  # five boxes and the worker frame


def test_plot_digits_tiles_images_and_titles():
    images = torch.arange(3 * 64, dtype=torch.float32).view(3, 1, 8, 8)
    ax = utils.plot_digits(images, ["a", "b", "c"], ncols=2, title="three")
    canvas = ax.get_images()[0].get_array()
    assert canvas.shape == (2 * (8 + 4), 2 * (8 + 1))
    assert np.nanmax(canvas) == 1.0 and np.nanmin(canvas) == 0.0  # each image scaled to its own range
    assert [t.get_text() for t in ax.texts] == ["a", "b", "c"]
    assert ax.get_title() == "three" and ax.get_xlabel() == "3 images of 8 x 8 pixels"
    _, ax_given = plt.subplots()
    assert utils.plot_digits(images[:, 0], ax=ax_given) is ax_given


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: utils.plot_digits([1, 2]), TypeError, r"plot_digits\(\): argument 'images' must be a torch.Tensor"),
        (lambda: utils.plot_digits(torch.zeros(2, 3, 8, 8)), ValueError, r"must have one channel"),
        (lambda: utils.plot_digits(torch.zeros(2, 8, 8), ["a"]), ValueError, r"one str per image \(2\)"),
        (lambda: utils.plot_digits(torch.zeros(2, 8, 8), ncols=0), ValueError, r"'ncols' must be a positive int"),
        (lambda: utils.pipeline_stages([1]), TypeError, r"pipeline_stages\(\): argument 'loader' must be a torch"),
        (lambda: utils.pipeline_layout([]), ValueError, r"pipeline_layout\(\): argument 'stages' must be a non-empty"),
        (lambda: utils.pipeline_layout(utils.pipeline_stages(DataLoader(DATA)), -1), ValueError, r"'num_workers'"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
