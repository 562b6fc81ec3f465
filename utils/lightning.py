"""The digits with PyTorch Lightning: the classes of the chapter "PyTorch Lightning".

Not imported by ``import utils`` (the helpers do not need Lightning); import it
as ``from utils.lightning import DigitsClassifier, DigitsDataModule``. The
chapter writes both classes out; tests/test_models.py checks that they and
these are the same. It also writes out :class:`HookRecorder`, a callback that
notes every hook the ``Trainer`` calls (tests/test_lightning_ch10.py checks
that both record the same), and :func:`plot_trainer_hooks` draws its log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytorch_lightning as pl
import torch
from matplotlib.axes import Axes
from pytorch_lightning.callbacks import Callback
from torch import nn
from torch.utils.data import DataLoader

from ._validate import check_type
from .data import digits_datasets
from .models import make_digits_cnn
from .modules import hook_spans, plot_hook_timeline

__all__ = [
    "CALLBACK_HOOKS",
    "DigitsClassifier",
    "DigitsDataModule",
    "HookRecorder",
    "plot_trainer_hooks",
    "trainer_hook_timeline",
]

Batch = tuple[torch.Tensor, torch.Tensor]


class DigitsDataModule(pl.LightningDataModule):
    """The digits as the chapter "Data" splits and normalises them, with the loaders of "Training and prediction".

    Saves and restores the generator that shuffles the training batches in
    checkpoints, so that a resumed run sees the batches an uninterrupted one
    would.
    """

    def __init__(self, batch_size: int = 64, seed: int = 0) -> None:
        super().__init__()
        self.batch_size, self.seed = batch_size, seed
        self.generator = torch.Generator().manual_seed(seed)  # the order of the training batches

    def setup(self, stage: str | None = None) -> None:
        digits = digits_datasets(seed=self.seed)
        self.train_set, self.val_set, self.test_set = digits.train, digits.val, digits.test
        self.mean, self.std = digits.mean, digits.std  # of the training images only

    def train_dataloader(self) -> DataLoader[Any]:
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True, generator=self.generator)

    def val_dataloader(self) -> DataLoader[Any]:
        return DataLoader(self.val_set, batch_size=256)

    def test_dataloader(self) -> DataLoader[Any]:
        return DataLoader(self.test_set, batch_size=256)

    def predict_dataloader(self) -> DataLoader[Any]:
        return self.test_dataloader()

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.generator.set_state(state_dict["generator"])


class DigitsClassifier(pl.LightningModule):
    """The CNN of the chapter "Training and prediction" and its training, as Lightning hooks.

    Adam with learning rate ``lr``; logs ``train_loss`` (the epoch's mean),
    ``val_loss``, ``val_acc``, ``test_loss`` and ``test_acc``.
    """

    def __init__(self, lr: float = 0.002) -> None:
        super().__init__()
        self.save_hyperparameters()  # self.hparams.lr, saved in checkpoints
        self.model = make_digits_cnn()
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.model(X)
        return out

    def training_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        X, y = batch
        loss: torch.Tensor = self.loss_fn(self(X), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True, sync_dist=True)  # the epoch's mean
        return loss

    def measure(self, batch: Batch, stage: str) -> None:
        X, y = batch
        y_hat = self(X)
        self.log(f"{stage}_loss", self.loss_fn(y_hat, y), sync_dist=True)
        self.log(f"{stage}_acc", (y_hat.argmax(dim=1) == y).float().mean(), sync_dist=True)

    def validation_step(self, batch: Batch, batch_idx: int) -> None:
        self.measure(batch, "val")

    def test_step(self, batch: Batch, batch_idx: int) -> None:
        self.measure(batch, "test")

    def predict_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        X, _ = batch
        predicted: torch.Tensor = self(X).argmax(dim=1)  # the predicted digits
        return predicted

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.hparams["lr"])


# --------------------------------------------------------------------------- every hook the Trainer calls

#: The names of the hooks a ``Callback`` can implement, read from the class itself
#: (its public methods; ``state_key`` is a property), in the order Lightning defines them.
CALLBACK_HOOKS: list[str] = [
    name for name, value in vars(Callback).items() if callable(value) and not name.startswith("_")
]


class HookRecorder(Callback):
    """A callback that notes the name of every ``Callback`` hook the ``Trainer`` calls, in call order.

    The chapter "PyTorch Lightning" writes it out. Each hook in
    :data:`CALLBACK_HOOKS` appends its name to :attr:`events`, then does what
    ``Callback``'s own does (nothing, or return the empty ``state_dict``).
    """

    def __init__(self) -> None:
        self.events: list[str] = []


def _recording(name: str) -> Callable[..., Any]:
    hook = getattr(Callback, name)  # Callback's own: does nothing, or returns the empty state

    def recorded(self: HookRecorder, *args: Any, **kwargs: Any) -> Any:
        self.events.append(name)
        return hook(self, *args, **kwargs)

    return recorded


for _name in CALLBACK_HOOKS:
    setattr(HookRecorder, _name, _recording(_name))


def _span_of(hook: str) -> tuple[str, str] | None:
    """``on_X_start`` -> ``("start", "X")``, ``on_X_end`` -> ``("end", "X")``, setup/teardown as one span."""
    if hook in ("setup", "teardown"):
        return ("start" if hook == "setup" else "end", "setup ... teardown")
    for kind in ("start", "end"):
        if hook.startswith("on_") and hook.endswith(f"_{kind}"):
            return kind, hook[len("on_") : -len(f"_{kind}")]
    return None


def trainer_hook_timeline(events: Sequence[str]) -> tuple[list[tuple[str, str]], list[int], list[tuple[int, str]]]:
    """Split a :class:`HookRecorder` log into what :func:`~utils.modules.plot_hook_timeline` draws, and the rest.

    ``on_X_start``/``on_X_end`` become ``("start", "X")``/``("end", "X")``,
    and ``setup``/``teardown`` the span ``"setup ... teardown"``. Every other
    hook (``on_before_backward``, ...) is a point event.

    Args:
        events: Hook names in call order, as :attr:`HookRecorder.events`.

    Returns:
        ``(spans, where, points)``: the ``(kind, name)`` log of the spans;
        for each of its events, its index in ``events``; and ``(index, hook)``
        for each point event.

    Raises:
        TypeError: ``events`` is not a list or tuple of str.
    """
    func = "trainer_hook_timeline"
    check_type(func, "events", events, (list, tuple), "a list of hook names")
    spans: list[tuple[str, str]] = []
    where: list[int] = []
    points: list[tuple[int, str]] = []
    for index, hook in enumerate(events):
        if not isinstance(hook, str):
            raise TypeError(f"{func}(): argument 'events' must hold hook names (str), got {hook!r}")
        span = _span_of(hook)
        if span is None:
            points.append((index, hook))
        else:
            spans.append(span)
            where.append(index)
    return spans, where, points


def _respace(ax: Axes, where: list[int]) -> None:
    """Move what plot_hook_timeline drew at span-event index k to x = where[k] (bars and their markers)."""
    for bar in ax.patches:
        start, end = round(bar.get_x()), round(bar.get_x() + bar.get_width())  # type: ignore[attr-defined]
        bar.set_x(where[start])  # type: ignore[attr-defined]
        bar.set_width(where[end] - where[start])  # type: ignore[attr-defined]
    for line in ax.lines:
        line.set_xdata([where[round(x)] for x in np.asarray(line.get_xdata(), dtype=float).tolist()])


def plot_trainer_hooks(events: Sequence[str], ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw a :class:`HookRecorder` log: the start/end hooks as bars, every other hook as a tick.

    The bars are :func:`~utils.modules.plot_hook_timeline`'s (a row per call,
    nested calls further down), moved so that every hook call keeps its own
    place on the axis; each point hook (see :func:`trainer_hook_timeline`) is
    a tick on the row of the innermost call open at that moment, one colour
    per hook, named in the legend. The chapter "PyTorch Lightning" draws a
    1-epoch, 2-batch run with it.

    Args:
        events: Hook names in call order, as :attr:`HookRecorder.events`.
        ax: Axes to draw into; a new figure is made when ``None``.
        title: The title; by default it counts the hooks.

    Returns:
        The Axes drawn into.

    Raises:
        TypeError: An argument has the wrong type (the message names it).
        ValueError: As :func:`~utils.modules.hook_spans`, or the log has no start/end hooks.
    """
    func = "plot_trainer_hooks"
    check_type(func, "ax", ax, (Axes, type(None)), "a matplotlib Axes or None")
    check_type(func, "title", title, (str, type(None)), "a str or None")
    span_log, where, points = trainer_hook_timeline(events)
    spans = hook_spans(span_log)
    if not spans:
        raise ValueError(f"{func}(): argument 'events' must hold at least one start/end pair, got {list(events)!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(9.0, 0.4 * len(spans) + 1.6), layout="constrained")
    default = f"{len(events)} hook calls: {len(spans)} start/end pairs, {len(points)} other hooks"
    plot_hook_timeline(span_log, ax=ax, title=title if title is not None else default)
    _respace(ax, where)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    kinds = list(dict.fromkeys(hook for _, hook in points))
    for x, hook in points:  # on the row of the innermost open call; plot_hook_timeline puts span i on row n - 1 - i
        inside = [i for i, span in enumerate(spans) if where[span.start] < x < where[span.end]]
        row = len(spans) - 1 - max(inside, key=lambda i: spans[i].level) if inside else len(spans) - 1
        label = hook if hook not in ax.get_legend_handles_labels()[1] else None
        colour = colours[kinds.index(hook) % len(colours)]
        ax.plot([x], [row], marker="|", markersize=14, markeredgewidth=2, color=colour, linestyle="none", label=label)
    if points:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="other hooks")
    ax.relim()
    ax.autoscale_view()
    ax.set_xticks(range(0, len(events), 1 if len(events) <= 20 else 5))
    ax.set_xlabel("hook call number in the log (▶ on_..._start or setup, ● on_..._end or teardown, | other hooks)")
    return ax
