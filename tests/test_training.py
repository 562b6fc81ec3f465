"""utils.training: fit, evaluate, predict, accuracy, History, plot_history."""

import pytest
import torch
from matplotlib.axes import Axes
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import utils
from utils import History, accuracy, evaluate, fit, plot_history, predict


def blobs(n: int = 96, seed: int = 0) -> TensorDataset:
    """Two well-separated Gaussian blobs in 2-D, labels 0 and 1."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    X = torch.randn(n, 2, generator=gen) + 3.0 * y[:, None].float()
    return TensorDataset(X, y)


def make(seed: int = 0, shuffle: bool = True, generator: bool = False):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 2))
    gen = torch.Generator().manual_seed(seed) if generator else None
    loader = DataLoader(blobs(), batch_size=16, shuffle=shuffle, generator=gen)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, loader, optimizer


def test_fit_loss_falls_and_history_is_complete():
    model, loader, optimizer = make()
    val = DataLoader(blobs(seed=1), batch_size=32)
    history = fit(
        model,
        loader,
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=optimizer,
        num_epochs=5,
        val_loader=val,
        metrics={"accuracy": accuracy},
        progress=False,
    )
    assert history.epochs == [1, 2, 3, 4, 5]
    assert sorted(history.metrics) == ["train_loss", "val_accuracy", "val_loss"]
    assert history["train_loss"][-1] < history["train_loss"][0] / 2
    assert history.last()["val_accuracy"] > 0.9


@pytest.mark.parametrize("generator", [False, True], ids=["global-generator", "loader-generator"])
def test_fit_gives_the_same_numbers_as_the_hand_written_loop(generator):
    model, loader, optimizer = make(seed=3, generator=generator)
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=3, progress=False)

    model, loader, optimizer = make(seed=3, generator=generator)
    loss_fn, by_hand = nn.CrossEntropyLoss(), []
    for _ in range(3):
        model.train()
        total = 0.0
        for X, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        by_hand.append(total / len(loader.dataset))
    assert history["train_loss"] == by_hand


def test_fit_progress_bar_can_be_switched_off(capsys):
    model, loader, optimizer = make()
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=1, progress=False)
    assert capsys.readouterr() == ("", "")
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=2, progress=True)
    out, err = capsys.readouterr()
    assert "epochs" in out and "2/2" in out and err == ""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_fit_on_cuda():
    model, loader, optimizer = make()
    model.to("cuda")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=2, progress=False)
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_fit_names_the_problem_with_wrong_input_shapes():
    model, _, optimizer = make()
    wrong = DataLoader(TensorDataset(torch.zeros(8, 3), torch.zeros(8, dtype=torch.int64)), batch_size=4)
    with pytest.raises(
        ValueError,
        match=r"fit\(\): the model cannot take the inputs that 'train_loader' yields "
        r"\(shape \(4, 3\), dtype torch.float32\)",
    ):
        fit(model, wrong, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=1, progress=False)


def test_fit_names_the_problem_with_wrong_targets():
    model, _, optimizer = make()
    wrong = DataLoader(TensorDataset(torch.zeros(8, 2), torch.zeros(8, 5)), batch_size=4)
    with pytest.raises(
        ValueError,
        match=r"loss_fn cannot compare the model's outputs \(shape \(4, 2\)\) with the "
        r"targets that 'train_loader' yields \(shape \(4, 5\)",
    ):
        fit(model, wrong, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=1, progress=False)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"num_epochs": 0}, ValueError, r"fit\(\): argument 'num_epochs' must be a positive int, got 0"),
        ({"num_epochs": 2.0}, TypeError, r"argument 'num_epochs' must be a positive int, got float"),
        ({"model": "net"}, TypeError, r"argument 'model' must be a torch.nn.Module, got str"),
        ({"optimizer": None}, TypeError, r"argument 'optimizer' must be a torch.optim.Optimizer, got NoneType"),
        ({"loss_fn": 3}, TypeError, r"argument 'loss_fn' must be callable, got int"),
        ({"train_loader": torch.zeros(3)}, TypeError, r"argument 'train_loader' must be an iterable of \(inputs, "),
        ({"train_loader": []}, ValueError, r"argument 'train_loader' yielded no batches"),
        (
            {"train_loader": [torch.zeros(2)]},
            TypeError,
            r"must yield \(inputs, targets\) pairs, got a tensor of shape \(2,\)",
        ),
        ({"train_loader": [(torch.zeros(3, 2), torch.zeros(2))]}, ValueError, r"different lengths"),
        ({"progress": "yes"}, TypeError, r"argument 'progress' must be a bool, got str"),
        (
            {"train_loader": (batch for batch in [(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))] * 3)},
            TypeError,
            r"fit\(\): argument 'train_loader' must be iterable once per epoch .*got generator, a one-shot iterator",
        ),
        (
            {"val_loader": iter([(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))])},
            TypeError,
            r"argument 'val_loader' must be iterable once per epoch .*got list_iterator",
        ),
    ],
)
def test_fit_rejects_bad_input_before_training(change, error, match):
    model, loader, optimizer = make()
    before = [p.clone() for p in model.parameters()]
    kwargs = {
        "model": model,
        "train_loader": loader,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": optimizer,
        "num_epochs": 1,
        "progress": False,
        **change,
    }
    with pytest.raises(error, match=match):
        fit(kwargs.pop("model"), kwargs.pop("train_loader"), **kwargs)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_fit_stops_on_a_diverging_loss():
    model, _, _ = make()
    X = torch.randn(32, 2, generator=torch.Generator().manual_seed(0))
    loader = DataLoader(TensorDataset(X, 100 * X), batch_size=8)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e6)
    with pytest.raises(FloatingPointError, match=r"the training loss became (nan|inf) in epoch"):
        fit(model, loader, loss_fn=nn.MSELoss(), optimizer=optimizer, num_epochs=5, progress=False)


def test_fit_leaves_no_trace_when_the_check_runs():
    """The first-batch check must not consume random numbers nor update batch-norm statistics."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    loader = DataLoader(blobs(), batch_size=16, shuffle=True)
    before = model[1].running_mean.clone()
    state = torch.random.get_rng_state()
    with pytest.raises(ValueError, match="the model cannot take the inputs that 'val_loader' yields"):
        fit(
            model,
            loader,
            loss_fn=nn.CrossEntropyLoss(),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            num_epochs=1,
            val_loader=[(torch.zeros(2, 3), torch.zeros(2))],
            progress=False,
        )
    assert torch.equal(model[1].running_mean, before)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert model.training


