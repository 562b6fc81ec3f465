"""How much does utils.fit cost over the same loop written by hand?

    .venv/bin/python benchmarks/fit_overhead.py [--rounds 7] [--epochs 20]

Trains the same model (the MLP of the chapter "Training and prediction", on
its normalised training digits) on the same data with that chapter's
hand-written loop and with utils.fit (progress bar off), alternating the two
so that machine noise hits both alike, and prints the median time of each and their ratio. Goal (issue 4):
fit costs at most 5% more. One thread, as in the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import utils


def setup(seed: int = 0):
    X, y = utils.digits_datasets(seed=seed).train.tensors  # the chapter's training set, normalised
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, loader, optimizer


def by_hand(num_epochs: int) -> float:
    model, loader, optimizer = setup()
    loss_fn = nn.CrossEntropyLoss()
    started = time.perf_counter()
    for _ in range(num_epochs):
        model.train()
        total, count = 0.0, 0
        for X, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            count += len(y)
    return time.perf_counter() - started


def with_fit(num_epochs: int) -> float:
    model, loader, optimizer = setup()
    started = time.perf_counter()
    utils.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, num_epochs=num_epochs, progress=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    by_hand(1), with_fit(1)  # warm up
    hand, fitted = [], []
    for round_ in range(args.rounds):  # alternate, and swap which goes first
        if round_ % 2:
            fitted.append(with_fit(args.epochs))
            hand.append(by_hand(args.epochs))
        else:
            hand.append(by_hand(args.epochs))
            fitted.append(with_fit(args.epochs))
    h, f = statistics.median(hand), statistics.median(fitted)
    print(f"threads: {torch.get_num_threads()}, epochs per run: {args.epochs}, rounds: {args.rounds}")
    print(f"hand-written loop: median {h:.3f} s")
    print(f"utils.fit:         median {f:.3f} s")
    print(f"ratio fit / hand:  {f / h:.3f} (goal: at most 1.05)")


if __name__ == "__main__":
    main()
