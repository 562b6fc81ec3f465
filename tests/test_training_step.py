"""utils.training_step: trace_training_step and plot_training_step."""

import matplotlib
import pytest
import torch
from matplotlib.axes import Axes
from torch import nn

import utils
from utils import STEP_CALLS, TrainingStepTrace, plot_training_step, trace_training_step

matplotlib.use("Agg")


def make(seed: int = 0, optimizer: str = "sgd"):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    gen = torch.Generator().manual_seed(seed)
    batch = (torch.randn(8, 3, generator=gen), torch.randint(0, 2, (8,), generator=gen))
    return model, opt, batch


def test_the_stages_are_the_start_and_the_five_calls_in_order():
    model, opt, batch = make()
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    assert [s.name for s in trace.stages] == ["start", *[name for name, _ in STEP_CALLS]]
    assert [s.call for s in trace.stages[1:]] == [call for _, call in STEP_CALLS]
    assert trace.parameter == "0.weight" and trace.shape == (4, 3)  # the first parameter the optimizer updates
    assert trace["forward"].made == "y_hat (8, 2)"


def test_the_grad_appears_at_backward_and_the_value_changes_at_step_only():
    model, opt, batch = make()
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch, parameter="2.bias")
    grads = [s.grad_norm for s in trace.stages]
    assert grads[:4] == [None, None, None, None] and grads[4] is not None and grads[5] == grads[4]
    assert [s.value_change for s in trace.stages[:5]] == [0.0] * 5 and trace["step"].value_change > 0
    assert trace["loss"].made.startswith("loss ")


def test_zero_grad_clears_the_gradient_left_by_a_previous_step():
    model, opt, batch = make()
    trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    assert trace["start"].grad_norm is not None and trace["zero_grad"].grad_norm is None


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_step_is_the_same_as_the_hand_written_one(optimizer):
    model, opt, batch = make(seed=1, optimizer=optimizer)
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch, parameter="2.weight")
    traced = {name: p.detach().clone() for name, p in model.named_parameters()}

    model, opt, batch = make(seed=1, optimizer=optimizer)
    before = model[2].weight.detach().clone()
    model.train()
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(batch[0]), batch[1])
    loss.backward()
    opt.step()
    assert trace.loss == loss.item()
    assert all(torch.equal(traced[name], p) for name, p in model.named_parameters())
    assert trace["step"].value_change == (model[2].weight - before).abs().max().item()
    assert trace["backward"].grad_norm == model[2].weight.grad.norm().item()
    assert trace["step"].value_norm == model[2].weight.norm().item()


def test_the_model_is_put_in_train_mode():
    model, opt, batch = make()
    model.eval()
    trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    assert model.training


def test_a_stage_that_does_not_exist_is_named():
    model, opt, batch = make()
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    with pytest.raises(KeyError, match=r"TrainingStepTrace has no stage 'update'; it has \['start', 'zero_grad'"):
        trace["update"]


def _frozen_first_layer():
    model, _, batch = make()
    return model, torch.optim.SGD(model[2].parameters(), lr=0.1), batch


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"model": "mlp"}, TypeError, r"trace_training_step\(\): argument 'model' must be a torch.nn.Module, got str"),
        ({"loss_fn": 3}, TypeError, r"argument 'loss_fn' must be callable, got int"),
        ({"optimizer": None}, TypeError, r"argument 'optimizer' must be a torch.optim.Optimizer, got NoneType"),
        (
            {"batch": torch.zeros(8, 3)},
            TypeError,
            r"argument 'batch' must be an \(inputs, targets\) pair, got a tensor",
        ),
        ({"batch": ([1.0], [0])}, TypeError, r"argument 'batch' must be a pair of tensors, got \(list, list\)"),
        ({"parameter": "3.weight"}, ValueError, r"argument 'parameter' must name a parameter of the model, one of \["),
        ({"parameter": 0}, TypeError, r"argument 'parameter' must be a str .* or None, got int"),
        ({"model": nn.ReLU()}, ValueError, r"argument 'model' has no parameters, got ReLU"),
        (
            {"loss_fn": lambda y_hat, y: y_hat},
            ValueError,
            r"loss_fn must return a scalar tensor, got a tensor of shape",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(change, error, match):
    model, opt, batch = make()
    kwargs = {"model": model, "loss_fn": nn.CrossEntropyLoss(), "optimizer": opt, "batch": batch, **change}
    parameter = kwargs.pop("parameter", None)
    with pytest.raises(error, match=match):
        trace_training_step(**kwargs, parameter=parameter)


def test_a_parameter_the_optimizer_does_not_update_is_refused_before_any_work():
    model, opt, batch = _frozen_first_layer()
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"argument 'optimizer' does not update parameter '0.weight'"):
        trace_training_step(model, nn.CrossEntropyLoss(), opt, batch, parameter="0.weight")
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert trace_training_step(model, nn.CrossEntropyLoss(), opt, batch).parameter == "2.weight"  # the default


def test_plot_draws_one_text_per_cell_and_shades_what_changed():
    model, opt, batch = make()
    trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch, parameter="2.weight")
    ax = plot_training_step(trace)
    assert isinstance(ax, Axes)
    assert len(ax.texts) == 3 * 6
    assert [t.get_text() for t in ax.get_xticklabels()] == ["start", *[call for _, call in STEP_CALLS]]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2.weight", "2.weight.grad", "the call made"]
    assert ax.get_title() == "One training step, seen from parameter '2.weight' (2, 4)"
    assert ax.get_xlabel() and ax.get_ylabel()
    shaded = ax.get_images()[0].get_array()
    # value: changed at step; .grad: cleared at zero_grad, set at backward; made: by forward and loss
    assert shaded.tolist() == [[0, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0]]
    texts = [t.get_text() for t in ax.texts]  # column by column: value, .grad, made
    assert texts[4] == "None" and texts[8] == "y_hat (8, 2)" and "max change" in texts[15]


def test_plot_takes_an_axes_and_a_title():
    model, opt, batch = make()
    trace = trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)
    ax = matplotlib.pyplot.figure().add_subplot()
    assert utils.plot_training_step(trace, ax=ax, title="a step") is ax and ax.get_title() == "a step"


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("trace",), {}, r"plot_training_step\(\): argument 'trace' must be a utils.TrainingStepTrace, got str"),
        ((TrainingStepTrace("w", (1,), (), 0.0),), {"ax": 1}, r"argument 'ax' must be a matplotlib Axes or None"),
        ((TrainingStepTrace("w", (1,), (), 0.0),), {"title": 1}, r"argument 'title' must be a str or None, got int"),
    ],
)
def test_plot_rejects_bad_input(args, kwargs, match):
    with pytest.raises(TypeError, match=match):
        plot_training_step(*args, **kwargs)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_trace_on_cuda_moves_the_batch():
    model, opt, batch = make()
    model.cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    assert trace_training_step(model, nn.CrossEntropyLoss(), opt, batch)["step"].value_change > 0