def test_evaluate_averages_over_examples():
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.bias.zero_()
    X = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([[1.0], [2.0], [5.0]])
    loader = DataLoader(TensorDataset(X, y), batch_size=2)  # batches of 2 and 1: a weighted mean
    assert evaluate(model, loader, loss_fn=nn.MSELoss()) == {"loss": pytest.approx(4 / 3)}
    assert model.training is False


def test_evaluate_rejects_empty_loader():
    with pytest.raises(ValueError, match=r"evaluate\(\): argument 'loader' yielded no examples"):
        evaluate(nn.Linear(1, 1), [], loss_fn=nn.MSELoss())


def test_accuracy():
    y_hat = torch.tensor([[2.0, 1.0], [0.0, 1.0], [3.0, -1.0], [0.0, 5.0]])
    assert accuracy(y_hat, torch.tensor([0, 1, 1, 1])) == 0.75
    with pytest.raises(
        ValueError,
        match=r"accuracy\(\): expected logits of shape \(n, classes\) and labels of "
        r"shape \(n,\), got \(4, 2\) and \(3,\)",
    ):
        accuracy(y_hat, torch.tensor([0, 1, 1]))
    with pytest.raises(TypeError, match=r"accuracy\(\): arguments must be tensors, got list"):
        accuracy([1], torch.tensor([0]))


def test_predict_batches_and_returns_cpu_outputs():
    torch.manual_seed(0)
    model = nn.Linear(2, 3)
    X = torch.randn(10, 2)
    out = predict(model, X, batch_size=4)
    assert out.shape == (10, 3) and out.device.type == "cpu"
    assert torch.allclose(out, model(X).detach())
    with pytest.raises(ValueError, match=r"predict\(\): argument 'batch_size' must be a positive int, got 0"):
        predict(model, X, batch_size=0)


def test_history_access():
    history = History()
    history.append(1, {"train_loss": 2.0, "val_loss": 3.0})
    history.append(2, {"train_loss": 1.0, "val_loss": 2.5})
    assert history["val_loss"] == [3.0, 2.5]
    assert history.last() == {"train_loss": 1.0, "val_loss": 2.5}
    with pytest.raises(KeyError, match=r"History has no metric 'accuracy'; it has \['train_loss', 'val_loss'\]"):
        history["accuracy"]


