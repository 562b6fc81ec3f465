"""The digits with PyTorch Lightning: the classes of the chapter "PyTorch Lightning".

Not imported by ``import utils`` (the helpers do not need Lightning); import it
as ``from utils.lightning import DigitsClassifier, DigitsDataModule``. The
chapter writes both classes out; tests/test_models.py checks that they and
these are the same.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from torch import nn
from torch.utils.data import DataLoader

from .data import digits_datasets
from .models import make_digits_cnn

__all__ = ["DigitsClassifier", "DigitsDataModule"]

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
