"""Unit tests for utils.distributed: what plot_all_reduce draws and how it refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

import utils
from utils import distributed


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def two_ranks() -> tuple[list[torch.Tensor], torch.Tensor]:
    local = [torch.tensor([1.0, -2.0, 0.5]), torch.tensor([3.0, 0.0, -0.5])]
    return local, (local[0] + local[1]) / 2


def test_exported_through_utils():
    assert distributed.__all__ == ["plot_all_reduce"]
    assert utils.plot_all_reduce is distributed.plot_all_reduce


def test_draws_one_bar_per_rank_and_entry_plus_the_reduced_values():
    local, reduced = two_ranks()
    ax = utils.plot_all_reduce(local, reduced, name="bias gradient")
    heights = [round(bar.get_height(), 6) for bar in ax.patches]
    assert len(heights) == 3 * 3
    # bars are drawn series by series: rank 0, rank 1, then the mean
    assert heights == [1.0, -2.0, 0.5, 3.0, 0.0, -0.5, 2.0, -1.0, 0.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "rank 0, before",
        "rank 1, before",
        "all-reduced (mean)",
    ]
    assert ax.get_title() == "All-reduce of the bias gradient over 2 ranks"
    assert ax.get_xlabel() and ax.get_ylabel()


def test_bars_of_one_entry_sit_side_by_side_around_its_tick():
    local, reduced = two_ranks()
    ax = utils.plot_all_reduce(local, reduced)
    centres = [bar.get_x() + bar.get_width() / 2 for bar in ax.patches]
    assert centres[0] < 0 < centres[6] and centres[3] == pytest.approx(0.0)
    assert list(ax.get_xticks()) == [0, 1, 2]


def test_draws_into_the_given_axes():
    local, reduced = two_ranks()
    _, ax = plt.subplots()
    assert utils.plot_all_reduce(local, reduced, ax=ax) is ax


@pytest.mark.parametrize(
    ("local", "reduced", "error", "message"),
    [
        (torch.zeros(2, 3), torch.zeros(3), TypeError, "argument 'local_grads' must be a list or tuple"),
        ([torch.zeros(3)], [0.0, 0.0, 0.0], TypeError, "argument 'reduced' must be a torch.Tensor, got list"),
        ([torch.zeros(3)], torch.zeros(1, 3), ValueError, "argument 'reduced' must have 1 dimension"),
        ([], torch.zeros(3), ValueError, "must hold 1 to 6 tensors (one per rank), got 0"),
        ([torch.zeros(3)] * 7, torch.zeros(3), ValueError, "must hold 1 to 6 tensors (one per rank), got 7"),
        ([torch.zeros(3), torch.zeros(4)], torch.zeros(3), ValueError, "(3,), got a tensor of shape (4,)"),
        ([torch.zeros(3), [0.0] * 3], torch.zeros(3), ValueError, "got list at rank 1"),
        ([torch.zeros(0)], torch.zeros(0), ValueError, "must have at least one entry"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(local, reduced, error, message):
    with pytest.raises(error, match=r"^plot_all_reduce\(\): ") as info:
        utils.plot_all_reduce(local, reduced)
    assert message in str(info.value)


def test_bad_ax_or_name_is_refused():
    local, reduced = two_ranks()
    with pytest.raises(TypeError, match="argument 'ax' must be a matplotlib Axes or None, got str"):
        utils.plot_all_reduce(local, reduced, ax="left")
    with pytest.raises(TypeError, match="argument 'name' must be a str, got int"):
        utils.plot_all_reduce(local, reduced, name=3)