def test_plot_history_draws_the_losses_by_default():
    history = History()
    for epoch, (a, b, c) in enumerate([(2.0, 3.0, 0.5), (1.0, 2.0, 0.7)], start=1):
        history.append(epoch, {"train_loss": a, "val_loss": b, "val_accuracy": c})
    ax = plot_history(history)
    assert isinstance(ax, Axes)
    assert [line.get_label() for line in ax.get_lines()] == ["train_loss", "val_loss"]
    assert list(ax.get_lines()[1].get_ydata()) == [3.0, 2.0]
    assert (ax.get_xlabel(), ax.get_title()) == ("epoch", "Training history")
    given = utils.plot_history(history, ax=ax.figure.add_subplot(2, 1, 2), names=["val_accuracy"], ylabel="accuracy")
    assert [line.get_label() for line in given.get_lines()] == ["val_accuracy"] and given.get_ylabel() == "accuracy"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (({"loss": [1]},), {}, TypeError, r"plot_history\(\): argument 'history' must be a utils.History, got dict"),
        ((History(),), {}, ValueError, r"argument 'history' is empty"),
    ],
)
def test_plot_history_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_history(*args, **kwargs)


def test_plot_history_rejects_unknown_metric():
    history = History()
    history.append(1, {"train_loss": 1.0})
    with pytest.raises(
        ValueError,
        match=r"argument 'names' must name metrics of the history \['train_loss'\], "
        r"got \['val_loss'\]",
    ):
        plot_history(history, names=["val_loss"])


LIGHTNING_CSV = """\
epoch,lr-Adam,step,train_loss,val_acc,val_loss
,0.002,0,,,
0,,16,,0.87,0.57
0,,16,1.56,,
,0.001,17,,,
1,,33,,0.93,0.23
1,,33,0.30,,
"""


def test_history_from_csv_gathers_lightning_rows_by_epoch(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text(LIGHTNING_CSV)
    history = utils.history_from_csv(path)
    assert history.epochs == [1, 2]
    assert history.metrics == {
        "lr-Adam": [0.002, 0.001],
        "train_loss": [1.56, 0.30],
        "val_acc": [0.87, 0.93],
        "val_loss": [0.57, 0.23],
    }
    assert [line.get_label() for line in plot_history(history).get_lines()] == ["train_loss", "val_loss"]


def test_history_from_csv_keeps_the_last_value_and_fills_gaps(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,step,train_loss_step,val_loss\n0,4,2.0,\n0,9,1.5,\n0,9,,1.7\n1,14,1.0,\n,20,,\n")
    history = utils.history_from_csv(str(path))
    assert history.epochs == [1, 2]
    assert history["train_loss_step"] == [1.5, 1.0]
    assert history["val_loss"] == pytest.approx([1.7, float("nan")], nan_ok=True)


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        (None, FileNotFoundError, r"history_from_csv\(\): argument 'path' must name an existing file, got '.*nothing"),
        ("step,loss\n1,2.0\n", ValueError, r"an 'epoch' column .*got columns \['step', 'loss'\]"),
        ("epoch,step,loss\n,1,2.0\n", ValueError, r"argument 'path' holds no rows with an epoch"),
        ("epoch,step,loss\n0,1,high\n", ValueError, r"line 2 of .* is not numeric"),
    ],
)
def test_history_from_csv_rejects_bad_files(tmp_path, content, error, match):
    path = tmp_path / "nothing.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(error, match=match):
        utils.history_from_csv(path)


def test_history_from_csv_rejects_a_non_path():
    with pytest.raises(TypeError, match=r"history_from_csv\(\): argument 'path' must be a str or path, got int"):
        utils.history_from_csv(3)


