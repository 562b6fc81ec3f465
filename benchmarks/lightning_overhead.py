"""How much does PyTorch Lightning's Trainer cost over the plain training loop?

    .venv/bin/python benchmarks/lightning_overhead.py [--rounds 5] [--epochs 10]

Trains the digits CNN of the chapters "Training and prediction" and "PyTorch
Lightning" (utils.make_digits_cnn, utils.digits_datasets, batches of 64, Adam
with learning rate 0.002, validation after every epoch) with utils.fit and
with the chapter's LightningModule (utils.lightning.DigitsClassifier) in a
Trainer (no logger, no checkpointing, no progress bar, no model summary, no
sanity check, so that both do the same work), alternating the two so that
machine noise hits both alike. Prints the median time per epoch of each (the
run's time, Trainer set-up included, divided by the epochs) and their ratio.
One thread, as in the test suite.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import utils

# Lightning 2.6.6 calls a torch function that torch 2.13 deprecates; nothing to do with this benchmark.
warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)", category=FutureWarning)
import pytorch_lightning as pl  # noqa: E402 (after the warnings filter)

from utils.lightning import DigitsClassifier  # noqa: E402 (the chapter's class, as the chapter writes it)

for _name in ("pytorch_lightning", "lightning_fabric"):  # the import sets them to INFO
    logging.getLogger(_name).setLevel(logging.ERROR)


def datasets(seed: int = 0) -> tuple[TensorDataset, TensorDataset]:
    digits = utils.digits_datasets(seed=seed)  # the chapters' split and normalisation
    return digits.train, digits.val


def loaders(train_set, val_set, seed: int = 0) -> tuple[DataLoader, DataLoader]:
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(train_set, batch_size=64, shuffle=True, generator=generator), DataLoader(val_set, batch_size=256)


def with_fit(data, num_epochs: int) -> float:
    train_loader, val_loader = loaders(*data)
    torch.manual_seed(0)
    model = utils.make_digits_cnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    started = time.perf_counter()
    utils.fit(
        model,
        train_loader,
        loss_fn=nn.CrossEntropyLoss(),
        optimizer=optimizer,
        num_epochs=num_epochs,
        val_loader=val_loader,
        metrics={"accuracy": utils.accuracy},
        progress=False,
    )
    return time.perf_counter() - started


def with_lightning(data, num_epochs: int) -> float:
    train_loader, val_loader = loaders(*data)
    torch.manual_seed(0)
    model = DigitsClassifier()
    started = time.perf_counter()
    trainer = pl.Trainer(
        max_epochs=num_epochs,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
    )
    trainer.fit(model, train_loader, val_loader)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = datasets()
    with_fit(data, 1), with_lightning(data, 1)  # warm up
    plain, lightning = [], []
    for round_ in range(args.rounds):  # alternate, and swap which goes first
        if round_ % 2:
            lightning.append(with_lightning(data, args.epochs))
            plain.append(with_fit(data, args.epochs))
        else:
            plain.append(with_fit(data, args.epochs))
            lightning.append(with_lightning(data, args.epochs))
    p, lt = statistics.median(plain) / args.epochs, statistics.median(lightning) / args.epochs
    print(f"threads: {torch.get_num_threads()}, epochs per run: {args.epochs}, rounds: {args.rounds}")
    print(f"plain loop (utils.fit): median {p * 1000:.1f} ms per epoch")
    print(f"Lightning Trainer:      median {lt * 1000:.1f} ms per epoch")
    print(f"ratio Lightning / plain: {lt / p:.3f}")


if __name__ == "__main__":
    main()