@pytest.mark.filterwarnings(r"ignore:.*isinstance\(treespec, LeafSpec\):FutureWarning")
def test_history_from_csv_reads_what_lightning_writes(tmp_path):
    pl = pytest.importorskip("pytorch_lightning")
    from pytorch_lightning.loggers import CSVLogger

    class Blobs(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(2, 2)

        def training_step(self, batch, batch_idx):
            loss = nn.functional.cross_entropy(self.net(batch[0]), batch[1])
            self.log("train_loss", loss, on_step=False, on_epoch=True)
            return loss

        def validation_step(self, batch, batch_idx):
            self.log("val_loss", nn.functional.cross_entropy(self.net(batch[0]), batch[1]))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    torch.manual_seed(0)
    logger = CSVLogger(tmp_path, name="blobs")
    trainer = pl.Trainer(
        max_epochs=3,
        logger=logger,
        log_every_n_steps=1,
        accelerator="cpu",
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    loader = DataLoader(blobs(), batch_size=32)
    trainer.fit(Blobs(), loader, DataLoader(blobs(seed=1), batch_size=32))
    history = utils.history_from_csv(tmp_path / "blobs" / "version_0" / "metrics.csv")
    assert history.epochs == [1, 2, 3]
    assert sorted(history.metrics) == ["train_loss", "val_loss"]
    assert history["val_loss"][-1] == pytest.approx(trainer.callback_metrics["val_loss"].item())


# ---------------------------------------------------------------- fit with a learning-rate scheduler


def test_fit_steps_an_epoch_scheduler_once_per_epoch_and_records_lr():
    model, loader, optimizer = make()
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history = fit(
        model,
        loader,
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=optimizer,
        num_epochs=5,
        progress=False,
        scheduler=scheduler,
    )
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    assert scheduler.last_epoch == 5 and optimizer.param_groups[0]["lr"] == pytest.approx(0.025)


def test_fit_steps_a_step_scheduler_after_every_batch_like_the_hand_written_loop():
    def run(by_hand: bool):
        model, loader, optimizer = make(seed=2, generator=True)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=3 * len(loader))
        if not by_hand:
            history = fit(
                model,
                loader,
                loss_fn=nn.CrossEntropyLoss(),
                optimizer=optimizer,
                num_epochs=3,
                progress=False,
                scheduler=scheduler,
                scheduler_interval="step",
            )
            return history["train_loss"], scheduler.last_epoch
        losses = []
        for _ in range(3):
            model.train()
            total = 0.0
            for X, y in loader:
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(X), y)
                loss.backward()
                optimizer.step()
                scheduler.step()
                total += loss.item() * len(y)
            losses.append(total / len(loader.dataset))
        return losses, scheduler.last_epoch

    assert run(by_hand=False) == run(by_hand=True)
    assert run(by_hand=False)[1] == 3 * 6  # 96 examples in batches of 16


def test_fit_steps_reduce_on_plateau_with_the_validation_loss():
    class Recording(torch.optim.lr_scheduler.ReduceLROnPlateau):
        seen: list[float] = []

        def step(self, metrics, epoch=None):
            self.seen.append(metrics)
            super().step(metrics)

    model, loader, optimizer = make()
    scheduler = Recording(optimizer, factor=0.5, patience=0, threshold=10.0)
    val = DataLoader(blobs(seed=1), batch_size=32)
    history = fit(
        model,
        loader,
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=optimizer,
        num_epochs=3,
        progress=False,
        val_loader=val,
        scheduler=scheduler,
    )
    assert scheduler.seen == history["val_loss"]
    # threshold=10 (relative): no validation loss counts as an improvement, so every epoch halves the rate
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0125)


def test_fit_without_a_scheduler_records_no_lr():
    model, loader, optimizer = make()
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=1, progress=False)
    assert "lr" not in history.metrics


@pytest.mark.parametrize(
    ("make_scheduler", "kwargs", "error", "match"),
    [
        (
            lambda opt: "cosine",
            {},
            TypeError,
            r"fit\(\): argument 'scheduler' must be a torch.optim.lr_scheduler.LRScheduler or None, got str",
        ),
        (
            lambda opt: None,
            {"scheduler_interval": "batch"},
            ValueError,
            r"fit\(\): argument 'scheduler_interval' must be 'epoch' or 'step', got 'batch'",
        ),
        (
            lambda opt: torch.optim.lr_scheduler.StepLR(torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0), 1),
            {},
            ValueError,
            r"argument 'scheduler' must schedule the optimizer passed as 'optimizer'",
        ),
        (
            lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt),
            {},
            ValueError,
            r"ReduceLROnPlateau 'scheduler' .* needs 'val_loader'.*got val_loader=NoneType",
        ),
    ],
)
def test_fit_rejects_a_bad_scheduler_before_training(make_scheduler, kwargs, error, match):
    model, loader, optimizer = make()
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(error, match=match):
        fit(
            model,
            loader,
            loss_fn=nn.CrossEntropyLoss(),
            optimizer=optimizer,
            num_epochs=1,
            progress=False,
            scheduler=make_scheduler(optimizer),
            **kwargs,
        )
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
